"""The inbox provider of pledges: review and confirmation for the branch leaders, revise and
fulfil for the member (see ``workflows.inbox``)."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from organization.scoping import scope_for
from workflows.inbox import InboxProvider, inbox_row, register_inbox_provider, url_maker

from .flows import PledgeFlow
from .models import Pledge

ACTION_LABELS = {
    "review_pledge": _("Review the pledge"),
    "revise_pledge": _("Revise and resubmit"),
    "fulfil_pledge": _("Fulfil the pledge"),
    "confirm_pledge": _("Confirm fulfilment"),
}

_PLEDGE_ACTIONS = {
    "review": "review_pledge",
    "confirmation": "confirm_pledge",
    "revise": "revise_pledge",
    "fulfil": "fulfil_pledge",
}


def pledge_rows(user) -> list[dict]:
    """Review and confirmation for the leaders of the member's branch (never their own pledge),
    revise and fulfil for the member (two queries: the tasks, then their pledges)."""
    scope = scope_for(user)
    township = scope.township_q("unit__path")
    led = Pledge.objects.filter(township, scope.led_units_q("unit__path")).exclude(member=user).values("pk")
    own = Pledge.objects.filter(township, member=user).values("pk")
    tasks = Task.objects.filter(
        status=STATUS.NEW,
        process__status=STATUS.NEW,
        process__artifact_content_type=ContentType.objects.get_for_model(Pledge),
    )
    by_leader = Q(flow_task__in=[PledgeFlow.review, PledgeFlow.confirmation], process__artifact_object_id__in=led)
    if not scope.led_paths and not scope.is_admin:
        by_leader = Q(pk__in=[])
    by_member = Q(flow_task__in=[PledgeFlow.revise, PledgeFlow.fulfil], process__artifact_object_id__in=own)
    steps = list(tasks.filter(by_leader | by_member).values_list("process__artifact_object_id", "flow_task"))
    if not steps:
        return []
    pledges = Pledge.objects.in_bulk([pk for pk, _node in steps])
    url = url_maker("pledges:pledge-detail")
    rows = []
    for pk, node in steps:
        pledge = pledges.get(pk)
        if pledge is not None:
            action = _PLEDGE_ACTIONS[node.name]
            rows.append(inbox_row("pledge", pk, pledge.text, action, ACTION_LABELS[action], pledge.due_at, url(pk)))
    return rows


def register_inbox_providers() -> None:
    register_inbox_provider(InboxProvider("pledge", _("Pledge"), pledge_rows, tuple(_PLEDGE_ACTIONS.values())))
