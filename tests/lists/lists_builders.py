"""Builders for list/item tests: an item driven through the real services into a given state."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from lists import services
from lists.models import ResponsibilityItem, ResponsibilityList

MONTH = dt.date(2026, 12, 1)

#: How to reach each item state from ``assigned`` (service, persona attribute, kwargs).
PATHS: dict[str, list[tuple[str, str, dict]]] = {
    "assigned": [],
    "accepted": [("item_accept", "cadre", {})],
    "in_progress": [("item_accept", "cadre", {}), ("item_report_progress", "cadre", {"text": "started"})],
}
PATHS["submitted"] = [*PATHS["in_progress"], ("item_submit", "cadre", {"result": "done"})]
PATHS["returned"] = [*PATHS["submitted"], ("item_return", "leader", {"reason": "incomplete"})]
PATHS["completed"] = [*PATHS["submitted"], ("item_verify", "leader", {})]
PATHS["suspended"] = [*PATHS["in_progress"], ("item_suspend", "leader", {"reason": "on hold"})]
PATHS["cancelled"] = [("item_cancel", "leader", {"reason": "no longer needed"})]


def draft_list(personas, *, month: dt.date = MONTH, unit=None) -> ResponsibilityList:
    return services.list_create(
        unit=unit or personas.branch, month=month, title=f"{month:%Y-%m} list", actor=personas.leader
    )


def add_item(personas, lst: ResponsibilityList, *, title: str = "主题党日", **extra) -> ResponsibilityItem:
    fields = {
        "title": title,
        "standard": "召开并记录",
        "assignee": personas.cadre,
        "lead_leader": personas.leader,
        "due_at": timezone.now() + dt.timedelta(days=10),
    }
    actor = extra.pop("actor", personas.leader)
    fields.update(extra)
    return services.item_create(lst=lst, actor=actor, **fields)


def item_in_state(personas, state: str) -> ResponsibilityItem:
    """A fresh item of branch 01 (assignee cadre001, lead leader leader01) in ``state``."""
    lst = draft_list(personas)
    item = add_item(personas, lst)
    if state == "draft":
        return item
    services.list_publish(lst=lst, actor=personas.leader)
    if state in ("unfinished", "carried_over"):
        services.list_close(
            lst=lst,
            actor=personas.leader,
            decisions={item.pk: "carry_over" if state == "carried_over" else "unfinished"},
        )
        return ResponsibilityItem.objects.get(pk=item.pk)
    item.refresh_from_db()
    for service, who, kwargs in PATHS[state]:
        item = getattr(services, service)(item=item, actor=getattr(personas, who), **kwargs)
    item.refresh_from_db()
    assert item.state == state
    return item
