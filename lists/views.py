"""Server-rendered pages for monthly lists and items.

Every action posts to a view that checks the form, then calls one service. A service's
``TransitionConflict`` becomes a message ("the state changed"), its ``TransitionForbidden`` a
403 page. Objects outside the user's scope are 404; commissioners and observers read but never
act, so their POSTs are refused (403).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from organization.models import township_of
from organization.scoping import scope_for
from workflows.engine import TransitionConflict, TransitionForbidden, available_transitions, timeline
from workflows.inbox import done_for, inbox_for
from workflows.pdf import pdf_response, wants_pdf

from . import services
from .excel import ExcelImportError, default_title, export_list, import_list, import_template
from .forms import (
    CloseForm,
    CommentForm,
    CorrectForm,
    EvidenceForm,
    ExtensionForm,
    ImportForm,
    ItemForm,
    ListCreateForm,
    NoteForm,
    ProgressForm,
    ReasonForm,
    ReassignForm,
    SubmitForm,
)
from .models import Evidence, ExtensionRequest, ResponsibilityItem, ResponsibilityList
from .selectors import (
    extensions_awaiting_decision,
    extensions_visible_to,
    items_awaiting_verification,
    items_of_list,
    items_of_list_page,
    items_visible_to,
    lists_visible_to,
    my_task_rows,
    participates,
    units_for_new_lists,
)

Item = ResponsibilityItem
List = ResponsibilityList
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _state_changed(request) -> None:
    messages.error(request, _("The state changed in the meantime; the page shows the current state. Try again."))


def _next_or(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


def item_url(item: Item) -> str:
    return reverse("lists:item-detail", args=[item.pk])


def _posted(request, *, files: bool = False) -> tuple:
    """Form data for a POST (even an empty one, so that missing fields are errors), else nothing."""
    if request.method != "POST":
        return (None, None) if files else (None,)
    return (request.POST, request.FILES) if files else (request.POST,)


def _leads(user, unit) -> bool:
    return scope_for(user).leads(unit)


def _participates(user, item: Item) -> bool:
    return participates(user, item)


def _item_or_404(user, pk: int) -> Item:
    return get_object_or_404(items_visible_to(user), pk=pk)


def _list_or_404(user, pk: int) -> List:
    return get_object_or_404(lists_visible_to(user), pk=pk)


def _require_leader(user, lst: List) -> None:
    if not _leads(user, lst.unit):
        raise PermissionDenied


# -- lists ----------------------------------------------------------------------------------------


def _render_index(request, create_form=None):
    lists = lists_visible_to(request.user).annotate(item_count=Count("items")).order_by("-month", "unit__path")
    page = Paginator(lists, 30).get_page(request.GET.get("page"))
    units = units_for_new_lists(request.user)
    if create_form is None and units.exists():
        create_form = ListCreateForm(units=units)
    return render(request, "lists/list_index.html", {"page": page, "create_form": create_form})


@login_required
def list_index(request):
    """The lists the user may read; leaders also create a list for a unit and month here."""
    return _render_index(request)


@login_required
@require_POST
def list_create(request):
    units = units_for_new_lists(request.user)
    if not units.exists():
        raise PermissionDenied
    form = ListCreateForm(request.POST, units=units)
    if form.is_valid():
        unit, month = form.cleaned_data["unit"], form.cleaned_data["month"]
        title = form.cleaned_data["title"] or default_title(unit, month)
        if List.objects.filter(unit=unit, month=month).exists():
            form.add_error("month", _("This unit already has a list for that month."))
        else:
            try:
                lst = services.list_create(unit=unit, month=month, title=title, actor=request.user)
            except TransitionConflict:
                form.add_error("month", _("This unit already has a list for that month."))
            else:
                messages.success(request, _("The list was created. Add its items, then publish it."))
                return redirect("lists:list-detail", lst.pk)
    return _render_index(request, create_form=form)


@login_required
def list_detail(request, pk: int):
    """A list with progress at a glance; its leaders edit, publish and close it here."""
    lst = _list_or_404(request.user, pk)
    items = items_of_list_page(lst)
    leads = _leads(request.user, lst.unit)
    blockers = lst.publish_blockers() if leads and lst.state == List.State.DRAFT else []
    counts = {}
    for item in items:
        counts[item["state"]] = counts.get(item["state"], 0) + 1
    return render(
        request,
        "lists/list_detail.html",
        {
            "list": lst,
            "items": items,
            "leads": leads,
            "blockers": blockers,
            "completed": counts.get(Item.State.COMPLETED, 0),
            "submitted": counts.get(Item.State.SUBMITTED, 0),
            "red": sum(1 for item in items if item["warning_level"] == "red" and item["state"] in Item.OPEN_STATES),
        },
    )


@login_required
@require_POST
def list_publish(request, pk: int):
    lst = _list_or_404(request.user, pk)
    _require_leader(request.user, lst)
    blockers = lst.publish_blockers() if lst.state == List.State.DRAFT else []
    if blockers:
        messages.error(request, _("The list cannot be published yet:") + " " + " ".join(blockers))
        return redirect("lists:list-detail", lst.pk)
    try:
        services.list_publish(lst=lst, actor=request.user)
    except TransitionForbidden as exc:
        raise PermissionDenied from exc
    except TransitionConflict:
        _state_changed(request)
    else:
        messages.success(request, _("The list is published; every item was assigned to its cadre."))
    return redirect("lists:list-detail", lst.pk)


@login_required
@require_POST
def list_delete(request, pk: int):
    """Delete a draft list; one holding work carried over from last month stays (the message says why)."""
    lst = _list_or_404(request.user, pk)
    _require_leader(request.user, lst)
    try:
        services.list_delete_draft(lst=lst, actor=request.user)
    except TransitionConflict as exc:
        messages.error(request, str(exc))
        return redirect("lists:list-detail", lst.pk)
    messages.success(request, _("The list was deleted."))
    return redirect("lists:list-index")


@login_required
def list_close(request, pk: int):
    """验单: the leader decides for every unfinished item: carry it over or mark it unfinished."""
    lst = _list_or_404(request.user, pk)
    _require_leader(request.user, lst)
    if lst.state != List.State.PUBLISHED:
        messages.error(request, _("Only a published list can be closed."))
        return redirect("lists:list-detail", lst.pk)
    open_items = lst.items.filter(state__in=Item.OPEN_STATES).select_related("assignee")
    form = CloseForm(*_posted(request), items=open_items)
    if request.method == "POST" and form.is_valid():
        try:
            services.list_close(
                lst=lst, actor=request.user, decisions=form.decisions(), comment=form.cleaned_data["comment"]
            )
        except TransitionForbidden as exc:
            raise PermissionDenied from exc
        except TransitionConflict:
            _state_changed(request)
            return redirect("lists:list-close", lst.pk)
        messages.success(request, _("The list is closed."))
        return redirect("lists:list-detail", lst.pk)
    return render(request, "lists/list_close.html", {"list": lst, "form": form})


@login_required
def list_export(request, pk: int):
    lst = _list_or_404(request.user, pk)
    content = export_list(lst, items_of_list(lst))
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="list-{lst.unit_id}-{lst.month_label}.xlsx"'
    return response


@login_required
def list_import(request, pk: int):
    """Upload an .xlsx file into a list: all rows or none, every bad row reported."""
    lst = _list_or_404(request.user, pk)
    _require_leader(request.user, lst)
    form = ImportForm(*_posted(request, files=True))
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            import_list(file=form.cleaned_data["file"], unit=lst.unit, month=lst.month, actor=request.user)
        except ExcelImportError as exc:
            errors = exc.errors
        except TransitionConflict:
            errors = [_("The list is closed.")]
        else:
            messages.success(request, _("The file was imported."))
            return redirect("lists:list-detail", lst.pk)
    return render(request, "lists/list_import.html", {"list": lst, "form": form, "import_errors": errors})


@login_required
def list_import_template(request):
    response = HttpResponse(import_template(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="list-import-template.xlsx"'
    return response


# -- editing items (leaders) ----------------------------------------------------------------------


def _item_fields(form: ItemForm) -> tuple[dict, list]:
    data = dict(form.cleaned_data)
    co_handlers = list(data.pop("co_handlers") or [])
    return data, co_handlers


@login_required
def item_create(request, pk: int):
    lst = _list_or_404(request.user, pk)
    _require_leader(request.user, lst)
    if lst.state == List.State.CLOSED:
        messages.error(request, _("The list is closed."))
        return redirect("lists:list-detail", lst.pk)
    form = ItemForm(*_posted(request), unit=lst.unit)
    if request.method == "POST" and form.is_valid():
        fields, co_handlers = _item_fields(form)
        try:
            services.item_create(
                lst=lst, actor=request.user, co_handlers=co_handlers, sort_order=lst.items.count() + 1, **fields
            )
        except TransitionConflict:
            _state_changed(request)
        else:
            messages.success(request, _("The item was added."))
            if "add_another" in request.POST:
                return redirect("lists:item-create", lst.pk)
            return redirect("lists:list-detail", lst.pk)
    return render(request, "lists/item_form.html", {"list": lst, "form": form, "item": None})


@login_required
def item_edit(request, pk: int):
    item = _item_or_404(request.user, pk)
    _require_leader(request.user, item.list)
    if item.state != Item.State.DRAFT:
        messages.error(request, _("Only draft items can be edited; use an extension to move a deadline."))
        return redirect(item_url(item))
    form = ItemForm(*_posted(request), unit=item.list.unit, item=item, initial=ItemForm.initial_for(item))
    if request.method == "POST" and form.is_valid():
        fields, co_handlers = _item_fields(form)
        try:
            services.item_update(item=item, actor=request.user, co_handlers=co_handlers, **fields)
        except TransitionConflict:
            _state_changed(request)
        else:
            messages.success(request, _("The item was saved."))
        return redirect("lists:list-detail", item.list_id)
    return render(request, "lists/item_form.html", {"list": item.list, "form": form, "item": item})


@login_required
@require_POST
def item_delete(request, pk: int):
    item = _item_or_404(request.user, pk)
    _require_leader(request.user, item.list)
    try:
        services.item_delete_draft(item=item, actor=request.user)
    except TransitionConflict as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The item was deleted."))
    return redirect("lists:list-detail", item.list_id)


# -- the item page and its actions ----------------------------------------------------------------


def _action_form(form_class, item, *args, **kwargs):
    """An action's form; one that chooses among the item's people (改派) is given the item."""
    if getattr(form_class, "needs_item", False):
        kwargs["item"] = item
    return form_class(*args, **kwargs)


ITEM_ACTIONS = {
    "accept": (CommentForm, lambda item, user, d: services.item_accept(item=item, actor=user, comment=d["comment"])),
    "report_progress": (
        ProgressForm,
        lambda item, user, d: services.item_report_progress(
            item=item, actor=user, text=d["text"], percent=d["percent"]
        ),
    ),
    "submit": (SubmitForm, lambda item, user, d: services.item_submit(item=item, actor=user, result=d["result"])),
    "verify": (CommentForm, lambda item, user, d: services.item_verify(item=item, actor=user, comment=d["comment"])),
    "return": (ReasonForm, lambda item, user, d: services.item_return(item=item, actor=user, reason=d["reason"])),
    "suspend": (ReasonForm, lambda item, user, d: services.item_suspend(item=item, actor=user, reason=d["reason"])),
    "resume": (CommentForm, lambda item, user, d: services.item_resume(item=item, actor=user, comment=d["comment"])),
    "cancel": (ReasonForm, lambda item, user, d: services.item_cancel(item=item, actor=user, reason=d["reason"])),
    "reassign": (
        ReassignForm,
        lambda item, user, d: services.item_reassign(item=item, actor=user, assignee=d["assignee"], reason=d["reason"]),
    ),
    "correct": (
        CorrectForm,
        lambda item, user, d: services.item_correct(
            item=item, actor=user, reason=d["reason"], title=d["title"], standard=d["standard"], due_at=d["due_at"]
        ),
    ),
}
DANGER = {"return", "suspend", "cancel", "reassign", "correct"}
# What cannot be undone asks first, naming what will happen (data-confirm on its button).
ITEM_CONFIRM = {
    "reassign": gettext_lazy("Hand this item to another cadre (改派)? Its open step moves to them."),
    "cancel": gettext_lazy("Cancel this item (撤销)? It leaves the list for good and cannot be reopened."),
    "suspend": gettext_lazy("Suspend this item? Its deadline clock stops until a leader resumes it."),
    "return": gettext_lazy("Return this item for rework? The cadre is told your reason and must submit again."),
    "verify": gettext_lazy(
        "Confirm this item as completed (办结)? It closes the item and records whether it was on time."
    ),
    "submit": gettext_lazy(
        "Apply for completion (申请办结)? The lead leader verifies it; you cannot edit the result meanwhile."
    ),
}
# What happened, in words, after the step.
ITEM_DONE = {
    "accept": gettext_lazy("Accepted: %(title)s."),
    "report_progress": gettext_lazy("Progress reported: %(title)s."),
    "submit": gettext_lazy("Completion applied for: %(title)s; it now waits for the lead leader's verification."),
    "verify": gettext_lazy("Completed: %(title)s."),
    "return": gettext_lazy("Returned for rework: %(title)s; the cadre sees your reason."),
    "suspend": gettext_lazy("Suspended: %(title)s; its deadline clock is stopped."),
    "resume": gettext_lazy("Resumed: %(title)s; its deadline clock runs again."),
    "cancel": gettext_lazy("Cancelled: %(title)s."),
    "reassign": gettext_lazy("Reassigned: %(title)s; the new responsible cadre is told."),
    "correct": gettext_lazy("Corrected: %(title)s; the responsible cadre is told."),
}
HISTORY_LABELS = {
    "assign": gettext_lazy("Assigned"),
    "accept": gettext_lazy("Accepted"),
    "report_progress": gettext_lazy("Progress reported"),
    "submit": gettext_lazy("Submitted for verification"),
    "verify": gettext_lazy("Completion verified"),
    "return": gettext_lazy("Returned for rework"),
    "suspend": gettext_lazy("Suspended"),
    "resume": gettext_lazy("Resumed"),
    "cancel": gettext_lazy("Cancelled"),
    "reassign": gettext_lazy("Reassigned"),
    "carry_over": gettext_lazy("Carried over to next month"),
    "mark_unfinished": gettext_lazy("Marked unfinished"),
    "extend": gettext_lazy("Deadline extended"),
    "correct": gettext_lazy("Corrected"),
}


def _timeline(item: Item) -> list[dict]:
    return timeline(item, labels=HISTORY_LABELS)


def _render_item(request, item: Item, bound: dict | None = None):
    bound = bound or {}
    user = request.user
    participates = _participates(user, item)
    actions = []
    if participates:
        for info in available_transitions(item, user):
            if info.name not in ITEM_ACTIONS:
                continue
            form_class = ITEM_ACTIONS[info.name][0]
            form = bound.get(info.name) or _action_form(form_class, item, prefix=info.name)
            actions.append(
                {
                    "name": info.name,
                    "label": info.label,
                    "form": form,
                    "danger": info.name in DANGER,
                    "confirm": ITEM_CONFIRM.get(info.name, ""),
                }
            )
    actions.sort(key=lambda action: action["danger"])
    extensions = list(item.extension_requests.select_related("requested_by", "decided_by"))
    pending = next((e for e in extensions if e.state == ExtensionRequest.State.PENDING), None)
    can_decide = pending is not None and user.pk != pending.requested_by_id and _leads(user, item.unit)
    is_open = item.state in Item.OPEN_STATES
    context = {
        "item": item,
        "history": _timeline(item),
        "leads_unit": _leads(user, item.unit),
        "evidence_limit": settings.EVIDENCE_MAX_BYTES,
        "actions": actions,
        "participates": participates,
        "progress_reports": item.progress_reports.select_related("author"),
        "evidence": item.evidence.select_related("uploaded_by"),
        "comments": item.comments.select_related("author"),
        "co_handlers": item.co_handlers.all(),
        "extensions": extensions,
        "pending_extension": pending,
        "can_decide": can_decide,
        "reject_form": bound.get("reject") or ReasonForm(prefix="reject"),
        "evidence_form": (bound.get("evidence") or EvidenceForm()) if participates and is_open else None,
        "comment_form": (bound.get("comment") or NoteForm(prefix="note")) if participates else None,
        "extension_form": (bound.get("extension") or ExtensionForm(prefix="ext", item=item))
        if user.pk == item.assignee_id and is_open and pending is None
        else None,
    }
    return render(request, "lists/item_detail.html", context)


@login_required
def item_detail(request, pk: int):
    """An item with what the user may do now, its reports, evidence, comments and history."""
    return _render_item(request, _item_or_404(request.user, pk))


@login_required
@require_POST
def item_action(request, pk: int, name: str):
    item = _item_or_404(request.user, pk)
    if name not in ITEM_ACTIONS:
        raise Http404
    if not _participates(request.user, item):
        raise PermissionDenied
    form_class, run = ITEM_ACTIONS[name]
    form = _action_form(form_class, item, request.POST, prefix=name)
    if not form.is_valid():
        return _render_item(request, item, bound={name: form})
    try:
        run(item, request.user, form.cleaned_data)
    except TransitionForbidden as exc:
        raise PermissionDenied from exc
    except TransitionConflict:
        _state_changed(request)
    else:
        messages.success(request, ITEM_DONE[name] % {"title": item.title})
    return redirect(_next_or(request, item_url(item)))


@login_required
@require_POST
def item_evidence(request, pk: int):
    item = _item_or_404(request.user, pk)
    if not _participates(request.user, item):
        raise PermissionDenied
    form = EvidenceForm(request.POST, request.FILES)
    if item.state not in Item.OPEN_STATES:
        messages.error(request, _("Evidence can be added only while the item is open."))
        return redirect(item_url(item))
    if not form.is_valid():
        return _render_item(request, item, bound={"evidence": form})
    stored = services.item_add_evidence_files(item=item, actor=request.user, checked=form.checked)
    messages.success(
        request,
        ngettext(
            "%(count)d file was added to the evidence.", "%(count)d files were added to the evidence.", len(stored)
        )
        % {"count": len(stored)},
    )
    return redirect(item_url(item) + "#evidence")


@login_required
@require_POST
def item_comment(request, pk: int):
    item = _item_or_404(request.user, pk)
    if not _participates(request.user, item):
        raise PermissionDenied
    form = NoteForm(request.POST, prefix="note")
    if not form.is_valid():
        return _render_item(request, item, bound={"comment": form})
    services.item_comment(item=item, actor=request.user, text=form.cleaned_data["text"])
    return redirect(item_url(item))


@login_required
@require_POST
def item_extension(request, pk: int):
    """延期申请 by the responsible cadre."""
    item = _item_or_404(request.user, pk)
    if request.user.pk != item.assignee_id:
        raise PermissionDenied
    form = ExtensionForm(request.POST, prefix="ext", item=item)
    if not form.is_valid():
        return _render_item(request, item, bound={"extension": form})
    try:
        services.extension_request(item=item, actor=request.user, **form.cleaned_data)
    except TransitionForbidden as exc:
        raise PermissionDenied from exc
    except TransitionConflict:
        _state_changed(request)
    else:
        messages.success(request, _("The extension request was sent to the leaders."))
    return redirect(item_url(item))


@login_required
@require_POST
def extension_decide(request, pk: int, decision: str):
    """Approve or reject an extension request on an item or on a work order (工单)."""
    extension = get_object_or_404(extensions_visible_to(request.user), pk=pk)
    if decision not in ("approve", "reject"):
        raise Http404
    if not extension.may_decide(request.user):
        raise PermissionDenied
    on_issue = extension.issue_id is not None
    subject_url = reverse("issues:issue-detail", args=[extension.issue_id]) if on_issue else item_url(extension.item)
    if decision == "reject":
        form = ReasonForm(request.POST, prefix="reject")
        if not form.is_valid():
            if not on_issue:
                return _render_item(request, extension.item, bound={"reject": form})
            messages.error(request, _("Give a reason for rejecting the extension request."))
            return redirect(_next_or(request, subject_url))
    try:
        if decision == "approve":
            services.extension_approve(extension=extension, actor=request.user)
        else:
            services.extension_reject(extension=extension, actor=request.user, reason=form.cleaned_data["reason"])
    except TransitionForbidden as exc:
        raise PermissionDenied from exc
    except TransitionConflict:
        _state_changed(request)
    else:
        messages.success(request, _("The extension request was decided."))
    return redirect(_next_or(request, subject_url))


# -- personal work lists --------------------------------------------------------------------------


@login_required
def my_tasks(request):
    """The cadre's items: open ones first, the finished ones on request."""
    show = request.GET.get("show", "open")
    items, co_handled = my_task_rows(request.user, show_all=show == "all")
    return render(request, "lists/my_tasks.html", {"items": items, "show": show, "co_handled": co_handled})


@login_required
def verification_queue(request):
    """待我审核: submitted items in the units the leader leads."""
    items = items_awaiting_verification(request.user).prefetch_related(
        Prefetch("evidence", queryset=Evidence.objects.only("pk", "item_id", "original_name", "content_type"))
    )
    return render(
        request,
        "lists/verification_queue.html",
        {"items": items, "return_form": ReasonForm(prefix="return"), "verify_form": CommentForm(prefix="verify")},
    )


@login_required
def extension_queue(request):
    extensions = extensions_awaiting_decision(request.user)
    return render(
        request,
        "lists/extension_queue.html",
        {"extensions": extensions, "reject_form": ReasonForm(prefix="reject")},
    )


@login_required
def inbox(request):
    """我的待办: every step waiting on the signed-in user, from the one selector."""
    rows = inbox_for(request.user, stand_ins=not hasattr(request, "stand_in"))
    return render(request, "lists/inbox.html", {"rows": rows, "count": len(rows), "tab": "todo"})


DONE_PAGE_SIZE = 50


@login_required
def inbox_done(request):
    """已办, beside 我的待办: the user's own transitions across subjects, newest first, paged."""
    page = Paginator(done_for(request.user), DONE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "lists/inbox.html", {"page": page, "rows": page.object_list, "tab": "done"})


@login_required
def list_print(request, pk: int):
    """The list on A4 for 公示 and filing: every item with its people and deadline, signature lines."""
    lst = _list_or_404(request.user, pk)
    items = lst.items.select_related("assignee", "lead_leader").order_by("pk")
    context = {
        "list": lst,
        "items": items,
        "township": township_of(lst.unit),
        "back_url": reverse("lists:list-detail", args=[lst.pk]),
    }
    if wants_pdf(request):
        return pdf_response(request, "lists/list_print.html", context, f"list-{lst.unit.code}-{lst.month:%Y-%m}.pdf")
    return render(request, "lists/list_print.html", context)
