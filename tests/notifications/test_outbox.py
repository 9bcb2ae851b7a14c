import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone

from lists import services as domain
from notifications import services
from notifications.models import Notification, NotificationPreference, OutboxMessage
from notifications.transports import EmailTransport, TransportError
from workflows.events import emit
from workflows.models import TransitionLog

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def test_assigning_writes_one_row_per_recipient_and_channel(published_item, personas):
    rows = OutboxMessage.objects.filter(event="item.assigned")
    channels = sorted(rows.values_list("channel", flat=True))
    assert set(rows.values_list("recipient", flat=True)) == {personas.cadre.pk}
    expected = ["in_app"] + (["email"] if personas.cadre.email else [])
    assert channels == sorted(expected)
    assert all(row.state == "pending" for row in rows)


def test_rolled_back_change_leaves_no_outbox_rows(draft_list, personas):
    with pytest.raises(RuntimeError), transaction.atomic():
        domain.list_publish(lst=draft_list, actor=personas.leader)
        assert OutboxMessage.objects.filter(event="item.assigned").exists()
        raise RuntimeError("the change fails after the event")
    assert not OutboxMessage.objects.exists()
    assert draft_list.items.get().state == "draft"


def test_delivery_is_enqueued_only_after_commit(draft_list, personas, eager_celery, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        domain.list_publish(lst=draft_list, actor=personas.leader)
    assert callbacks
    assert not Notification.objects.exists()
    for callback in callbacks:
        callback()
    notification = Notification.objects.get(recipient=personas.cadre)
    assert "主题党日" in notification.text
    assert OutboxMessage.objects.get(channel="in_app").state == "sent"


def test_redelivered_task_sends_nothing_twice(personas, township):
    personas.cadre.email = "cadre001@example.org"
    personas.cadre.save()
    emit("item.assigned", subject=personas.branch, recipients=[personas.cadre], context={"title": "走访"})
    message = OutboxMessage.objects.get(channel="email")
    assert services.outbox_deliver(message_id=message.pk) == "sent"
    assert services.outbox_deliver(message_id=message.pk) == "skipped"
    assert len(mail.outbox) == 1


def test_same_event_key_twice_writes_rows_once(personas, township):
    for _ in range(2):
        emit(
            "sweep.warning", subject=personas.branch, recipients=[personas.cadre], context={"level": "blue"}, key="blue"
        )
    assert OutboxMessage.objects.filter(event="sweep.warning", channel="in_app").count() == 1


def test_different_event_keys_are_separate_messages(personas, township):
    for level in ("blue", "red"):
        emit("sweep.warning", subject=personas.branch, recipients=[personas.cadre], context={"level": level}, key=level)
    assert OutboxMessage.objects.filter(event="sweep.warning", channel="in_app").count() == 2


def test_repeated_keyless_event_is_a_new_occurrence(personas, township):
    for _ in range(2):
        emit("item.assigned", subject=personas.branch, recipients=[personas.cadre], context={"title": "走访"})
    rows = OutboxMessage.objects.filter(event="item.assigned", channel="in_app")
    assert sorted(rows.values_list("event_key", flat=True)) == ["#1", "#2"]


def test_a_second_submission_is_a_new_occurrence_keyed_by_its_log_row(published_item, personas):
    item = domain.item_accept(item=published_item, actor=personas.cadre)
    item = domain.item_report_progress(item=item, actor=personas.cadre, text="x")
    item = domain.item_submit(item=item, actor=personas.cadre, result="done")
    item = domain.item_return(item=item, actor=personas.leader, reason="材料不全")
    item = domain.item_report_progress(item=item, actor=personas.cadre, text="补充")
    domain.item_submit(item=item, actor=personas.cadre, result="done again")
    rows = OutboxMessage.objects.filter(event="item.submitted", recipient=personas.leader, channel="in_app")
    submissions = TransitionLog.objects.for_object(item).filter(transition="submit").order_by("seq")
    assert list(rows.order_by("pk").values_list("event_key", flat=True)) == [f"log:{e.seq}" for e in submissions]
    assert submissions.count() == 2


def _fail_email(monkeypatch, *, permanent):
    def send(self, message):
        raise TransportError("boom", permanent=permanent)

    monkeypatch.setattr(EmailTransport, "send", send)


@pytest.fixture
def email_row(personas, township):
    personas.cadre.email = "cadre001@example.org"
    personas.cadre.save()
    emit("item.assigned", subject=personas.branch, recipients=[personas.cadre], context={"title": "走访"})
    return OutboxMessage.objects.get(channel="email")


def test_transient_error_schedules_a_retry_with_backoff(email_row, monkeypatch):
    _fail_email(monkeypatch, permanent=False)
    now = timezone.now()
    assert services.outbox_deliver(message_id=email_row.pk, now=now) == "failed"
    email_row.refresh_from_db()
    assert email_row.attempts == 1 and email_row.last_error == "boom"
    assert now + dt.timedelta(seconds=30) <= email_row.next_attempt_at <= now + dt.timedelta(minutes=1)


def test_backoff_grows_exponentially_with_jitter():
    delays = [services.backoff(n) for n in range(1, 6)]
    for n, delay in enumerate(delays, start=1):
        full = dt.timedelta(minutes=2 ** (n - 1))
        assert full / 2 <= delay <= full
    assert services.backoff(30) <= services.BACKOFF_CAP


def test_failed_row_is_not_resent_before_its_retry_time(email_row, monkeypatch):
    _fail_email(monkeypatch, permanent=False)
    now = timezone.now()
    services.outbox_deliver(message_id=email_row.pk, now=now)
    assert services.outbox_deliver(message_id=email_row.pk, now=now + dt.timedelta(seconds=1)) == "skipped"


def test_transient_errors_end_dead_after_max_attempts(email_row, monkeypatch):
    _fail_email(monkeypatch, permanent=False)
    now = timezone.now()
    for _ in range(settings.NOTIFICATIONS_MAX_ATTEMPTS):
        now += dt.timedelta(days=1)
        state = services.outbox_deliver(message_id=email_row.pk, now=now)
    assert state == "dead"
    assert OutboxMessage.objects.get(pk=email_row.pk).attempts == settings.NOTIFICATIONS_MAX_ATTEMPTS


def test_permanent_error_goes_dead_without_retry(email_row, monkeypatch):
    _fail_email(monkeypatch, permanent=True)
    assert services.outbox_deliver(message_id=email_row.pk) == "dead"
    email_row.refresh_from_db()
    assert email_row.attempts == 1
    assert email_row.pk not in services.outbox_redispatch(now=timezone.now() + dt.timedelta(days=1))


def test_admin_retry_revives_a_dead_row(email_row, monkeypatch, eager_celery, django_capture_on_commit_callbacks):
    _fail_email(monkeypatch, permanent=True)
    services.outbox_deliver(message_id=email_row.pk)
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.outbox_retry(message_ids=[email_row.pk]) == 1
    email_row.refresh_from_db()
    assert email_row.state == "sent"


def test_redispatch_picks_up_rows_stuck_pending(email_row, eager_celery):
    later = timezone.now() + dt.timedelta(minutes=2)
    assert services.outbox_redispatch(now=later)
    email_row.refresh_from_db()
    assert email_row.state == "sent"


def test_redispatch_leaves_fresh_rows_to_their_commit_hook(email_row):
    assert email_row.pk not in services.outbox_redispatch(now=email_row.created_at + dt.timedelta(seconds=5))


def test_redispatch_recovers_rows_whose_worker_died(email_row, eager_celery):
    long_ago = timezone.now() - services.claim_timeout() - dt.timedelta(minutes=1)
    OutboxMessage.objects.filter(pk=email_row.pk).update(state="sending", claimed_at=long_ago)
    services.outbox_redispatch()
    email_row.refresh_from_db()
    assert email_row.state == "sent" and email_row.last_error == "worker lost while sending"


def test_two_claims_on_one_row_send_once(email_row):
    now = timezone.now()
    claims = [
        OutboxMessage.objects.filter(pk=email_row.pk).due(now).update(state="sending", claimed_at=now) for _ in range(2)
    ]
    assert claims == [1, 0]


def _assign_to_cadre(personas, **kwargs):
    personas.cadre.email = "cadre001@example.org"
    personas.cadre.save()
    emit("item.assigned", subject=personas.branch, recipients=[personas.cadre], context={"title": "走访"}, **kwargs)
    return OutboxMessage.objects.get(channel="email")


@pytest.mark.quiet_hours
@time_machine.travel(dt.datetime(2026, 12, 1, 23, 0, tzinfo=SHANGHAI), tick=False)
def test_quiet_hours_defer_push_channels_to_seven(personas, township):
    email_row = _assign_to_cadre(personas)
    expected = dt.datetime(2026, 12, 2, 7, 0, tzinfo=SHANGHAI)
    assert email_row.next_attempt_at == expected
    assert OutboxMessage.objects.get(channel="in_app").next_attempt_at == timezone.now()


@pytest.mark.quiet_hours
def test_deferred_row_is_sent_by_redispatch_at_seven(personas, township, eager_celery):
    with time_machine.travel(dt.datetime(2026, 12, 1, 23, 0, tzinfo=SHANGHAI), tick=False):
        email_row = _assign_to_cadre(personas)
        assert services.outbox_deliver(message_id=email_row.pk) == "skipped"
    with time_machine.travel(dt.datetime(2026, 12, 2, 7, 1, tzinfo=SHANGHAI), tick=False):
        services.outbox_redispatch()
    email_row.refresh_from_db()
    assert email_row.state == "sent"


@pytest.mark.quiet_hours
@time_machine.travel(dt.datetime(2026, 12, 1, 5, 30, tzinfo=SHANGHAI), tick=False)
def test_urgent_event_ignores_quiet_hours(personas, township):
    assert _assign_to_cadre(personas, urgent=True).next_attempt_at == timezone.now()


@pytest.mark.quiet_hours
@time_machine.travel(dt.datetime(2026, 12, 1, 23, 0, tzinfo=SHANGHAI), tick=False)
def test_quiet_hours_can_be_turned_off(personas, township):
    NotificationPreference.objects.create(user=personas.cadre, quiet_hours=False)
    assert _assign_to_cadre(personas).next_attempt_at == timezone.now()


def test_muted_event_group_is_not_pushed_but_kept_in_inbox(personas, township):
    personas.cadre.email = "cadre001@example.org"
    personas.cadre.save()
    NotificationPreference.objects.create(user=personas.cadre, muted_events=["sweep"])
    emit("sweep.warning", subject=personas.branch, recipients=[personas.cadre], context={"level": "red"}, key="red")
    assert list(OutboxMessage.objects.values_list("channel", flat=True)) == ["in_app"]


def test_email_disabled_writes_no_email_row(personas, township):
    personas.cadre.email = "cadre001@example.org"
    personas.cadre.save()
    NotificationPreference.objects.create(user=personas.cadre, email_enabled=False)
    emit("item.assigned", subject=personas.branch, recipients=[personas.cadre], context={"title": "走访"})
    assert not OutboxMessage.objects.filter(channel="email").exists()


def test_unit_with_a_bot_gets_a_webhook_row(personas, township):
    branch = personas.branch
    branch.webhook_url = "http://127.0.0.1:9/bot"
    branch.save()
    emit("item.assigned", subject=personas.branch, recipients=[personas.cadre], context={"title": "走访"})
    row = OutboxMessage.objects.get(channel="webhook")
    assert row.unit == personas.branch


def test_unexpected_transport_failure_is_retried_not_stuck(email_row, monkeypatch):
    def broken(self, message):
        raise KeyError("bug")

    monkeypatch.setattr(EmailTransport, "send", broken)
    assert services.outbox_deliver(message_id=email_row.pk) == "failed"
    email_row.refresh_from_db()
    assert email_row.last_error.startswith("KeyError")


def test_in_app_row_is_claimed_written_and_marked_sent_at_once(personas, township, django_assert_num_queries):
    """No "sending" step for the inbox: one statement on PostgreSQL, one transaction elsewhere."""
    emit("item.assigned", subject=personas.branch, recipients=[personas.cadre], context={"title": "走访"})
    row = OutboxMessage.objects.get(channel="in_app")
    with django_assert_num_queries(1 if connection.vendor == "postgresql" else 5):
        assert services.outbox_deliver(message_id=row.pk, claim="task-1") == "sent"
    row.refresh_from_db()
    assert (row.state, row.attempts, row.claimed_by, row.sent_at) == ("sent", 1, "task-1", row.claimed_at)
    notification = Notification.objects.get(outbox=row)
    assert (notification.recipient, notification.text, notification.created_at) == (
        personas.cadre,
        row.text,
        row.created_at,
    )
    assert services.outbox_deliver(message_id=row.pk, claim="task-1") == "skipped"
    assert Notification.objects.filter(outbox=row).count() == 1


def test_redelivered_task_takes_over_its_own_stuck_claim_only(email_row):
    now = timezone.now()
    OutboxMessage.objects.filter(pk=email_row.pk).update(state="sending", claimed_at=now, claimed_by="task-1")
    assert services.outbox_deliver(message_id=email_row.pk, claim="task-2") == "skipped"
    assert services.outbox_deliver(message_id=email_row.pk, claim="") == "skipped"
    assert services.outbox_deliver(message_id=email_row.pk, claim="task-1") == "sent"
    assert len(mail.outbox) == 1
