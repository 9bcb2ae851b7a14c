"""Pages of the discipline commissioners: the overdue queue, cases, and the warning overview."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_fsm import has_transition_perm

from organization.models import Unit, township_of
from organization.scoping import scope_for, units_readable_by
from workflows.calendar import calendar_warnings
from workflows.engine import TransitionError, timeline
from workflows.pdf import pdf_response, wants_pdf
from workflows.sweep import get_target

from . import selectors, services
from .forms import CaseActForm, CaseCloseForm, CaseOpenForm, QueueFilterForm
from .models import SupervisionAction


def _target_or_404(subject_type: str):
    target = get_target(subject_type)
    if target is None:
        raise Http404
    return target


@login_required
def overdue_queue(request):
    if not selectors.may_supervise(request.user):
        raise PermissionDenied
    target = _target_or_404(request.GET.get("subject_type", "item"))
    scope = scope_for(request.user)
    units = Unit.objects.all() if scope.is_admin else units_readable_by(request.user)
    form = QueueFilterForm(request.GET or None, units=units.filter(kind__in=["branch", "department", "district"]))
    filters = selectors.QueueFilters()
    if form.is_bound and form.is_valid():
        filters = selectors.QueueFilters(
            unit=form.cleaned_data["unit"],
            lead_leader_id=form.cleaned_data["lead_leader"],
            min_days_overdue=form.cleaned_data["days_overdue"],
        )
    page = Paginator(selectors.overdue_queue(request.user, target, filters), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "supervision/queue.html",
        {
            "form": form,
            "page": page,
            "rows": selectors.queue_rows(target, page.object_list),
            "is_commissioner": selectors.is_commissioner(request.user),
        },
    )


@login_required
def case_list(request):
    cases = selectors.cases_visible_to(request.user)
    state = request.GET.get("state")
    if state in ("open", "acting", "closed"):
        cases = cases.filter(state=state)
    page = Paginator(cases, 50).get_page(request.GET.get("page"))
    return render(request, "supervision/case_list.html", {"page": page, "state": state})


def _case_page(request, case, act_form=None, close_form=None, status=200):
    may_act = has_transition_perm(case.act, request.user) if case.is_active else False
    return render(
        request,
        "supervision/case_detail.html",
        {
            "case": case,
            "actions": selectors.case_actions(case),
            "history": timeline(case, labels={"open": _("Case opened")}),
            "may_act": may_act,
            "act_form": act_form or CaseActForm(),
            "close_form": close_form or CaseCloseForm(),
            "subject_url": _subject_url(case),
        },
        status=status,
    )


def _subject_url(case):
    target = get_target(case.subject_type)
    if target is None or target.url_of is None or case.subject is None:
        return None
    return target.url_of(case.subject)


@login_required
def case_detail(request, pk: int):
    case = get_object_or_404(selectors.cases_visible_to(request.user), pk=pk)
    return _case_page(request, case)


def _case_transition(request, pk: int, name: str, form_class):
    case = get_object_or_404(selectors.cases_visible_to(request.user), pk=pk)
    if not scope_for(request.user).oversees(case.unit):
        raise PermissionDenied  # readers who may never act on the case, whatever its state
    if not case.is_active:
        messages.error(request, _("The case is closed."))
        return redirect("supervision:case-detail", pk=case.pk)
    if not has_transition_perm(getattr(case, name), request.user):
        raise PermissionDenied
    form = form_class(request.POST)
    if not form.is_valid():
        forms = {"act_form": form} if name == "act" else {"close_form": form}
        return _case_page(request, case, status=400, **forms)
    try:
        if name == "act":
            services.case_act(case=case, actor=request.user, **form.cleaned_data)
        else:
            services.case_close(case=case, actor=request.user, **form.cleaned_data)
    except TransitionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _done_message(name, form.cleaned_data))
    return redirect("supervision:case-detail", pk=case.pk)


def _done_message(name: str, data: dict) -> str:
    """What happened, in words: a card is not just "saved"."""
    if name == "close":
        return _("The case is closed; its conclusion is on record.")
    kind = data.get("action")
    if kind in (SupervisionAction.Kind.YELLOW_CARD, SupervisionAction.Kind.RED_CARD):
        label = SupervisionAction.Kind(kind).label
        return _("%(card)s issued; it counts in this quarter's assessment.") % {"card": label}
    return _("Recorded: %(action)s.") % {"action": SupervisionAction.Kind(kind).label}


@login_required
@require_POST
def case_act(request, pk: int):
    return _case_transition(request, pk, "act", CaseActForm)


@login_required
@require_POST
def case_close(request, pk: int):
    return _case_transition(request, pk, "close", CaseCloseForm)


@login_required
def case_open(request, subject_type: str, subject_id: int):
    """A commissioner opens a case on a subject in their jurisdiction."""
    target = _target_or_404(subject_type)
    if not selectors.is_commissioner(request.user):
        # Out of the user's sight: 404, as for any other object; visible but not theirs: 403.
        if not selectors.subject_readable(request.user, target, subject_id):
            raise Http404
        raise PermissionDenied
    subject = selectors.subject_in_jurisdiction(request.user, target, subject_id)
    if subject is None:
        raise Http404
    form = CaseOpenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_open(subject=subject, reason=form.cleaned_data["reason"], actor=request.user)
        except TransitionError as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("supervision:case-detail", pk=case.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "supervision/case_open.html",
        {"form": form, "subject": subject, "subject_url": target.url_of(subject) if target.url_of else None},
        status=status,
    )


@login_required
def warning_overview(request):
    if not selectors.may_see_overview(request.user):
        raise PermissionDenied
    target = _target_or_404(request.GET.get("subject_type", "item"))
    rows = selectors.warning_overview(request.user, target)
    totals = {level: sum(row.counts[level] for row in rows) for level in selectors.LEVELS}
    return render(
        request,
        "supervision/overview.html",
        {
            "rows": rows,
            "levels": selectors.LEVELS,
            "totals": totals,
            "calendar_warnings": calendar_warnings() if request.user.is_staff else [],
        },
    )


@login_required
def case_print(request, pk: int):
    """督办通知书: the case on A4, as the discipline committee sends it to the unit."""
    case = get_object_or_404(selectors.cases_visible_to(request.user).select_related("unit", "opened_by"), pk=pk)
    context = {
        "case": case,
        "actions": selectors.case_actions(case),
        "township": township_of(case.unit),
        "back_url": reverse("supervision:case-detail", args=[case.pk]),
    }
    if wants_pdf(request):
        return pdf_response(request, "supervision/case_print.html", context, f"case-{case.pk}.pdf")
    return render(request, "supervision/case_print.html", context)
