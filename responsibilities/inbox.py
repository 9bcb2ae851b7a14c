"""The inbox providers of lists, items, extension requests, pledges and livelihood issues.

Each provider reads the steps waiting on a user in one or two queries, inside the user's
township, and returns the plain rows ``workflows.inbox.inbox_for`` merges. Flow steps come from
the open viewflow tasks (who must act next is the flow's business); the decision on an
extension request has no flow task and is read from its state.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from organization.scoping import scope_for
from workflows.inbox import InboxProvider, register_inbox_provider

from . import issue_flows
from .flows import open_tasks_for
from .models import ExtensionRequest, LivelihoodIssue, Pledge, issue_township_q
from .pledge_flows import PledgeFlow
from .selectors.lists import _item_url_maker

ACTION_LABELS = {
    "accept": _("Accept the item"),
    "work": _("Work on the item and submit it"),
    "verify": _("Verify completion"),
    "publish": _("Publish the list"),
    "close": _("Close the list"),
    "decide_extension": _("Decide the extension request"),
    "review_pledge": _("Review the pledge"),
    "revise_pledge": _("Revise and resubmit"),
    "fulfil_pledge": _("Fulfil the pledge"),
    "confirm_pledge": _("Confirm fulfilment"),
    "dispatch": _("Dispatch the work order"),
    "accept_order": _("Accept the work order"),
    "handle": _("Handle the work order"),
    "follow_up": _("Follow-up call"),
}


def _row(subject_type: str, subject_id: int, title: str, action: str, due_at, url: str) -> dict:
    return {
        "subject_type": subject_type,
        "subject_id": subject_id,
        "title": title,
        "action": action,
        "action_label": ACTION_LABELS.get(action, action),
        "due_at": due_at,
        "url": url,
    }


def _flow_steps(user, subject: str, *columns: str):
    """Open item or list tasks owned by the user, in their township (one query): the step (the
    flow's node) and ``columns`` of the subject, as tuples (no task, process or subject built)."""
    field = f"process__{subject}process__{subject}"
    unit_path = f"{field}__list__unit__path" if subject == "item" else f"{field}__unit__path"
    q = Q(**{f"process__{subject}process__isnull": False}) & scope_for(user).township_q(unit_path)
    steps = open_tasks_for(user).filter(q).select_related(None)
    return steps.values_list("flow_task", *(f"{field}__{column}" for column in columns))


def item_rows(user) -> list[dict]:
    url = _item_url_maker("responsibilities:item-detail")
    return [
        _row("item", pk, title, node.name, due_at, url(pk))
        for node, pk, title, due_at in _flow_steps(user, "item", "id", "title", "due_at")
    ]


def list_rows(user) -> list[dict]:
    url = _item_url_maker("responsibilities:list-detail")
    return [
        _row("list", pk, title, node.name, None, url(pk))
        for node, pk, title in _flow_steps(user, "list", "id", "title")
    ]


def extension_rows(user) -> list[dict]:
    """Pending requests: on items, for the leaders of the item's unit; on work orders, for the
    dispatchers of the order's township. Never the requester's own (one query)."""
    scope = scope_for(user)
    on_items = Q(item__isnull=False) & scope.led_units_q("item__list__unit__path")
    if not scope.is_admin:
        on_items &= scope.township_q("item__list__unit__path")
    if not scope.led_paths and not scope.is_admin:
        on_items = Q(pk__in=[])
    if scope.is_admin:
        on_issues = Q(issue__isnull=False)
    elif scope.dispatch_paths:
        own = LivelihoodIssue.objects.filter(issue_township_q(scope.dispatch_paths)).values("pk")
        on_issues = Q(issue__in=own)
    else:
        on_issues = Q(pk__in=[])
    pending = (
        ExtensionRequest.objects.filter(on_items | on_issues, state=ExtensionRequest.State.PENDING)
        .exclude(requested_by=user)
        .select_related("item", "issue")
        .order_by("requested_at", "pk")
    )
    item_url = _item_url_maker("responsibilities:item-detail")
    issue_url = _item_url_maker("responsibilities:issue-detail")
    rows = []
    for ext in pending:
        subject = ext.item or ext.issue
        url = item_url(ext.item_id) if ext.item_id else issue_url(ext.issue_id)
        rows.append(_row("extension", ext.pk, subject.title, "decide_extension", subject.due_at, url))
    return rows


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
    url = _item_url_maker("responsibilities:pledge-detail")
    rows = []
    for pk, node in steps:
        pledge = pledges.get(pk)
        if pledge is not None:
            rows.append(_row("pledge", pk, pledge.text, _PLEDGE_ACTIONS[node.name], pledge.due_at, url(pk)))
    return rows


_ISSUE_ACTIONS = {"dispatch": "dispatch", "accept": "accept_order", "handle": "handle", "follow_up": "follow_up"}


def issue_rows(user) -> list[dict]:
    """The flow's open steps: the handler's own, and the dispatchers' queue of their township
    (two queries: the tasks, then their orders)."""
    scope = scope_for(user)
    steps = list(issue_flows.inbox(user).values_list("process__artifact_object_id", "flow_task"))
    if not steps:
        return []
    issues = LivelihoodIssue.objects.filter(pk__in=[pk for pk, _node in steps])
    if not scope.is_admin:
        issues = issues.filter(issue_township_q(scope.township_paths))
    issues = {issue.pk: issue for issue in issues}
    url = _item_url_maker("responsibilities:issue-detail")
    rows = []
    for pk, node in steps:
        issue = issues.get(pk)
        if issue is None:
            continue
        due = issue.accept_due_at if node.name == "accept" else issue.due_at
        rows.append(_row("livelihood_issue", pk, issue.title, _ISSUE_ACTIONS.get(node.name, node.name), due, url(pk)))
    return rows


def register_inbox_providers() -> None:
    for subject_type, label, rows, actions in (
        ("item", _("Item"), item_rows, ("accept", "work", "verify")),
        ("list", _("List"), list_rows, ("publish", "close")),
        ("extension", _("Extension request"), extension_rows, ("decide_extension",)),
        ("pledge", _("Pledge"), pledge_rows, tuple(_PLEDGE_ACTIONS.values())),
        ("livelihood_issue", _("Work order"), issue_rows, tuple(_ISSUE_ACTIONS.values())),
    ):
        register_inbox_provider(InboxProvider(subject_type, label, rows, actions))
