"""The deadline sweep: warning colours and escalation steps, kept on every registered model.

Domain apps register their stateful models here (``register(SweepTarget(...))`` from their
AppConfig.ready()); the engine never imports the domain. Supervision registers an escalation
handler (``register_escalation_handler``) that opens a case at the escalation step.

How a sweep works (DESIGN.md principle 6, set-based and indexed):

- Objects are grouped by the policy that applies to them (category codes with a policy of
  their own, the rest; normal and urgent) and by calendar (units with calendar overrides of
  their own, the rest of the township). For each group the policy's thresholds become
  cutoff datetimes computed once from ``as_of`` on the working-day calendar, so each step is a
  plain comparison of an indexed column with a constant.
- One SELECT per group finds only the rows whose colour or escalation level must change
  (the desired values are SQL ``CASE`` expressions); the rows are updated by bulk UPDATEs,
  grouped by their new values. Unchanged rows are never loaded: the cost is O(rows that change).
- The changing rows are then worked through in batches (``BATCH_SIZE`` objects), each its own
  short transaction that commits before the next: it locks its rows (``FOR UPDATE SKIP
  LOCKED``: a row a user is changing right now is left for the next run), checks again that
  they must change, loads them (one query) and applies every step set-based: one UPDATE per
  new (colour, level), the ``EscalationEvent`` rows, the events (``emit_many``: the outbox
  writes its rows in bulk, recipients resolved per unit by the domain's ``recipients_many``)
  and the escalation handlers' batch form (supervision opens its cases and chains their log
  rows in bulk). A crash between batches loses nothing and repeats nothing: a committed batch
  is done, the next run finds only what is left.
- A row that cannot be read or announced (a date outside what Python or the time zone can
  hold, stored before the bounds existed) is logged with its id and left as it was; the rest
  go on. If a batch's bulk statements fail, the batch is applied again one object at a time
  (``_apply_each``, the reference path, which gives the same rows) so one bad row costs only
  itself.
- Each raised warning emits ``sweep.warning`` (key ``warning:<level>``); each escalation step
  writes one ``EscalationEvent`` (unique per object and level, ever), emits ``sweep.escalated``
  (key ``escalation:<level>``) to the people the policy's ladder names for that level (its
  ``Rung``: the district's commissioners, the township discipline committee or the township's
  secretary, resolved per unit by ``organization.scoping.discipline_bodies``) and calls the
  escalation handlers with the rung (supervision opens, hands over or marks its case).
- Policies are data per township, kind, category and urgency: a township with rows of its own
  is a group of its own (its units' path prefix), the rest take the deployment's rows.

Rules the domain supplies through its registration: which states keep the clock running
(suspended objects are left out entirely: their clock stops, they are neither warned nor
escalated; resuming moves their deadline), which states mean "not yet accepted" (yellow), and
which objects are on hold for escalation. Items with a pending extension request are on hold:
they may still turn red, but they do not escalate to the commissioners until the request is
decided — the leader must answer first.

Concurrency: the run holds a lock from start to end, across its batches: on PostgreSQL a
session-level advisory lock, on SQLite an exclusive lock on a file beside the database. A
second sweep at the same time skips and says so. Users' transitions wait for the sweep only on
the rows of its current batch, and only until that batch commits. The unique constraint on
``EscalationEvent`` makes double escalation impossible even if the lock were bypassed. Running a
sweep twice with the same ``as_of`` changes nothing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, IntegrityError, connection, models, transaction
from django.db.models import Case, F, FloatField, Func, Q, Value, When
from django.db.models.lookups import LessThanOrEqual

from .calendar import WorkingCalendar
from .events import emit, emit_many, make_event
from .models import EscalationEvent
from .policies import MAX_ESCALATION_LEVEL, Policy, PolicyBook

GREEN, BLUE, YELLOW, RED = "green", "blue", "yellow", "red"
SEVERITY = {GREEN: 0, BLUE: 1, YELLOW: 2, RED: 3}
ESCALATED = "escalated"
ADVISORY_LOCK_KEY = 0x44_75_74_79  # "Duty": one sweep at a time across all workers and beats
BATCH_SIZE = 500  # objects per transaction: a user waits on the sweep at most one batch

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SweepTarget:
    """How the sweep (and supervision) sees one stateful model of the domain.

    ``recipients(obj, step)`` returns users or ids to tell, ``step`` being ``blue``,
    ``yellow``, ``red`` or ``escalated``; ``recipients_many(objs, step)``, if given, the same for
    a batch as ``{pk: recipients}`` (resolved once per unit, not per object);
    ``context(obj)`` the strings for the message.
    ``escalation_hold()`` returns a Q (or boolean expression) matching objects that must not
    escalate now. ``unit_field`` is the path to the object's organization unit
    (``list__unit``); its ``__path`` is used for scoping.
    """

    kind: str  # "item", "pledge", "issue": the policy kind and the supervision subject type
    model: type[models.Model]
    clock_states: tuple[str, ...]  # states in which the deadline clock runs
    open_states: tuple[str, ...] = ()  # unfinished states (clock states plus e.g. suspended)
    unaccepted_states: tuple[str, ...] = ()  # states meaning "not yet accepted" (签收)
    recipients: Callable[[Any, str], list] = lambda obj, step: []
    recipients_many: Callable[[list, str], dict[int, list]] | None = None
    context: Callable[[Any], dict] = lambda obj: {}
    escalation_hold: Callable[[], Any] | None = None
    unit_field: str = "unit"
    lead_leader_field: str | None = None
    assignee_field: str | None = None
    state_field: str = "state"
    due_field: str = "due_at"
    assigned_field: str = "assigned_at"
    warning_field: str = "warning_level"
    escalation_field: str = "escalation_level"
    category_code_field: str | None = None  # e.g. "category__code"
    urgent_field: str | None = None
    select_related: tuple[str, ...] = ()
    policy_kind: str | None = None  # the policies' kind when not ``kind`` (a second clock of a model)
    warns_before_due: bool = True  # False: green until due, then red (no blue, no yellow)
    title_field: str = "title"  # the column the object's str() shows (the queue's title)
    url_of: Callable[[Any], str] | None = None
    list_url: Callable[[int, str], str | None] | None = None  # (unit id, warning level) → page

    @property
    def policies(self) -> str:
        return self.policy_kind or self.kind

    @property
    def unit_path_field(self) -> str:
        return f"{self.unit_field}__path"

    @property
    def queue_columns(self) -> tuple[str, ...]:
        """The columns a supervision queue row reads (``only()`` with ``select_related``): the
        object's title, state, deadline and levels, its unit's name and its people's names."""
        from django.contrib.auth import get_user_model
        from django_fsm import FSMFieldMixin

        names = get_user_model().NAME_COLUMNS  # what str(user) reads; the username is one of them
        people = [field for field in (self.assignee_field, self.lead_leader_field) if field]
        # Models on the way to the unit (an item's list) keep their state fields: django-fsm
        # reads them when it builds an instance, one query per row if they were deferred.
        hops, model, path = [], self.model, []
        for part in self.unit_field.split("__")[:-1]:
            model, path = model._meta.get_field(part).related_model, [*path, part]
            prefix = "__".join(path)
            hops += [f"{prefix}__{f.name}" for f in model._meta.concrete_fields if isinstance(f, FSMFieldMixin)]
        return (
            self.title_field,
            *hops,
            self.state_field,
            self.due_field,
            self.warning_field,
            self.escalation_field,
            f"{self.unit_field}__name",
            *(f"{person}__{column}" for person in people for column in names),
        )

    def unit_of(self, obj):
        value = obj
        for part in self.unit_field.split("__"):
            value = getattr(value, part)
        return value

    def open_objects(self) -> models.QuerySet:
        states = self.open_states or self.clock_states
        return self.model._default_manager.filter(**{f"{self.state_field}__in": states})

    def clock_running(self) -> models.QuerySet:
        return self.model._default_manager.filter(**{f"{self.state_field}__in": self.clock_states})

    def recipients_of(self, objs: list, step: str) -> dict[int, list]:
        """Who to tell at ``step``, for each of ``objs`` by primary key."""
        if self.recipients_many is not None:
            return self.recipients_many(objs, step)
        return {obj.pk: self.recipients(obj, step) for obj in objs}


_targets: dict[str, SweepTarget] = {}
_escalation_handlers: list[Callable[..., None]] = []
_escalation_batch_handlers: dict[Callable[..., None], Callable[..., None]] = {}


def register(target: SweepTarget) -> None:
    """Register (or replace) a model with the sweep; call from AppConfig.ready()."""
    _targets[target.kind] = target


def targets() -> list[SweepTarget]:
    return list(_targets.values())


def get_target(kind: str) -> SweepTarget | None:
    return _targets.get(kind)


def target_for_model(model) -> SweepTarget | None:
    for target in _targets.values():
        if target.model is model or isinstance(model, target.model):
            return target
    return None


def register_escalation_handler(handler: Callable[..., None], *, many: Callable[..., None] | None = None) -> None:
    """``handler(subject=obj, target=SweepTarget, level=int, as_of=datetime, rung=Rung)``, called
    inside the sweep's batch transaction once per object and escalation step (``rung``: the
    policy's ladder level, who is told and what happens); ``many(subjects=[...], target=...,
    level=..., as_of=..., rung=...)``, if given, once per batch and step instead, leaving the
    same rows as ``handler`` called on each subject in turn."""
    if handler not in _escalation_handlers:
        _escalation_handlers.append(handler)
    if many is not None:
        _escalation_batch_handlers[handler] = many


def unregister_escalation_handler(handler: Callable[..., None]) -> None:
    if handler in _escalation_handlers:
        _escalation_handlers.remove(handler)
    _escalation_batch_handlers.pop(handler, None)


@dataclass
class Change:
    kind: str
    pk: int
    label: str
    old_warning: str
    new_warning: str
    old_escalation: int
    new_escalation: int

    def describe(self) -> str:
        parts = []
        if self.old_warning != self.new_warning:
            parts.append(f"warning {self.old_warning} → {self.new_warning}")
        if self.old_escalation != self.new_escalation:
            parts.append(f"escalation {self.old_escalation} → {self.new_escalation}")
        return f"{self.kind} #{self.pk} “{self.label}”: " + ", ".join(parts)


@dataclass
class SweepReport:
    as_of: dt.datetime
    changes: list[Change] = field(default_factory=list)
    skipped: bool = False  # another sweep held the lock
    batches: int = 0

    @property
    def escalations(self) -> int:
        return sum(max(0, c.new_escalation - c.old_escalation) for c in self.changes)


@dataclass(frozen=True)
class SweepProgress:
    """Where a run is, after each batch: objects looked at of those found, changes so far."""

    batch: int
    done: int
    total: int
    changed: int
    seconds: float


@contextlib.contextmanager
def _run_lock() -> Iterator[bool]:
    """Hold the sweep's lock for the whole run (across its batch transactions); yields whether
    it was free. PostgreSQL: a session-level advisory lock, released at the end or when the
    connection dies with its process. SQLite: an exclusive ``flock`` on a file named after the
    database, released likewise."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [ADVISORY_LOCK_KEY])
            held = bool(cursor.fetchone()[0])
        try:
            yield held
        finally:
            if held:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [ADVISORY_LOCK_KEY])
        return
    try:
        import fcntl
    except ImportError:  # no flock (Windows): SQLite serialises writers itself
        yield True
        return
    name = str(connection.settings_dict.get("NAME") or "")
    path = Path(tempfile.gettempdir()) / f"dutyflow-sweep-{hashlib.sha256(name.encode()).hexdigest()[:16]}.lock"
    with open(path, "a+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def sweep_deadlines(
    *,
    as_of: dt.datetime,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[SweepProgress], None] | None = None,
    set_based: bool = True,
) -> SweepReport:
    """Bring every registered object's warning colour and escalation level up to ``as_of``.

    Finds what must change (one indexed SELECT per policy and calendar group), then applies it
    in batches of ``batch_size`` objects, each committed on its own; ``progress`` is called after
    each. ``set_based=False`` applies each object on its own (the reference path the tests
    compare the bulk statements with)."""
    report = SweepReport(as_of=as_of)
    with _run_lock() as held:
        if not held:
            report.skipped = True
            logger.warning("Sweep as of %s skipped: another sweep is running.", as_of.isoformat())
            return report
        started = time.monotonic()
        calendars = _calendar_groups()
        batches = _batches(_plan(calendars, as_of=as_of), batch_size)
        total = sum(len(pks) for batch in batches for _target, _group, pks in batch)
        done = 0
        for number, batch in enumerate(batches, start=1):
            with transaction.atomic():
                for target, group, pks in batch:
                    report.changes += _sweep_batch(target, group, pks, as_of=as_of, set_based=set_based)
            done += sum(len(pks) for _target, _group, pks in batch)
            report.batches = number
            state = SweepProgress(number, done, total, len(report.changes), time.monotonic() - started)
            logger.info(
                "Sweep as of %s: batch %d of %d done, %d/%d objects, %d changed, %.1f s.",
                as_of.isoformat(),
                number,
                len(batches),
                done,
                total,
                state.changed,
                state.seconds,
            )
            if progress is not None:
                progress(state)
    return report


@dataclass(frozen=True)
class _Group:
    """The objects of one target under one policy and one calendar, and what they should show."""

    q: Q
    desired_warning: Any
    desired_escalation: Any
    policy: Policy


def _plan(calendars, *, as_of: dt.datetime) -> list[tuple[SweepTarget, _Group, list[int]]]:
    """(target, group, ids of its objects that must change): read only, no lock."""
    plan = []
    for target in targets():
        for group in _groups(target, as_of=as_of, calendars=calendars):
            pks = list(_changing(target, group).order_by("pk").values_list("pk", flat=True))
            if pks:
                plan.append((target, group, pks))
    return plan


def _batches(plan, size: int) -> list[list[tuple[SweepTarget, _Group, list[int]]]]:
    """Cut the plan into batches of at most ``size`` objects (small groups share a batch)."""
    batches, current, room = [], [], size
    for target, group, pks in plan:
        while pks:
            part, pks = pks[:room], pks[room:]
            current.append((target, group, part))
            room -= len(part)
            if not room:
                batches.append(current)
                current, room = [], size
    if current:
        batches.append(current)
    return batches


def _calendar_groups() -> list[tuple[str | None, tuple[str, ...], WorkingCalendar]]:
    """(unit path, deeper paths to leave out, calendar): one group per unit with overrides of its
    own (its subtree minus deeper such units) and one for the rest of the township (path None)."""
    from organization.models import Unit

    units = list(Unit.objects.filter(calendar_overrides__isnull=False).distinct().order_by("path"))
    paths = [unit.path for unit in units]
    groups: list[tuple[str | None, tuple[str, ...], WorkingCalendar]] = [(None, tuple(paths), WorkingCalendar())]
    for unit in units:
        deeper = tuple(p for p in paths if p != unit.path and p.startswith(unit.path))
        groups.append((unit.path, deeper, WorkingCalendar(unit)))
    return groups


def _calendar_q(target: SweepTarget, path: str | None, excluded: tuple[str, ...]) -> Q:
    field_name = f"{target.unit_path_field}__startswith"
    q = Q(**{field_name: path}) if path else Q()
    for deeper in excluded:
        q &= ~Q(**{field_name: deeper})
    return q


def _policy_groups(target: SweepTarget, book: PolicyBook):
    """(filter, policy) pairs covering every object of ``target`` exactly once."""
    codes = book.category_codes if target.category_code_field else []
    category_groups: list[tuple[Q, str]] = [(Q(**{target.category_code_field: code}), code) for code in codes]
    if codes:
        rest = ~Q(**{f"{target.category_code_field}__in": codes}) | Q(**{f"{target.category_code_field}__isnull": True})
        category_groups.append((rest, ""))
    else:
        category_groups.append((Q(), ""))
    urgencies = (
        [(Q(**{target.urgent_field: False}), False), (Q(**{target.urgent_field: True}), True)]
        if (target.urgent_field)
        else [(Q(), False)]
    )
    path_field = f"{target.unit_path_field}__startswith"
    township_groups: list[tuple[Q, int | None]] = [
        (Q(**{path_field: path}), township_id) for township_id, path in sorted(book.township_paths.items())
    ]
    rest = Q()
    for path in book.township_paths.values():
        rest &= ~Q(**{path_field: path})
    township_groups.append((rest, None))
    for township_q, township_id in township_groups:
        for category_q, code in category_groups:
            for urgent_q, urgent in urgencies:
                yield township_q & category_q & urgent_q, book.resolve(code, urgent, township_id)


class Epoch(Func):
    """Seconds since 1970 of a datetime column, on PostgreSQL and SQLite."""

    output_field = FloatField()

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="EXTRACT(EPOCH FROM %(expressions)s)", **extra)

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="CAST(strftime('%%%%s', %(expressions)s) AS REAL)", **extra)


def _time_used_q(target: SweepTarget, percent: int, as_of: dt.datetime):
    """At least ``percent`` % of the time from assignment to deadline has passed at ``as_of``:
    100·as_of ≥ p·due + (100 − p)·assigned, in seconds (one expression, evaluated by the database)."""
    if not percent:
        return Q(pk__in=[])
    weighted = Epoch(F(target.due_field)) * percent + Epoch(F(target.assigned_field)) * (100 - percent)
    return Q(**{f"{target.assigned_field}__isnull": False}) & LessThanOrEqual(weighted, Value(as_of.timestamp() * 100))


def _groups(target: SweepTarget, *, as_of: dt.datetime, calendars) -> list[_Group]:
    book = PolicyBook(target.policies)
    due, assigned, escalation = target.due_field, target.assigned_field, target.escalation_field
    groups = []
    for path, excluded, calendar in calendars:
        for policy_q, policy in _policy_groups(target, book):
            early = (
                [
                    When(
                        Q(
                            **{
                                f"{target.state_field}__in": target.unaccepted_states,
                                f"{assigned}__lte": policy.accept_cutoff(calendar, as_of),
                            }
                        ),
                        then=Value(YELLOW),
                    ),
                    When(
                        Q(**{f"{due}__lte": policy.blue_cutoff(calendar, as_of)})
                        | _time_used_q(target, policy.blue_at_percent_time_used, as_of),
                        then=Value(BLUE),
                    ),
                ]
                if target.warns_before_due
                else []
            )
            desired_warning = Case(
                When(Q(**{f"{due}__lte": policy.red_cutoff(calendar, as_of)}), then=Value(RED)),
                *early,
                default=Value(GREEN),
                output_field=models.CharField(),
            )
            steps = [When(target.escalation_hold(), then=F(escalation))] if target.escalation_hold else []
            for level, cutoff in sorted(policy.escalation_cutoffs(calendar, as_of).items(), reverse=True):
                steps.append(When(Q(**{f"{due}__lte": cutoff}), then=Value(level)))
            desired_escalation = Case(*steps, default=F(escalation), output_field=models.PositiveSmallIntegerField())
            groups.append(
                _Group(_calendar_q(target, path, excluded) & policy_q, desired_warning, desired_escalation, policy)
            )
    return groups


def _changing(target: SweepTarget, group: _Group) -> models.QuerySet:
    """The group's objects whose colour or escalation level must change."""
    return (
        target.clock_running()
        .filter(group.q)
        .annotate(_desired_warning=group.desired_warning, _desired_escalation=group.desired_escalation)
        .filter(
            ~Q(**{target.warning_field: F("_desired_warning")}) | Q(_desired_escalation__gt=F(target.escalation_field))
        )
    )


def _sweep_batch(
    target: SweepTarget, group: _Group, pks: list[int], *, as_of: dt.datetime, set_based: bool
) -> list[Change]:
    """Lock the batch's rows that still must change (skipping rows a user holds), load them and
    apply their steps. Caller holds the batch's transaction."""
    found = (
        _changing(target, group)
        .filter(pk__in=pks)
        .select_for_update(skip_locked=True, of=("self",))
        .order_by("pk")
        .values_list("pk", target.warning_field, target.escalation_field, "_desired_warning", "_desired_escalation")
    )
    found = list(found)
    objects = _load(target, [row[0] for row in found])
    pending = []
    for pk, old_warning, old_escalation, new_warning, desired in found:
        obj = objects.get(pk)
        if obj is None:
            continue  # could not be read; logged by _load
        new_escalation = min(MAX_ESCALATION_LEVEL, max(old_escalation, desired))
        pending.append((obj, old_warning, old_escalation, new_warning, new_escalation))
    if not set_based:
        return _apply_each(target, pending, as_of=as_of, policy=group.policy)
    try:
        with transaction.atomic():
            return _apply_set(target, pending, as_of=as_of, policy=group.policy)
    except Exception:
        # A bulk statement failed (a case a commissioner opened meanwhile, a handler's error):
        # the batch is applied again one object at a time, so that only the bad row is left.
        logger.exception(
            "Sweep: a batch of %s could not be applied at once; applying it object by object.", target.kind
        )
        return _apply_each(target, pending, as_of=as_of, policy=group.policy)


def _update(target: SweepTarget, applied: list[tuple[Any, Change]]) -> None:
    """One UPDATE per new (colour, level)."""
    updates: dict[tuple[str, int], list[int]] = defaultdict(list)
    for obj, change in applied:
        updates[(change.new_warning, change.new_escalation)].append(obj.pk)
    for (new_warning, new_escalation), ids in updates.items():
        target.model._default_manager.filter(pk__in=ids).update(
            **{target.warning_field: new_warning, target.escalation_field: new_escalation}
        )


def _apply_each(target: SweepTarget, pending, *, as_of: dt.datetime, policy: Policy) -> list[Change]:
    """The single-object path: each object announced in its own savepoint."""
    applied = []
    for obj, old_warning, old_escalation, new_warning, new_escalation in pending:
        try:
            # One row's failure (a date its message cannot show, a handler's error) is that row's:
            # its savepoint is rolled back, the row is left as it was for the next run, the rest go on.
            with transaction.atomic():
                change = Change(target.kind, obj.pk, str(obj), old_warning, new_warning, old_escalation, new_escalation)
                setattr(obj, target.warning_field, new_warning)
                setattr(obj, target.escalation_field, new_escalation)
                _announce(target, obj, change, as_of=as_of, policy=policy)
        except Exception:
            logger.exception("Sweep: %s #%s could not be processed; left as it was.", target.kind, obj.pk)
            continue
        applied.append((obj, change))
    _update(target, applied)
    return [change for _obj, change in applied]


def _apply_set(target: SweepTarget, pending, *, as_of: dt.datetime, policy: Policy) -> list[Change]:
    """The set-based path: the same rows as ``_apply_each``, written with bulk statements."""
    applied, contexts = [], {}
    for obj, old_warning, old_escalation, new_warning, new_escalation in pending:
        try:
            change = Change(target.kind, obj.pk, str(obj), old_warning, new_warning, old_escalation, new_escalation)
            contexts[obj.pk] = dict(target.context(obj))
        except Exception:
            logger.exception("Sweep: %s #%s could not be processed; left as it was.", target.kind, obj.pk)
            continue
        setattr(obj, target.warning_field, new_warning)
        setattr(obj, target.escalation_field, new_escalation)
        applied.append((obj, change))
    if not applied:
        return []
    _update(target, applied)
    events = []
    raised: dict[str, list] = defaultdict(list)
    for obj, change in applied:
        if SEVERITY[change.new_warning] > SEVERITY[change.old_warning]:
            raised[change.new_warning].append(obj)
    for level_name, objs in raised.items():
        recipients = target.recipients_of(objs, level_name)
        events += [
            make_event(
                "sweep.warning",
                subject=obj,
                recipients=recipients[obj.pk],
                context={**contexts[obj.pk], "level": level_name},
                urgent=level_name == RED,
                key=f"warning:{level_name}",
            )
            for obj in objs
        ]
    content_type = ContentType.objects.get_for_model(target.model, for_concrete_model=False)
    steps: dict[int, list] = defaultdict(list)
    for obj, change in applied:
        for level in range(change.old_escalation + 1, change.new_escalation + 1):
            steps[level].append(obj)
    taken = set(
        EscalationEvent.objects.filter(
            content_type=content_type, object_id__in=[obj.pk for objs in steps.values() for obj in objs]
        ).values_list("object_id", "level")
    )
    escalated: dict[int, list] = {}
    for level in sorted(steps):
        # A step taken before (by a sweep that bypassed the lock) is never taken again.
        objs = [obj for obj in steps[level] if (obj.pk, level) not in taken]
        if not objs:
            continue
        EscalationEvent.objects.bulk_create(
            [
                EscalationEvent(
                    content_type=content_type,
                    object_id=obj.pk,
                    level=level,
                    due_at=getattr(obj, target.due_field),
                    as_of=as_of,
                )
                for obj in objs
            ]
        )
        escalated[level] = objs
    if escalated:
        bodies = _bodies(target, [obj for objs in escalated.values() for obj in objs])
        for level, objs in escalated.items():
            audience = policy.rung(level).audience
            events += [
                make_event(
                    "sweep.escalated",
                    subject=obj,
                    recipients=bodies.audience(target.unit_of(obj).pk, audience),
                    context={**contexts[obj.pk], "level": str(level)},
                    urgent=True,
                    key=f"escalation:{level}",
                )
                for obj in objs
            ]
    emit_many(events)
    for level, objs in escalated.items():
        for handler in list(_escalation_handlers):
            many = _escalation_batch_handlers.get(handler)
            if many is not None:
                many(subjects=objs, target=target, level=level, as_of=as_of, rung=policy.rung(level))
            else:
                for obj in objs:
                    handler(subject=obj, target=target, level=level, as_of=as_of, rung=policy.rung(level))
    return [change for _obj, change in applied]


def _load(target: SweepTarget, pks: list[int]) -> dict[int, models.Model]:
    """The objects that change, with what their messages need, by primary key. Only their ids
    came from the sweep's SELECT; a row whose columns cannot be read (a date beyond what Python
    represents, stored around the constraints) is logged and left out, not the whole sweep."""
    queryset = target.model._default_manager.select_related(*target.select_related)
    try:
        with transaction.atomic():
            return queryset.in_bulk(pks)
    except (DatabaseError, ValueError, OverflowError):
        objects = {}
        for pk in pks:
            try:
                with transaction.atomic():
                    objects[pk] = queryset.get(pk=pk)
            except Exception:
                logger.exception("Sweep: %s #%s could not be read; left as it was.", target.kind, pk)
        return objects


def _bodies(target: SweepTarget, objs: list):
    """The discipline bodies over the objects' units (who the ladder's levels tell)."""
    from organization.scoping import discipline_bodies

    return discipline_bodies({target.unit_of(obj).pk: target.unit_of(obj) for obj in objs}.values())


def _announce(target: SweepTarget, obj, change: Change, *, as_of: dt.datetime, policy: Policy) -> None:
    context = dict(target.context(obj))
    if SEVERITY[change.new_warning] > SEVERITY[change.old_warning]:
        emit(
            "sweep.warning",
            subject=obj,
            recipients=target.recipients(obj, change.new_warning),
            context={**context, "level": change.new_warning},
            urgent=change.new_warning == RED,
            key=f"warning:{change.new_warning}",
        )
    content_type = ContentType.objects.get_for_model(obj, for_concrete_model=False)
    for level in range(change.old_escalation + 1, change.new_escalation + 1):
        try:
            with transaction.atomic():
                EscalationEvent.objects.create(
                    content_type=content_type,
                    object_id=obj.pk,
                    level=level,
                    due_at=getattr(obj, target.due_field),
                    as_of=as_of,
                )
        except IntegrityError:
            continue  # this step was taken before (by a concurrent sweep): never twice
        rung = policy.rung(level)
        emit(
            "sweep.escalated",
            subject=obj,
            recipients=_bodies(target, [obj]).audience(target.unit_of(obj).pk, rung.audience),
            context={**context, "level": str(level)},
            urgent=True,
            key=f"escalation:{level}",
        )
        for handler in list(_escalation_handlers):
            handler(subject=obj, target=target, level=level, as_of=as_of, rung=rung)
