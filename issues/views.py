"""Pages for livelihood issues: register, dispatch board, my orders, follow-ups, the 1+N view."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from organization.models import Unit, township_of
from organization.scoping import scope_for
from workflows.api import CommentInputSerializer
from workflows.engine import TransitionConflict, TransitionForbidden, api_transitions, available_transitions, timeline
from workflows.images import normalize_photo
from workflows.pdf import pdf_response, wants_pdf

from . import services
from .apis import may_add_photo
from .models import PLACE_KINDS, IssuePhoto, LivelihoodIssue, can_dispatch, phone_validator
from .selectors import (
    issue_counts_by_place,
    issues_awaiting_follow_up,
    issues_for_handler,
    issues_to_dispatch,
    issues_visible_to,
    possible_duplicates,
)
from .serializers import TRANSITION_INPUTS

Issue = LivelihoodIssue


class IssueRegisterForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, required=False)
    source = forms.ChoiceField(label=_("Source"), choices=Issue.Source.choices)
    place_unit = forms.ModelChoiceField(
        label=_("Village or enterprise"),
        queryset=Unit.objects.filter(kind__in=PLACE_KINDS),
        required=False,
        empty_label=_("Another place (describe it below)"),
    )
    place_text = forms.CharField(label=_("Other place"), max_length=200, required=False)
    category = forms.ChoiceField(label=_("Category"), choices=Issue.Category.choices)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Issue.Urgency.choices)
    reporter_name = forms.CharField(label=_("Raised by (name)"), max_length=50, required=False)
    reporter_phone = forms.CharField(label=_("Raised by (phone)"), max_length=20, required=False, validators=[phone_validator], widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}))  # fmt: skip
    # A phone opens its camera for the photo (capture); the gallery stays available on desktops.
    photo = forms.FileField(label=_("Photo"), required=False, widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}))  # fmt: skip

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        # The villages and enterprises of the caller's own township only.
        self.fields["place_unit"].queryset = Unit.objects.filter(scope_for(user).township_q(), kind__in=PLACE_KINDS)

    def clean_photo(self):
        upload = self.cleaned_data.get("photo")
        if upload:
            upload, self.photo_content_type = normalize_photo(upload)
        return upload

    def clean(self):
        data = super().clean()
        if not data.get("place_unit") and not (data.get("place_text") or "").strip():
            self.add_error("place_text", _("Choose a village or enterprise, or describe the place."))
        return data


def _may_register(user) -> bool:
    scope = scope_for(user)
    return scope.is_admin or scope.has_role("cadre") or scope.has_role("leader")


# What happened, in words, after a step on a work order.
ISSUE_DONE = {
    "answer": _("Answered on the spot and archived."),
    "dispatch": _("Dispatched: the handler is told and must accept it."),
    "accept": _("Accepted: the work order is yours to resolve."),
    "reject": _("Returned to the dispatcher as wrongly routed."),
    "report_progress": _("Progress reported."),
    "resolve": _("Resolved: a follow-up call with the person who raised it comes next."),
    "follow_up": _("Follow-up call recorded."),
    "reopen": _("Reopened for rework."),
    "close": _("Archived."),
    "cancel": _("Cancelled."),
}


@login_required
def issue_register(request):
    if not _may_register(request.user):
        raise PermissionDenied
    form = IssueRegisterForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        photo = data.pop("photo")
        issue = services.issue_register(actor=request.user, **data)
        if photo:
            services.issue_add_photo(
                issue=issue, actor=request.user, upload=photo, content_type=form.photo_content_type
            )
        messages.success(request, _("The issue was registered."))
        return redirect("issues:issue-detail", pk=issue.pk)
    return render(request, "issues/register.html", {"form": form})


@login_required
def issue_list(request):
    """Every order the user may see, newest first (paginated by 50)."""
    issues = issues_visible_to(request.user).order_by("-reported_at", "-pk")
    state = request.GET.get("state")
    if state in Issue.State.values:
        issues = issues.filter(state=state)
    return render(request, "issues/list.html", {"issues": issues[:50], "heading": _("Livelihood issues")})  # fmt: skip


@login_required
def dispatch_board(request):
    if not can_dispatch(request.user):
        raise PermissionDenied
    return render(request, "issues/list.html", {"issues": issues_to_dispatch(request.user), "heading": _("Dispatch board"), "row_action": _("Dispatch")})  # fmt: skip


@login_required
def my_orders(request):
    return render(request, "issues/list.html", {"issues": issues_for_handler(request.user), "heading": _("My work orders"), "row_action": _("Handle")})  # fmt: skip


@login_required
def follow_ups(request):
    if not can_dispatch(request.user):
        raise PermissionDenied
    return render(request, "issues/list.html", {"issues": issues_awaiting_follow_up(request.user), "heading": _("Follow-up calls"), "row_action": _("Follow-up call")})  # fmt: skip


@login_required
def places(request):
    """The 1+N view: per village / community / enterprise, what was raised and resolved."""
    return render(request, "issues/places.html", {"places": issue_counts_by_place(request.user)})


def _handler_memberships(issue):
    """Whom the dispatch form offers: a person in a unit of the order's township that handles
    work orders."""
    from organization.models import Membership, path_prefix_q

    return Membership.objects.filter(
        path_prefix_q(*issue.township_paths(), field="unit__path"),
        unit__kind__in=["branch", "department", *PLACE_KINDS],
    )


# Steps that end an order or send it back: shown after the step its state usually takes next.
SECONDARY_STEPS = frozenset({"answer", "reject", "cancel", "close"})


def _detail_context(request, issue, **extra):
    transitions = sorted(available_transitions(issue, request.user), key=lambda t: t.name in SECONDARY_STEPS)
    handler_choices = []
    if any(t.name == "dispatch" for t in transitions):
        handler_choices = _handler_memberships(issue).select_related("user", "unit").order_by("unit__path", "user__username")  # fmt: skip
    return {
        "issue": issue,
        "phone": issue.phone_for(request.user),
        "history": timeline(issue, labels={"report": _("Registered")}),
        "transitions": transitions,
        "progress_reports": issue.progress_reports.select_related("author"),
        "follow_up_calls": issue.follow_ups.select_related("called_by"),
        "photos": issue.photos.all(),
        "co_units": issue.co_units.all(),
        "duplicates": possible_duplicates(issue, request.user) if issue.state == Issue.State.REPORTED else [],
        "handler_choices": handler_choices,
        "may_add_photo": may_add_photo(issue, request.user),
        "satisfaction_choices": Issue.Satisfaction.choices,
        "resolution_choices": Issue.Resolution.choices,
        "secondary_steps": SECONDARY_STEPS,
        **extra,
    }


@login_required
def issue_detail(request, pk: int):
    issue = get_object_or_404(issues_visible_to(request.user), pk=pk)
    return render(request, "issues/detail.html", _detail_context(request, issue))


_SERVICES = {
    "answer": services.issue_answer,
    "dispatch": services.issue_dispatch,
    "accept": services.issue_accept,
    "reject": services.issue_reject,
    "report_progress": services.issue_report_progress,
    "resolve": services.issue_resolve,
    "follow_up": services.issue_follow_up,
    "reopen": services.issue_reopen,
    "close": services.issue_close,
    "cancel": services.issue_cancel,
}


@login_required
@require_POST
def issue_transition(request, pk: int, name: str):
    """A transition form on the issue page; errors redisplay the page with the input kept."""
    issue = get_object_or_404(issues_visible_to(request.user), pk=pk)
    if name not in api_transitions(Issue) or name not in _SERVICES:
        raise Http404
    if name not in {t.name for t in available_transitions(issue, request.user)}:
        raise PermissionDenied
    data = request.POST.copy()
    errors = {}
    if name == "dispatch" and data.get("membership"):
        raw = data["membership"].strip()
        membership = None
        if raw.isascii() and raw.isdigit():
            membership = _handler_memberships(issue).filter(pk=int(raw)).first()
        if membership is None:
            errors["membership"] = [_("Choose the handler from the list.")]
        else:
            data["handler"], data["unit"] = membership.user_id, membership.unit_id
    serializer = TRANSITION_INPUTS.get(name, CommentInputSerializer)(data=data, context={"object": issue})
    if errors or not serializer.is_valid():
        errors = errors or serializer.errors
        context = _detail_context(request, issue, errors=errors, failed=name, posted=request.POST)
        return render(request, "issues/detail.html", context, status=400)
    try:
        _SERVICES[name](issue=issue, actor=request.user, **serializer.validated_data)
    except TransitionForbidden as exc:
        raise PermissionDenied from exc
    except TransitionConflict as exc:
        messages.error(request, str(exc))
        return redirect("issues:issue-detail", pk=issue.pk)
    messages.success(request, ISSUE_DONE.get(name, _("Done.")))
    return redirect("issues:issue-detail", pk=issue.pk)


@login_required
@require_POST
def photo_upload(request, pk: int):
    issue = get_object_or_404(issues_visible_to(request.user), pk=pk)
    if not may_add_photo(issue, request.user):
        raise PermissionDenied
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise ValidationError(_("Choose a photo."))
        upload, content_type = normalize_photo(upload)
    except ValidationError as exc:
        context = _detail_context(request, issue, photo_errors=exc.messages)
        return render(request, "issues/detail.html", context, status=400)
    services.issue_add_photo(issue=issue, actor=request.user, upload=upload, content_type=content_type)
    return redirect("issues:issue-detail", pk=issue.pk)


@login_required
def photo(request, pk: int):
    """Serve a photo to those who may see its issue (404 for everyone else)."""
    photo = get_object_or_404(IssuePhoto.objects.select_related("issue"), pk=pk)
    if not issues_visible_to(request.user).filter(pk=photo.issue_id).exists():
        raise Http404
    response = FileResponse(photo.file.open("rb"), content_type=photo.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline"
    return response


@login_required
def issue_print(request, pk: int):
    """回执: the work order on A4, to hand back to the person who raised it or to file."""
    issue = get_object_or_404(issues_visible_to(request.user).select_related("unit", "handler", "place_unit"), pk=pk)
    unit = issue.place_unit or issue.unit
    context = {
        "issue": issue,
        "phone": issue.phone_for(request.user),
        "township": township_of(unit) if unit else None,
        "back_url": reverse("issues:issue-detail", args=[issue.pk]),
    }
    if wants_pdf(request):
        return pdf_response(request, "issues/issue_print.html", context, f"work-order-{issue.pk}.pdf")
    return render(request, "issues/issue_print.html", context)
