"""Reads of livelihood issues shared by pages and the API (they own the joins)."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from organization.models import Unit
from organization.scoping import scope_for

from .models import PLACE_KINDS, LivelihoodIssue, can_dispatch, issue_township_q

Issue = LivelihoodIssue

_RELATED = ("place_unit", "unit", "handler", "registered_by")


def issues_visible_to(user) -> QuerySet[Issue]:
    """Dispatchers see every order of their own township; others those they registered or
    handle, those of units they may read (handling or co-handling unit, or the village /
    enterprise it came from)."""
    base = Issue.objects.select_related(*_RELATED)
    scope = scope_for(user)
    if scope.is_admin:
        return base
    q = (
        Q(registered_by_id=user.pk)
        | Q(handler_id=user.pk)
        | scope.readable_units_q("unit__path")
        | scope.readable_units_q("place_unit__path")
        | Q(
            pk__in=Issue.co_units.through.objects.filter(scope.readable_units_q("unit__path")).values(
                "livelihoodissue_id"
            )
        )
    )
    if scope.dispatch_paths:
        q |= issue_township_q(scope.dispatch_paths)
    return base.filter(q)


def issues_to_dispatch(user) -> QuerySet[Issue]:
    """The dispatch board: reported orders (new ones and those returned by a handler)."""
    if not can_dispatch(user):
        return Issue.objects.none()
    return Issue.objects.filter(_dispatched_by_q(user), state=Issue.State.REPORTED).select_related(*_RELATED).order_by("-urgency", "reported_at", "pk")  # fmt: skip


def issues_whose_deadline_user_moves(user) -> QuerySet[Issue]:
    """Orders whose deadline the user may move, i.e. whose extension requests they decide: those
    they dispatch (their township's), and those handled by a unit they lead (as the order's
    ``move_deadline`` permission says)."""
    q = scope_for(user).led_units_q("unit__path")
    if can_dispatch(user):
        q |= _dispatched_by_q(user)
    return Issue.objects.filter(q)


def _dispatched_by_q(user) -> Q:
    """The orders of the townships the user dispatches for."""
    scope = scope_for(user)
    return Q() if scope.is_admin else issue_township_q(scope.dispatch_paths)


def issues_for_handler(user) -> QuerySet[Issue]:
    """ "My orders": open orders dispatched to the user."""
    return (
        Issue.objects.filter(handler=user, state__in=Issue.CLOCK_STATES + (Issue.State.RESOLVED,))
        .select_related(*_RELATED)
        .order_by("due_at", "pk")
    )


def issues_awaiting_follow_up(user) -> QuerySet[Issue]:
    """Resolved orders waiting for the follow-up call (回访), for dispatchers."""
    if not can_dispatch(user):
        return Issue.objects.none()
    return (
        Issue.objects.filter(_dispatched_by_q(user), state=Issue.State.RESOLVED)
        .exclude(handler=user)
        .select_related(*_RELATED)
        .order_by("resolved_at", "pk")
    )


def issues_of_unit(user) -> QuerySet[Issue]:
    """Orders of the units the user belongs to or leads (a handler's unit sees its orders)."""
    scope = scope_for(user)
    q = scope.readable_units_q("unit__path") if scope.read_paths or scope.is_admin else Q(pk__in=[])
    return Issue.objects.filter(scope.township_q("unit__path"), q).select_related(*_RELATED)


def issues_overdue_visible_to(user, as_of=None) -> QuerySet[Issue]:
    """Overdue orders the user may read (commissioners: their jurisdiction's)."""
    return issues_visible_to(user).overdue(as_of).order_by("due_at", "pk")


def possible_duplicates(issue: Issue, user, *, limit: int = 5) -> list[Issue]:
    """Open orders from the same place and category whose titles look alike, among those
    ``user`` may open (a duplicate's title and state are not news for anyone else)."""
    q = Q(category=issue.category, state__in=Issue.OPEN_STATES)
    if issue.place_unit_id:
        q &= Q(place_unit_id=issue.place_unit_id)
    elif issue.place_text:
        q &= Q(place_text=issue.place_text)
    else:
        return []
    candidates = (
        issues_visible_to(user)
        .filter(q)
        .exclude(pk=issue.pk)
        .select_related("place_unit")
        .order_by("-reported_at")[:50]
    )
    return [c for c in candidates if title_similarity(issue.title, c.title) >= 0.5][:limit]


def title_similarity(a: str, b: str) -> float:
    """Character-bigram overlap (Dice), which suits Chinese titles without a segmenter."""

    def grams(text: str) -> set[str]:
        text = "".join(text.split()).lower()
        return {text[i : i + 2] for i in range(len(text) - 1)} or {text}

    ga, gb = grams(a), grams(b)
    if not ga or not gb:
        return 0.0
    return 2 * len(ga & gb) / (len(ga) + len(gb))


def issue_counts_by_place(user) -> QuerySet[Unit]:
    """The 1+N view: per village / community / enterprise, what was raised, is open, resolved."""
    visible = issues_visible_to(user).values("pk")
    open_states = list(Issue.OPEN_STATES)
    return (
        Unit.objects.filter(scope_for(user).township_q(), kind__in=PLACE_KINDS)
        .annotate(
            issues_total=Count("livelihood_issues", filter=Q(livelihood_issues__in=visible), distinct=True),
            issues_open=Count(
                "livelihood_issues",
                filter=Q(livelihood_issues__in=visible, livelihood_issues__state__in=open_states),
                distinct=True,
            ),
            issues_closed=Count(
                "livelihood_issues",
                filter=Q(livelihood_issues__in=visible, livelihood_issues__state="closed"),
                distinct=True,
            ),
        )
        .prefetch_related("paired_with__branch")
        .order_by("path")
    )
