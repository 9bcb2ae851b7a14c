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

from organization.scoping import commissioner_ids_by_unit, commissioners_for
from workflows.calendar import local_minute
from workflows.sweep import ESCALATED, RED, SweepTarget, register

from .models import ExtensionRequest, LivelihoodIssue, Pledge, ResponsibilityItem

Item = ResponsibilityItem

CLOCK_STATES = ("assigned", "accepted", "in_progress", "submitted", "returned")


def item_recipients(item: Item, step: str) -> list:
    if step == ESCALATED:
        return list(commissioners_for(item.list.unit).values_list("pk", flat=True))
    if step == RED:
        return [item.assignee_id, item.lead_leader_id]
    return [item.assignee_id]


def _per_unit(objs: list, unit_of, people) -> dict[int, list]:
    """``people(unit)`` (user ids) for each object by primary key, asked once per unit."""
    known: dict[int, list] = {}
    found = {}
    for obj in objs:
        unit = unit_of(obj)
        if unit.pk not in known:
            known[unit.pk] = list(people(unit))
        found[obj.pk] = known[unit.pk]
    return found


def _commissioners(objs: list, unit_of) -> dict[int, list]:
    """The commissioners of each object's unit, by primary key (two queries for the batch)."""
    by_unit = commissioner_ids_by_unit({unit.pk: unit for unit in map(unit_of, objs)}.values())
    return {obj.pk: by_unit[unit_of(obj).pk] for obj in objs}


def _leader_ids(unit) -> list[int]:
    from organization.scoping import leaders_of

    return list(leaders_of(unit).values_list("pk", flat=True))


def items_recipients(items: list[Item], step: str) -> dict[int, list]:
    """``item_recipients`` for a batch: the commissioners of all its units in two queries."""
    if step == ESCALATED:
        return _commissioners(items, lambda item: item.list.unit)
    return {item.pk: item_recipients(item, step) for item in items}


def item_context(item: Item) -> dict:
    return {
        "title": item.title,
        "unit": item.list.unit.name,
        "due_at": local_minute(item.due_at),
        "url": reverse("responsibilities:item-detail", args=[item.pk]),
    }


def pending_extension():
    return Exists(ExtensionRequest.objects.filter(item=OuterRef("pk"), state=ExtensionRequest.State.PENDING))


def item_list_url(unit_id: int, warning_level: str) -> str | None:
    try:
        base = reverse("responsibilities:item-list")
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
    url_of=lambda item: reverse("responsibilities:item-detail", args=[item.pk]),
    list_url=item_list_url,
)


# Pledges (承诺践诺): the clock runs once a pledge is published (approved) and while its claim
# awaits confirmation; the member is told first, the branch leaders from red (督诺), the
# commissioners at escalation. There is no acceptance step.


def pledge_recipients(pledge: Pledge, step: str) -> list:
    from .services.pledges import pledge_reviewers

    if step == ESCALATED:
        return list(commissioners_for(pledge.unit).values_list("pk", flat=True))
    if step == RED:
        return [pledge.member_id, *pledge_reviewers(pledge)]
    return [pledge.member_id]


def pledges_recipients(pledges: list[Pledge], step: str) -> dict[int, list]:
    """``pledge_recipients`` for a batch: commissioners and branch leaders once per unit."""
    if step == ESCALATED:
        return _commissioners(pledges, lambda pledge: pledge.unit)
    if step == RED:
        leaders = _per_unit(pledges, lambda pledge: pledge.unit, _leader_ids)
        return {
            pledge.pk: [pledge.member_id, *sorted(set(leaders[pledge.pk]) - {pledge.member_id})] for pledge in pledges
        }
    return {pledge.pk: [pledge.member_id] for pledge in pledges}


def pledge_context(pledge: Pledge) -> dict:
    return {
        "title": pledge.text,
        "unit": pledge.unit.name,
        "due_at": local_minute(pledge.due_at),
        "url": reverse("responsibilities:pledge-detail", args=[pledge.pk]),
    }


PLEDGE_TARGET = SweepTarget(
    kind="pledge",
    model=Pledge,
    clock_states=Pledge.OPEN_STATES,
    open_states=Pledge.OPEN_STATES,
    unaccepted_states=(),
    recipients=pledge_recipients,
    recipients_many=pledges_recipients,
    context=pledge_context,
    unit_field="unit",
    assignee_field="member",
    assigned_field="approved_at",
    select_related=("unit", "member"),
    url_of=lambda pledge: reverse("responsibilities:pledge-detail", args=[pledge.pk]),
)


# Livelihood issues (工单): the clock runs from dispatch until resolution; "not yet accepted"
# (签收) means still dispatched. The handler is told first, with the handling unit's leaders at
# red and the commissioners at escalation. Urgent orders already carry shorter deadlines.


def issue_recipients(issue: LivelihoodIssue, step: str) -> list:
    from organization.scoping import leaders_of

    if step == ESCALATED:
        return list(commissioners_for(issue.unit).values_list("pk", flat=True))
    if step == RED:
        return [issue.handler_id, *leaders_of(issue.unit).values_list("pk", flat=True)]
    return [issue.handler_id]


def issues_recipients(issues: list[LivelihoodIssue], step: str) -> dict[int, list]:
    """``issue_recipients`` for a batch: commissioners and the unit's leaders once per unit."""
    if step == ESCALATED:
        return _commissioners(issues, lambda issue: issue.unit)
    if step == RED:
        leaders = _per_unit(issues, lambda issue: issue.unit, _leader_ids)
        return {issue.pk: [issue.handler_id, *leaders[issue.pk]] for issue in issues}
    return {issue.pk: [issue.handler_id] for issue in issues}


def issue_context(issue: LivelihoodIssue) -> dict:
    return {
        "title": issue.title,
        "unit": issue.unit.name if issue.unit_id else "",
        "due_at": local_minute(issue.due_at),
        "url": reverse("responsibilities:issue-detail", args=[issue.pk]),
    }


def issue_pending_extension():
    return Exists(ExtensionRequest.objects.filter(issue=OuterRef("pk"), state=ExtensionRequest.State.PENDING))


ISSUE_TARGET = SweepTarget(
    kind="issue",
    model=LivelihoodIssue,
    clock_states=LivelihoodIssue.CLOCK_STATES,
    open_states=LivelihoodIssue.OPEN_STATES,
    unaccepted_states=("dispatched",),
    recipients=issue_recipients,
    recipients_many=issues_recipients,
    context=issue_context,
    escalation_hold=issue_pending_extension,
    unit_field="unit",
    assignee_field="handler",
    assigned_field="dispatched_at",
    select_related=("unit", "handler"),
    url_of=lambda issue: reverse("responsibilities:issue-detail", args=[issue.pk]),
)


def register_with_sweep() -> None:
    register(ITEM_TARGET)
    register(PLEDGE_TARGET)
    register(ISSUE_TARGET)
