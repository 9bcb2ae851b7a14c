"""The inbox providers of lists, items and extension requests.

Each provider reads the steps waiting on a user in one or two queries, inside the user's
township, and returns the plain rows ``workflows.inbox.inbox_for`` merges. Flow steps come from
the open viewflow tasks (who must act next is the flow's business); the decision on an
extension request has no flow task and is read from its state.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from issues.models import LivelihoodIssue, issue_township_q
from organization.scoping import scope_for
from workflows.inbox import InboxProvider, inbox_row, register_inbox_provider
from workflows.inbox import url_maker as _item_url_maker

from .flows import open_tasks_for
from .models import ExtensionRequest

ACTION_LABELS = {
    "accept": _("Accept the item"),
    "work": _("Work on the item and submit it"),
    "verify": _("Verify completion"),
    "publish": _("Publish the list"),
    "close": _("Close the list"),
    "decide_extension": _("Decide the extension request"),
}


def _row(subject_type: str, subject_id: int, title: str, action: str, due_at, url: str) -> dict:
    return inbox_row(subject_type, subject_id, title, action, ACTION_LABELS.get(action, action), due_at, url)


def _flow_tasks(user, kind: str):
    """Open item or list tasks owned by the user, in their township (one query)."""
    scope = scope_for(user)
    if kind == "item":
        q = Q(process__itemprocess__isnull=False) & scope.township_q("process__itemprocess__item__list__unit__path")
    else:
        q = Q(process__listprocess__isnull=False) & scope.township_q("process__listprocess__list__unit__path")
    return open_tasks_for(user).filter(q)


def item_rows(user) -> list[dict]:
    url = _item_url_maker("lists:item-detail")
    rows = []
    for task in _flow_tasks(user, "item"):
        item = task.process.itemprocess.item
        rows.append(_row("item", item.pk, item.title, task.flow_task.name, item.due_at, url(item.pk)))
    return rows


def list_rows(user) -> list[dict]:
    url = _item_url_maker("lists:list-detail")
    rows = []
    for task in _flow_tasks(user, "list"):
        lst = task.process.listprocess.list
        rows.append(_row("list", lst.pk, lst.title, task.flow_task.name, None, url(lst.pk)))
    return rows


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
    item_url = _item_url_maker("lists:item-detail")
    issue_url = _item_url_maker("issues:issue-detail")
    rows = []
    for ext in pending:
        subject = ext.item or ext.issue
        url = item_url(ext.item_id) if ext.item_id else issue_url(ext.issue_id)
        rows.append(_row("extension", ext.pk, subject.title, "decide_extension", subject.due_at, url))
    return rows


def register_inbox_providers() -> None:
    for subject_type, label, rows, actions in (
        ("item", _("Item"), item_rows, ("accept", "work", "verify")),
        ("list", _("List"), list_rows, ("publish", "close")),
        ("extension", _("Extension request"), extension_rows, ("decide_extension",)),
    ):
        register_inbox_provider(InboxProvider(subject_type, label, rows, actions))
