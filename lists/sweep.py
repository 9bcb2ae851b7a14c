"""The domain's registration of responsibility items with the deadline sweep (and, through the
same registry, with supervision as subject type ``item``).

- the cadre's clock runs while an item is assigned, accepted, in progress or returned: it stops
  at submission (on time is judged then), so an item submitted on time is never warned or
  escalated while it waits; suspended items are left out (中止: their clock stops; resuming
  moves the deadline);
- the lead leader's verification clock (审核时限, subject type ``verification``, the proxy
  ``ItemVerification``) runs while an item is submitted, against ``verification_due_at``
  (submission plus the policy's ``verify_within_working_days``): red to the lead leader when it
  passes, then the same escalation ladder as the cadre's, with cases about the leader;
- "not yet accepted" (签收) means still ``assigned``;
- an item with a pending extension request (延期申请) does not escalate until it is decided;
- who is told (DESIGN.md): the assignee at blue and yellow, the assignee and the lead leader
  at red (催办); at escalation whom the policy's ladder names for the level.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from organization.scoping import commissioner_ids_by_unit, commissioners_for
from workflows.calendar import local_minute
from workflows.sweep import ESCALATED, RED, SweepTarget, register

from .models import ExtensionRequest, ItemVerification, ResponsibilityItem

Item = ResponsibilityItem

CLOCK_STATES = Item.CLOCK_STATES


def item_recipients(item: Item, step: str) -> list:
    if step == ESCALATED:
        return list(commissioners_for(item.list.unit).values_list("pk", flat=True))
    if step == RED:
        return [item.assignee_id, item.lead_leader_id]
    return [item.assignee_id]


def items_recipients(items: list[Item], step: str) -> dict[int, list]:
    """``item_recipients`` for a batch: the commissioners of all its units in two queries."""
    if step == ESCALATED:
        by_unit = commissioner_ids_by_unit({item.list.unit for item in items})
        return {item.pk: by_unit[item.list.unit_id] for item in items}
    return {item.pk: item_recipients(item, step) for item in items}


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
    recipients_many=items_recipients,
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


def verification_recipients(item: Item, step: str) -> list:
    """The lead leader: the verification clock is theirs."""
    return [item.lead_leader_id] if item.lead_leader_id else []


def verification_context(item: Item) -> dict:
    return {
        **item_context(item),
        "title": _("Verification of “%(title)s”") % {"title": item.title},
        "due_at": local_minute(item.verification_due_at),
    }


VERIFICATION_TARGET = SweepTarget(
    kind="verification",
    policy_kind="item",
    model=ItemVerification,
    clock_states=(Item.State.SUBMITTED,),
    open_states=(Item.State.SUBMITTED,),
    recipients=verification_recipients,
    context=verification_context,
    unit_field="list__unit",
    lead_leader_field="lead_leader",
    assignee_field="assignee",
    due_field="verification_due_at",
    assigned_field="submitted_at",
    warning_field="verification_warning_level",
    escalation_field="verification_escalation_level",
    category_code_field="category__code",
    urgent_field="urgent",
    select_related=("list__unit", "assignee", "lead_leader"),
    warns_before_due=False,
    url_of=lambda item: reverse("lists:item-detail", args=[item.pk]),
)


def register_with_sweep() -> None:
    register(ITEM_TARGET)
    register(VERIFICATION_TARGET)
