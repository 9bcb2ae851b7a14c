"""The tamper-evident transition log: every row is hash-chained to the one before it.

Chains are **per object** (one chain per ``(content_type, object_id)`` subject), not global.
A global chain would make every transition in the system wait for the same "last row"
lock; per-object chains only serialise transitions of one object, which services already
serialise by holding the subject's row lock (``select_for_update``) when they call
``apply_transition``. As a backstop, ``(content_type, object_id, seq)`` is unique, so two
writers that ever raced on one chain would fail with an ``IntegrityError`` instead of
forking it silently; ``append_log`` also locks the chain's current head row.

Each row stores ``seq`` (1, 2, 3 … within its chain), ``prev_hash`` (the hash of the row
before it, empty for the first) and ``hash`` = SHA-256 of a canonical JSON document of the
row's content and ``prev_hash``. Changing any recorded field, deleting or reordering rows
breaks the chain from that row on; ``verify_chains`` (and ``manage.py verify_audit``)
recompute every chain and name the first broken row. On PostgreSQL a trigger also refuses
UPDATE and DELETE on the table (migration ``0003``); TRUNCATE needs the table owner's
privilege, which the application's database role should not have in production.

A chain cannot reveal that its newest rows were cut off (there is no later row to
disagree); the trigger and the database privileges guard against that.

``append_log`` is the only way to write a row: ``TransitionLog.save`` refuses a row that
has no hash.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from .models import TransitionLog

HASH_VERSION = "v1"


def _canonical_payload(payload: Any) -> Any:
    """What the JSON column gives back when the row is read again."""
    return json.loads(json.dumps(payload or {}))


def compute_hash(
    *,
    content_type: str,
    object_id: int,
    seq: int,
    transition: str,
    source: str,
    target: str,
    actor_id: int | None,
    at,
    comment: str,
    payload: Any,
    prev_hash: str,
) -> str:
    """SHA-256 (hex) of a row's content; ``content_type`` is ``"app_label.model"``."""
    document = {
        "v": HASH_VERSION,
        "content_type": content_type,
        "object_id": int(object_id),
        "seq": int(seq),
        "transition": transition,
        "source": source,
        "target": target,
        "actor": actor_id,
        "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
        "comment": comment,
        "payload": _canonical_payload(payload),
        "prev": prev_hash,
    }
    encoded = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


def _content_type_label(content_type: ContentType) -> str:
    return f"{content_type.app_label}.{content_type.model}"


def row_hash(row: TransitionLog, *, prev_hash: str | None = None) -> str:
    """The hash ``row`` should carry (``prev_hash`` defaults to the one it stores)."""
    return compute_hash(
        content_type=_content_type_label(ContentType.objects.get_for_id(row.content_type_id)),
        object_id=row.object_id,
        seq=row.seq,
        transition=row.transition,
        source=row.source,
        target=row.target,
        actor_id=row.actor_id,
        at=row.at,
        comment=row.comment,
        payload=row.payload,
        prev_hash=row.prev_hash if prev_hash is None else prev_hash,
    )


def append_log(
    subject,
    *,
    transition: str,
    source: str,
    target: str,
    actor=None,
    comment: str = "",
    payload: dict[str, Any] | None = None,
    at=None,
) -> TransitionLog:
    """Append one row to ``subject``'s chain. Caller is inside a transaction and holds the
    subject's row lock (or has just created the subject), so the chain head cannot move."""
    content_type = ContentType.objects.get_for_model(subject, for_concrete_model=False)
    head = (
        TransitionLog.objects.select_for_update()
        .filter(content_type=content_type, object_id=subject.pk)
        .order_by("-seq")
        .only("seq", "hash")
        .first()
    )
    row = TransitionLog(
        content_type=content_type,
        object_id=subject.pk,
        seq=(head.seq + 1) if head else 1,
        prev_hash=head.hash if head else "",
        transition=transition,
        source=source,
        target=target,
        actor=actor,
        at=at or timezone.now(),
        comment=comment or "",
        payload=_canonical_payload(payload),
    )
    row.hash = row_hash(row)
    row.save()
    return row


@dataclass(frozen=True)
class ChainBreak:
    """The first row of one chain that does not verify, and why."""

    row_id: int
    content_type: str
    object_id: int
    seq: int
    reason: str

    def __str__(self) -> str:
        return f"row {self.row_id} ({self.content_type} #{self.object_id}, seq {self.seq}): {self.reason}"


def _breaks(rows: Iterable[TransitionLog]) -> Iterator[ChainBreak]:
    chain_key = None
    expected_seq, prev_hash, broken = 1, "", False
    for row in rows:
        key = (row.content_type_id, row.object_id)
        if key != chain_key:
            chain_key, expected_seq, prev_hash, broken = key, 1, "", False
        if broken:
            continue
        reason = ""
        if row.seq != expected_seq:
            reason = f"sequence {row.seq} where {expected_seq} was expected (a row is missing or moved)"
        elif row.prev_hash != prev_hash:
            reason = "does not link to the previous row's hash"
        elif row.hash != row_hash(row):
            reason = "content does not match its hash (the row was edited)"
        if reason:
            broken = True
            yield ChainBreak(
                row_id=row.pk,
                content_type=_content_type_label(ContentType.objects.get_for_id(row.content_type_id)),
                object_id=row.object_id,
                seq=row.seq,
                reason=reason,
            )
            continue
        expected_seq, prev_hash = row.seq + 1, row.hash


def verify_chains(queryset=None) -> list[ChainBreak]:
    """Recompute every chain (or those of ``queryset``); one ``ChainBreak`` per broken chain,
    ordered by row id, so the first element is the earliest broken row."""
    rows = (queryset if queryset is not None else TransitionLog.objects.all()).order_by(
        "content_type_id", "object_id", "seq", "pk"
    )
    return sorted(_breaks(rows.iterator(chunk_size=2000)), key=lambda b: b.row_id)


def verify_object(obj) -> list[ChainBreak]:
    """Verify ``obj``'s chain only."""
    return verify_chains(TransitionLog.objects.for_object(obj))
