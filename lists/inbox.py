"""The inbox providers of lists, items and extension requests.

Each provider reads the steps waiting on a user in one or two queries, inside the user's
township, and returns the plain rows ``workflows.inbox.inbox_for`` merges. Flow steps come from
the open viewflow tasks (who must act next is the flow's business); the decision on an
extension request has no flow task and is read from its state.
"""

from __future__ import annotations

from django.db.models import CharField, Q, Value
from django.db.models.functions import Cast, Coalesce, Concat
from django.utils.translation import gettext_lazy as _

from issues.models import LivelihoodIssue, issue_township_q
from organization.scoping import scope_for
from workflows.inbox import DoneSubject, InboxProvider, inbox_row, register_done_subject, register_inbox_provider
from workflows.inbox import url_maker as _item_url_maker

from .flows import open_tasks_for
from .models import ExtensionRequest, ResponsibilityItem, ResponsibilityList

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


def _flow_steps(user, subject: str, *columns: str):
    """Open item or list tasks owned by the user, in their township (one query): the step (the
    flow's node) and ``columns`` of the subject, as tuples (no task, process or subject built)."""
    field = f"process__{subject}process__{subject}"
    unit_path = f"{field}__list__unit__path" if subject == "item" else f"{field}__unit__path"
    q = Q(**{f"process__{subject}process__isnull": False}) & scope_for(user).township_q(unit_path)
    steps = open_tasks_for(user).filter(q).select_related(None)
    return steps.values_list("flow_task", *(f"{field}__{column}" for column in columns))


def item_rows(user) -> list[dict]:
    url = _item_url_maker("lists:item-detail")
    return [
        _row("item", pk, title, node.name, due_at, url(pk))
        for node, pk, title, due_at in _flow_steps(user, "item", "id", "title", "due_at")
    ]


def list_rows(user) -> list[dict]:
    url = _item_url_maker("lists:list-detail")
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
    item_url = _item_url_maker("lists:item-detail")
    issue_url = _item_url_maker("issues:issue-detail")
    rows = []
    for ext in pending:
        subject = ext.item or ext.issue
        url = item_url(ext.item_id) if ext.item_id else issue_url(ext.issue_id)
        rows.append(_row("extension", ext.pk, subject.title, "decide_extension", subject.due_at, url))
    return rows


# -- 已办: the subjects whose transitions show on their actors' done page -------------------------


def _url(name: str):
    make = _item_url_maker(name)
    return lambda link: make(int(link))


def _extension_url(link: str) -> str:
    """An extension's page is its subject's: ``item:<pk>`` or ``issue:<pk>``."""
    kind, pk = link.split(":")
    return _url("lists:item-detail" if kind == "item" else "issues:issue-detail")(pk)


def _extensions_in_township(user):
    scope = scope_for(user)
    issues = LivelihoodIssue.objects.all()
    if not scope.is_admin:
        issues = issues.filter(issue_township_q(scope.township_paths))
    on_items = Q(item__isnull=False) & scope.township_q("item__list__unit__path")
    return ExtensionRequest.objects.filter(on_items | Q(issue__in=issues.values("pk")))


def register_done_subjects() -> None:
    def township(model, path: str):
        return lambda user: model.objects.filter(scope_for(user).township_q(path))

    text = CharField()
    extension_link = Coalesce(
        Concat(Value("item:"), Cast("item_id", text), output_field=text),
        Concat(Value("issue:"), Cast("issue_id", text), output_field=text),
    )
    for subject in (
        DoneSubject("item", ResponsibilityItem, _("Item"), township(ResponsibilityItem, "list__unit__path"),
                    "title", _url("lists:item-detail")),
        DoneSubject("list", ResponsibilityList, _("List"), township(ResponsibilityList, "unit__path"),
                    "title", _url("lists:list-detail")),
        DoneSubject("extension", ExtensionRequest, _("Extension request"), _extensions_in_township,
                    Coalesce("item__title", "issue__title"), _extension_url, link=extension_link),
    ):  # fmt: skip
        register_done_subject(subject)


def register_inbox_providers() -> None:
    for subject_type, label, rows, actions in (
        ("item", _("Item"), item_rows, ("accept", "work", "verify")),
        ("list", _("List"), list_rows, ("publish", "close")),
        ("extension", _("Extension request"), extension_rows, ("decide_extension",)),
    ):
        register_inbox_provider(InboxProvider(subject_type, label, rows, actions))
    register_done_subjects()
