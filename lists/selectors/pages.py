"""Reads for the pages: unit pickers and the home-page work summary."""

from __future__ import annotations

from django.db.models import Count, Q

from organization.models import Unit, User
from organization.scoping import scope_for
from workflows.inbox import url_maker

from ..models import ResponsibilityItem, ResponsibilityList
from .items import (
    ITEM_ROW_BASICS,
    ItemRowBuilder,
    extensions_awaiting_decision,
    items_awaiting_verification,
)

__all__ = ["my_task_rows", "units_for_new_lists", "work_summary"]

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
        summary["draft_lists"] = ResponsibilityList.objects.filter(
            scope.led_units_q("unit__path"), state=ResponsibilityList.State.DRAFT
        ).count()
        summary["leads"] = True
    if scope.led_paths or scope.is_admin or scope.dispatches:
        summary["extensions"] = extensions_awaiting_decision(user).count()
        summary["decides_extensions"] = True
    if scope.overseen_paths or scope.observed_paths:
        readable = Item.objects.filter(scope.readable_units_q("list__unit__path"), state__in=Item.OPEN_STATES)
        summary["overdue_in_scope"] = readable.filter(warning_level="red").count()
        summary["reads"] = True
    return summary


def my_task_rows(user, *, show_all: bool = False) -> tuple[list[dict], list[dict]]:
    """The "my tasks" page as plain dicts (``ItemRowBuilder``): the user's items in deadline
    order (the open ones unless ``show_all``), then the open items they co-handle (协办). Each
    row also has ``list_label`` (unit · month), ``assignee_name``, ``lead_leader_name`` (None
    when unset) and ``accept_url``. Two queries."""
    names = [f"{person}__{column}" for person in ("assignee", "lead_leader") for column in User.NAME_COLUMNS]
    columns = [*ITEM_ROW_BASICS, "list__unit__name", "list__month", "lead_leader_id", *names]
    mine = Item.objects.filter(assignee=user).exclude(state=Item.State.DRAFT)
    if not show_all:
        mine = mine.filter(state__in=Item.OPEN_STATES)
    co_handled = Item.objects.filter(co_handlers=user, state__in=Item.OPEN_STATES)
    builder = ItemRowBuilder()
    accept_url = url_maker("lists:item-action", "accept")

    def rows(items):
        result = []
        n = len(ITEM_ROW_BASICS)
        for values in items.order_by("due_at", "pk").values_list(*columns):
            row = builder.row(*values[:n])
            unit, month, lead_leader_id, *people = values[n:]
            row["list_label"] = f"{unit} · {month:%Y-%m}"
            row["assignee_name"] = User.name_from(*people[:4])
            row["lead_leader_name"] = User.name_from(*people[4:]) if lead_leader_id else None
            row["accept_url"] = accept_url(row["pk"])
            result.append(row)
        return result

    return rows(mine), rows(co_handled)
