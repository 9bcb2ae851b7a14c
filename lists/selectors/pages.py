"""Reads for the pages: unit pickers and the home-page work summary."""

from __future__ import annotations

from django.db.models import Count, Q

from organization.models import Unit
from organization.scoping import scope_for

from ..models import ResponsibilityItem, ResponsibilityList
from .items import extensions_awaiting_decision, items_awaiting_verification

__all__ = ["items_co_handled_by", "units_for_new_lists", "work_summary"]

Item = ResponsibilityItem


def units_for_new_lists(user):
    """Units the user leads that can hold a monthly list (branches and departments, and below)."""
    scope = scope_for(user)
    if not scope.led_paths and not scope.is_admin:
        return Unit.objects.none()
    return Unit.objects.filter(scope.led_units_q("path"), kind__in=["branch", "department"]).order_by("path")


def work_summary(user) -> dict:
    """The counts of the home page card: what waits for this user."""
    scope = scope_for(user)
    mine = Item.objects.filter(assignee=user).aggregate(
        open=Count("pk", filter=Q(state__in=Item.OPEN_STATES) & ~Q(state=Item.State.SUBMITTED)),
        to_accept=Count("pk", filter=Q(state=Item.State.ASSIGNED)),
        red=Count("pk", filter=Q(state__in=Item.OPEN_STATES, warning_level="red")),
    )
    summary = {"my_open": mine["open"], "my_to_accept": mine["to_accept"], "my_red": mine["red"]}
    summary["works"] = bool(mine["open"]) or scope.has_role("cadre") or bool(scope.led_paths)
    if scope.led_paths or scope.is_admin:
        summary["to_verify"] = items_awaiting_verification(user).count()
        summary["extensions"] = extensions_awaiting_decision(user).count()
        summary["draft_lists"] = ResponsibilityList.objects.filter(
            scope.led_units_q("unit__path"), state=ResponsibilityList.State.DRAFT
        ).count()
        summary["leads"] = True
    if scope.overseen_paths or scope.observed_paths:
        readable = Item.objects.filter(scope.readable_units_q("list__unit__path"), state__in=Item.OPEN_STATES)
        summary["overdue_in_scope"] = readable.filter(warning_level="red").count()
        summary["reads"] = True
    return summary


def items_co_handled_by(user):
    """Open items where the user is a co-handler (协办), for the "my tasks" page."""
    return (
        Item.objects.filter(co_handlers=user, state__in=Item.OPEN_STATES)
        .select_related("list__unit", "assignee", "lead_leader", "category")
        .order_by("due_at", "pk")
    )
