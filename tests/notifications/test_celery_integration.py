"""End to end with the real Redis broker and a real Celery worker (in a thread)."""

import time

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from django.db import transaction

from config.celery import app
from notifications import services
from notifications.models import Notification, OutboxMessage
from organization.models import Unit, User
from workflows.events import emit

pytestmark = pytest.mark.django_db(transaction=True)


def _wait_for(predicate, timeout=20.0):
    """Poll the database while the worker thread works (a worker, not a deadline, is awaited)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


@pytest.fixture
def broker(redis_url):
    assert app.conf.broker_url == redis_url and not app.conf.task_always_eager
    app.control.purge()
    return redis_url


@pytest.fixture
def worker(broker):
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as w:
        yield w


@pytest.fixture
def recipient():
    unit = Unit.objects.create(name="第一支部", code="it-branch", kind="branch")
    return User.objects.create(username="it-cadre", email="it-cadre@example.org"), unit


def _emit_assigned(recipient):
    user, unit = recipient
    with transaction.atomic():
        emit("item.assigned", subject=unit, recipients=[user], context={"title": "端到端", "unit": unit.name})


def test_worker_delivers_outbox_row_after_commit(worker, recipient):
    _emit_assigned(recipient)
    assert _wait_for(lambda: not OutboxMessage.objects.exclude(state="sent").exists())
    notification = Notification.objects.get(recipient=recipient[0])
    assert "端到端" in notification.text
    assert OutboxMessage.objects.filter(recipient=recipient[0], attempts=1).count() == 2


def test_unreachable_broker_at_commit_is_recovered_by_redispatch(broker, recipient):
    app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens there
    try:
        _emit_assigned(recipient)
    finally:
        app.conf.broker_url = broker
    assert redis.Redis.from_url(broker).llen("celery") == 0  # nothing reached the queue
    assert set(OutboxMessage.objects.values_list("state", flat=True)) == {"pending"}
    assert not Notification.objects.exists()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        later = OutboxMessage.objects.latest("pk").created_at + OutboxMessage.REDISPATCH_GRACE * 2
        assert len(services.outbox_redispatch(now=later)) == 2
        assert _wait_for(lambda: not OutboxMessage.objects.exclude(state="sent").exists())
    assert Notification.objects.filter(recipient=recipient[0]).count() == 1
