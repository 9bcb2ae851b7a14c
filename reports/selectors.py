"""The quarterly assessment (季度绩效考核): figures, scores, ranking, member points, candidates.

``quarterly_assessment`` computes every unit and person of the township with a fixed number of
queries (one or a few per metric provider, independent of the number of items); the API, the
Excel export and the pages narrow it to the caller with ``assessment_for``.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lists.models import ResponsibilityItem
from organization.models import Membership, Unit
from organization.scoping import scope_for
from supervision.models import SupervisionAction, SupervisionCase
from workflows.calendar import WorkingCalendar

from .metrics import CollectContext, Period, count_names, local_tz, providers, rate_definitions, weight_fields
from .models import MemberReward, ScoringScheme, UnitBonus

ROLLUP_KINDS = (Unit.Kind.TOWNSHIP, Unit.Kind.COMMITTEE, Unit.Kind.DISTRICT)
TWO = Decimal("0.01")


class Grade:
    EXCELLENT = "excellent"  # 优秀
    QUALIFIED = "qualified"  # 合格
    BASIC = "basic"  # 基本合格
    UNQUALIFIED = "unqualified"  # 不合格
    LABELS = {
        EXCELLENT: _("excellent"),
        QUALIFIED: _("qualified"),
        BASIC: _("basically qualified"),
        UNQUALIFIED: _("unqualified"),
    }


@dataclass
class UnitRow:
    unit: Unit
    level: str  # "unit" (branches and other units with lists) or "rollup" (districts, committee, township)
    counts: Counter
    rates: dict[str, Decimal | None] = field(default_factory=dict)
    bonus: Decimal = Decimal(0)
    deductions: Decimal = Decimal(0)
    raw_score: Decimal | None = None
    score: Decimal | None = None
    vetoed: bool = False
    veto_reasons: list[str] = field(default_factory=list)
    rank: int | None = None
    candidate: bool = False


@dataclass
class PersonRow:
    user_id: int
    username: str
    name: str
    unit: Unit
    counts: Counter
    rates: dict[str, Decimal | None] = field(default_factory=dict)
    base_points: Decimal = Decimal(0)
    task_points: Decimal = Decimal(0)
    reward_points: Decimal = Decimal(0)
    points: Decimal = Decimal(0)
    grade: str = Grade.UNQUALIFIED
    vetoed: bool = False
    rank: int | None = None
    candidate: bool = False

    @property
    def grade_label(self):
        return Grade.LABELS[self.grade]


@dataclass
class Assessment:
    period: Period
    scheme: ScoringScheme
    units: list[UnitRow]
    persons: list[PersonRow]
    schemes: dict[int, ScoringScheme] = field(default_factory=dict)  # each township's, by its id

    @property
    def unit_rows(self) -> list[UnitRow]:
        return [row for row in self.units if row.level == "unit"]

    @property
    def rollup_rows(self) -> list[UnitRow]:
        return [row for row in self.units if row.level == "rollup"]

    @property
    def collective_candidates(self) -> list[UnitRow]:
        return [row for row in self.unit_rows if row.candidate]

    @property
    def pioneer_candidates(self) -> list[PersonRow]:
        return [row for row in self.persons if row.candidate]


def _rate(counts: Counter, numerator: str, denominator: str) -> Decimal | None:
    if not counts[denominator]:
        return None
    return (Decimal(counts[numerator]) / Decimal(counts[denominator])).quantize(Decimal("0.0001"), ROUND_HALF_UP)


def _rates(counts: Counter) -> dict[str, Decimal | None]:
    return {name: _rate(counts, num, den) for name, (num, den) in rate_definitions().items()}


def scheme_weights(scheme: ScoringScheme) -> dict[str, Decimal]:
    """Rate name → weight, from the fields the providers name (a new provider brings its own)."""
    return {rate: getattr(scheme, field) for rate, field in weight_fields().items()}


def weight_lines(scheme: ScoringScheme) -> list[tuple[str, Decimal]]:
    """(the weight's label, its value) of every weighted figure, business first, then Party building."""
    return [
        (ScoringScheme._meta.get_field(field).verbose_name, getattr(scheme, field))
        for field in dict.fromkeys(weight_fields().values())
    ]


def score_unit(row: UnitRow, scheme: ScoringScheme) -> None:
    """Score on 100: weighted rates (weights of metrics with nothing due are spread over the
    others), minus deductions, plus bonus, within 0–100; a veto (一票否决) makes it 0.

    A unit with no list item due in the quarter is not scored (nor ranked): its pledges or work
    orders alone would put it above units that carried the month's lists."""
    weights = {name: w for name, w in scheme_weights(scheme).items() if row.rates.get(name) is not None and w}
    counts = row.counts
    row.deductions = (
        scheme.deduction_per_overdue_item * counts["overdue_items"]
        + scheme.deduction_per_overdue_working_day * counts["overdue_working_days"]
        + scheme.deduction_per_yellow_card * counts["yellow_cards"]
        + scheme.deduction_per_red_card * counts["red_cards"]
    )
    if scheme.veto_on_red_card and counts["red_cards"]:
        row.vetoed = True
        row.veto_reasons.append(str(_("red card")))
    if scheme.veto_overdue_items and counts["overdue_items"] >= scheme.veto_overdue_items:
        row.vetoed = True
        row.veto_reasons.append(str(_("too many overdue items")))
    if not weights or not counts["items_due"]:
        return
    total = sum(weights.values())
    base = sum(Decimal(100) * weights[name] / total * row.rates[name] for name in weights)
    raw = min(Decimal(100), max(Decimal(0), base - row.deductions + row.bonus))
    row.raw_score = raw.quantize(TWO, ROUND_HALF_UP)
    row.score = Decimal("0.00") if row.vetoed else row.raw_score


def grade_for(points: Decimal, scheme: ScoringScheme) -> str:
    if points >= scheme.grade_excellent_min:
        return Grade.EXCELLENT
    if points >= scheme.grade_qualified_min:
        return Grade.QUALIFIED
    if points >= scheme.grade_basic_min:
        return Grade.BASIC
    return Grade.UNQUALIFIED


def score_person(row: PersonRow, scheme: ScoringScheme) -> None:
    c = row.counts
    row.base_points = scheme.member_base_points
    row.task_points = (
        scheme.member_points_per_on_time_item * c["completed_on_time"]
        + scheme.member_points_per_pledge_fulfilled * c["pledges_fulfilled"]
        - scheme.member_points_per_overdue_item * c["overdue_items"]
        - scheme.member_points_per_card * (c["yellow_cards"] + c["red_cards"])
    )
    row.points = (row.base_points + row.task_points + row.reward_points).quantize(TWO, ROUND_HALF_UP)
    row.vetoed = bool(scheme.veto_on_red_card and c["red_cards"])
    row.grade = Grade.UNQUALIFIED if row.vetoed else grade_for(row.points, scheme)


def _rank(rows, key) -> None:
    """Competition ranking (1, 2, 2, 4) of the rows with a value; vetoed rows rank last.

    Tie rule: rows with the same value (and veto) share a rank and the next rank skips as many
    places as shared it. Ties are not broken by any other figure; where rows must be listed,
    tied rows keep a stable secondary order: units by their place in the tree (``path``),
    persons by account name. Rows without a value (nothing due) get no rank.
    """
    ranked = sorted((r for r in rows if key(r) is not None), key=lambda r: (r.vetoed, -key(r)))
    previous, rank = None, 0
    for position, row in enumerate(ranked, start=1):
        value = (row.vetoed, key(row))
        if value != previous:
            rank, previous = position, value
        row.rank = rank


def _groups(rows, key) -> list[list]:
    grouped: dict = {}
    for row in rows:
        grouped.setdefault(key(row), []).append(row)
    return list(grouped.values())


def _within_top(row, top_n: int) -> bool:
    """Ranked within the top N, not vetoed. Rows tied at the N-th place are all in (ranks 1, 2, 2
    with N = 2 propose three), so a tie is never decided by the order rows happen to be listed in."""
    return row.rank is not None and row.rank <= top_n and not row.vetoed


def quarterly_assessment(*, year: int, quarter: int, now: dt.datetime | None = None) -> Assessment:
    """Every unit's and cadre's figures for the quarter, cut at its end (or ``now``)."""
    period = Period.quarter_of(year, quarter, now=now)
    scheme = ScoringScheme.for_year(year)  # the deployment's: how acceptance on time is counted
    context = CollectContext(accept_within_working_days=scheme.accept_within_working_days, calendar=WorkingCalendar())
    own_unit: dict[int, Counter] = {}
    own_person: dict[int, Counter] = {}
    for provider in providers():
        units, persons = provider.collect(period, context)
        for target, source in ((own_unit, units), (own_person, persons)):
            for key, counts in source.items():
                target.setdefault(key, Counter()).update(counts)

    all_units = list(Unit.objects.order_by("path"))
    bonuses = dict(
        UnitBonus.objects.filter(year=year, quarter=quarter)
        .values("unit_id")
        .annotate(total=Sum("points"))
        .values_list("unit_id", "total")
    )
    names = count_names()
    # Each township is scored by its own scheme (its office's), else by the deployment's.
    township_units = [u for u in all_units if u.kind == Unit.Kind.TOWNSHIP]
    township_paths = sorted((u.path for u in township_units), key=len, reverse=True)
    schemes_by_id = ScoringScheme.for_townships(year, township_units)
    schemes_by_path = {u.path: schemes_by_id[u.pk] for u in township_units}

    def township(path: str) -> str:
        return next((t for t in township_paths if path.startswith(t)), "")

    def scheme_of(unit: Unit) -> ScoringScheme:
        return schemes_by_path.get(township(unit.path), scheme)

    rows: list[UnitRow] = []
    for unit in all_units:
        # Roll-up: a unit's counts are its own plus its subtree's (a walk over units, not items).
        counts = Counter({name: 0 for name in names})
        for other in all_units:
            if other.path.startswith(unit.path) and other.pk in own_unit:
                counts.update(own_unit[other.pk])
        level = "rollup" if unit.kind in ROLLUP_KINDS else "unit"
        row = UnitRow(unit=unit, level=level, counts=counts, rates=_rates(counts))
        row.bonus = bonuses.get(unit.pk) or Decimal(0)
        score_unit(row, scheme_of(unit))
        rows.append(row)
    # Each township is ranked on its own: one township's figures never move the other's ranks.
    for group in _groups(rows, lambda r: (township(r.unit.path), r.level)):
        _rank(group, lambda r: r.score)
    for row in rows:
        own = scheme_of(row.unit)
        ranked_in = (
            row.level == "unit" and _within_top(row, own.collective_top_n) and row.score >= own.collective_min_score
        )
        # An honour of the quarter (先进集体, one from outside) proposes the unit whatever its rank, unless vetoed.
        honoured = row.level == "unit" and bool(row.counts["honours"]) and not row.vetoed
        row.candidate = ranked_in or honoured

    units_by_id = {unit.pk: unit for unit in all_units}
    rewards = dict(
        MemberReward.objects.filter(year=year, quarter=quarter)
        .values("member_id")
        .annotate(total=Sum("points"))
        .values_list("member_id", "total")
    )
    persons: list[PersonRow] = []
    seen: set[int] = set()
    cadres = (
        Membership.objects.filter(role=Membership.Role.CADRE)
        .order_by("unit__path", "user__username")
        .values_list("user_id", "user__username", "user__display_name", "unit_id")
    )
    # Leaders who are not cadres get a row when they verified late (their figure is theirs alone).
    late = [pk for pk, counts in own_person.items() if counts.get("late_verifications")]
    late_leaders = (
        Membership.objects.filter(role=Membership.Role.LEADER, user_id__in=late)
        .order_by("unit__path", "user__username")
        .values_list("user_id", "user__username", "user__display_name", "unit_id")
        if late
        else []
    )
    for user_id, username, display_name, unit_id in [*cadres, *late_leaders]:
        if user_id in seen:
            continue
        seen.add(user_id)
        counts = Counter({name: 0 for name in names})
        counts.update(own_person.get(user_id, Counter()))
        row = PersonRow(
            user_id=user_id,
            username=username,
            name=display_name or username,
            unit=units_by_id[unit_id],
            counts=counts,
            rates=_rates(counts),
            reward_points=rewards.get(user_id) or Decimal(0),
        )
        score_person(row, scheme_of(row.unit))
        persons.append(row)
    for group in _groups(persons, lambda r: township(r.unit.path)):
        _rank(group, lambda r: r.points)
    for row in persons:
        own = scheme_of(row.unit)
        ranked_in = _within_top(row, own.pioneer_top_n) and row.points >= own.pioneer_min_points
        # 党员先锋 of the quarter or an honour from outside proposes the member, unless vetoed.
        row.candidate = ranked_in or (bool(row.counts["honours"]) and not row.vetoed)
    persons.sort(key=lambda p: (p.rank or 10**6, p.username))
    return Assessment(period=period, scheme=scheme, units=rows, persons=persons, schemes=schemes_by_id)


def current_quarter(today: dt.date | None = None) -> tuple[int, int]:
    today = today or timezone.localdate()
    return today.year, (today.month - 1) // 3 + 1


# -- who sees what --------------------------------------------------------------------------


def report_paths(user) -> tuple[str, ...] | None:
    """Unit paths whose assessment the user reads; None for everything (admin); () for nobody.

    Leaders read the units they lead, commissioners their jurisdiction, observers their subtree;
    cadres read no assessment.
    """
    scope = scope_for(user)
    if scope.is_admin:
        return None
    return scope.led_paths + scope.overseen_paths + scope.observed_paths


def may_read_reports(user) -> bool:
    return report_paths(user) != ()


def _visible(path: str, paths: tuple[str, ...] | None) -> bool:
    return paths is None or any(path.startswith(p) for p in paths)


_shared: dict[tuple[int, int], tuple[float, Assessment]] = {}
_shared_lock = threading.Lock()


def shared_assessment(*, year: int, quarter: int) -> Assessment | None:
    """The cluster-wide assessment as of now, computed at most once per ``REPORTS_CACHE_SECONDS``
    in this process (``None`` when that setting is 0, the default of the tests).

    Every dashboard and report request narrows the same cluster-wide figures; at a million items
    they take seconds to compute, so a process reuses them for a short while (the figures may lag
    by that much). Kept in the process, not the shared cache: unpickling a few thousand rows on
    every request would cost most of what it saves.
    """
    seconds = getattr(settings, "REPORTS_CACHE_SECONDS", 0)
    if not seconds:
        return None
    key = (year, quarter)
    cached = _shared.get(key)
    if cached and cached[0] > time.monotonic():
        return cached[1]
    with _shared_lock:  # one thread computes, the others wait for its result
        cached = _shared.get(key)
        if cached and cached[0] > time.monotonic():
            return cached[1]
        assessment = quarterly_assessment(year=year, quarter=quarter)
        _shared[key] = (time.monotonic() + seconds, assessment)
        return assessment


def assessment_for(user, *, year: int, quarter: int, now: dt.datetime | None = None) -> Assessment:
    """The quarterly assessment narrowed to the units (and their cadres) the user may read.

    Ranks stay township-wide (each township ranked on its own), so a leader sees where their
    units stand among all of their township's.
    """
    full = shared_assessment(year=year, quarter=quarter) if now is None else None
    if full is None:
        full = quarterly_assessment(year=year, quarter=quarter, now=now)
    paths = report_paths(user)
    units = [r for r in full.units if _visible(r.unit.path, paths)]
    townships = [r.unit.pk for r in units if r.unit.kind == Unit.Kind.TOWNSHIP]
    # The caller's township's scheme when they read one township (the weights their page shows).
    scheme = full.schemes.get(townships[0], full.scheme) if len(townships) == 1 else full.scheme
    if not townships and units:
        roots = {int(r.unit.path.strip("/").split("/")[0]) for r in units}
        scheme = full.schemes.get(roots.pop(), full.scheme) if len(roots) == 1 else full.scheme
    return Assessment(
        period=full.period,
        scheme=scheme,
        units=units,
        persons=[p for p in full.persons if _visible(p.unit.path, paths)],
        schemes=full.schemes,
    )


# -- dashboard figures ----------------------------------------------------------------------


def _scoped_items(user):
    paths = report_paths(user)
    qs = ResponsibilityItem.objects.exclude(state__in=["draft", "cancelled"]).order_by()
    if paths is None:
        return qs
    return qs.filter(scope_for(user).readable_units_q("list__unit__path")) if paths else qs.none()


def month_starts(today: dt.date, months: int = 6) -> list[dt.date]:
    first = today.replace(day=1)
    result = []
    for _i in range(months):
        result.append(first)
        first = (first - dt.timedelta(days=1)).replace(day=1)
    return list(reversed(result))


def completion_trend(user, *, today: dt.date | None = None, months: int = 6) -> list[dict]:
    """按时办结率 by month of the deadline, for the last ``months`` months (one query)."""
    today = today or timezone.localdate()
    starts = month_starts(today, months)
    tz = local_tz()
    first = dt.datetime.combine(starts[0], dt.time(), tzinfo=tz)
    rows = (
        _scoped_items(user)
        .filter(due_at__gte=first, due_at__lt=timezone.now())
        .annotate(month=TruncMonth("due_at", tzinfo=tz))
        .values("month")
        .annotate(due=Count("pk"), on_time=Count("pk", filter=Q(on_time=True)))
    )
    by_month = {_month_key(r["month"]): r for r in rows}
    result = []
    for start in starts:
        row = by_month.get((start.year, start.month), {"due": 0, "on_time": 0})
        rate = None if not row["due"] else round(100 * row["on_time"] / row["due"], 1)
        result.append({"month": start.strftime("%Y-%m"), "due": row["due"], "on_time": row["on_time"], "rate": rate})
    return result


def _month_key(value) -> tuple[int, int]:
    if isinstance(value, str):
        return int(value[:4]), int(value[5:7])
    return value.year, value.month


def warnings_by_unit(user) -> list[dict]:
    """Open items per unit by warning colour (one query)."""
    rows = (
        _scoped_items(user)
        .filter(state__in=ResponsibilityItem.OPEN_STATES)
        .values("list__unit_id", "list__unit__name", "list__unit__path")
        .annotate(
            green=Count("pk", filter=Q(warning_level="green")),
            blue=Count("pk", filter=Q(warning_level="blue")),
            yellow=Count("pk", filter=Q(warning_level="yellow")),
            red=Count("pk", filter=Q(warning_level="red")),
        )
        .order_by("list__unit__path")
    )
    return [
        {"unit": r["list__unit__name"], "green": r["green"], "blue": r["blue"], "yellow": r["yellow"], "red": r["red"]}
        for r in rows
    ]


def top_overdue_items(user, *, limit: int = 10):
    """The longest-overdue open items (one query)."""
    return (
        _scoped_items(user)
        .filter(state__in=ResponsibilityItem.OPEN_STATES, due_at__lt=timezone.now())
        .select_related("list__unit", "assignee")
        .order_by("due_at", "pk")[:limit]
    )


def supervision_by_unit(user, *, period: Period) -> list[dict]:
    """Cards issued in the period and cases open / closed, per unit (two queries)."""
    paths = report_paths(user)
    cases = SupervisionCase.objects.order_by()
    actions = SupervisionAction.objects.filter(at__gte=period.start, at__lt=period.as_of).order_by()
    if paths is not None:
        q_cases = scope_for(user).readable_units_q("unit__path") if paths else Q(pk__in=[])
        cases = cases.filter(q_cases)
        actions = actions.filter(scope_for(user).readable_units_q("case__unit__path") if paths else Q(pk__in=[]))
    case_rows = cases.values("unit_id", "unit__name", "unit__path").annotate(
        open=Count("pk", filter=Q(state__in=["open", "acting"])),
        closed=Count("pk", filter=Q(state="closed", closed_at__gte=period.start, closed_at__lt=period.as_of)),
    )
    card_rows = actions.values("case__unit_id").annotate(
        yellow=Count("pk", filter=Q(action="yellow_card")), red=Count("pk", filter=Q(action="red_card"))
    )
    cards = {r["case__unit_id"]: r for r in card_rows}
    result = []
    for r in sorted(case_rows, key=lambda r: r["unit__path"]):
        c = cards.get(r["unit_id"], {"yellow": 0, "red": 0})
        result.append(
            {"unit": r["unit__name"], "open": r["open"], "closed": r["closed"], "yellow": c["yellow"], "red": c["red"]}
        )
    return result
