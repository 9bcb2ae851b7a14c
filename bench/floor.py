"""The floor of a transition in this stack: what a logged, outboxed state change costs at least.

Not part of the application. ``bench/load.py`` drives these two views like the real submit
(same items, same tokens, same gunicorn) to tell how much of a transition's cost is the
stack's own and how much is Dutyflow's work on top of it:

- ``POST /bench/floor/orm/<item id>/`` — DRF with the project's token authentication; in one
  transaction, through the ORM: the item's row lock, an UPDATE of its state (to the value it
  has), the transition log row chained by ``workflows.audit.append_log`` (its head read and
  insert), one outbox row written as already sent (nothing is delivered). 1 + 5 statements
  and the commit, the least any transition with log and outbox does. No FSM, no scope check,
  no flow task, no recipients, no broker message.
- ``POST /bench/floor/sql/<item id>/`` — the same statements as hand-written SQL through
  Django's cursor (the log row's hash computed by ``workflows.audit.row_hash``, as
  ``append_log`` does): the share of the ORM's query building.

Both leave the item as it was; each adds a log row (a valid link of the item's chain, so
``manage.py verify_audit`` still passes) and an outbox row in the state "sent". They write the
state column directly and check no scope, on purpose: they measure the stack without Dutyflow's
rules, and only ``bench.urls`` (the load benchmark's URLconf) mounts them, never ``config.urls``.
"""

from __future__ import annotations

import uuid

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone
from rest_framework.response import Response
from rest_framework.views import APIView

from lists.models import ResponsibilityItem
from notifications.models import Channel, OutboxMessage
from workflows.audit import append_log, row_hash
from workflows.models import TransitionLog


class FloorOrm(APIView):
    def post(self, request, pk: int):
        with transaction.atomic():
            item = ResponsibilityItem.objects.select_for_update().only("pk", "state").get(pk=pk)
            ResponsibilityItem.objects.filter(pk=pk).update(state=item.state)
            entry = append_log(item, transition="bench", source=item.state, target=item.state, actor=request.user)
            OutboxMessage.objects.create(
                idempotency_key=f"bench|{uuid.uuid4().hex}",
                event="bench.floor",
                recipient=request.user,
                channel=Channel.IN_APP,
                subject_type=ContentType.objects.get_for_model(ResponsibilityItem),
                subject_id=pk,
                text="bench",
                state=OutboxMessage.State.SENT,
                next_attempt_at=entry.at,
            )
        return Response({"id": pk, "state": item.state, "seq": entry.seq})


class FloorSql(APIView):
    def post(self, request, pk: int):
        content_type = ContentType.objects.get_for_model(ResponsibilityItem)
        items, log, outbox = (m._meta.db_table for m in (ResponsibilityItem, TransitionLog, OutboxMessage))
        now = timezone.now()
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""  # not on SQLite
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SELECT state FROM {items} WHERE id = %s{lock}", [pk])
            (state,) = cursor.fetchone()
            cursor.execute(f"UPDATE {items} SET state = %s WHERE id = %s", [state, pk])
            cursor.execute(
                f"SELECT seq, hash FROM {log} WHERE content_type_id = %s AND object_id = %s "
                f"ORDER BY seq DESC LIMIT 1{lock}",
                [content_type.pk, pk],
            )
            head = cursor.fetchone()
            # The row is built only to be hashed as append_log hashes it; it is written by hand.
            row = TransitionLog(
                content_type=content_type,
                object_id=pk,
                seq=head[0] + 1 if head else 1,
                prev_hash=head[1] if head else "",
                transition="bench",
                source=state,
                target=state,
                actor_id=request.user.pk,
                at=now,
                comment="",
                payload={},
            )
            cursor.execute(
                f"INSERT INTO {log} (content_type_id, object_id, transition, source, target, "
                "actor_id, at, comment, payload, seq, prev_hash, hash) "
                "VALUES (%s, %s, 'bench', %s, %s, %s, %s, '', '{}', %s, %s, %s)",
                [content_type.pk, pk, state, state, request.user.pk, now, row.seq, row.prev_hash, row_hash(row)],
            )
            cursor.execute(
                f"INSERT INTO {outbox} (idempotency_key, event, event_key, recipient_id, channel, "
                "subject_type_id, subject_id, title, text, link, urgent, state, attempts, next_attempt_at, "
                "created_at, claimed_by, last_error, provider_message_id) "
                "VALUES (%s, 'bench.floor', '', %s, 'in_app', %s, %s, '', 'bench', '', false, 'sent', 0, %s, %s, '', '', '')",
                [f"bench|{uuid.uuid4().hex}", request.user.pk, content_type.pk, pk, now, now],
            )
        return Response({"id": pk, "state": state, "seq": row.seq})
