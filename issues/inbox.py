"""The inbox provider of livelihood work orders: the handler's own steps and the dispatchers'
queue of their township (see ``workflows.inbox``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from organization.scoping import scope_for
from workflows.inbox import InboxProvider, inbox_row, register_inbox_provider, url_maker

from . import flows
from .models import LivelihoodIssue, issue_township_q

ACTION_LABELS = {
    "dispatch": _("Dispatch the work order"),
    "accept_order": _("Accept the work order"),
    "handle": _("Handle the work order"),
    "follow_up": _("Follow-up call"),
}

_ISSUE_ACTIONS = {"dispatch": "dispatch", "accept": "accept_order", "handle": "handle", "follow_up": "follow_up"}


def issue_rows(user) -> list[dict]:
    """The flow's open steps: the handler's own, and the dispatchers' queue of their township
    (two queries: the tasks, then their orders)."""
    scope = scope_for(user)
    steps = list(flows.inbox(user).values_list("process__artifact_object_id", "flow_task"))
    if not steps:
        return []
    issues = LivelihoodIssue.objects.filter(pk__in=[pk for pk, _node in steps])
    if not scope.is_admin:
        issues = issues.filter(issue_township_q(scope.township_paths))
    issues = {issue.pk: issue for issue in issues}
    url = url_maker("issues:issue-detail")
    rows = []
    for pk, node in steps:
        issue = issues.get(pk)
        if issue is None:
            continue
        due = issue.accept_due_at if node.name == "accept" else issue.due_at
        action = _ISSUE_ACTIONS.get(node.name, node.name)
        label = ACTION_LABELS.get(action, action)
        rows.append(inbox_row("livelihood_issue", pk, issue.title, action, label, due, url(pk)))
    return rows


def register_inbox_providers() -> None:
    register_inbox_provider(
        InboxProvider("livelihood_issue", _("Work order"), issue_rows, tuple(_ISSUE_ACTIONS.values()))
    )
