"""Party-life pages, phone first: a branch's activities, an activity with its big 签到 button, the
record form, visits and their coverage, observers' findings. The forms validate through the
API's serializers, so a page and the API refuse the same input with the same messages."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from organization.models import Unit
from organization.scoping import scope_for
from workflows.engine import TransitionError, available_transitions, may_ever_take, timeline

from . import services
from .models import Absence, Activity, ActivityKind, ActivityPart, Finding, FrequencyObligation
from .selectors import (
    activities_visible_to,
    activity_detail,
    findings_visible_to,
    frequency_gaps,
    members_of,
    obligations_visible_to,
    organisable_units,
    party_units_of,
    pending_makeups,
    visit_coverage,
    visitable_pairings,
    visits_visible_to,
)
from .serializers import (
    ActivitySerializer,
    CancelInputSerializer,
    FindingSerializer,
    MakeupInputSerializer,
    RecordInputSerializer,
    VisitSerializer,
)

#: Log rows written by services rather than by a transition: their labels on the page.
HISTORY_LABELS = {"schedule": gettext_lazy("Scheduled"), "file": gettext_lazy("Filed")}


class _Request:
    """What a serializer's context needs of a request."""

    def __init__(self, user):
        self.user = user


def _flat_errors(errors) -> dict[str, list[str]]:
    flat = {}
    for field, value in errors.items():
        if isinstance(value, dict):
            for msgs in value.values():
                flat.setdefault(field, []).extend(str(m) for m in (msgs if isinstance(msgs, list) else [msgs]))
        else:
            msgs = []
            for m in value:
                if isinstance(m, dict):
                    msgs += [str(e) for errs in m.values() for e in (errs if isinstance(errs, list) else [errs])]
                elif m:
                    msgs.append(str(m))
            flat[field] = msgs
    return flat


def _photos(request) -> tuple[list, dict[str, list[str]]]:
    """The request's ``photos`` files, checked (HEIC → JPEG), and their errors for the form."""
    from django.core.exceptions import ValidationError

    from .showcases import checked_photos

    try:
        return checked_photos(request.FILES.getlist("photos")), {}
    except ValidationError as exc:
        return [], {"photos": exc.messages}


def _run(request, call, done: str):
    try:
        call()
    except TransitionError as exc:
        if exc.status_code == 403:
            raise PermissionDenied from exc
        messages.error(request, _("This step is not possible now: the activity changed. Reload and try again."))
        return False
    messages.success(request, done)
    return True


# -- activities --------------------------------------------------------------------------------
@login_required
def activity_index(request):
    """The caller's units' activities: upcoming first, then the recent ones; make-ups due."""
    qs = activities_visible_to(request.user)
    unit = None
    if request.GET.get("unit"):
        try:
            unit = get_object_or_404(
                Unit.objects.filter(scope_for(request.user).township_q()), pk=int(request.GET["unit"])
            )
        except ValueError as exc:
            raise Http404 from exc
        qs = qs.filter(unit=unit)
    now = timezone.now()
    organised = list(organisable_units(request.user).filter(kind=Unit.Kind.BRANCH)[:20]) or list(
        organisable_units(request.user)[:1]
    )
    upcoming = list(qs.filter(state=Activity.State.SCHEDULED).order_by("scheduled_at", "pk")[:50])
    recent = list(qs.exclude(state=Activity.State.SCHEDULED).order_by("-scheduled_at", "-pk")[:30])
    context = {
        "unit": unit,
        "upcoming": upcoming,
        "recent": recent,
        "now": now,
        "makeups": list(pending_makeups(request.user)),
        "may_schedule": bool(organised),
        "gaps": frequency_gaps(organised, timezone.localdate()),
        "my_units": party_units_of(request.user),
    }
    return render(request, "partylife/activity_index.html", context)


@login_required
def activity_new(request):
    units = list(organisable_units(request.user))
    if not units:
        raise PermissionDenied
    errors, data = {}, {}
    if request.method == "POST":
        data = {k: request.POST.get(k, "") for k in ("unit", "kind", "title", "scheduled_at", "place")}
        serializer = ActivitySerializer(data=data, context={"request": _Request(request.user)})
        if serializer.is_valid():
            unit = serializer.validated_data["unit"]
            if not scope_for(request.user).organises(unit):
                raise PermissionDenied
            activity = services.activity_create(
                actor=request.user,
                unit=unit,
                kind=serializer.validated_data["kind"],
                title=serializer.validated_data["title"],
                scheduled_at=serializer.validated_data["scheduled_at"],
                place=serializer.validated_data.get("place", ""),
            )
            messages.success(request, _("Activity scheduled; the members were told."))
            return redirect("partylife:activity-detail", pk=activity.pk)
        errors = _flat_errors(serializer.errors)
    context = {"units": units, "kinds": ActivityKind.choices, "errors": errors, "data": data}
    return render(request, "partylife/activity_form.html", context, status=400 if errors else 200)


def _activity_context(request, activity: Activity, **extra) -> dict:
    detail = activity_detail(activity)
    user = request.user
    checked_in = any(a["user"] == user.pk for a in detail["attendance"])
    transitions = {t.name: t for t in available_transitions(activity, user)}
    absence = next((a for a in detail["absentees"] if a["user"] == user.pk), None)
    parts = dict(ActivityPart.objects.values_list("code", "name"))
    return {
        "activity": activity,
        "required_parts": [(code, parts.get(code, code)) for code in detail["required_parts"]],
        "parts_held": [(code, parts.get(code, code)) for code in activity.parts],
        "attendance": detail["attendance"],
        "absentees": detail["absentees"],
        "checked_in": checked_in,
        "may_check_in": "check_in" in transitions and not checked_in,
        "check_in_not_yet": activity.state == Activity.State.SCHEDULED
        and not checked_in
        and may_ever_take(activity, "check_in", user)
        and "check_in" not in transitions,
        "may_record": "record" in transitions,
        "may_cancel": "cancel" in transitions,
        "absence": absence,
        "history": timeline(activity, HISTORY_LABELS),
        **extra,
    }


@login_required
def activity_detail_page(request, pk: int):
    activity = get_object_or_404(activities_visible_to(request.user), pk=pk)
    return render(request, "partylife/activity_detail.html", _activity_context(request, activity))


@login_required
@require_POST
def activity_check_in(request, pk: int):
    activity = get_object_or_404(activities_visible_to(request.user), pk=pk)
    if not may_ever_take(activity, "check_in", request.user):
        raise PermissionDenied
    _run(
        request,
        lambda: services.activity_check_in(activity=activity, actor=request.user),
        _("Checked in."),
    )
    return redirect("partylife:activity-detail", pk=pk)


@login_required
@require_POST
def activity_cancel(request, pk: int):
    activity = get_object_or_404(activities_visible_to(request.user), pk=pk)
    if not may_ever_take(activity, "cancel", request.user):
        raise PermissionDenied
    serializer = CancelInputSerializer(data={"reason": request.POST.get("reason", "")})
    if not serializer.is_valid():
        context = _activity_context(request, activity, cancel_errors=_flat_errors(serializer.errors))
        return render(request, "partylife/activity_detail.html", context, status=400)
    _run(
        request,
        lambda: services.activity_cancel(
            activity=activity, actor=request.user, reason=serializer.validated_data["reason"]
        ),
        _("Activity cancelled."),
    )
    return redirect("partylife:activity-detail", pk=pk)


@login_required
def activity_record(request, pk: int):
    """The record form: minutes, the parts held (the required ones marked), absentees with reasons."""
    activity = get_object_or_404(activities_visible_to(request.user), pk=pk)
    if not may_ever_take(activity, "record", request.user):
        raise PermissionDenied
    if activity.state != Activity.State.SCHEDULED:
        messages.error(request, _("This activity is already recorded or cancelled."))
        return redirect("partylife:activity-detail", pk=pk)
    detail = activity_detail(activity)
    checked = {a["user"] for a in detail["attendance"]}
    members = [m for m in members_of(activity.unit) if m.pk not in checked]
    errors, posted = {}, {}
    if request.method == "POST":
        absentees = [
            {"user": m.pk, "reason": request.POST.get(f"reason_{m.pk}", "").strip()}
            for m in members
            if request.POST.get(f"absent_{m.pk}")
        ]
        posted = {
            "minutes": request.POST.get("minutes", ""),
            "parts": request.POST.getlist("parts"),
            "absentees": absentees,
            "result": request.POST.get("result", ""),
        }
        serializer = RecordInputSerializer(data=posted, context={"object": activity})
        photos, photo_errors = _photos(request)
        if serializer.is_valid() and not photo_errors:
            data = serializer.validated_data
            ok = _run(
                request,
                lambda: services.activity_record(
                    activity=activity,
                    actor=request.user,
                    minutes=data["minutes"],
                    parts=data["parts"],
                    absentees=data["absentees"],
                    result=data.get("result", ""),
                    photos=photos,
                ),
                _("Activity recorded."),
            )
            if ok or activity.state != Activity.State.SCHEDULED:
                return redirect("partylife:activity-detail", pk=pk)
        else:
            errors = {**(_flat_errors(serializer.errors) if serializer.errors else {}), **photo_errors}
    required = set(detail["required_parts"])
    chosen = set(posted.get("parts", detail["required_parts"]))
    parts = [
        {"code": p.code, "name": p.name, "required": p.code in required, "checked": p.code in chosen}
        for p in ActivityPart.objects.all()
    ]
    absent = {a["user"]: a["reason"] for a in posted.get("absentees", [])}
    context = {
        "activity": activity,
        "parts": parts,
        "members": [{"user": m, "absent": m.pk in absent, "reason": absent.get(m.pk, "")} for m in members],
        "attendance": detail["attendance"],
        "errors": errors,
        "minutes": posted.get("minutes", ""),
    }
    return render(request, "partylife/activity_record.html", context, status=400 if errors else 200)


@login_required
@require_POST
def activity_makeup(request, pk: int):
    activity = get_object_or_404(activities_visible_to(request.user), pk=pk)
    absence = Absence.objects.filter(activity=activity, user=request.user).first()
    if absence is None:
        raise PermissionDenied
    serializer = MakeupInputSerializer(data={"note": request.POST.get("note", "")})
    if not serializer.is_valid():
        context = _activity_context(request, activity, makeup_errors=_flat_errors(serializer.errors))
        return render(request, "partylife/activity_detail.html", context, status=400)
    _run(
        request,
        lambda: services.activity_makeup(absence=absence, actor=request.user, note=serializer.validated_data["note"]),
        _("Make-up study recorded."),
    )
    return redirect("partylife:activity-detail", pk=pk)


# -- visits ------------------------------------------------------------------------------------
@login_required
def visit_index(request):
    """My branch's visits and the form to log one (the units paired with my branch)."""
    pairings = list(visitable_pairings(request.user))
    errors, data = {}, {}
    if request.method == "POST":
        if not pairings:
            raise PermissionDenied
        data = {k: request.POST.get(k, "") for k in ("unit", "visited_on", "companions", "notes")}
        issue_title = request.POST.get("issue_title", "").strip()
        if issue_title:
            data["issues"] = [
                {
                    "title": issue_title,
                    "description": request.POST.get("issue_description", ""),
                    "category": request.POST.get("issue_category") or "other",
                    "urgency": request.POST.get("issue_urgency") or "normal",
                }
            ]
        serializer = VisitSerializer(data=data, context={"request": _Request(request.user)})
        photos, photo_errors = _photos(request)
        if serializer.is_valid() and not photo_errors:
            v = serializer.validated_data
            visit = services.visit_create(
                visitor=request.user,
                unit=v["unit"],
                branch=v["branch"],
                visited_on=v["visited_on"],
                notes=v["notes"],
                companions=v.get("companions", ""),
                issues=v.get("issues", []),
                photos=photos,
            )
            messages.success(
                request,
                _("Visit logged.")
                + (
                    " " + _("%(n)d livelihood issue(s) registered.") % {"n": len(visit.issue_ids)}
                    if visit.issue_ids
                    else ""
                ),
            )
            return redirect("partylife:visit-index")
        errors = {**(_flat_errors(serializer.errors) if serializer.errors else {}), **photo_errors}
    from issues.models import LivelihoodIssue

    partners = {}
    for p in pairings:
        partners.setdefault(p.partner_id, p.partner)
    context = {
        "partners": list(partners.values()),
        "visits": list(visits_visible_to(request.user).order_by("-visited_on", "-pk")[:50]),
        "errors": errors,
        "data": data,
        "today": timezone.localdate(),
        "categories": LivelihoodIssue.Category.choices,
    }
    return render(request, "partylife/visit_index.html", context, status=400 if errors else 200)


@login_required
def visit_coverage_page(request):
    month = request.GET.get("month") or timezone.localdate().strftime("%Y-%m")
    try:
        year, mon = (int(x) for x in month.split("-"))
        if not (2000 <= year <= 2100 and 1 <= mon <= 12):
            raise ValueError
    except ValueError:
        month = timezone.localdate().strftime("%Y-%m")
        messages.error(request, _("Enter a month as YYYY-MM."))
    rows = visit_coverage(request.user, month)
    context = {
        "month": month,
        "rows": rows,
        "visited": sum(1 for r in rows if r["visits"]),
        "unvisited": sum(1 for r in rows if not r["visits"]),
    }
    return render(request, "partylife/visit_coverage.html", context)


# -- findings ----------------------------------------------------------------------------------
def _may_file(user) -> bool:
    scope = scope_for(user)
    return scope.is_admin or bool(scope.observed_paths or scope.overseen_paths)


@login_required
def finding_index(request):
    errors, data = {}, {}
    may_file = _may_file(request.user)
    if request.method == "POST":
        if not may_file:
            raise PermissionDenied
        data = {k: request.POST.get(k, "") for k in ("unit", "title", "description")}
        serializer = FindingSerializer(data=data, context={"request": _Request(request.user)})
        if serializer.is_valid():
            unit = serializer.validated_data["unit"]
            scope = scope_for(request.user)
            if not (
                scope.is_admin or scope.oversees(unit) or any(unit.path.startswith(p) for p in scope.observed_paths)
            ):
                raise PermissionDenied
            finding = services.finding_file(
                actor=request.user,
                unit=unit,
                title=serializer.validated_data["title"],
                description=serializer.validated_data["description"],
            )
            messages.success(request, _("Finding filed; the commissioners were told."))
            return redirect("partylife:finding-detail", pk=finding.pk)
        errors = _flat_errors(serializer.errors)
    units = []
    if may_file:
        units = list(
            Unit.objects.filter(scope_for(request.user).township_q(), scope_for(request.user).readable_units_q())
            .exclude(kind__in=[Unit.Kind.TOWNSHIP, Unit.Kind.DISTRICT])
            .order_by("path")
        )
    context = {
        "findings": list(findings_visible_to(request.user)[:100]),
        "may_file": may_file,
        "units": units,
        "errors": errors,
        "data": data,
    }
    return render(request, "partylife/finding_index.html", context, status=400 if errors else 200)


def _finding_context(request, finding: Finding, **extra) -> dict:
    return {
        "finding": finding,
        "transitions": {t.name for t in available_transitions(finding, request.user)},
        "history": timeline(finding, HISTORY_LABELS),
        **extra,
    }


@login_required
def finding_detail(request, pk: int):
    finding = get_object_or_404(findings_visible_to(request.user), pk=pk)
    return render(request, "partylife/finding_detail.html", _finding_context(request, finding))


@login_required
@require_POST
def finding_decide(request, pk: int, name: str):
    finding = get_object_or_404(findings_visible_to(request.user), pk=pk)
    if name not in ("accept", "dismiss"):
        raise Http404
    if not may_ever_take(finding, name, request.user):
        raise PermissionDenied
    if name == "dismiss":
        serializer = CancelInputSerializer(data={"reason": request.POST.get("reason", "")})
        if not serializer.is_valid():
            context = _finding_context(request, finding, errors=_flat_errors(serializer.errors))
            return render(request, "partylife/finding_detail.html", context, status=400)
        call = lambda: services.finding_dismiss(  # noqa: E731
            finding=finding, actor=request.user, reason=serializer.validated_data["reason"]
        )
    else:
        call = lambda: services.finding_accept(finding=finding, actor=request.user)  # noqa: E731
    _run(request, call, _("Done."))
    return redirect("partylife:finding-detail", pk=pk)


# -- 三会一课 obligations ---------------------------------------------------------------------
@login_required
def obligation_index(request):
    """The branches' 三会一课 obligations, open ones first (coloured by the sweep), then met."""
    qs = obligations_visible_to(request.user)
    if request.GET.get("unit", "").isdigit():
        qs = qs.filter(unit_id=int(request.GET["unit"]))
    level = request.GET.get("warning_level", "")
    if level in dict(FrequencyObligation.Warning.choices):
        qs = qs.filter(warning_level=level)
    rows = list(qs.order_by("state", "due_at", "unit__path", "kind")[:200])
    return render(request, "partylife/obligation_index.html", {"rows": rows, "level": level})
