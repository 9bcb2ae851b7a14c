"""Metric providers: each one counts, set-based, what one kind of work did in a period.

A provider returns raw counts (never rates) per unit and per person, so that counts roll up the
unit tree by addition and rates are derived last. Registering a provider adds its counts and
rates to every report (``register(provider)``), as the livelihood-issue provider does.

Reproducibility: every query is cut at ``period.as_of`` (the quarter's end, or now for the
current quarter), so activity after a past quarter's end does not change its figures.

Approximations (documented, by design):
- on-time acceptance compares local calendar dates: accepted within N working days of the day of
  assignment (N from the scoring scheme; the deadline policies' hour limits for urgent work are
  not applied);
- working days come from the township-wide calendar (unit-level overrides are ignored here);
- an item counts in the quarter its deadline in force at the cut-off falls in (an extension
  approved later is undone for the past quarter: ``previous_due_at`` of the first one); drafts
  do not count, nor do items cancelled before the cut-off (the transition log says when), so a
  cancellation or an extension after a quarter's end leaves that quarter as it was. Not undone:
  a deadline pushed by resuming a suspended item, and a work order's fresh deadline on reopening.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, Count, Exists, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, Least, TruncDate
from django.utils import timezone

from issues.models import IssueFollowUp, LivelihoodIssue
from lists.models import ExtensionRequest, ResponsibilityItem
from pledges.models import Pledge
from supervision.models import SupervisionAction
from workflows.calendar import WorkingCalendar
from workflows.models import TransitionLog


def local_tz() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE or "Asia/Shanghai")


@dataclass(frozen=True)
class Period:
    """A quarter in local time: ``start`` ≤ t < ``end``; figures are cut at ``as_of``."""

    year: int
    quarter: int
    start: dt.datetime
    end: dt.datetime
    as_of: dt.datetime

    @classmethod
    def quarter_of(cls, year: int, quarter: int, *, now: dt.datetime | None = None) -> Period:
        tz = local_tz()
        start = dt.datetime(year, 3 * (quarter - 1) + 1, 1, tzinfo=tz)
        end = (
            dt.datetime(year + 1, 1, 1, tzinfo=tz) if quarter == 4 else dt.datetime(year, 3 * quarter + 1, 1, tzinfo=tz)
        )
        now = now or timezone.now()
        return cls(year=year, quarter=quarter, start=start, end=end, as_of=min(now, end))

    @property
    def label(self) -> str:
        return f"{self.year}Q{self.quarter}"


Counts = dict[int, Counter]  # unit id or user id → counts


class MetricProvider:
    """Counts one kind of work. ``rates`` maps a rate's name to (numerator, denominator) counts;
    ``weight_fields`` maps a rate to the ``ScoringScheme`` field holding its weight in the score."""

    name = ""
    count_names: tuple[str, ...] = ()
    rates: dict[str, tuple[str, str]] = {}
    weight_fields: dict[str, str] = {}

    def collect(self, period: Period, context: CollectContext) -> tuple[Counts, Counts]:
        """(counts per unit id, counts per person id)."""
        raise NotImplementedError


@dataclass
class CollectContext:
    accept_within_working_days: int
    calendar: WorkingCalendar
    _days: dict = field(default_factory=dict)

    def working_days(self, start: dt.date, end: dt.date) -> int:
        """Working days after ``start`` up to ``end``: once per distinct pair (a report meets few)."""
        key = (start, end)
        if key not in self._days:
            self._days[key] = self.calendar.working_days_between(start, end)
        return self._days[key]


def _add(target: Counts, key, **values) -> None:
    if key is None:
        return
    counter = target.setdefault(key, Counter())
    for name, value in values.items():
        counter[name] += value or 0


class ItemProvider(MetricProvider):
    """Responsibility items (责任清单事项): due, accepted on time, completed on time, overdue."""

    name = "items"
    count_names = ("items_due", "accepted_on_time", "completed_on_time", "overdue_items", "overdue_working_days")
    rates = {
        "on_time_acceptance_rate": ("accepted_on_time", "items_due"),
        "on_time_completion_rate": ("completed_on_time", "items_due"),
    }
    weight_fields = {
        "on_time_acceptance_rate": "weight_on_time_acceptance",
        "on_time_completion_rate": "weight_on_time_completion",
    }

    def collect(self, period, context):
        tz = local_tz()
        as_of = period.as_of
        cancelled_by_cut = Exists(
            TransitionLog.objects.filter(
                content_type=ContentType.objects.get_for_model(ResponsibilityItem),
                object_id=OuterRef("pk"),
                target="cancelled",
                at__lt=as_of,
            )
        )
        due = (
            ResponsibilityItem.objects.exclude(state="draft")
            .exclude(Q(state="cancelled") & cancelled_by_cut)
            .filter(_deadline_in_period(period), assigned_at__lt=as_of)
            .annotate(deadline=_deadline_as_of(as_of))
            .order_by()
        )
        done_on_time = Q(on_time=True, completed_at__lt=as_of)
        overdue_q = Q(deadline__lt=as_of) & ~done_on_time
        units: Counts = {}
        persons: Counts = {}

        rows = due.values("list__unit_id", "assignee_id").annotate(
            items_due=Count("pk"),
            completed_on_time=Count("pk", filter=done_on_time),
            overdue_items=Count("pk", filter=overdue_q),
        )
        for row in rows:
            values = {k: row[k] for k in ("items_due", "completed_on_time", "overdue_items")}
            _add(units, row["list__unit_id"], **values)
            _add(persons, row["assignee_id"], **values)

        # Overdue working days: from the deadline to the submission that was verified (as on-time
        # is judged: a leader's slow verification is not the cadre's lateness), or to the cut-off
        # for what was not completed by then; grouped by date pair so the calendar runs once per pair.
        finished = Case(
            When(completed_at__lt=as_of, then=Coalesce("submitted_at", "completed_at")),
            default=Value(as_of),
        )
        overdue_rows = (
            due.filter(overdue_q)
            .annotate(
                due_day=TruncDate("deadline", tzinfo=tz),
                end_day=TruncDate(Least(finished, Value(as_of)), tzinfo=tz),
            )
            .values("list__unit_id", "assignee_id", "due_day", "end_day")
            .annotate(n=Count("pk"))
        )
        for row in overdue_rows:
            days = max(0, context.working_days(_as_date(row["due_day"]), _as_date(row["end_day"])))
            _add(units, row["list__unit_id"], overdue_working_days=days * row["n"])
            _add(persons, row["assignee_id"], overdue_working_days=days * row["n"])

        accepted_rows = (
            due.filter(accepted_at__isnull=False, accepted_at__lt=as_of)
            .annotate(
                assigned_day=TruncDate("assigned_at", tzinfo=tz), accepted_day=TruncDate("accepted_at", tzinfo=tz)
            )
            .values("list__unit_id", "assignee_id", "assigned_day", "accepted_day")
            .annotate(n=Count("pk"))
        )
        for row in accepted_rows:
            days = context.working_days(_as_date(row["assigned_day"]), _as_date(row["accepted_day"]))
            if days <= context.accept_within_working_days:
                _add(units, row["list__unit_id"], accepted_on_time=row["n"])
                _add(persons, row["assignee_id"], accepted_on_time=row["n"])
        return units, persons


def _extensions_after(as_of: dt.datetime):
    """Extensions approved at or after the cut-off: they moved deadlines after it."""
    return ExtensionRequest.objects.filter(
        item__isnull=False, state=ExtensionRequest.State.APPROVED, decided_at__gte=as_of
    ).order_by()


def _deadline_as_of(as_of: dt.datetime):
    """An item's deadline in force at ``as_of``: the deadline the first extension approved after
    it started from (``previous_due_at``), or the current one when none was."""
    first_later = (
        _extensions_after(as_of).filter(item=OuterRef("pk")).order_by("decided_at", "pk").values("previous_due_at")[:1]
    )
    return Coalesce(Subquery(first_later), F("due_at"))


def _deadline_in_period(period: Period) -> Q:
    """Items whose deadline in force at the cut-off falls in the quarter (set-based: the items
    with no later extension by their indexed ``due_at``, the others by their first later extension)."""
    later = _extensions_after(period.as_of)
    earlier_of_same_item = later.filter(item=OuterRef("item")).filter(
        Q(decided_at__lt=OuterRef("decided_at")) | Q(decided_at=OuterRef("decided_at"), pk__lt=OuterRef("pk"))
    )
    moved_out_later = (
        later.exclude(Exists(earlier_of_same_item))
        .filter(previous_due_at__gte=period.start, previous_due_at__lt=period.end)
        .values("item_id")
    )
    unchanged = Q(due_at__gte=period.start, due_at__lt=period.end) & ~Exists(later.filter(item=OuterRef("pk")))
    # The few items moved out after the cut-off are fetched first: a list of ids keeps the OR
    # index-friendly (a subquery in it would make the database read every item).
    return unchanged | Q(pk__in=list(moved_out_later.values_list("item_id", flat=True)))


class VerificationProvider(MetricProvider):
    """Late verifications (审核超时) of lead leaders: items whose verification deadline fell in the
    quarter and passed before the leader verified or returned them (or is still open at the
    cut-off). Counted for the lead leader and the item's unit. An item submitted again after a
    return counts with its latest submission only (its verification clock restarts)."""

    name = "verification"
    count_names = ("late_verifications",)
    rates: dict[str, tuple[str, str]] = {}
    weight_fields: dict[str, str] = {}

    def collect(self, period, context):
        as_of = period.as_of
        late = (
            ResponsibilityItem.objects.filter(
                verification_due_at__gte=period.start,
                verification_due_at__lt=min(period.end, as_of),
                lead_leader__isnull=False,
            )
            .filter(
                Q(verification_decided_at__isnull=True)
                | Q(verification_decided_at__gt=F("verification_due_at"))
                | Q(verification_decided_at__gte=as_of)
            )
            .order_by()
            .values("list__unit_id", "lead_leader_id")
            .annotate(n=Count("pk"))
        )
        units: Counts = {}
        persons: Counts = {}
        for row in late:
            _add(units, row["list__unit_id"], late_verifications=row["n"])
            _add(persons, row["lead_leader_id"], late_verifications=row["n"])
        return units, persons


class SupervisionProvider(MetricProvider):
    """Yellow and red cards (黄牌 / 红牌) issued in the period on the unit's and person's subjects."""

    name = "supervision"
    count_names = ("yellow_cards", "red_cards")
    rates: dict[str, tuple[str, str]] = {}

    def collect(self, period, context):
        item_ct = ContentType.objects.get_for_model(ResponsibilityItem)
        pledge_ct = ContentType.objects.get_for_model(Pledge)
        person = Case(
            When(
                case__content_type=item_ct,
                then=Subquery(
                    ResponsibilityItem.objects.filter(pk=OuterRef("case__object_id")).values("assignee_id")[:1]
                ),
            ),
            When(
                case__content_type=pledge_ct,
                then=Subquery(Pledge.objects.filter(pk=OuterRef("case__object_id")).values("member_id")[:1]),
            ),
            default=None,
        )
        rows = (
            SupervisionAction.objects.filter(
                at__gte=period.start,
                at__lt=period.as_of,
                action__in=[SupervisionAction.Kind.YELLOW_CARD, SupervisionAction.Kind.RED_CARD],
            )
            .order_by()
            .annotate(person_id=person)
            .values("case__unit_id", "person_id")
            .annotate(
                yellow_cards=Count("pk", filter=Q(action=SupervisionAction.Kind.YELLOW_CARD)),
                red_cards=Count("pk", filter=Q(action=SupervisionAction.Kind.RED_CARD)),
            )
        )
        units: Counts = {}
        persons: Counts = {}
        for row in rows:
            values = {"yellow_cards": row["yellow_cards"], "red_cards": row["red_cards"]}
            _add(units, row["case__unit_id"], **values)
            _add(persons, row["person_id"], **values)
        return units, persons


class PledgeProvider(MetricProvider):
    """One-sentence pledges (承诺践诺) due in the period: public ones, and those fulfilled by the cut-off."""

    name = "pledges"
    count_names = ("pledges_due", "pledges_fulfilled")
    rates = {"pledge_fulfilment_rate": ("pledges_fulfilled", "pledges_due")}
    weight_fields = {"pledge_fulfilment_rate": "weight_pledge_fulfilment"}

    def collect(self, period, context):
        first, last = period.start.date(), period.end.date()
        rows = (
            Pledge.objects.filter(
                state__in=Pledge.PUBLIC_STATES,
                due_date__gte=first,
                due_date__lt=last,
                approved_at__lt=period.as_of,
            )
            .order_by()
            .values("unit_id", "member_id")
            .annotate(
                pledges_due=Count("pk"),
                pledges_fulfilled=Count("pk", filter=Q(state=Pledge.State.FULFILLED, closed_at__lt=period.as_of)),
            )
        )
        units: Counts = {}
        persons: Counts = {}
        for row in rows:
            values = {"pledges_due": row["pledges_due"], "pledges_fulfilled": row["pledges_fulfilled"]}
            _add(units, row["unit_id"], **values)
            _add(persons, row["member_id"], **values)
        return units, persons


class IssueProvider(MetricProvider):
    """Livelihood issues (民生工单) by handling unit and handler: resolved (解决率), resolved on
    time, and follow-up satisfaction (满意率: 满意 + 基本满意 over the orders followed up).

    An order counts in the quarter its deadline falls in (like items), once, however often it
    was reopened (重办): resolved and on time are its latest resolution's. Follow-ups count per
    order in the quarter the calls were made, judged by the order's last call in the quarter
    (an unsatisfied call, a reopening and a satisfied call make one satisfied order, not one
    of two calls). Both are cut at ``period.as_of``.
    """

    name = "issues"
    count_names = ("issues_due", "issues_resolved", "issues_resolved_on_time", "follow_ups", "follow_ups_satisfied")
    rates = {
        "issue_resolution_rate": ("issues_resolved", "issues_due"),
        "issue_on_time_rate": ("issues_resolved_on_time", "issues_due"),
        "satisfaction_rate": ("follow_ups_satisfied", "follow_ups"),
    }
    weight_fields: dict[str, str] = {}

    def collect(self, period, context):
        as_of = period.as_of
        resolved = Q(resolved_at__isnull=False, resolved_at__lt=as_of)
        rows = (
            LivelihoodIssue.objects.filter(
                due_at__gte=period.start, due_at__lt=period.end, dispatched_at__lt=as_of, unit__isnull=False
            )
            .exclude(state=LivelihoodIssue.State.CANCELLED)
            .order_by()
            .values("unit_id", "handler_id")
            .annotate(
                issues_due=Count("pk"),
                issues_resolved=Count("pk", filter=resolved),
                issues_resolved_on_time=Count("pk", filter=resolved & Q(on_time=True)),
            )
        )
        units: Counts = {}
        persons: Counts = {}
        for row in rows:
            values = {k: row[k] for k in ("issues_due", "issues_resolved", "issues_resolved_on_time")}
            _add(units, row["unit_id"], **values)
            _add(persons, row["handler_id"], **values)
        satisfied = [LivelihoodIssue.Satisfaction.SATISFIED, LivelihoodIssue.Satisfaction.BASICALLY_SATISFIED]
        in_period = Q(called_at__gte=period.start, called_at__lt=as_of)
        later_call = IssueFollowUp.objects.filter(in_period, issue=OuterRef("issue")).filter(
            Q(called_at__gt=OuterRef("called_at")) | Q(called_at=OuterRef("called_at"), pk__gt=OuterRef("pk"))
        )
        calls = (
            IssueFollowUp.objects.filter(in_period, issue__unit__isnull=False)
            .exclude(Exists(later_call))
            .order_by()
            .values("issue__unit_id", "issue__handler_id")
            .annotate(follow_ups=Count("pk"), follow_ups_satisfied=Count("pk", filter=Q(satisfaction__in=satisfied)))
        )
        for row in calls:
            values = {"follow_ups": row["follow_ups"], "follow_ups_satisfied": row["follow_ups_satisfied"]}
            _add(units, row["issue__unit_id"], **values)
            _add(persons, row["issue__handler_id"], **values)
        return units, persons


def _as_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, str):
        return dt.date.fromisoformat(value[:10])
    return value


_REGISTRY: dict[str, MetricProvider] = {}


def register(provider: MetricProvider) -> MetricProvider:
    _REGISTRY[provider.name] = provider
    return provider


def providers() -> list[MetricProvider]:
    return list(_REGISTRY.values())


def count_names() -> list[str]:
    return [name for provider in providers() for name in provider.count_names]


def weight_fields() -> dict[str, str]:
    return {rate: field for provider in providers() for rate, field in provider.weight_fields.items()}


def rate_definitions() -> dict[str, tuple[str, str]]:
    return {name: pair for provider in providers() for name, pair in provider.rates.items()}


class PartyBuildingProvider(MetricProvider):
    """Party building (党建) of each branch: activities held (recorded) in the quarter, those that
    held every required part of their kind, attendance (check-ins over check-ins plus recorded
    absentees), 1+N visit coverage (paired units visited at least once over paired units), the
    三会一课 obligations whose period ended in the quarter that were met (held as often as
    required), and the observers' findings about it accepted into a supervision case.
    Counted per unit, so they roll up the tree by addition like every other figure."""

    name = "party_building"
    count_names = (
        "activities_held",
        "activities_parts_complete",
        "attendance_present",
        "attendance_expected",
        "paired_units",
        "paired_units_visited",
        "obligations_due",
        "obligations_met",
        "findings_accepted",
        "honours",
    )
    rates = {
        "frequency_met": ("obligations_met", "obligations_due"),
        "required_parts_complete": ("activities_parts_complete", "activities_held"),
        "attendance_rate": ("attendance_present", "attendance_expected"),
        "visit_coverage": ("paired_units_visited", "paired_units"),
    }
    weight_fields = {
        "frequency_met": "weight_frequency_met",
        "required_parts_complete": "weight_required_parts",
        "attendance_rate": "weight_attendance",
        "visit_coverage": "weight_visit_coverage",
    }

    def collect(self, period, context):
        from organization.models import Pairing
        from partylife.models import Activity, Finding, FrequencyObligation, Honour, RequiredPart, Visit

        required: dict[str, set[str]] = {}
        for kind, code in RequiredPart.objects.values_list("kind", "part__code"):
            required.setdefault(kind, set()).add(code)
        held = (
            Activity.objects.filter(
                state=Activity.State.RECORDED,
                scheduled_at__gte=period.start,
                scheduled_at__lt=period.end,
                recorded_at__lt=period.as_of,
            )
            .order_by()
            .annotate(
                present=Count("attendance", distinct=True),
                absent=Count("absences", distinct=True),
            )
            .values("unit_id", "kind", "parts", "present", "absent")
        )
        units: Counts = {}
        for row in held:
            complete = required.get(row["kind"], set()) <= set(row["parts"] or [])
            _add(
                units,
                row["unit_id"],
                activities_held=1,
                activities_parts_complete=int(complete),
                attendance_present=row["present"],
                attendance_expected=row["present"] + row["absent"],
            )
        first, last = period.start.date(), period.end.date()
        visited = set(
            Visit.objects.filter(visited_on__gte=first, visited_on__lt=last, created_at__lt=period.as_of)
            .order_by()
            .values_list("branch_id", "unit_id")
            .distinct()
        )
        for branch_id, partner_id in Pairing.objects.values_list("branch_id", "partner_id"):
            _add(units, branch_id, paired_units=1, paired_units_visited=int((branch_id, partner_id) in visited))
        # 三会一课 obligations whose period ended in the quarter (by its cut): met, or not.
        obligations = (
            FrequencyObligation.objects.filter(due_at__gt=period.start, due_at__lte=period.as_of)
            .order_by()
            .values("unit_id")
            .annotate(
                due=Count("pk"),
                met=Count("pk", filter=Q(state=FrequencyObligation.State.MET, met_at__lt=period.as_of)),
            )
        )
        for row in obligations:
            _add(units, row["unit_id"], obligations_due=row["due"], obligations_met=row["met"])
        accepted = (
            Finding.objects.filter(
                state=Finding.State.ACCEPTED, decided_at__gte=period.start, decided_at__lt=period.as_of
            )
            .order_by()
            .values("unit_id")
            .annotate(n=Count("pk"))
        )
        for row in accepted:
            _add(units, row["unit_id"], findings_accepted=row["n"])
        # Honours of the quarter (from outside, 党员先锋, 先进集体): a unit's own (no member) and each
        # member's, which put them among the quarter's candidates.
        persons: Counts = {}
        honours = Honour.objects.filter(
            awarded_on__gte=first, awarded_on__lt=last, created_at__lt=period.as_of
        ).values_list("unit_id", "member_id")
        for unit_id, member_id in honours:
            if member_id is None:
                _add(units, unit_id, honours=1)
            else:
                _add(persons, member_id, honours=1)
        return units, persons


register(ItemProvider())
register(SupervisionProvider())
register(VerificationProvider())
register(PledgeProvider())
register(IssueProvider())
register(PartyBuildingProvider())

__all__ = [
    "CollectContext",
    "MetricProvider",
    "Period",
    "count_names",
    "providers",
    "rate_definitions",
    "weight_fields",
    "register",
]
