"""The domain's registration of responsibility items with the deadline sweep (and, through the
same registry, with supervision as subject type ``item``).

- the clock runs while an item is assigned, accepted, in progress, submitted or returned;
  suspended items are left out (中止: their clock stops; resuming moves the deadline);
- "not yet accepted" (签收) means still ``assigned``;
- an item with a pending extension request (延期申请) does not escalate until it is decided;
- who is told (DESIGN.md): the assignee at blue and yellow, the assignee and the lead leader
  at red (催办), the commissioners of the unit's jurisdiction at escalation.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from django.urls import NoReverseMatch, reverse

from organization.scoping import commissioners_for
from workflows.calendar import local_minute
from workflows.sweep import ESCALATED, RED, SweepTarget, register

from .models import ExtensionRequest, ResponsibilityItem

Item = ResponsibilityItem

CLOCK_STATES = ("assigned", "accepted", "in_progress", "submitted", "returned")


def item_recipients(item: Item, step: str) -> list:
    if step == ESCALATED:
        return list(commissioners_for(item.list.unit).values_list("pk", flat=True))
    if step == RED:
        return [item.assignee_id, item.lead_leader_id]
    return [item.assignee_id]


def item_context(item: Item) -> dict:
    return {
        "title": item.title,
        "unit": item.list.unit.name,
        "due_at": local_minute(item.due_at),
        "url": reverse("lists:item-detail", args=[item.pk]),
    }


def pending_extension():
    return Exists(ExtensionRequest.objects.filter(item=OuterRef("pk"), state=ExtensionRequest.State.PENDING))


def item_list_url(unit_id: int, warning_level: str) -> str | None:
    try:
        base = reverse("lists:item-list")
    except NoReverseMatch:
        return None
    return f"{base}?unit={unit_id}&warning_level={warning_level}"


ITEM_TARGET = SweepTarget(
    kind="item",
    model=Item,
    clock_states=CLOCK_STATES,
    open_states=Item.OPEN_STATES,
    unaccepted_states=("assigned",),
    recipients=item_recipients,
    context=item_context,
    escalation_hold=pending_extension,
    unit_field="list__unit",
    lead_leader_field="lead_leader",
    assignee_field="assignee",
    category_code_field="category__code",
    urgent_field="urgent",
    select_related=("list__unit", "assignee", "lead_leader"),
    url_of=lambda item: reverse("lists:item-detail", args=[item.pk]),
    list_url=item_list_url,
)


def register_with_sweep() -> None:
    register(ITEM_TARGET)
