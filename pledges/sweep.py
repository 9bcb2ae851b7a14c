"""The registration of pledges with the deadline sweep (subject type ``pledge``)."""

from __future__ import annotations

from django.urls import reverse

from organization.scoping import commissioners_for
from workflows.calendar import local_minute
from workflows.sweep import ESCALATED, RED, SweepTarget, register

from .models import Pledge

# Pledges (承诺践诺): the clock runs once a pledge is published (approved) and while its claim
# awaits confirmation; the member is told first, the branch leaders from red (督诺), the
# commissioners at escalation. There is no acceptance step.


def pledge_recipients(pledge: Pledge, step: str) -> list:
    from .services import pledge_reviewers

    if step == ESCALATED:
        return list(commissioners_for(pledge.unit).values_list("pk", flat=True))
    if step == RED:
        return [pledge.member_id, *pledge_reviewers(pledge)]
    return [pledge.member_id]


def pledge_context(pledge: Pledge) -> dict:
    return {
        "title": pledge.text,
        "unit": pledge.unit.name,
        "due_at": local_minute(pledge.due_at),
        "url": reverse("pledges:pledge-detail", args=[pledge.pk]),
    }


PLEDGE_TARGET = SweepTarget(
    kind="pledge",
    model=Pledge,
    clock_states=Pledge.OPEN_STATES,
    open_states=Pledge.OPEN_STATES,
    unaccepted_states=(),
    recipients=pledge_recipients,
    context=pledge_context,
    unit_field="unit",
    assignee_field="member",
    assigned_field="approved_at",
    select_related=("unit", "member"),
    url_of=lambda pledge: reverse("pledges:pledge-detail", args=[pledge.pk]),
)


def register_with_sweep() -> None:
    register(PLEDGE_TARGET)
