"""Work notices through a real Redis and a real ``celery worker`` process, against the local
fake of the vendors (the pattern of tests/notifications/test_worker_process.py): the worker is
pointed at the fake by its environment (``WECOM_API_BASE`` …)."""

from __future__ import annotations

import datetime as dt
import os
import signal
import time
import uuid

import pytest
from django.utils import timezone

from lists import services as domain
from notifications import services, tasks
from notifications.models import OutboxMessage
from organization.models import User
from tests.notifications.processes import CeleryWorker
from tests.notifications.test_worker_process import (
    FAST_RETRIES,
    MAX_ATTEMPTS,
    RETRY_BASE,
    _clear_broker,
    _wait_for,
    services_urls,  # noqa: F401  (a fixture)
)

from .conftest import configure_both_and_link_the_cadre
from .fakes import VendorFake

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.services]


@pytest.fixture(scope="module")
def vendor():
    server = VendorFake()
    yield server
    server.close()


@pytest.fixture(scope="module")
def vendor_worker(services_urls, vendor):  # noqa: F811
    broker, database = services_urls
    _clear_broker(broker)
    env = {**FAST_RETRIES, **vendor.settings()}
    with CeleryWorker(broker_url=broker, database_url=database, name="connect-worker", env=env) as worker:
        worker.start()
        yield worker


@pytest.fixture
def worker(vendor_worker, services_urls, vendor):  # noqa: F811
    assert vendor_worker.running, vendor_worker.output()[-3000:]
    _clear_broker(services_urls[0])
    with vendor.lock:
        vendor.calls.clear()
        vendor.sends.clear()
        vendor.delivered.clear()
        vendor.failures.clear()
    return vendor_worker


@pytest.fixture
def scene(township, vendor):
    """青山镇 with both vendors set up, cadre001 linked in both (no email); a draft list of branch
    01 with one item for cadre001."""
    configure_both_and_link_the_cadre(township)
    township.cadre.email = ""
    township.cadre.save(update_fields=["email"])
    township.list = domain.list_create(
        unit=township.branch, month=dt.date(2026, 12, 1), title="12月清单", actor=township.leader
    )
    domain.item_create(
        lst=township.list,
        actor=township.leader,
        title="主题党日",
        standard="召开并记录",
        assignee=township.cadre,
        lead_leader=township.leader,
        due_at=timezone.now() + dt.timedelta(days=10),
    )
    township.vendor = vendor
    return township


def _rows(scene, channel=None):
    rows = OutboxMessage.objects.filter(event="item.assigned", recipient=scene.cadre)
    return rows.filter(channel=channel) if channel else rows


def _all_sent(scene) -> bool:
    rows = _rows(scene)
    return rows.exists() and not rows.exclude(state="sent").exists()


def _publish(scene):
    domain.list_publish(lst=scene.list, actor=scene.leader)


def _drain(scene) -> None:
    """Wait until the worker ran every task enqueued so far: its one pool process takes them in
    order, so once a marker enqueued now is delivered, all earlier ones ran."""
    marker, _ = User.objects.get_or_create(username="marker")
    [pk] = services.outbox_write(event="digest.daily", recipients=[marker], key=uuid.uuid4().hex, text="marker")
    _wait_for(lambda: OutboxMessage.objects.filter(pk=pk, state="sent").exists(), what="the marker")


def _delivered(vendor, provider):
    return [entry for entry in vendor.delivered if entry["key"][0] == provider]


def test_work_notices_are_delivered_once_with_their_message_ids(worker, scene):
    _publish(scene)
    _wait_for(lambda: _all_sent(scene))
    assert sorted(_rows(scene).values_list("channel", flat=True)) == ["dingtalk", "in_app", "wecom"]
    assert _rows(scene, "wecom").get().provider_message_id.startswith("msg-")
    assert _rows(scene, "dingtalk").get().provider_message_id.isdigit()
    assert len(scene.vendor.sends) == 2 and len(scene.vendor.delivered) == 2
    # A broker redelivery of the same tasks sends nothing twice.
    services.enqueue_delivery(list(_rows(scene).values_list("pk", flat=True)))
    _drain(scene)
    assert len(scene.vendor.sends) == 2
    assert list(_rows(scene).values_list("attempts", flat=True)) == [1, 1, 1]


def test_a_5xx_is_retried_with_backoff_then_dead(worker, scene):
    scene.vendor.fail("/cgi-bin/message/send", status=500, times=MAX_ATTEMPTS)
    _publish(scene)
    row = _rows(scene, "wecom").get()
    claims, delays = [], []
    for attempt in range(1, MAX_ATTEMPTS + 1):
        _wait_for(
            lambda n=attempt: OutboxMessage.objects.filter(
                pk=row.pk, attempts=n, state__in=("failed", "dead")
            ).exists(),
            what=f"attempt {attempt}",
        )
        row.refresh_from_db()
        claims.append(row.claimed_at)
        assert row.last_error == "HTTP 500"
        if attempt == MAX_ATTEMPTS:
            assert row.state == "dead"
            break
        delay = (row.next_attempt_at - row.claimed_at).total_seconds()
        full = RETRY_BASE * 2 ** (attempt - 1)
        assert full / 2 <= delay <= full
        delays.append(delay)
        while timezone.now() < row.next_attempt_at:
            time.sleep(0.02)
        assert tasks.redispatch_outbox() == 1
    for earlier, later, delay in zip(claims, claims[1:], delays):
        assert (later - earlier).total_seconds() >= delay
    assert tasks.redispatch_outbox() == 0  # dead is final
    assert _delivered(scene.vendor, "wecom") == []
    _wait_for(lambda: _rows(scene, "dingtalk").filter(state="sent").exists())  # the other channel went through


def test_pool_process_killed_mid_send_is_redelivered_and_reaches_the_person_once(worker, scene):
    """SIGKILL of the pool process while WeCom holds the send (it has taken the message but
    not answered): the redelivered task takes the row over and sends again; WeCom's duplicate
    check drops the repeat, so the person gets one notice, and the row is sent with its id."""
    scene.vendor.hold_first("/cgi-bin/message/send")
    [killed] = worker.pool_pids()
    _publish(scene)
    assert scene.vendor.held.wait(timeout=30), worker.output()[-3000:]
    row = _rows(scene, "wecom").get()
    assert (row.state, row.attempts) == ("sending", 1)
    os.kill(killed, signal.SIGKILL)
    _wait_for(lambda: _all_sent(scene), what="the redelivered task")
    scene.vendor.release()
    row.refresh_from_db()
    assert row.attempts == 2 and row.provider_message_id.startswith("msg-")
    wecom_sends = [body for body in scene.vendor.sends if "touser" in body]
    assert len(wecom_sends) == 2 and len(_delivered(scene.vendor, "wecom")) == 1
    assert worker.running and "WorkerLostError" in worker.output()
