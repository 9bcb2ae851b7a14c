"""The registration of livelihood work orders with the deadline sweep (subject type ``issue``)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from django.urls import reverse

from lists.models import ExtensionRequest
from organization.scoping import commissioners_for
from workflows.calendar import local_minute
from workflows.sweep import ESCALATED, RED, SweepTarget, register

from .models import LivelihoodIssue

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


def issue_context(issue: LivelihoodIssue) -> dict:
    return {
        "title": issue.title,
        "unit": issue.unit.name if issue.unit_id else "",
        "due_at": local_minute(issue.due_at),
        "url": reverse("issues:issue-detail", args=[issue.pk]),
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
    context=issue_context,
    escalation_hold=issue_pending_extension,
    unit_field="unit",
    assignee_field="handler",
    assigned_field="dispatched_at",
    select_related=("unit", "handler"),
    url_of=lambda issue: reverse("issues:issue-detail", args=[issue.pk]),
)


def register_with_sweep() -> None:
    register(ISSUE_TARGET)
