"""Writing, dispatching and delivering the notification outbox; the inbox's read marks.

Flow: a domain service emits an event → ``handle_domain_event`` writes one outbox row per
recipient × channel in the caller's transaction → ``transaction.on_commit`` enqueues
``deliver_outbox_message(id)`` → the worker claims the row (conditional UPDATE) and sends it
through the channel's transport. If the broker is down at commit, or a worker dies, the beat
task ``redispatch_outbox`` finds the row again.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
from collections.abc import Iterable
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction
from django.db.models import Exists, OuterRef, Subquery
from django.db.models.constants import OnConflict
from django.db.models.sql import InsertQuery
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from organization.models import Membership

from . import registry
from .digest import digest_lines, is_working_day
from .models import Channel, Notification, NotificationPreference, OutboxMessage
from .texts import absolute_link, render_text

logger = logging.getLogger(__name__)

State = OutboxMessage.State

# Rows written in bulk go to the broker this many to a task: one message per row cost more
# than writing the rows (a sweep's batch writes thousands).
DELIVERY_BATCH = 100

# -- writing ---------------------------------------------------------------------------------------


def handle_domain_event(event) -> list[int]:
    """Subscriber for ``workflows.events``: write the event's outbox rows (caller's transaction).

    ``event`` is duck-typed (name, subject, recipients, context, urgent, key) so that this app
    needs no import of the engine.
    """
    return outbox_write(
        event=event.name,
        recipients=event.recipients,
        subject=event.subject,
        context=event.context,
        urgent=event.urgent,
        key=event.key,
    )


def _recipients(user_ids: list[int]):
    """The active recipients, with their preference row (if they saved one), ``bot_unit_id``,
    their group bot: the deepest unit they belong to that has one configured, and
    ``reach_<channel>`` for each personal channel (linked, and configured in the township). One
    query."""
    bot_unit = (
        Membership.objects.filter(user_id=OuterRef("pk"))
        .exclude(unit__webhook_url="")
        .order_by("-unit__path")
        .values("unit_id")[:1]
    )
    personal = {
        f"reach_{channel}": Exists(reachable(OuterRef("pk")))
        for channel, reachable in registry.personal_channels().items()
    }
    users = get_user_model().objects.filter(pk__in=user_ids, is_active=True)
    source = registry.stand_ins()
    if source is not None:
        # A person's stand-in (代理) receives what the person receives, in the same query: the
        # stand-ins of the recipients join the recipients, each with the person they stand in for.
        arrangements = source(user_ids)
        person = arrangements.filter(delegate_id=OuterRef("pk")).order_by("delegator_id")
        users = (
            get_user_model()
            .objects.filter(models.Q(pk__in=user_ids) | models.Q(pk__in=arrangements.values("delegate_id")))
            .filter(is_active=True)
            .annotate(
                stands_in_for=Subquery(person.values("delegator_id")[:1]),
                stands_in_for_display=Subquery(person.values("delegator__display_name")[:1]),
                stands_in_for_username=Subquery(person.values("delegator__username")[:1]),
            )
        )
    return (
        users.select_related("notification_preference")
        .only("pk", "email", "notification_preference")
        .annotate(bot_unit_id=Subquery(bot_unit), **personal)
    )


def _addressed(entry: dict, users: dict) -> list[tuple]:
    """(user, text prefix) of everyone ``entry`` reaches: its recipients, then the stand-ins of
    its recipients who are not recipients themselves."""
    ids = entry["recipient_ids"]
    found = [(users[pk], None) for pk in ids if pk in users]
    wanted = set(ids)
    for user in users.values():
        principal = getattr(user, "stands_in_for", None)
        if principal in wanted and user.pk not in wanted:
            name = user.stands_in_for_display or user.stands_in_for_username
            found.append((user, name))
    return found


def stand_in_text(person: str, text: str) -> str:
    """A notification's text as the stand-in of ``person`` receives it."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(_("[For %(person)s] %(text)s") % {"person": person, "text": text})


def _preference(user) -> NotificationPreference:
    try:
        return user.notification_preference
    except NotificationPreference.DoesNotExist:
        return NotificationPreference(user=user)


def _idempotency_key(event: str, subject_ref: str, event_key: str, recipient_id: int, channel: str) -> str:
    return f"{event}|{subject_ref}|{event_key}|{recipient_id}|{channel}"[:255]


def handle_domain_events(events) -> list[int]:
    """Batch subscriber (the sweep's batches): the rows ``handle_domain_event`` writes for each
    event in turn, with one query for all recipients and one INSERT."""
    return outbox_write_many(
        [
            {
                "event": event.name,
                "recipients": event.recipients,
                "subject": event.subject,
                "context": event.context,
                "urgent": event.urgent,
                "key": event.key,
            }
            for event in events
        ]
    )


def outbox_write(
    *,
    event: str,
    recipients: Iterable,
    subject: models.Model | None = None,
    context: dict | None = None,
    urgent: bool = False,
    key: str = "",
    text: str | None = None,
    now: dt.datetime | None = None,
) -> list[int]:
    """Write one outbox row per recipient × channel; enqueue the due ones after commit.

    With a ``key``, the same event written again is a no-op (the sweep may run twice). Without
    one, each call is a new occurrence of the event on its subject (a second submission after a
    return): the emitting service holds the subject's row lock, so occurrences are numbered
    without a race. Returns the ids of the rows written now.
    """
    entry = {
        "event": event,
        "recipients": recipients,
        "subject": subject,
        "context": context,
        "urgent": urgent,
        "key": key,
        "text": text,
    }
    return outbox_write_many([entry], now=now)


def outbox_write_many(entries: list[dict], *, now: dt.datetime | None = None) -> list[int]:
    """``outbox_write`` for many events at once (each entry holds its keyword arguments): the
    same rows as writing them one after the other, with one query for the recipients, one for
    the occurrence numbers of unkeyed events and one INSERT. Returns the ids written now."""
    for entry in entries:
        registry.event(entry["event"])  # UnknownEvent unless the emitting app registered it
    now = now or timezone.now()
    entries = [
        {**entry, "recipient_ids": sorted({getattr(r, "pk", r) for r in entry["recipients"] if r is not None})}
        for entry in entries
    ]
    entries = [entry for entry in entries if entry["recipient_ids"]]
    if not entries:
        return []
    # No savepoint of its own: called inside a service's transaction, an error here fails the
    # whole change anyway; called alone, this is the transaction.
    with transaction.atomic(savepoint=False):
        occurrences = _occurrences([entry for entry in entries if not entry.get("key")])
        personal = list(registry.personal_channels())
        users = {user.pk: user for user in _recipients(sorted({pk for e in entries for pk in e["recipient_ids"]}))}
        preferences = {pk: _preference(user) for pk, user in users.items()}  # one each, not one per row
        rows = []
        for entry in entries:
            subject = entry.get("subject")
            subject_type = ContentType.objects.get_for_model(subject) if subject is not None else None
            subject_id = subject.pk if subject is not None else None
            subject_ref = f"{subject_type.pk}:{subject_id}" if subject is not None else "-"
            event, context, urgent = entry["event"], dict(entry.get("context") or {}), entry.get("urgent", False)
            key = entry.get("key") or ""
            if not key:
                counted = (event, subject_type.pk if subject_type else None, subject_id)
                occurrences[counted] = occurrences.get(counted, 0) + 1
                key = f"#{occurrences[counted]}"
            text = entry.get("text")
            text = text if text is not None else render_text(event, context)
            title = str(context.get("title", ""))[:200]
            url = str(context.get("url", ""))
            for user, stand_in_for in _addressed(entry, users):
                preference = preferences[user.pk]
                push_at = preference.deliver_at(now, urgent=urgent)
                channels = [(Channel.IN_APP, None, now, url)]
                if user.email and preference.pushes(event, Channel.EMAIL):
                    channels.append((Channel.EMAIL, None, push_at, absolute_link(url)))
                if user.bot_unit_id is not None and preference.pushes(event, Channel.WEBHOOK):
                    channels.append((Channel.WEBHOOK, user.bot_unit_id, push_at, absolute_link(url)))
                for channel in personal:
                    if getattr(user, f"reach_{channel}") and preference.pushes(event, channel):
                        channels.append((channel, None, push_at, absolute_link(url)))
                for channel, unit_id, at, link in channels:
                    rows.append(
                        OutboxMessage(
                            idempotency_key=_idempotency_key(event, subject_ref, key, user.pk, channel),
                            event=event,
                            event_key=key[:100],
                            recipient=user,
                            channel=channel,
                            unit_id=unit_id,
                            subject_type=subject_type,
                            subject_id=subject_id,
                            title=title,
                            text=text if stand_in_for is None else stand_in_text(stand_in_for, text),
                            link=link,
                            urgent=urgent,
                            next_attempt_at=at,
                        )
                    )
        # A known key is an event already recorded: nothing to add, nothing to send twice.
        written = _insert_new(rows)
        due = [pk for pk, at in written if at <= now]
        if due:
            enqueue = enqueue_delivery if len(entries) == 1 else enqueue_delivery_batches
            transaction.on_commit(partial(enqueue, due))
    return [pk for pk, _ in written]


def _occurrences(entries: list[dict]) -> dict[tuple, int]:
    """How many occurrences of each unkeyed (event, subject) are recorded already: one query
    per event name and subject type."""
    groups: dict[tuple, set] = {}
    for entry in entries:
        subject = entry.get("subject")
        subject_type = ContentType.objects.get_for_model(subject) if subject is not None else None
        groups.setdefault((entry["event"], subject_type), set()).add(subject.pk if subject is not None else None)
    counts: dict[tuple, int] = {}
    for (event, subject_type), subject_ids in groups.items():
        which = models.Q(subject_id__in=[pk for pk in subject_ids if pk is not None])
        if None in subject_ids:
            which |= models.Q(subject_id__isnull=True)
        rows = (
            OutboxMessage.objects.filter(which, event=event, subject_type=subject_type, event_key__startswith="#")
            .values("subject_id")
            .annotate(seen=models.Count("event_key", distinct=True))
            .values_list("subject_id", "seen")
        )
        type_id = subject_type.pk if subject_type else None
        counts.update(((event, type_id, subject_id), seen) for subject_id, seen in rows)
    return counts


def _insert_new(rows: list[OutboxMessage]) -> list[tuple[int, dt.datetime]]:
    """Insert the rows whose idempotency key is not taken yet; (id, next attempt) of those written.

    Where the database can (PostgreSQL, SQLite ≥ 3.35) this is one ``INSERT … ON CONFLICT DO
    NOTHING RETURNING``: a row whose key exists is skipped and not returned. Elsewhere: look
    the keys up, insert the others, read their ids back."""
    if not rows:
        return []
    if not connection.features.can_return_rows_from_bulk_insert:
        existing = set(
            OutboxMessage.objects.filter(idempotency_key__in=[row.idempotency_key for row in rows]).values_list(
                "idempotency_key", flat=True
            )
        )
        rows = [row for row in rows if row.idempotency_key not in existing]
        OutboxMessage.objects.bulk_create(rows, ignore_conflicts=True)
        return list(
            OutboxMessage.objects.filter(
                idempotency_key__in=[row.idempotency_key for row in rows], state=State.PENDING
            ).values_list("pk", "next_attempt_at")
        )
    if connection.vendor == "postgresql":
        return _insert_new_by_arrays(rows)
    # bulk_create(ignore_conflicts=True) does not return the ids of the rows it wrote; the
    # ORM's own INSERT (same fields, same values, same conflict clause) with a RETURNING does.
    meta = OutboxMessage._meta
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    qn = connection.ops.quote_name
    returning = f" RETURNING {qn(meta.pk.column)}, {qn(meta.get_field('idempotency_key').column)}"
    batch = connection.ops.bulk_batch_size(fields, rows)  # the backend's limit on parameters
    ids: dict[str, int] = {}
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch):
            query = InsertQuery(OutboxMessage, on_conflict=OnConflict.IGNORE)
            query.insert_values(fields, rows[start : start + batch])
            [(sql, params)] = query.get_compiler(connection=connection).as_sql()
            cursor.execute(sql + returning, params)
            ids.update((key, pk) for pk, key in cursor.fetchall())
    return [(ids[row.idempotency_key], row.next_attempt_at) for row in rows if row.idempotency_key in ids]


def _insert_new_by_arrays(rows: list[OutboxMessage]) -> list[tuple[int, dt.datetime]]:
    """PostgreSQL: the same INSERT … ON CONFLICT DO NOTHING RETURNING, its values passed as one
    binary array per column (``unnest``): one statement, whatever the number of rows, and none of the
    ORM's per-value preparation, which cost more than the database's work for a sweep's batch.
    Every column is a plain value (text, number, boolean, aware datetime, id)."""
    meta = OutboxMessage._meta
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    now = timezone.now()
    columns = []
    for field in fields:
        if getattr(field, "auto_now_add", False):
            columns.append([now] * len(rows))
        else:
            columns.append([getattr(row, field.attname) for row in rows])
    qn = connection.ops.quote_name
    names = ", ".join(qn(field.column) for field in fields)
    # Binary parameters (%b): psycopg dumps the lists in C. As text they were quoted into the SQL
    # in Python, which cost six times the CPU (a sweep's batch: 2,500 rows, 16 columns).
    arrays = ", ".join(f"%b::{field.db_type(connection)}[]" for field in fields)
    sql = (
        f"INSERT INTO {qn(meta.db_table)} ({names}) SELECT * FROM unnest({arrays}) "
        f"ON CONFLICT DO NOTHING RETURNING {qn(meta.pk.column)}, {qn(meta.get_field('idempotency_key').column)}"
    )
    with _server_binding_cursor() as cursor:
        cursor.execute(sql, columns)
        ids = {key: pk for pk, key in cursor.fetchall()}
    return [(ids[row.idempotency_key], row.next_attempt_at) for row in rows if row.idempotency_key in ids]


def _server_binding_cursor():
    """A cursor of the current connection (same transaction) that sends its parameters apart
    from the statement, as binary parameters need; Django's own cursors bind on the client (they
    write every value into the SQL text). Wrapped as Django wraps its cursors: the statement is
    logged, counted and seen by execute wrappers like any other."""
    from django.db.backends.postgresql.base import ServerBindingCursor

    connection.ensure_connection()
    raw = ServerBindingCursor(connection.connection)
    return connection.make_debug_cursor(raw) if connection.queries_logged else connection.make_cursor(raw)


# One broker connection per thread (and process, and broker URL), kept between calls: opening one
# (a new Redis connection, its handshake, declaring the queue) cost more than the publishing.
_broker = threading.local()


def _broker_connection(app):
    """(this thread's connection to the broker, whether it was used before)."""
    key = (os.getpid(), app.conf.broker_write_url)
    held = getattr(_broker, "held", None)
    if held is not None and held[0] == key:
        return held[1], True
    _drop_broker_connection()
    # No connection retries: they would hold the caller (a request, after its commit) for
    # seconds while Redis is down, and the row is safe in the outbox anyway.
    connection = app.connection_for_write(transport_options={"max_retries": 0})
    _broker.held = (key, connection)
    return connection, False


def _drop_broker_connection() -> None:
    held, _broker.held = getattr(_broker, "held", None), None
    if held is not None:
        try:
            held[1].release()
        except Exception:  # a broken connection may fail to close; it is dropped either way
            logger.debug("Closing the broker connection failed", exc_info=True)


def enqueue_delivery(message_ids: list[int]) -> bool:
    """Hand rows to the broker, one task each. A failure is logged, not raised: the row stays
    pending and ``redispatch_outbox`` picks it up later (the outbox is the durable record, not
    the queue)."""
    from .tasks import deliver_outbox_message

    return _publish(deliver_outbox_message, [[pk] for pk in message_ids], message_ids)


def enqueue_delivery_batches(message_ids: list[int]) -> bool:
    """Hand many rows to the broker, ``DELIVERY_BATCH`` to a task (``deliver_outbox_messages``)."""
    from .tasks import deliver_outbox_messages

    chunks = [[message_ids[i : i + DELIVERY_BATCH]] for i in range(0, len(message_ids), DELIVERY_BATCH)]
    return _publish(deliver_outbox_messages, chunks, message_ids)


def _publish(task, calls: list[list], message_ids: list[int]) -> bool:
    app = task.app
    remaining = list(calls)
    while True:
        connection, reused = _broker_connection(app)
        try:
            while remaining:
                task.apply_async(args=remaining[0], connection=connection, retry=False)
                remaining.pop(0)
        except Exception:  # kombu raises several types for an unreachable broker
            _drop_broker_connection()
            if reused:  # a kept connection may have gone stale (the broker restarted): try a new one
                continue
            logger.warning("Could not enqueue outbox messages %s; redispatch will retry", message_ids, exc_info=True)
            return False
        return True


def digest_write(*, user, lines: list[str], as_of: dt.datetime) -> list[int]:
    """The user's daily digest (one per day: the date is the event key)."""
    day = timezone.localdate(as_of).isoformat()
    with translation.override(settings.LANGUAGE_CODE):
        title = str(_("Daily summary"))
    context = {"date": day, "title": title, "url": reverse("notifications:inbox")}
    text = "\n".join([render_text("digest.daily", context), *lines])
    return outbox_write(event="digest.daily", recipients=[user], context=context, key=day, text=text, now=as_of)


def digest_send(*, as_of: dt.datetime) -> int:
    """One digest per leader and commissioner with something to report; none on non-working days."""
    if not is_working_day(timezone.localdate(as_of)):
        return 0
    roles = (Membership.Role.LEADER, Membership.Role.COMMISSIONER)
    users = get_user_model().objects.filter(is_active=True, memberships__role__in=roles).distinct().order_by("pk")
    sent = 0
    for user in users:
        with translation.override(settings.LANGUAGE_CODE):
            lines = digest_lines(user, as_of)
        if lines:
            digest_write(user=user, lines=lines, as_of=as_of)
            sent += 1
    return sent


# -- delivering --------------------------------------------------------------------------------------


def outbox_deliver(*, message_id: int, now: dt.datetime | None = None, claim: str = "") -> str:
    """Claim the row and send it (``OutboxQuerySet.deliver``); the row's new state, or "skipped"."""
    return OutboxMessage.objects.deliver(message_id, now=now, claim=claim)


def outbox_redispatch(*, now: dt.datetime | None = None, limit: int = 1000) -> list[int]:
    """Re-enqueue rows nobody picked up (broker down at commit), rows due for a retry, and rows
    whose worker died mid-send. Returns the ids handed to the broker."""
    now = now or timezone.now()
    OutboxMessage.objects.release_stuck(now)
    due = OutboxMessage.objects.to_redispatch(now).order_by("next_attempt_at", "pk")
    ids = list(due.values_list("pk", flat=True)[:limit])
    if ids:
        enqueue_delivery(ids)
    return ids


@transaction.atomic
def outbox_retry(*, message_ids: Iterable[int]) -> int:
    """Give dead rows another chance (admin action): back to pending, enqueued after commit."""
    ids = OutboxMessage.objects.revive(message_ids)
    if ids:
        transaction.on_commit(partial(enqueue_delivery, ids))
    return len(ids)


# -- inbox ----------------------------------------------------------------------------------------------


def notification_mark_read(*, notification: Notification, user) -> Notification:
    """Caller has checked that ``notification`` belongs to ``user``."""
    if notification.read_at is None:
        now = timezone.now()
        Notification.objects.filter(pk=notification.pk, recipient=user, read_at__isnull=True).update(read_at=now)
        notification.read_at = now
    return notification


def notification_mark_all_read(*, user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())


def preference_for(*, user) -> NotificationPreference:
    preference, _ = NotificationPreference.objects.get_or_create(user=user)
    return preference
