"""Reads for the pages: unit pickers and the home-page work summary."""

from __future__ import annotations

from django.db.models import Count, Q

from organization.models import Unit, User
from organization.scoping import scope_for
from workflows.calendar import local_minute

from ..models import ResponsibilityItem, ResponsibilityList
from .lists import _item_url_maker, extensions_awaiting_decision, items_awaiting_verification

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


def my_task_rows(user, *, show_all: bool = False) -> tuple[list[dict], list[dict]]:
    """The "my tasks" page as plain dicts, for the reasons of ``items_of_list_page``: the user's
    items in deadline order (the open ones unless ``show_all``), then the open items they
    co-handle (协办), each with its labels, names, deadline and links computed once. Two queries.

    Keys: ``pk``, ``title``, ``urgent``, ``state`` with ``state_label``, ``warning_level`` with
    ``warning_label``, ``progress_percent``, ``category_name``, ``list_label`` (unit · month),
    ``assignee_name``, ``lead_leader_name``, ``due_label``, ``detail_url`` and ``accept_url``."""
    names = {person: [f"{person}__{column}" for column in User.NAME_COLUMNS] for person in ("assignee", "lead_leader")}
    columns = ["id", "title", "urgent", "state", "warning_level", "due_at", "progress_percent", "category__name"]
    columns += ["list__unit__name", "list__month", "lead_leader_id", *names["assignee"], *names["lead_leader"]]
    mine = Item.objects.filter(assignee=user).exclude(state=Item.State.DRAFT)
    if not show_all:
        mine = mine.filter(state__in=Item.OPEN_STATES)
    co_handled = Item.objects.filter(co_handlers=user, state__in=Item.OPEN_STATES)
    detail_url = _item_url_maker("responsibilities:item-detail")
    accept_url = _item_url_maker("responsibilities:item-action", "accept")
    state_labels = {state: str(label) for state, label in Item.State.choices}
    warning_labels = {level: str(label) for level, label in Item.Warning.choices}

    def rows(items):
        result = []
        for (
            pk,
            title,
            urgent,
            state,
            warning,
            due_at,
            progress,
            category,
            unit,
            month,
            leader_id,
            *people,
        ) in items.order_by("due_at", "pk").values_list(*columns):
            result.append(
                {
                    "pk": pk,
                    "title": title,
                    "urgent": urgent,
                    "state": state,
                    "state_label": state_labels.get(state, state),
                    "warning_level": warning,
                    "warning_label": warning_labels.get(warning, warning),
                    "progress_percent": progress,
                    "category_name": category,
                    "list_label": f"{unit} · {month:%Y-%m}",
                    "assignee_name": User.name_from(*people[:4]),
                    "lead_leader_name": User.name_from(*people[4:]) if leader_id else None,
                    "due_label": local_minute(due_at),
                    "detail_url": detail_url(pk),
                    "accept_url": accept_url(pk),
                }
            )
        return result

    return rows(mine), rows(co_handled)
