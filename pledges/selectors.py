"""Reads of pledges shared by pages and the API (they own select_related / prefetch)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from organization.models import Unit, path_prefix_q
from organization.scoping import scope_for

from .models import Pledge, PledgeCheck, PledgeEvaluation

__all__ = [
    "FulfilmentRate",
    "branches_with_boards",
    "pledge_board",
    "pledge_checks_due",
    "pledge_fulfilment_rate",
    "pledges_awaiting_evaluation",
    "pledges_awaiting_review",
    "pledges_for_member",
    "pledges_visible_to",
    "pledges_due_for_self_check",
]

_RELATED = ("unit", "member", "reviewed_by", "confirmed_by")


def _township_member(scope) -> bool:
    return scope.is_admin or bool(scope.roles)


def pledges_visible_to(user) -> QuerySet[Pledge]:
    """Own pledges; pledges of units the user leads, oversees or observes; and, for every member of
    a township, its pledges on a board (approved and later — 公示), never another township's."""
    scope = scope_for(user)
    if scope.user_id is None:
        return Pledge.objects.none()
    if scope.is_admin:
        return Pledge.objects.select_related(*_RELATED)
    q = Q(member_id=user.pk)
    paths = scope.led_paths + scope.overseen_paths + scope.observed_paths
    if paths:
        q |= path_prefix_q(*paths, field="unit__path")
    if _township_member(scope):
        q |= Q(scope.township_q("unit__path"), state__in=Pledge.PUBLIC_STATES)
    return Pledge.objects.filter(q).select_related(*_RELATED)


def pledges_for_member(user) -> QuerySet[Pledge]:
    """My pledges, newest period first."""
    return Pledge.objects.filter(member=user).select_related(*_RELATED).order_by("-year", "-created_at")


def pledges_awaiting_review(user) -> QuerySet[Pledge]:
    """Submitted (审诺) or claimed (践诺 to confirm) pledges in units the user leads, never their own."""
    scope = scope_for(user)
    if not scope.led_paths and not scope.is_admin:
        return Pledge.objects.none()
    return (
        Pledge.objects.filter(scope.led_units_q("unit__path"), state__in=[Pledge.State.SUBMITTED, Pledge.State.CLAIMED])
        .exclude(member=user)
        .select_related(*_RELATED)
        .order_by("submitted_at", "claimed_at", "pk")
    )


def pledges_awaiting_evaluation(user) -> QuerySet[Pledge]:
    """评诺: closed pledges in units the user leads (not their own) with no organisation rating yet."""
    scope = scope_for(user)
    if not scope.led_paths and not scope.is_admin:
        return Pledge.objects.none()
    rated = PledgeEvaluation.objects.filter(pledge=OuterRef("pk"), rater=PledgeEvaluation.Rater.ORGANISATION)
    return (
        Pledge.objects.filter(
            scope.led_units_q("unit__path"), state__in=[Pledge.State.FULFILLED, Pledge.State.UNFULFILLED]
        )
        .exclude(member=user)
        .exclude(Exists(rated))
        .select_related(*_RELATED)
        .order_by("closed_at", "pk")
    )


def pledge_board(unit: Unit) -> QuerySet[Pledge]:
    """The branch's public board (公示): approved and later pledges of the unit and below."""
    return (
        Pledge.objects.filter(unit__path__startswith=unit.path, state__in=Pledge.PUBLIC_STATES)
        .select_related(*_RELATED)
        .order_by("member__username", "due_date", "pk")
    )


def branches_with_boards(user) -> QuerySet[Unit]:
    """Branches whose boards the user may read: every branch of their township for its members."""
    scope = scope_for(user)
    if not _township_member(scope):
        return Unit.objects.none()
    return Unit.objects.filter(scope.township_q(), kind=Unit.Kind.BRANCH).annotate(
        public_pledges=Count("pledges", filter=Q(pledges__state__in=Pledge.PUBLIC_STATES))
    )


def pledge_checks_due(user, *, kind: str, as_of: dt.date) -> QuerySet[Pledge]:
    """Open pledges in units the user leads (not their own) with no ``kind`` check this period."""
    scope = scope_for(user)
    if not scope.led_paths and not scope.is_admin:
        return Pledge.objects.none()
    period = PledgeCheck.period_for(kind, as_of)
    done = PledgeCheck.objects.filter(pledge=OuterRef("pk"), kind=kind, period=period)
    return (
        Pledge.objects.open()
        .filter(scope.led_units_q("unit__path"))
        .exclude(member=user)
        .exclude(Exists(done))
        .select_related(*_RELATED)
        .order_by("unit__path", "member__username")
    )


def pledges_due_for_self_check(as_of: dt.date) -> QuerySet[Pledge]:
    """Open pledges whose member has not recorded this month's self-check (set-based)."""
    period = PledgeCheck.period_for(PledgeCheck.Kind.SELF_MONTHLY, as_of)
    done = PledgeCheck.objects.filter(pledge=OuterRef("pk"), kind=PledgeCheck.Kind.SELF_MONTHLY, period=period)
    return Pledge.objects.open().exclude(Exists(done)).select_related("unit", "member")


@dataclass(frozen=True)
class FulfilmentRate:
    due: int  # public pledges of the unit due in the quarter
    fulfilled: int
    unfulfilled: int

    @property
    def rate(self) -> float | None:
        return round(self.fulfilled / self.due, 4) if self.due else None


def pledge_fulfilment_rate(unit: Unit, *, year: int, quarter: int) -> FulfilmentRate:
    """兑现率: fulfilled over public (approved and later) pledges of the unit due in the quarter."""
    first = dt.date(year, 3 * (quarter - 1) + 1, 1)
    last = dt.date(year + 1, 1, 1) if quarter == 4 else dt.date(year, 3 * quarter + 1, 1)
    counts = Pledge.objects.filter(
        unit__path__startswith=unit.path,
        state__in=Pledge.PUBLIC_STATES,
        due_date__gte=first,
        due_date__lt=last,
    ).aggregate(
        due=Count("pk"),
        fulfilled=Count("pk", filter=Q(state=Pledge.State.FULFILLED)),
        unfulfilled=Count("pk", filter=Q(state=Pledge.State.UNFULFILLED)),
    )
    return FulfilmentRate(**counts)
