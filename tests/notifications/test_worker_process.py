"""Delivery through a real Redis and real ``celery worker`` processes (not eager, not a thread).

The worker runs as a subprocess against the test's own PostgreSQL database (the tests commit:
``transaction=True``), so these tests need PostgreSQL and Redis: they fail in CI without them
and skip elsewhere. The tests that stop Redis or kill a whole worker use a ``redis-server`` of
their own on a port in 6390–6399, so that the shared worker cannot take their tasks.

Each scenario is a real domain change: branch 01's list is published, which assigns its item to
cadre001 (one in-app row and one group-bot row: the branch's bot is a local HTTP server that
counts the requests it receives and the ones it answers).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import time
import uuid

import kombu
import pytest
import redis
import time_machine
from django.db import transaction
from django.utils import timezone

from config.celery import app
from lists import services as domain
from notifications import services, tasks
from notifications.models import Notification, NotificationPreference, OutboxMessage
from organization.models import User
from tests.conftest import require_redis, require_service
from workflows.events import emit

from .processes import CeleryWorker, RedisServer, database_url_for, free_port

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.services]

# The shared worker retries fast: 0.25 s × 2^(n-1) (times 0.5–1.0), dead at the 4th attempt.
RETRY_BASE = 0.25
MAX_ATTEMPTS = 4
FAST_RETRIES = {"NOTIFICATIONS_RETRY_BASE_SECONDS": str(RETRY_BASE), "NOTIFICATIONS_MAX_ATTEMPTS": str(MAX_ATTEMPTS)}


def _wait_for(predicate, timeout=30.0, what="the worker"):
    """Poll the database while the worker process works; fail with ``what`` on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    pytest.fail(f"timed out waiting for {what}")


def _clear_broker(url: str) -> None:
    """Empty the queue and Redis's unacknowledged-message store of earlier runs."""
    redis.Redis.from_url(url).delete("celery", "unacked", "unacked_index")


@pytest.fixture(scope="module")
def services_urls(django_db_setup, django_db_blocker):
    """(broker URL, database URL of the test database) for worker processes."""
    from django.db import connection

    if connection.vendor != "postgresql":
        require_service("PostgreSQL (DATABASE_URL; a worker process cannot share the in-memory SQLite test database)")
    url = require_redis()
    assert app.conf.broker_url == url and not app.conf.task_always_eager
    return url, database_url_for(connection.settings_dict["NAME"])


@pytest.fixture(scope="module")
def shared_worker(services_urls):
    broker, database = services_urls
    _clear_broker(broker)
    with CeleryWorker(broker_url=broker, database_url=database, name="notify-shared", env=FAST_RETRIES) as worker:
        worker.start()
        yield worker


@pytest.fixture
def worker(shared_worker, services_urls):
    assert shared_worker.running, shared_worker.output()[-3000:]
    _clear_broker(services_urls[0])
    return shared_worker


@pytest.fixture
def private_redis(services_urls):
    """A redis-server of this test's own, with the test process's Celery app pointed at it."""
    if RedisServer.binary is None:
        require_service("redis-server (the Makefile installs it)")
    with RedisServer(free_port()) as server:
        server.start()
        previous = app.conf.broker_url
        app.conf.broker_url = server.url
        try:
            yield server
        finally:
            app.conf.broker_url = previous


@pytest.fixture
def scene(township, draft_list, bot_server):
    """Branch 01 with a group bot; a draft list with one item for cadre001 (no email: in-app and
    bot only); a marker user whose in-app messages serve as a barrier."""
    branch = township.branch
    branch.webhook_url = bot_server.url
    branch.save(update_fields=["webhook_url"])
    township.cadre.email = ""
    township.cadre.save(update_fields=["email"])
    township.list = draft_list
    township.bot = bot_server
    township.marker = User.objects.create(username="marker")
    return township


def _publish(scene) -> None:
    domain.list_publish(lst=scene.list, actor=scene.leader)


def _rows(scene, channel=None):
    rows = OutboxMessage.objects.filter(event="item.assigned", recipient=scene.cadre)
    return rows.filter(channel=channel) if channel else rows


def _all_sent(scene) -> bool:
    rows = _rows(scene)
    return rows.exists() and not rows.exclude(state="sent").exists()


def _drain(scene, timeout=30.0) -> None:
    """Wait until the worker has run every task enqueued so far: one pool process takes the
    tasks one at a time in order, so once a marker enqueued now is delivered, all earlier ran."""
    [marker] = services.outbox_write(
        event="test.marker", recipients=[scene.marker], key=uuid.uuid4().hex, text="marker"
    )
    _wait_for(lambda: OutboxMessage.objects.filter(pk=marker, state="sent").exists(), timeout, "the marker")


def _idempotency_headers(bot) -> set[str]:
    return {request["headers"]["X-Idempotency-Key"] for request in bot.requests}


def test_event_is_delivered_once(worker, scene):
    _publish(scene)
    _wait_for(lambda: _all_sent(scene))
    assert Notification.objects.filter(recipient=scene.cadre).count() == 1
    assert len(scene.bot.requests) == 1 and scene.bot.answered == 1
    assert "主题党日" in scene.bot.requests[0]["json"]["text"]["content"]
    assert sorted(_rows(scene).values_list("channel", "attempts")) == [("in_app", 1), ("webhook", 1)]
    # The same tasks delivered again (a broker redelivery) send nothing twice.
    assert services.enqueue_delivery(list(_rows(scene).values_list("pk", flat=True)))
    _drain(scene)
    assert Notification.objects.filter(recipient=scene.cadre).count() == 1
    assert len(scene.bot.requests) == 1
    assert list(_rows(scene).values_list("attempts", flat=True)) == [1, 1]


def test_rolled_back_transaction_sends_nothing(worker, scene, services_urls):
    rows_before = OutboxMessage.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        _publish(scene)
        assert _rows(scene).count() == 2
        raise RuntimeError("the change fails after its event")
    assert OutboxMessage.objects.count() == rows_before
    assert redis.Redis.from_url(services_urls[0]).llen("celery") == 0  # nothing was enqueued
    _drain(scene)
    assert not Notification.objects.filter(recipient=scene.cadre).exists()
    assert scene.bot.requests == []
    scene.list.refresh_from_db()
    assert scene.list.state == "draft"


def test_webhook_answering_500_is_retried_with_backoff_then_dead(worker, scene):
    """The beat task (``redispatch_outbox``) re-enqueues a failed row once it is due; the worker
    records each attempt's backoff. Attempt n waits RETRY_BASE × 2^(n-1) × (0.5–1.0)."""
    scene.bot.status = 500
    _publish(scene)
    webhook = _rows(scene, "webhook").get()
    delays, claims = [], []
    for attempt in range(1, MAX_ATTEMPTS + 1):
        _wait_for(
            lambda n=attempt: OutboxMessage.objects.filter(
                pk=webhook.pk, attempts=n, state__in=("failed", "dead")
            ).exists(),
            what=f"attempt {attempt}",
        )
        row = OutboxMessage.objects.get(pk=webhook.pk)
        claims.append(row.claimed_at)
        assert len(scene.bot.requests) == attempt
        assert row.last_error == "HTTP 500"
        if attempt == MAX_ATTEMPTS:
            assert row.state == "dead"
            break
        assert row.state == "failed"
        delay = (row.next_attempt_at - row.claimed_at).total_seconds()
        full = RETRY_BASE * 2 ** (attempt - 1)
        assert full / 2 <= delay <= full
        delays.append(delay)
        while timezone.now() < row.next_attempt_at:
            time.sleep(0.02)
        assert tasks.redispatch_outbox() == 1
    assert len(delays) == MAX_ATTEMPTS - 1 and delays == sorted(delays)
    # No attempt before its time: each claim came at least its backoff after the previous one.
    for earlier, later, delay in zip(claims, claims[1:], delays):
        assert (later - earlier).total_seconds() >= delay
    # Dead is final: the beat task leaves it alone.
    assert tasks.redispatch_outbox() == 0
    _drain(scene)
    assert len(scene.bot.requests) == MAX_ATTEMPTS
    assert Notification.objects.filter(recipient=scene.cadre).count() == 1  # in-app went through


def test_webhook_answering_400_is_not_retried(worker, scene):
    scene.bot.status = 400
    _publish(scene)
    _wait_for(lambda: _rows(scene, "webhook").filter(state="dead").exists())
    row = _rows(scene, "webhook").get()
    assert (row.attempts, row.last_error) == (1, "HTTP 400")
    assert tasks.redispatch_outbox() == 0
    _drain(scene)
    assert len(scene.bot.requests) == 1
    assert _rows(scene, "webhook").get().attempts == 1


@pytest.mark.quiet_hours
def test_quiet_hours_hold_a_normal_push_and_not_an_urgent_one(worker, scene, monkeypatch):
    """Real clocks: the quiet window is set to end 5 s from now (22:00–07:00 in production).
    The writer schedules the normal bot message for the window's end; the worker refuses to send
    it earlier even when handed the task, and the beat task hands it over once it is due."""
    local = timezone.localtime()
    end = (local + dt.timedelta(seconds=5)).replace(microsecond=0)
    monkeypatch.setattr(NotificationPreference, "QUIET_START", (local - dt.timedelta(minutes=1)).time())
    monkeypatch.setattr(NotificationPreference, "QUIET_END", end.time())
    _publish(scene)
    emit(
        "item.assigned",
        subject=scene.branch,
        recipients=[scene.cadre],
        context={"title": "紧急事项"},
        urgent=True,
        key="urgent",
    )
    normal = _rows(scene, "webhook").get(urgent=False)
    assert normal.next_attempt_at == end
    _wait_for(lambda: _rows(scene).exclude(pk=normal.pk).exclude(state="sent").count() == 0)
    assert len(scene.bot.requests) == 1
    assert "紧急事项" in scene.bot.requests[0]["json"]["text"]["content"]
    assert Notification.objects.filter(recipient=scene.cadre).count() == 2  # the inbox is never held

    assert tasks.redispatch_outbox() == 0  # not due yet
    services.enqueue_delivery([normal.pk])  # handed to the worker early anyway
    _drain(scene)
    assert timezone.now() < end, "the machine was too slow for this test's 5 s window"
    normal.refresh_from_db()
    assert (normal.state, normal.attempts, len(scene.bot.requests)) == ("pending", 0, 1)

    while timezone.now() < end:
        time.sleep(0.05)
    assert tasks.redispatch_outbox() == 1
    _wait_for(lambda: _rows(scene, "webhook").filter(pk=normal.pk, state="sent").exists())
    normal.refresh_from_db()
    assert normal.sent_at >= end and normal.attempts == 1
    assert len(scene.bot.requests) == 2 and "主题党日" in scene.bot.requests[1]["json"]["text"]["content"]


def test_pool_process_killed_mid_delivery_is_redelivered_and_sends_once(worker, scene):
    """SIGKILL of the pool process while its bot request is in flight: the main process sees the
    worker lost and, with ``acks_late`` and ``reject_on_worker_lost``, requeues the task; the
    redelivered task (same task id) takes over the row it had claimed and sends it.

    "Exactly once in effect": one inbox entry (the outbox row is its one-to-one key), one row
    "sent", and one bot request that completed (was answered). The killed attempt's request had
    reached the bot and was never answered: a real bot may have posted it already. Both requests
    carry the row's idempotency key in ``X-Idempotency-Key``; WeCom and DingTalk ignore it, so this
    crash window — after the bot received a request, before we recorded its answer — is the one
    duplicate an outbox cannot rule out for a webhook; nothing is sent a third time.
    """
    scene.bot.hold_first()
    [killed] = worker.pool_pids()
    _publish(scene)
    assert scene.bot.held.wait(timeout=30), worker.output()[-3000:]
    webhook = _rows(scene, "webhook").get()
    assert (webhook.state, webhook.attempts) == ("sending", 1)
    os.kill(killed, signal.SIGKILL)
    _wait_for(lambda: _all_sent(scene), what="the redelivered task")
    scene.bot.release()
    webhook.refresh_from_db()
    assert webhook.attempts == 2 and webhook.claimed_by
    assert Notification.objects.filter(recipient=scene.cadre).count() == 1
    assert len(scene.bot.requests) == 2 and scene.bot.answered == 1
    assert _idempotency_headers(scene.bot) == {webhook.idempotency_key}
    assert worker.running and worker.pool_pids() != [killed]
    assert "WorkerLostError" in worker.output()


def test_whole_worker_killed_mid_delivery_is_recovered_by_the_beat_task(scene, services_urls, private_redis, settings):
    """SIGKILL of the whole worker (main and pool process): nobody requeues the task; Redis keeps
    it as unacknowledged until the visibility timeout (an hour). A fresh worker starts; the beat
    task finds the row stuck in "sending" past the claim timeout (shortened here) and enqueues it
    again. When the original message finally comes back it finds the row sent and sends nothing.
    "Exactly once in effect" as in the pool-process test above."""
    database = services_urls[1]
    scene.bot.hold_first()
    with CeleryWorker(broker_url=private_redis.url, database_url=database, name="notify-killed") as first:
        first.start()
        _publish(scene)
        assert scene.bot.held.wait(timeout=30), first.output()[-3000:]
        first.kill()
        assert not first.running
    scene.bot.release()
    webhook = _rows(scene, "webhook").get()
    assert (webhook.state, webhook.attempts) == ("sending", 1)
    broker = redis.Redis.from_url(private_redis.url)
    assert broker.hlen("unacked") == 1

    with CeleryWorker(broker_url=private_redis.url, database_url=database, name="notify-fresh") as fresh:
        fresh.start()
        _drain(scene)
        assert OutboxMessage.objects.get(pk=webhook.pk).state == "sending"  # not lost, not resent yet
        assert tasks.redispatch_outbox() == 0  # within the claim timeout: the worker may be alive
        settings.NOTIFICATIONS_CLAIM_TIMEOUT_SECONDS = 1
        while timezone.now() < webhook.claimed_at + dt.timedelta(seconds=1.1):
            time.sleep(0.05)
        assert tasks.redispatch_outbox() == 1
        _wait_for(lambda: _all_sent(scene))
        # The original message returns (as after the visibility timeout): it changes nothing.
        [original] = broker.hvals("unacked")
        broker.lpush("celery", json.dumps(json.loads(original)[0]))
        _drain(scene)
    webhook.refresh_from_db()
    assert (webhook.state, webhook.attempts, webhook.last_error) == ("sent", 2, "worker lost while sending")
    assert Notification.objects.filter(recipient=scene.cadre).count() == 1
    assert len(scene.bot.requests) == 2 and scene.bot.answered == 1
    assert _idempotency_headers(scene.bot) == {webhook.idempotency_key}


def test_redis_down_during_a_transition_keeps_the_row_until_redis_is_back(
    scene, services_urls, private_redis, monkeypatch
):
    """The worker keeps running through the outage and reconnects on its own. The commit hook
    tries the broker once (no retry loop holding the request) and leaves the rows pending."""
    connects = []
    factory = kombu.Connection._connection_factory

    def counting_factory(connection):
        connects.append(connection.as_uri())
        return factory(connection)

    with CeleryWorker(broker_url=private_redis.url, database_url=services_urls[1], name="notify-redis") as worker:
        worker.start()
        private_redis.stop()
        monkeypatch.setattr(kombu.Connection, "_connection_factory", counting_factory)
        _publish(scene)  # commits; enqueueing after commit fails and is only logged
        monkeypatch.undo()
        assert len(connects) == 1
        scene.list.refresh_from_db()
        assert scene.list.state == "published"
        assert scene.list.items.get().state == "assigned"
        assert sorted(_rows(scene).values_list("state", "attempts")) == [("pending", 0), ("pending", 0)]
        assert not Notification.objects.filter(recipient=scene.cadre).exists()

        private_redis.start()
        assert tasks.redispatch_outbox() == 0  # fresh rows are left to their commit hook for a while
        later = timezone.now() + services.REDISPATCH_GRACE + dt.timedelta(seconds=1)
        with time_machine.travel(later, tick=False):
            assert tasks.redispatch_outbox() == 2  # the beat task, a minute later
        _wait_for(lambda: _all_sent(scene), what="the worker to reconnect and deliver")
        assert worker.running
    assert Notification.objects.filter(recipient=scene.cadre).count() == 1
    assert len(scene.bot.requests) == 1
    assert list(_rows(scene).values_list("attempts", flat=True)) == [1, 1]
