"""Reads of Party organisational life that pages and the API share; each narrows to the
caller's township first, then to what their roles let them read."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Count, Max, Prefetch, Q
from django.utils import timezone

from organization.models import Membership, Pairing, Unit, User
from organization.scoping import scope_for

from .models import MEMBER_ROLES, Absence, Activity, Attendance, Finding, RequiredPart, Visit


def member_ids_of(unit: Unit) -> list[int]:
    """The members of ``unit``'s Party life (one query)."""
    return list(
        Membership.objects.filter(unit=unit, role__in=MEMBER_ROLES).values_list("user_id", flat=True).distinct()
    )


def members_of(unit: Unit):
    return (
        User.objects.filter(memberships__unit=unit, memberships__role__in=MEMBER_ROLES).distinct().order_by("username")
    )


def party_units_of(user) -> list[Unit]:
    """The Party organisations (branches, groups …) the user belongs to, by path."""
    return list(
        Unit.objects.filter(
            memberships__user=user,
            memberships__role__in=MEMBER_ROLES,
            kind__in=Unit.PARTY_ORGANISATION_KINDS,
        )
        .distinct()
        .order_by("path")
    )


def organisable_units(user):
    """Party organisations in the caller's township whose life the caller organises."""
    scope = scope_for(user)
    q = Q(kind__in=Unit.PARTY_ORGANISATION_KINDS) & scope.township_q()
    if not scope.is_admin:
        from organization.models import path_prefix_q

        q &= scope.led_units_q() | path_prefix_q(*scope.organised_paths)
    return Unit.objects.filter(q).order_by("path")


def _readable_q(scope, path_field: str) -> Q:
    q = scope.readable_units_q(path_field)
    if not scope.is_admin and scope.member_unit_ids:
        q |= Q(**{f"{path_field.removesuffix('__path')}_id__in": scope.member_unit_ids})
    return q


def activities_visible_to(user):
    """Activities of the units the caller reads (members: their own units and below)."""
    scope = scope_for(user)
    if scope.user_id is None:
        return Activity.objects.none()
    return (
        Activity.objects.filter(scope.township_q("unit__path"))
        .filter(_readable_q(scope, "unit__path"))
        .select_related("unit", "organiser")
        .prefetch_related(
            Prefetch("attendance", queryset=Attendance.objects.select_related("user").order_by("checked_in_at", "pk")),
            Prefetch("absences", queryset=Absence.objects.select_related("user").order_by("pk")),
            "photos",
        )
    )


def required_parts_by_kind() -> dict[str, list[str]]:
    """Every kind's required part codes (one query)."""
    result: dict[str, list[str]] = {}
    for kind, code in RequiredPart.objects.order_by("part__sort_order", "part__code").values_list("kind", "part__code"):
        result.setdefault(kind, []).append(code)
    return result


def activity_detail(activity: Activity, required: dict[str, list[str]] | None = None) -> dict:
    """What an activity shows besides its own columns: required parts, attendance, absentees.
    Reads the prefetched rows of ``activities_visible_to``; ``required`` (from
    ``required_parts_by_kind``) saves a list its query per row."""
    required = required if required is not None else required_parts_by_kind()
    attendance = [
        {"user": a.user_id, "name": str(a.user), "checked_in_at": a.checked_in_at} for a in activity.attendance.all()
    ]
    absentees = [
        {"user": a.user_id, "name": str(a.user), "reason": a.reason, "made_up_at": a.makeup_done_at}
        for a in activity.absences.all()
    ]
    return {"required_parts": required.get(activity.kind, []), "attendance": attendance, "absentees": absentees}


def pending_makeups(user):
    """The caller's make-up (补学) tasks not yet done."""
    return (
        Absence.objects.filter(user=user, makeup_done_at__isnull=True)
        .filter(scope_for(user).township_q("activity__unit__path"))
        .select_related("activity", "activity__unit")
        .order_by("activity__scheduled_at", "pk")
    )


def visits_visible_to(user):
    scope = scope_for(user)
    if scope.user_id is None:
        return Visit.objects.none()
    return (
        Visit.objects.filter(scope.township_q("unit__path"))
        .filter(Q(visitor=user) | _readable_q(scope, "branch__path") | scope.readable_units_q("unit__path"))
        .select_related("unit", "branch", "visitor")
        .prefetch_related("photos")
    )


def visitable_pairings(user):
    """(branch, partner) pairs the caller may log visits for: the pairings of their branches."""
    branches = [u.pk for u in party_units_of(user) if u.kind == Unit.Kind.BRANCH]
    return (
        Pairing.objects.filter(branch_id__in=branches)
        .select_related("branch", "partner")
        .order_by("partner__path", "branch__path")
    )


def findings_visible_to(user):
    """Findings are for the discipline side: the one who filed them, the commissioners over the
    unit, the observers reading it."""
    scope = scope_for(user)
    if scope.user_id is None:
        return Finding.objects.none()
    q = Q(filed_by=user)
    if scope.is_admin:
        q = Q()
    else:
        from organization.models import path_prefix_q

        q |= path_prefix_q(*scope.overseen_paths, *scope.observed_paths, field="unit__path")
    return Finding.objects.filter(scope.township_q("unit__path")).filter(q).select_related("unit", "filed_by")


def month_bounds(month: str) -> tuple[dt.date, dt.date]:
    year, mon = (int(part) for part in month.split("-"))
    start = dt.date(year, mon, 1)
    end = dt.date(year + (mon == 12), mon % 12 + 1, 1)
    return start, end


def visit_coverage(user, month: str) -> list[dict]:
    """千名干部联村企 coverage of ``month`` ("2026-12"): every paired village, community or
    enterprise of the caller's township with its branches, visits, visitors and last visit;
    unvisited ones too. Three queries."""
    scope = scope_for(user)
    if scope.user_id is None or (not scope.is_admin and not scope.township_paths):
        return []
    start, end = month_bounds(month)
    pairings = (
        Pairing.objects.filter(scope.township_q("partner__path"))
        .values("partner_id", "partner__name", "partner__kind", "partner__path", "branch_id", "branch__name")
        .order_by("partner__path", "branch__path")
    )
    rows: dict[int, dict] = {}
    for p in pairings:
        row = rows.setdefault(
            p["partner_id"],
            {
                "unit": {"id": p["partner_id"], "name": p["partner__name"], "kind": p["partner__kind"]},
                "branches": [],
                "visits": 0,
                "visitors": [],
                "last_visited_on": None,
            },
        )
        row["branches"].append({"id": p["branch_id"], "name": p["branch__name"]})
    month_visits = Visit.objects.filter(unit_id__in=rows, visited_on__gte=start, visited_on__lt=end)
    for v in month_visits.values("unit_id").annotate(n=Count("pk"), last=Max("visited_on")):
        rows[v["unit_id"]]["visits"] = v["n"]
        rows[v["unit_id"]]["last_visited_on"] = v["last"]
    visitors: dict[int, dict[int, str]] = defaultdict(dict)
    for v in month_visits.values("unit_id", "visitor_id", *(f"visitor__{c}" for c in User.NAME_COLUMNS)).order_by(
        "visitor__username"
    ):
        visitors[v["unit_id"]][v["visitor_id"]] = User.name_from(*(v[f"visitor__{c}"] for c in User.NAME_COLUMNS))
    for unit_id, people in visitors.items():
        rows[unit_id]["visitors"] = [{"id": pk, "name": name} for pk, name in people.items()]
    return list(rows.values())


def frequency_gaps(units, today: dt.date) -> list[dict]:
    """三会一课 not yet held nor scheduled in the current period, per branch of ``units``:
    ``[{"unit", "kind", "kind_label", "period_ends"}]`` (two queries)."""
    from .models import ActivityFrequency, ActivityKind

    branches = [u for u in units if u.kind == Unit.Kind.BRANCH]
    rules = list(ActivityFrequency.objects.all())
    if not branches or not rules:
        return []
    quarter_start, quarter_end = ActivityFrequency.period_bounds(ActivityFrequency.Period.QUARTER, today)
    tz = timezone.get_current_timezone()
    held = set()
    for unit_id, kind, at in Activity.objects.filter(
        unit__in=branches,
        state__in=[Activity.State.SCHEDULED, Activity.State.RECORDED],
        scheduled_at__gte=dt.datetime.combine(quarter_start, dt.time(), tzinfo=tz),
        scheduled_at__lt=dt.datetime.combine(quarter_end, dt.time(), tzinfo=tz),
    ).values_list("unit_id", "kind", "scheduled_at"):
        held.add((unit_id, kind, timezone.localtime(at, tz).date().replace(day=1)))
    labels = dict(ActivityKind.choices)
    gaps = []
    for unit in branches:
        for rule in rules:
            start, end = ActivityFrequency.period_bounds(rule.period, today)
            months = {
                start.replace(month=start.month + i)
                for i in range((end.year - start.year) * 12 + end.month - start.month)
            }
            if not any((unit.pk, rule.kind, month) in held for month in months):
                gaps.append(
                    {
                        "unit": unit,
                        "kind": rule.kind,
                        "kind_label": labels[rule.kind],
                        "period_ends": end - dt.timedelta(days=1),
                    }
                )
    return gaps


def obligations_visible_to(user):
    """三会一课 obligations of the branches the caller reads (members: their own)."""
    from .models import FrequencyObligation

    scope = scope_for(user)
    if scope.user_id is None:
        return FrequencyObligation.objects.none()
    return (
        FrequencyObligation.objects.filter(scope.township_q("unit__path"))
        .filter(_readable_q(scope, "unit__path"))
        .select_related("unit", "activity")
    )


def showcase_posts_visible_to(user):
    """Showcase posts of the branches the caller reads (members: their own branches')."""
    from .models import ShowcasePost

    scope = scope_for(user)
    if scope.user_id is None:
        return ShowcasePost.objects.none()
    return (
        ShowcasePost.objects.filter(scope.township_q("unit__path"))
        .filter(_readable_q(scope, "unit__path") | scope.office_q("unit__path"))
        .select_related("unit", "author")
        .prefetch_related("photos")
    )


def honours_visible_to(user):
    """Honours of the units the caller reads, in their township."""
    from .models import Honour

    scope = scope_for(user)
    if scope.user_id is None:
        return Honour.objects.none()
    return (
        Honour.objects.filter(scope.township_q("unit__path"))
        .filter(_readable_q(scope, "unit__path") | scope.office_q("unit__path"))
        .select_related("unit", "member")
    )


def brands_visible_to(user):
    from .models import Brand, BrandAchievement

    scope = scope_for(user)
    if scope.user_id is None:
        return Brand.objects.none()
    return (
        Brand.objects.filter(scope.township_q("unit__path"))
        .select_related("unit")
        .prefetch_related(Prefetch("achievements", queryset=BrandAchievement.objects.order_by("-achieved_on", "-pk")))
    )


# -- the Party-affairs staff's three steps (三步走) ------------------------------------------


def party_workers(user):
    """党务工作者 of the caller's township whose branch the caller reads (the office: all)."""
    scope = scope_for(user)
    q = Q(memberships__role=Membership.Role.PARTY_WORKER) & scope.township_q("memberships__unit__path")
    if not (scope.is_admin or scope.office_paths):
        q &= _readable_q(scope, "memberships__unit__path") | Q(pk=user.pk)
    return User.objects.filter(q).distinct().order_by("username")


def three_steps(worker, *, viewer, year: int, month: dt.date) -> dict:
    """One worker's year: trainings attended (with results), rotations, and the month's list items."""
    from lists.selectors.items import items_visible_to

    from .models import Rotation

    trainings = list(
        Activity.objects.held()
        .filter(kind=Activity.Kind.TRAINING, scheduled_at__year=year, attendance__user=worker)
        .select_related("unit")
        .order_by("scheduled_at")
    )
    rotations = list(Rotation.objects.filter(worker=worker, starts_on__year=year).select_related("unit"))
    items = list(
        items_visible_to(viewer).filter(assignee=worker, list__month=month.replace(day=1)).order_by("due_at", "pk")[:50]
    )
    return {"trainings": trainings, "rotations": rotations, "items": items}


def workers_missing(workers: list, *, year: int) -> list[dict]:
    """Per worker: trained this year (attended a recorded training), rotated this year (two queries)."""
    from .models import Rotation

    ids = [w.pk for w in workers]
    trained = set(
        Attendance.objects.filter(
            user_id__in=ids,
            activity__kind=Activity.Kind.TRAINING,
            activity__state=Activity.State.RECORDED,
            activity__scheduled_at__year=year,
        ).values_list("user_id", flat=True)
    )
    rotated = set(Rotation.objects.filter(worker_id__in=ids, starts_on__year=year).values_list("worker_id", flat=True))
    return [{"worker": w, "trained": w.pk in trained, "rotated": w.pk in rotated} for w in workers]
