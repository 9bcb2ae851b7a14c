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
- Only the changing rows are loaded (one query) and announced, each in its own savepoint: a row
  that cannot be read or announced (a date outside what Python or the time zone can hold,
  stored before the bounds existed) is logged with its id and left as it was; the rest go on.
- Each raised warning emits ``sweep.warning`` (key ``warning:<level>``); each escalation step
  writes one ``EscalationEvent`` (unique per object and level, ever), emits ``sweep.escalated``
  (key ``escalation:<level>``) and calls the escalation handlers.

Rules the domain supplies through its registration: which states keep the clock running
(suspended objects are left out entirely: their clock stops, they are neither warned nor
escalated; resuming moves their deadline), which states mean "not yet accepted" (yellow), and
which objects are on hold for escalation. Items with a pending extension request are on hold:
they may still turn red, but they do not escalate to the commissioners until the request is
decided — the leader must answer first.

Concurrency: the whole sweep is one transaction. On PostgreSQL it takes a transaction-level
advisory lock (a second sweep at the same time skips and says so) and locks the rows it
changes with ``FOR UPDATE SKIP LOCKED`` (a row a user is changing right now is left for the
next run). The unique constraint on ``EscalationEvent`` makes double escalation impossible even
if both guards were bypassed. Running a sweep twice with the same ``as_of`` changes nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, IntegrityError, connection, models, transaction
from django.db.models import Case, F, FloatField, Func, Q, Value, When
from django.db.models.lookups import LessThanOrEqual

from .calendar import WorkingCalendar
from .events import emit
from .models import EscalationEvent
from .policies import MAX_ESCALATION_LEVEL, PolicyBook

GREEN, BLUE, YELLOW, RED = "green", "blue", "yellow", "red"
SEVERITY = {GREEN: 0, BLUE: 1, YELLOW: 2, RED: 3}
ESCALATED = "escalated"
ADVISORY_LOCK_KEY = 0x44_75_74_79  # "Duty": one sweep at a time across all workers and beats

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SweepTarget:
    """How the sweep (and supervision) sees one stateful model of the domain.

    ``recipients(obj, step)`` returns users or ids to tell, ``step`` being ``blue``,
    ``yellow``, ``red`` or ``escalated``; ``context(obj)`` the strings for the message.
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
    title_field: str = "title"  # the column the object's str() shows (the queue's title)
    url_of: Callable[[Any], str] | None = None
    list_url: Callable[[int, str], str | None] | None = None  # (unit id, warning level) → page

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


_targets: dict[str, SweepTarget] = {}
_escalation_handlers: list[Callable[..., None]] = []


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


def register_escalation_handler(handler: Callable[..., None]) -> None:
    """``handler(subject=obj, target=SweepTarget, level=int, as_of=datetime)``, called inside
    the sweep's transaction once per object and escalation step."""
    if handler not in _escalation_handlers:
        _escalation_handlers.append(handler)


def unregister_escalation_handler(handler: Callable[..., None]) -> None:
    if handler in _escalation_handlers:
        _escalation_handlers.remove(handler)


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

    @property
    def escalations(self) -> int:
        return sum(max(0, c.new_escalation - c.old_escalation) for c in self.changes)


def _try_lock() -> bool:
    if connection.vendor != "postgresql":
        return True  # SQLite serialises writers itself
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [ADVISORY_LOCK_KEY])
        return bool(cursor.fetchone()[0])


def sweep_deadlines(*, as_of: dt.datetime) -> SweepReport:
    """Bring every registered object's warning colour and escalation level up to ``as_of``."""
    report = SweepReport(as_of=as_of)
    with transaction.atomic():
        if not _try_lock():
            report.skipped = True
            return report
        calendars = _calendar_groups()
        for target in targets():
            report.changes += _sweep_target(target, as_of=as_of, calendars=calendars)
    return report


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
    for category_q, code in category_groups:
        for urgent_q, urgent in urgencies:
            yield category_q & urgent_q, book.resolve(code, urgent)


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


def _sweep_target(target: SweepTarget, *, as_of: dt.datetime, calendars) -> list[Change]:
    book = PolicyBook(target.kind)
    changes: list[Change] = []
    updates: dict[tuple[str, int], list[int]] = defaultdict(list)
    found: list[tuple[int, str, int, str, int]] = []
    due, assigned, warning, escalation = (
        target.due_field,
        target.assigned_field,
        target.warning_field,
        target.escalation_field,
    )
    groups = [
        (_calendar_q(target, path, excluded) & policy_q, policy, calendar)
        for path, excluded, calendar in calendars
        for policy_q, policy in _policy_groups(target, book)
    ]
    for group_q, policy, calendar in groups:
        desired_warning = Case(
            When(Q(**{f"{due}__lte": policy.red_cutoff(calendar, as_of)}), then=Value(RED)),
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
            default=Value(GREEN),
            output_field=models.CharField(),
        )
        steps = [When(target.escalation_hold(), then=F(escalation))] if target.escalation_hold else []
        for level, cutoff in sorted(policy.escalation_cutoffs(calendar, as_of).items(), reverse=True):
            steps.append(When(Q(**{f"{due}__lte": cutoff}), then=Value(level)))
        desired_escalation = Case(*steps, default=F(escalation), output_field=models.PositiveSmallIntegerField())
        rows = (
            target.clock_running()
            .filter(group_q)
            .annotate(_desired_warning=desired_warning, _desired_escalation=desired_escalation)
            .filter(~Q(**{warning: F("_desired_warning")}) | Q(_desired_escalation__gt=F(escalation)))
            .select_for_update(skip_locked=True, of=("self",))
            .order_by("pk")
            .values_list("pk", warning, escalation, "_desired_warning", "_desired_escalation")
        )
        found.extend(rows)
    objects = _load(target, [row[0] for row in found])
    for pk, old_warning, old_escalation, new_warning, desired in found:
        obj = objects.get(pk)
        if obj is None:
            continue  # could not be read; logged by _load
        new_escalation = min(MAX_ESCALATION_LEVEL, max(old_escalation, desired))
        try:
            # One row's failure (a date its message cannot show, a handler's error) is that row's:
            # its savepoint is rolled back, the row is left as it was for the next run, the rest go on.
            with transaction.atomic():
                change = Change(target.kind, pk, str(obj), old_warning, new_warning, old_escalation, new_escalation)
                setattr(obj, warning, new_warning)
                setattr(obj, escalation, new_escalation)
                _announce(target, obj, change, as_of=as_of)
        except Exception:
            logger.exception("Sweep: %s #%s could not be processed; left as it was.", target.kind, pk)
            continue
        changes.append(change)
        updates[(new_warning, new_escalation)].append(pk)
    for (new_warning, new_escalation), ids in updates.items():
        target.model._default_manager.filter(pk__in=ids).update(**{warning: new_warning, escalation: new_escalation})
    return changes


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


def _announce(target: SweepTarget, obj, change: Change, *, as_of: dt.datetime) -> None:
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
        emit(
            "sweep.escalated",
            subject=obj,
            recipients=target.recipients(obj, ESCALATED),
            context={**context, "level": str(level)},
            urgent=True,
            key=f"escalation:{level}",
        )
        for handler in list(_escalation_handlers):
            handler(subject=obj, target=target, level=level, as_of=as_of)
