"""The tamper-evident transition log: every row is HMAC-chained to the one before it, and
signed checkpoints record how far the log went.

**Chains are per object** (one chain per ``(content_type, object_id)`` subject), not global.
A global chain would make every transition in the system wait for the same "last row"
lock; per-object chains only serialise transitions of one object, which services already
serialise by holding the subject's row lock (``select_for_update``) when they call
``apply_transition``. As a backstop, ``(content_type, object_id, seq)`` is unique, so two
writers that ever raced on one chain would fail with an ``IntegrityError`` instead of
forking it silently; ``append_log`` also locks the chain's current head row.

Each row stores ``seq`` (1, 2, 3 … within its chain), ``prev_hash`` (the hash of the row
before it, empty for the first) and ``hash`` = HMAC-SHA256, under ``settings.AUDIT_KEY``, of
a canonical JSON document of the row's content and ``prev_hash``. The key lives outside the
database (environment or key file): whoever can write the database but lacks the key can
neither edit a row nor forge one, not even by recomputing the chain after it. Changing any
recorded field, deleting or reordering rows breaks the chain from that row on.

**The global position is the row id.** A chain alone cannot reveal that its newest rows
were cut off, nor that a whole chain, or the whole table, was removed: there is no later row
to disagree. ``write_checkpoint`` (the beat every 15 minutes, and ``verify_audit`` after a
clean verification) signs an ``AuditCheckpoint``: the highest row id it covers, the number
of rows up to it and a digest of every chain's last row among them. The digest is the sum
(mod 2**256) over those rows of ``h(row) − h(the row before it in its chain)``, ``h`` being
an HMAC of (content type, object id, seq, hash): for intact chains it telescopes to the sum
of the chains' heads, and it can be extended by reading only the rows written since the
previous checkpoint, so a checkpoint costs O(new rows) and never blesses a change made to
rows an earlier checkpoint covered. Checkpoints are chained (each signs its predecessor's
signature), so deleting one from the middle shows. The writer waits for the transactions
that were writing log rows when it chose its position to end (their ids may be lower); no
lock is taken on the transition path: a transition costs the same queries as before.

``verify_log`` (``manage.py verify_audit``) recomputes every chain, checks the checkpoints,
compares the log with the latest one, fails when rows older than
``AUDIT_CHECKPOINT_GRACE_SECONDS`` are covered by no checkpoint (checkpoints deleted), and
compares the state of every object of a registered model (``register_logged_model``) with
the target of its last log row (a state changed by raw SQL, or a log deleted with its object
left in place). What it cannot see: changes made by someone holding the key, and rows written
after the last checkpoint that were removed together with their objects (or whose objects'
states were put back too).

**Rows written before the key existed** (``v1``: plain SHA-256) are re-signed under the key
by migration ``0008_audit_keyed_chain``, which first checks each old chain and leaves a
chain that does not verify as it was from its first bad row on, so the break is still
reported; a single verification path stays. The migration also writes the first checkpoint.

On PostgreSQL triggers refuse UPDATE, DELETE and TRUNCATE on the log and the checkpoints
(migrations ``0003`` and ``0008``); in production the application's database role may only
INSERT and SELECT them (README, "Production"), so only the owner could disable the triggers,
and the owner lacks the key.

**The content type in a row's document is the model's audit label**: ``"app_label.model"``
as it was when the model's first chains were signed. A model that moves to another app (lists,
pledges and issues left ``responsibilities``) has its content type renamed in place and keeps
its old label for signing (``register_audit_label``), so no chain is re-signed and a checkpoint
taken before the move still matches.

``append_log`` is the only way to write a row: ``TransitionLog.save`` refuses a row that
has no hash.
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import hmac
import json
import logging
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, timedelta
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, models, transaction
from django.db.models import F, OuterRef, Q, Subquery
from django.utils import timezone

from .models import AuditCheckpoint, TransitionLog

logger = logging.getLogger(__name__)

HASH_VERSION = "v2"  # HMAC-SHA256 under the audit key; v1 was plain SHA-256 (re-signed by 0008)
DIGEST_MODULUS = 2**256


def audit_key() -> bytes:
    return settings.AUDIT_KEY.encode("utf-8")


def _canonical_payload(payload: Any) -> Any:
    """What the JSON column gives back when the row is read again."""
    return json.loads(json.dumps(payload or {}))


def _row_document(
    *,
    version,
    content_type,
    object_id,
    seq,
    transition,
    source,
    target,
    actor_id,
    at,
    comment,
    payload,
    prev_hash,
    on_behalf_of_id=None,
) -> bytes:
    document = {
        "v": version,
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
    if on_behalf_of_id is not None:
        # Signed only when set: rows written before stand-ins existed keep their signatures,
        # and a stand-in's row cannot lose (or gain) the person it acted for unnoticed.
        document["on_behalf_of"] = int(on_behalf_of_id)
    return json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


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
    key: bytes | None = None,
    on_behalf_of_id: int | None = None,
) -> str:
    """HMAC-SHA256 (hex) of a row's content under the audit key; ``content_type`` is ``"app_label.model"``."""
    document = _row_document(
        version=HASH_VERSION,
        content_type=content_type,
        object_id=object_id,
        seq=seq,
        transition=transition,
        source=source,
        target=target,
        actor_id=actor_id,
        at=at,
        comment=comment,
        payload=payload,
        prev_hash=prev_hash,
        on_behalf_of_id=on_behalf_of_id,
    )
    return hmac.new(audit_key() if key is None else key, document, hashlib.sha256).hexdigest()


def compute_hash_v1(**row) -> str:
    """The unkeyed SHA-256 of the first version; only migrations use it (``0002`` chains with it,
    ``0008`` checks old rows with it before re-signing them)."""
    return hashlib.sha256(_row_document(version="v1", **row)).hexdigest()


def _content_type_label(content_type: ContentType) -> str:
    return f"{content_type.app_label}.{content_type.model}"


# A model's audit label is the ``"app_label.model"`` its chains were first signed under. When a
# model moves to another app its content type is renamed in place (ids stay), but the rows
# already written stay signed with the old label: the model keeps that label for good (old and
# new rows alike), so moving code never re-signs history. Real label → audit label.
_audit_labels: dict[str, str] = {}


def register_audit_label(model: type[models.Model], label: str) -> None:
    """Sign and verify ``model``'s chains under ``label`` (its label before it moved apps)."""
    real = model._meta.label_lower
    taken = {audit: name for name, audit in _audit_labels.items()}
    if taken.get(label, real) != real:
        raise ValueError(f"audit label {label} is already {taken[label]}'s")
    _audit_labels[real] = label


def _audit_label(content_type: ContentType) -> str:
    label = _content_type_label(content_type)
    return _audit_labels.get(label, label)


def row_hash(row: TransitionLog, *, prev_hash: str | None = None) -> str:
    """The hash ``row`` should carry (``prev_hash`` defaults to the one it stores)."""
    return compute_hash(
        content_type=_audit_label(ContentType.objects.get_for_id(row.content_type_id)),
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
        on_behalf_of_id=row.on_behalf_of_id,
    )


# The stand-in (代理) taking someone's steps in this context: (stand-in, the person). Services
# are called with the person as their actor, so every permission rule reads as it does for the
# person; the log then names who really acted.
_acting: contextvars.ContextVar[tuple | None] = contextvars.ContextVar("dutyflow_acting_for", default=None)


@contextlib.contextmanager
def acting_for(stand_in, principal):
    """Within the block, log rows whose actor is ``principal`` are ``stand_in``'s, on their behalf."""
    token = _acting.set((stand_in, principal))
    try:
        yield
    finally:
        _acting.reset(token)


def acting_stand_in():
    """(stand-in, principal) of the enclosing ``acting_for`` block, or None."""
    return _acting.get()


def stand_in_for(actor, on_behalf_of=None):
    """(actor, on_behalf_of) as the log records them (see ``acting_for``)."""
    acting = _acting.get()
    if acting is not None and on_behalf_of is None and actor is not None:
        stand_in, principal = acting
        if getattr(actor, "pk", actor) == principal.pk:
            return stand_in, principal
    return actor, on_behalf_of


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
    on_behalf_of=None,
) -> TransitionLog:
    """Append one row to ``subject``'s chain. Caller is inside a transaction and holds the
    subject's row lock (or has just created the subject), so the chain head cannot move.

    Inside ``acting_for`` (a stand-in taking the person's step), a row whose ``actor`` is that
    person is written with the stand-in as ``actor`` and the person as ``on_behalf_of``."""
    actor, on_behalf_of = stand_in_for(actor, on_behalf_of)
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
        on_behalf_of=on_behalf_of,
        at=at or timezone.now(),
        comment=comment or "",
        payload=_canonical_payload(payload),
    )
    row.hash = row_hash(row)
    row.save()
    return row


def append_logs(entries: list[dict[str, Any]]) -> list[TransitionLog]:
    """Append many rows at once (the sweep's batches): the same rows ``append_log`` would write
    for each entry in turn, with one query for the chains' heads and one INSERT.

    Each entry holds ``subject`` and ``append_log``'s keyword arguments; entries of one subject
    are chained in the order given. Caller is inside a transaction and holds the subjects' row
    locks (or has just created them), as for ``append_log``; the heads are locked too."""
    if not entries:
        return []
    now = timezone.now()
    by_type: dict[int, set[int]] = {}
    types = {}
    for entry in entries:
        content_type = ContentType.objects.get_for_model(entry["subject"], for_concrete_model=False)
        types[id(entry)] = content_type
        by_type.setdefault(content_type.pk, set()).add(entry["subject"].pk)
    heads: dict[tuple[int, int], tuple[int, str]] = {}
    for content_type_id, object_ids in by_type.items():
        chain = TransitionLog.objects.filter(content_type_id=content_type_id, object_id=OuterRef("object_id"))
        newest = (
            TransitionLog.objects.filter(content_type_id=content_type_id, object_id__in=object_ids)
            .annotate(head_seq=Subquery(chain.order_by("-seq").values("seq")[:1]))
            .filter(seq=F("head_seq"))
            .select_for_update()
            .values_list("object_id", "seq", "hash")
        )
        heads.update(((content_type_id, object_id), (seq, hash_)) for object_id, seq, hash_ in newest)
    rows = []
    for entry in entries:
        content_type = types[id(entry)]
        subject = entry["subject"]
        seq, prev_hash = heads.get((content_type.pk, subject.pk), (0, ""))
        actor, on_behalf_of = stand_in_for(entry.get("actor"), entry.get("on_behalf_of"))
        row = TransitionLog(
            content_type=content_type,
            object_id=subject.pk,
            seq=seq + 1,
            prev_hash=prev_hash,
            transition=entry["transition"],
            source=entry["source"],
            target=entry["target"],
            actor=actor,
            on_behalf_of=on_behalf_of,
            at=entry.get("at") or now,
            comment=entry.get("comment") or "",
            payload=_canonical_payload(entry.get("payload")),
        )
        row.hash = row_hash(row)
        heads[(content_type.pk, subject.pk)] = (row.seq, row.hash)
        rows.append(row)
    return TransitionLog.objects.bulk_create(rows)


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


def _label_of(content_type_id: int) -> str:
    """The label the rows of this content type are signed under (see ``register_audit_label``)."""
    return _audit_label(ContentType.objects.get_for_id(content_type_id))


def _name_of(content_type_id: int) -> str:
    return _content_type_label(ContentType.objects.get_for_id(content_type_id))


def _head_term(label: str, object_id: int, seq: int, hash_: str, key: bytes) -> int:
    message = f"head|{label}|{int(object_id)}|{int(seq)}|{hash_}".encode()
    return int(hmac.new(key, message, hashlib.sha256).hexdigest(), 16)


def digest_term(label: str, object_id: int, seq: int, prev_hash: str, hash_: str, *, key: bytes | None = None) -> int:
    """One row's share of a checkpoint's digest: it becomes its chain's head, the row before
    it stops being one (see the module docstring)."""
    key = audit_key() if key is None else key
    term = _head_term(label, object_id, seq, hash_, key)
    if seq > 1:
        term -= _head_term(label, object_id, seq - 1, prev_hash, key)
    return term % DIGEST_MODULUS


@dataclass
class _Tally:
    """Rows up to ``position``: how many, and their digest; and the oldest row after it."""

    position: int
    total: int = 0
    count: int = 0
    digest: int = 0
    oldest_uncovered: Any = None
    oldest_uncovered_id: int | None = None

    def add(self, row: TransitionLog, label: str, key: bytes) -> None:
        self.total += 1
        if row.pk <= self.position:
            self.count += 1
            self.digest = (
                self.digest + digest_term(label, row.object_id, row.seq, row.prev_hash, row.hash, key=key)
            ) % DIGEST_MODULUS
        elif self.oldest_uncovered is None or row.at < self.oldest_uncovered:
            self.oldest_uncovered, self.oldest_uncovered_id = row.at, row.pk


def _breaks(rows: Iterable[TransitionLog], tally: _Tally | None = None) -> Iterator[ChainBreak]:
    key = audit_key()
    chain_key = None
    expected_seq, prev_hash, broken = 1, "", False
    for row in rows:
        label = _label_of(row.content_type_id)
        if tally is not None:
            tally.add(row, label, key)
        chain = (row.content_type_id, row.object_id)
        if chain != chain_key:
            chain_key, expected_seq, prev_hash, broken = chain, 1, "", False
        if broken:
            continue
        reason = ""
        if row.seq != expected_seq:
            reason = f"sequence {row.seq} where {expected_seq} was expected (a row is missing or moved)"
        elif row.prev_hash != prev_hash:
            reason = "does not link to the previous row's hash"
        elif not hmac.compare_digest(row.hash, row_hash(row)):
            reason = "content does not match its signature (the row was edited or forged without the audit key)"
        if reason:
            broken = True
            name = _name_of(row.content_type_id)
            yield ChainBreak(row_id=row.pk, content_type=name, object_id=row.object_id, seq=row.seq, reason=reason)
            continue
        expected_seq, prev_hash = row.seq + 1, row.hash


def _ordered(queryset):
    return queryset.order_by("content_type_id", "object_id", "seq", "pk").iterator(chunk_size=2000)


def verify_chains(queryset=None) -> list[ChainBreak]:
    """Recompute every chain (or those of ``queryset``); one ``ChainBreak`` per broken chain,
    ordered by row id, so the first element is the earliest broken row."""
    rows = queryset if queryset is not None else TransitionLog.objects.all()
    return sorted(_breaks(_ordered(rows)), key=lambda b: b.row_id)


def verify_object(obj) -> list[ChainBreak]:
    """Verify ``obj``'s chain only."""
    return verify_chains(TransitionLog.objects.for_object(obj))


# -- checkpoints ------------------------------------------------------------------------------


def checkpoint_signature(
    *, position: int, row_count: int, heads_digest: str, at, prev_signature: str, key: bytes | None = None
) -> str:
    document = {
        "v": "checkpoint-v1",
        "position": int(position),
        "row_count": int(row_count),
        "heads": heads_digest,
        "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
        "prev": prev_signature,
    }
    encoded = json.dumps(document, sort_keys=True, separators=(",", ":")).encode("utf-8")
    return hmac.new(audit_key() if key is None else key, encoded, hashlib.sha256).hexdigest()


def _signature_of(checkpoint) -> str:
    return checkpoint_signature(
        position=checkpoint.position,
        row_count=checkpoint.row_count,
        heads_digest=checkpoint.heads_digest,
        at=checkpoint.at,
        prev_signature=checkpoint.prev_signature,
    )


def _settled_position(wait_seconds: float) -> int | None:
    """The highest log row id below which no row can still appear, or None after ``wait_seconds``.

    Ids are taken when a row is inserted, not when its transaction commits, so a transaction
    still running may hold a lower id than the highest one visible. On PostgreSQL, every
    transaction that could hold such an id has held a ROW EXCLUSIVE lock on the log since
    before the maximum was read: the ones still holding it afterwards are waited for (nothing
    is locked: transitions never wait for a checkpoint). SQLite has one writer at a time: an
    uncommitted row always has a higher id than every committed one.
    """
    table = TransitionLog._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT max(id) FROM {table}")
        position = cursor.fetchone()[0] or 0
        if connection.vendor != "postgresql":
            return position
        writers = (
            "SELECT count(*) FROM pg_locks WHERE locktype = 'relation' AND relation = %s::regclass "
            "AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
            "AND mode = 'RowExclusiveLock' AND pid <> pg_backend_pid()"
        )
        cursor.execute(writers.replace("count(*)", "array_agg(DISTINCT virtualtransaction)"), [table])
        running = cursor.fetchone()[0] or []
        deadline = time.monotonic() + wait_seconds
        while running:
            cursor.execute(writers + " AND virtualtransaction = ANY(%s)", [table, running])
            if cursor.fetchone()[0] == 0:
                break
            if time.monotonic() > deadline:
                return None
            time.sleep(0.05)
        return position


def checkpoint_after(previous, rows: Iterable[tuple], *, position: int, at, key: bytes | None = None) -> dict:
    """The fields of the checkpoint that extends ``previous`` (None: the first) with ``rows``,
    tuples ``(content type label, object id, seq, prev_hash, hash)`` of every row with an id
    above ``previous.position`` up to ``position``. Migrations call it with their own rows."""
    key = audit_key() if key is None else key
    count = previous.row_count if previous else 0
    digest = int(previous.heads_digest, 16) if previous else 0
    for label, object_id, seq, prev_hash, hash_ in rows:
        count += 1
        digest = (digest + digest_term(label, object_id, seq, prev_hash, hash_, key=key)) % DIGEST_MODULUS
    fields = {
        "position": position,
        "row_count": count,
        "heads_digest": f"{digest:064x}",
        "at": at,
        "prev_signature": previous.signature if previous else "",
    }
    return {**fields, "signature": checkpoint_signature(**fields, key=key)}


def write_checkpoint(*, wait_seconds: float = 10.0) -> AuditCheckpoint | None:
    """Sign a checkpoint covering every log row written so far; None when there is nothing new,
    when the latest checkpoint does not verify (``verify_audit`` reports it; it is not extended),
    when a writer is still running after ``wait_seconds`` or another checkpoint won the race."""
    position = _settled_position(wait_seconds)
    if position is None:
        logger.warning("Audit checkpoint skipped: log writers still running after %s s.", wait_seconds)
        return None
    previous = AuditCheckpoint.objects.order_by("-pk").first()
    if previous is not None and not hmac.compare_digest(previous.signature, _signature_of(previous)):
        logger.error("Audit checkpoint %s does not verify; no checkpoint written (run verify_audit).", previous.pk)
        return None
    after = previous.position if previous else 0
    if position <= after:
        return None
    rows = (
        TransitionLog.objects.filter(pk__gt=after, pk__lte=position)
        .order_by("pk")
        .values_list("content_type_id", "object_id", "seq", "prev_hash", "hash")
        .iterator(chunk_size=5000)
    )
    labelled = ((_label_of(ct), object_id, seq, prev, hash_) for ct, object_id, seq, prev, hash_ in rows)
    fields = checkpoint_after(previous, labelled, position=position, at=timezone.now())
    try:
        with transaction.atomic():
            return AuditCheckpoint.objects.create(**fields)
    except IntegrityError:
        return None  # another writer extended the same checkpoint first


# -- the domain's stateful models -------------------------------------------------------------


@dataclass(frozen=True)
class LoggedModel:
    """A stateful model whose every state change is logged: an object's state is the target of
    its chain's last row, or its initial state when it has no row yet."""

    model: type[models.Model]
    state_field: str = "state"

    @property
    def initial_state(self) -> str:
        return str(self.model._meta.get_field(self.state_field).get_default())


_logged_models: dict[str, LoggedModel] = {}


def register_logged_model(
    model: type[models.Model], *, state_field: str = "state", audit_app_label: str | None = None
) -> None:
    """Domain apps call this from ``AppConfig.ready()`` for each model they log transitions of;
    ``audit_app_label`` is the app the model lived in when its first chains were signed, if it
    has moved since (see ``register_audit_label``)."""
    if audit_app_label is not None:
        register_audit_label(model, f"{audit_app_label}.{model._meta.model_name}")
    _logged_models[model._meta.label_lower] = LoggedModel(model, state_field)


def logged_models() -> list[LoggedModel]:
    return list(_logged_models.values())


@dataclass(frozen=True)
class StateMismatch:
    content_type: str
    object_id: int
    state: str
    last_target: str | None

    def __str__(self) -> str:
        if self.last_target is None:
            why = "it has no log row (its log was deleted, or the state was changed outside the application)"
        else:
            why = f"its last log row says '{self.last_target}' (the state was changed outside the application)"
        return f"{self.content_type} #{self.object_id}: state '{self.state}' but {why}"


def state_mismatches() -> list[StateMismatch]:
    """Objects of the registered models whose state is not what their log says, by type and id."""
    found = []
    for logged in logged_models():
        model, state = logged.model, logged.state_field
        content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
        last_target = (
            TransitionLog.objects.filter(content_type=content_type, object_id=OuterRef("pk"))
            .order_by("-seq")
            .values("target")[:1]
        )
        disagreeing = model._base_manager.annotate(last_target=Subquery(last_target)).filter(
            (Q(last_target__isnull=True) & ~Q(**{state: logged.initial_state}))
            | (Q(last_target__isnull=False) & ~Q(last_target=F(state)))
        )
        label = _content_type_label(content_type)
        for pk, value, target in disagreeing.order_by("pk").values_list("pk", state, "last_target").iterator():
            found.append(StateMismatch(label, pk, value, target))
    return found


# -- the whole verification -------------------------------------------------------------------


@dataclass
class Verification:
    """What ``verify_log`` found: ``problems`` in the order they are reported, the first first."""

    rows: int = 0
    checkpoint: AuditCheckpoint | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.problems


def _checkpoint_problems(checkpoints: list[AuditCheckpoint]) -> tuple[AuditCheckpoint | None, list[str]]:
    latest, prev_signature, problems = None, "", []
    for checkpoint in checkpoints:
        name = f"checkpoint {checkpoint.pk} (rows up to {checkpoint.position}, {checkpoint.at:%Y-%m-%d %H:%M:%S} UTC)"
        if not hmac.compare_digest(checkpoint.signature, _signature_of(checkpoint)):
            problems.append(f"{name}: signature does not match (the checkpoint was edited or forged)")
            break
        if checkpoint.prev_signature != prev_signature:
            problems.append(f"{name}: does not link to the checkpoint before it (a checkpoint was deleted)")
            break
        if latest is not None and (checkpoint.position < latest.position or checkpoint.row_count < latest.row_count):
            problems.append(f"{name}: covers less than the checkpoint before it")
            break
        latest, prev_signature = checkpoint, checkpoint.signature
    return latest, problems


def verify_log() -> Verification:
    """Verify everything ``verify_audit`` promises (see the module docstring). On PostgreSQL,
    outside a transaction, it reads one snapshot: objects and log rows committed together are
    seen together."""
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            return _verify_log()
    return _verify_log()


def _verify_log() -> Verification:
    result = Verification()
    latest, checkpoint_problems = _checkpoint_problems(list(AuditCheckpoint.objects.order_by("pk")))
    result.checkpoint = latest
    tally = _Tally(position=latest.position if latest else 0)
    breaks = sorted(_breaks(_ordered(TransitionLog.objects.all()), tally), key=lambda b: b.row_id)
    result.rows = tally.total
    result.problems += [str(chain_break) for chain_break in breaks]
    result.problems += checkpoint_problems
    if latest is not None:
        name = f"checkpoint {latest.pk} (rows up to {latest.position}, {latest.at:%Y-%m-%d %H:%M:%S} UTC)"
        if tally.count != latest.row_count:
            result.problems.append(
                f"{name} counted {latest.row_count} row(s); {tally.count} are left: log rows were deleted"
                if tally.count < latest.row_count
                else f"{name} counted {latest.row_count} row(s); there are {tally.count}: rows were inserted"
            )
        elif f"{tally.digest:064x}" != latest.heads_digest:
            result.problems.append(f"{name}: the chains' last rows differ (a chain's newest rows were removed)")
    grace = timedelta(seconds=settings.AUDIT_CHECKPOINT_GRACE_SECONDS)
    if tally.oldest_uncovered is not None and tally.oldest_uncovered < timezone.now() - grace:
        result.problems.append(
            f"row {tally.oldest_uncovered_id} of {tally.oldest_uncovered:%Y-%m-%d %H:%M:%S} UTC is covered by no "
            "checkpoint (checkpoints were deleted, or the beat does not run workflows.tasks.checkpoint_audit)"
        )
    result.problems += [str(mismatch) for mismatch in state_mismatches()]
    return result
