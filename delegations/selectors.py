"""Reads of stand-ins shared by the pages, the API and the engine's hooks."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from organization.models import User
from organization.scoping import scope_for

from .models import Delegation


def delegations_visible_to(user) -> QuerySet[Delegation]:
    """The delegations the user gave or received (admins: every one)."""
    items = Delegation.objects.select_related("delegator", "delegate")
    if scope_for(user).is_admin:
        return items
    return items.filter(Q(delegator_id=user.pk) | Q(delegate_id=user.pk))


def delegations_in_force_for(user) -> list[Delegation]:
    """The delegations in force today that make ``user`` someone's stand-in, with the persons;
    computed once per user object (a request pays one query)."""
    cached = getattr(user, "_dutyflow_stand_in_for", None)
    if cached is not None:
        return cached
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    found = list(
        Delegation.objects.in_force()
        .filter(delegate_id=user.pk, delegator__is_active=True)
        .select_related("delegator")
        .order_by("delegator_id")
    )
    user._dutyflow_stand_in_for = found
    return found


def township_people(user) -> QuerySet[User]:
    """Active people holding a role in one of ``user``'s townships (who may stand in for them)."""
    scope = scope_for(user)
    return (
        User.objects.filter(is_active=True)
        .filter(scope.township_q("memberships__unit__path"))
        .distinct()
        .order_by("username")
    )
