"""Pledge pages: my pledges, a pledge, the leaders' review queue and checks, the branch boards."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from organization.models import Unit, township_of
from organization.scoping import scope_for
from workflows.engine import (
    TransitionConflict,
    TransitionError,
    api_transitions,
    available_transitions,
    may_ever_take,
    timeline,
)
from workflows.pdf import pdf_response, wants_pdf

from . import services
from .excel import board_workbook
from .models import PLEDGE_TEXT_MAX, Pledge, PledgeCheck, PledgeEvaluation
from .selectors import (
    branches_with_boards,
    pledge_board,
    pledge_checks_due,
    pledge_fulfilment_rate,
    pledges_awaiting_evaluation,
    pledges_awaiting_review,
    pledges_for_member,
    pledges_visible_to,
)
from .serializers import duplicate_pledge_error, pledge_due_date_errors, pledge_text_errors


class PledgeForm(forms.Form):
    category = forms.ChoiceField(label=gettext_lazy("category"), choices=Pledge.Category.choices)
    text = forms.CharField(
        label=gettext_lazy("pledge"),
        max_length=PLEDGE_TEXT_MAX * 3,
        strip=False,
        widget=forms.TextInput(attrs={"size": 80}),
    )
    due_date = forms.DateField(label=gettext_lazy("due date"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, member, instance: Pledge | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.member = member
        self.instance = instance

    def clean_text(self):
        errors = pledge_text_errors(self.cleaned_data["text"])
        if errors:
            raise forms.ValidationError(errors)
        return self.cleaned_data["text"].strip()

    def clean(self):
        data = super().clean()
        year = self.instance.year if self.instance else timezone.localdate().year
        if data.get("due_date"):
            for error in pledge_due_date_errors(data["due_date"], year, instance=self.instance):
                self.add_error("due_date", error)
        duplicate = duplicate_pledge_error(self.member, year, exclude_pk=self.instance.pk if self.instance else None)
        if duplicate:
            self.add_error("text", duplicate)
        data["year"] = year
        return data


class TransitionForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    evidence_text = forms.CharField(
        label=gettext_lazy("evidence of fulfilment"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    comment = forms.CharField(label=gettext_lazy("comment"), required=False, max_length=2000)

    REQUIRED = {"return": "reason", "reject_claim": "reason", "mark_unfulfilled": "reason", "claim": "evidence_text"}

    def __init__(self, *args, name: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.name = name

    def clean(self):
        data = super().clean()
        needed = self.REQUIRED.get(self.name)
        if needed and not (data.get(needed) or "").strip():
            self.add_error(needed, _("This field is required."))
        return data


class CheckForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("kind"), choices=PledgeCheck.Kind.choices)
    note = forms.CharField(label=gettext_lazy("note"), max_length=300)


class EvaluationForm(forms.Form):
    rater = forms.ChoiceField(label=gettext_lazy("rated by (kind)"), choices=PledgeEvaluation.Rater.choices)
    rating = forms.ChoiceField(label=gettext_lazy("rating"), choices=PledgeEvaluation.Rating.choices)
    note = forms.CharField(label=gettext_lazy("note"), max_length=300, required=False)


# What happened, in words, after a step on a pledge.
PLEDGE_DONE = {
    "submit": gettext_lazy("Submitted for review: the branch reviews the pledge before it is published."),
    "approve": gettext_lazy("Approved: the pledge is now on the branch board."),
    "return": gettext_lazy("Returned to the member to make it checkable."),
    "claim": gettext_lazy("Fulfilment reported: the branch confirms it."),
    "confirm": gettext_lazy("Confirmed as fulfilled."),
    "reject_claim": gettext_lazy("Not yet fulfilled: the pledge is back on the board."),
    "mark_unfulfilled": gettext_lazy("Marked unfulfilled; the reason is shown on the branch board."),
    "withdraw": gettext_lazy("Withdrawn: the pledge left the branch board."),
}


@login_required
def my_pledges(request):
    """The member's pledges and the form to make one (提诺)."""
    branch = services.branch_of_member(request.user)
    form = PledgeForm(request.POST or None, member=request.user)
    if request.method == "POST":
        if branch is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                pledge = services.pledge_create(
                    member=request.user,
                    text=form.cleaned_data["text"],
                    due_date=form.cleaned_data["due_date"],
                    category=form.cleaned_data["category"],
                    year=form.cleaned_data["year"],
                )
            except TransitionConflict as exc:
                form.add_error("text", str(exc))
            else:
                messages.success(request, _("Pledge saved as a draft: submit it for review when ready."))
                return redirect("pledges:pledge-detail", pk=pledge.pk)
    return render(
        request,
        "pledges/mine.html",
        {"pledges": pledges_for_member(request.user), "form": form, "branch": branch},
    )


# The step that moves a pledge forward in its six steps; the others (return, withdraw, …) follow it.
PRIMARY_STEPS = frozenset({"submit", "approve", "claim", "confirm"})


def _detail_context(request, pledge: Pledge, **extra) -> dict:
    user = request.user
    transitions = sorted(available_transitions(pledge, user), key=lambda t: t.name not in PRIMARY_STEPS)
    return {
        "pledge": pledge,
        "primary_steps": PRIMARY_STEPS,
        "history": timeline(pledge),
        "transitions": transitions,
        "transition_form": extra.pop("transition_form", None) or TransitionForm(name=""),
        "failed_transition": extra.pop("failed_transition", ""),
        "checks": pledge.checks.select_related("checked_by"),
        "evaluations": pledge.evaluations.select_related("recorded_by"),
        "check_form": extra.pop("check_form", None) or CheckForm(),
        "evaluation_form": extra.pop("evaluation_form", None) or EvaluationForm(),
        "may_check": pledge.can_be_checked and any(pledge.may_record_check(user, k) for k in PledgeCheck.Kind.values),
        "may_evaluate": pledge.can_be_evaluated
        and any(pledge.may_evaluate(user, r) for r in PledgeEvaluation.Rater.values),
        "may_edit": pledge.state == Pledge.State.DRAFT and pledge.member_id == user.pk,
        **extra,
    }


@login_required
def pledge_detail(request, pk: int):
    pledge = get_object_or_404(pledges_visible_to(request.user), pk=pk)
    return render(request, "pledges/detail.html", _detail_context(request, pledge))


@login_required
def pledge_edit(request, pk: int):
    pledge = get_object_or_404(pledges_visible_to(request.user), pk=pk)
    if pledge.member_id != request.user.pk or pledge.state != Pledge.State.DRAFT:
        raise PermissionDenied
    initial = {"category": pledge.category, "text": pledge.text, "due_date": pledge.due_date}
    form = PledgeForm(request.POST or None, initial=initial, member=request.user, instance=pledge)
    if request.method == "POST" and form.is_valid():
        services.pledge_update(
            pledge=pledge,
            actor=request.user,
            text=form.cleaned_data["text"],
            due_date=form.cleaned_data["due_date"],
            category=form.cleaned_data["category"],
        )
        messages.success(request, _("Pledge updated."))
        return redirect("pledges:pledge-detail", pk=pledge.pk)
    return render(request, "pledges/edit.html", {"pledge": pledge, "form": form})


@login_required
@require_POST
def pledge_transition(request, pk: int, name: str):
    pledge = get_object_or_404(pledges_visible_to(request.user), pk=pk)
    if name not in api_transitions(Pledge):
        raise Http404
    if not may_ever_take(pledge, name, request.user):
        raise PermissionDenied
    form = TransitionForm(request.POST, name=name)
    if not form.is_valid():
        context = _detail_context(request, pledge, transition_form=form, failed_transition=name)
        return render(request, "pledges/detail.html", context, status=400)
    try:
        services.pledge_take(pledge=pledge, name=name, actor=request.user, **form.cleaned_data)
    except TransitionError as exc:
        if exc.status_code == 403:
            raise PermissionDenied from exc
        messages.error(request, _("This step is not possible now: the pledge changed. Reload and try again."))
    else:
        messages.success(request, PLEDGE_DONE.get(name, _("Done.")))
    return redirect("pledges:pledge-detail", pk=pk)


@login_required
@require_POST
def pledge_check(request, pk: int):
    pledge = get_object_or_404(pledges_visible_to(request.user), pk=pk)
    form = CheckForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "pledges/detail.html",
            _detail_context(request, pledge, check_form=form),
            status=400,
        )
    if not pledge.may_record_check(request.user, form.cleaned_data["kind"]):
        raise PermissionDenied
    if not pledge.can_be_checked:
        messages.error(request, _("Only a pledge being fulfilled is checked."))
    else:
        services.pledge_record_check(pledge=pledge, actor=request.user, **form.cleaned_data)
        messages.success(request, _("Check recorded."))
    return redirect("pledges:pledge-detail", pk=pk)


@login_required
@require_POST
def pledge_evaluate(request, pk: int):
    pledge = get_object_or_404(pledges_visible_to(request.user), pk=pk)
    form = EvaluationForm(request.POST)
    if not form.is_valid():
        context = _detail_context(request, pledge, evaluation_form=form)
        return render(request, "pledges/detail.html", context, status=400)
    if not pledge.may_evaluate(request.user, form.cleaned_data["rater"]):
        raise PermissionDenied
    if not pledge.can_be_evaluated:
        messages.error(request, _("Only a fulfilled or unfulfilled pledge is evaluated."))
    else:
        services.pledge_evaluate(pledge=pledge, actor=request.user, **form.cleaned_data)
        messages.success(request, _("Rating recorded."))
    return redirect("pledges:pledge-detail", pk=pk)


@login_required
def pledge_review(request):
    """The leader's work: pledges to review or confirm, and checks due this quarter / half-year."""
    scope = scope_for(request.user)
    if not scope.led_paths and not scope.is_admin:
        raise PermissionDenied
    today = timezone.localdate()
    return render(
        request,
        "pledges/review.html",
        {
            "awaiting": pledges_awaiting_review(request.user),
            "to_evaluate": pledges_awaiting_evaluation(request.user),
            "quarterly_due": pledge_checks_due(request.user, kind=PledgeCheck.Kind.GROUP_QUARTERLY, as_of=today),
            "half_yearly_due": pledge_checks_due(request.user, kind=PledgeCheck.Kind.BRANCH_HALF_YEARLY, as_of=today),
            "quarter": PledgeCheck.period_for(PledgeCheck.Kind.GROUP_QUARTERLY, today),
            "half_year": PledgeCheck.period_for(PledgeCheck.Kind.BRANCH_HALF_YEARLY, today),
        },
    )


@login_required
def board_index(request):
    branches = branches_with_boards(request.user)
    if not scope_for(request.user).roles and not request.user.is_superuser:
        raise PermissionDenied
    return render(request, "pledges/board_index.html", {"branches": branches})


def _board_unit(request, unit_pk: int) -> Unit:
    return get_object_or_404(branches_with_boards(request.user), pk=unit_pk)


@login_required
def board(request, unit_pk: int):
    """公示: the branch's approved and later pledges, readable by every member of the township."""
    unit = _board_unit(request, unit_pk)
    printing = bool(request.GET.get("print"))
    template = "pledges/board_print.html" if printing else "pledges/board.html"
    today = timezone.localdate()
    quarter = (today.month - 1) // 3 + 1
    context = {
        "unit": unit,
        "pledges": pledge_board(unit),
        "today": today,
        "quarter": f"{today.year}-Q{quarter}",
        "fulfilment": pledge_fulfilment_rate(unit, year=today.year, quarter=quarter),
    }
    if printing:
        context |= {
            "township": township_of(unit),
            "autoprint": True,
            "back_url": reverse("pledges:pledge-board", args=[unit.pk]),
        }
        if wants_pdf(request):
            return pdf_response(request, template, context, f"pledge-board-{unit.code}-{today:%Y-%m-%d}.pdf")
    return render(request, template, context)


@login_required
def board_export(request, unit_pk: int):
    unit = _board_unit(request, unit_pk)
    response = HttpResponse(
        board_workbook(unit, pledge_board(unit)),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="pledges-{unit.code}.xlsx"'
    return response
