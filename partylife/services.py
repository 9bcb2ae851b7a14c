"""Services of Party organisational life: activities, visits, findings.

Each is one transaction: it locks the row, runs the model transition through
``workflows.engine.apply_transition`` (which saves and logs in the audit chain), writes what
else changes and emits the domain event. Input is validated before (serializers, forms).
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from organization.models import Unit, User
from organization.scoping import commissioners_for
from workflows.audit import append_log
from workflows.calendar import local_minute
from workflows.engine import TransitionConflict, apply_transition
from workflows.events import emit

from .models import Absence, Activity, ActivityPhoto, Attendance, Finding, Visit, VisitPhoto

__all__ = [
    "activity_cancel",
    "activity_check_in",
    "activity_create",
    "activity_makeup",
    "activity_record",
    "finding_accept",
    "finding_dismiss",
    "finding_file",
    "photos_add",
    "visit_create",
]


def _activity_context(activity: Activity, **extra) -> dict:
    return {
        "title": activity.title,
        "unit": activity.unit.name,
        "due_at": local_minute(activity.scheduled_at),
        "url": reverse("partylife:activity-detail", args=[activity.pk]),
        **extra,
    }


def _locked_activity(activity: Activity) -> Activity:
    return Activity.objects.select_for_update().select_related("unit").get(pk=activity.pk)


@transaction.atomic
def activity_create(
    *, actor: User, unit: Unit, kind: str, title: str, scheduled_at: dt.datetime, place: str = ""
) -> Activity:
    """Schedule an activity of ``unit`` (caller checked the actor organises it); members are told."""
    activity = Activity.objects.create(
        unit=unit, kind=kind, title=title.strip(), scheduled_at=scheduled_at, place=place.strip(), organiser=actor
    )
    append_log(activity, transition="schedule", source="", target=activity.state, actor=actor)
    from .selectors import member_ids_of

    emit(
        "activity.scheduled",
        subject=activity,
        recipients=[pk for pk in member_ids_of(unit) if pk != actor.pk],
        actor=actor,
        context=_activity_context(activity, place=activity.place),
    )
    return activity


@transaction.atomic
def activity_check_in(*, activity: Activity, actor: User, comment: str = "") -> Activity:
    """签到: the member checks in for themself; checking in twice changes nothing."""
    activity = _locked_activity(activity)
    if Attendance.objects.filter(activity=activity, user=actor).exists():
        return activity
    apply_transition(activity, "check_in", actor=actor, comment=comment)
    Attendance.objects.create(activity=activity, user=actor, checked_in_at=timezone.now())
    return activity


@transaction.atomic
def activity_record(
    *,
    activity: Activity,
    actor: User,
    minutes: str,
    parts: list[str],
    absentees: list[dict],
    comment: str = "",
    result: str = "",
    photos=(),
) -> Activity:
    """The organiser records minutes, parts held and absentees (``[{"user": User, "reason"}]``);
    each absentee gets a make-up (补学) task and is told. Required parts were checked before."""
    activity = _locked_activity(activity)
    apply_transition(
        activity,
        "record",
        actor=actor,
        comment=comment,
        payload={
            "parts": list(parts),
            "absentees": [{"user": a["user"].pk, "reason": a["reason"]} for a in absentees],
        },
        minutes=minutes,
        parts=parts,
        recorder=actor,
        result=result,
    )
    Absence.objects.bulk_create(Absence(activity=activity, user=a["user"], reason=a["reason"]) for a in absentees)
    from .obligations import obligation_meet_by
    from .showcases import save_photos

    save_photos(ActivityPhoto, photos, activity=activity)
    obligation_meet_by(activity=activity, actor=actor)
    if absentees:
        emit(
            "activity.makeup_due",
            subject=activity,
            recipients=[a["user"].pk for a in absentees],
            actor=actor,
            context=_activity_context(activity),
        )
    return activity


@transaction.atomic
def activity_cancel(*, activity: Activity, actor: User, reason: str, comment: str = "") -> Activity:
    activity = _locked_activity(activity)
    apply_transition(
        activity, "cancel", actor=actor, comment=reason, payload={"reason": reason, "comment": comment}, reason=reason
    )
    from .selectors import member_ids_of

    emit(
        "activity.cancelled",
        subject=activity,
        recipients=[pk for pk in member_ids_of(activity.unit) if pk != actor.pk],
        actor=actor,
        context=_activity_context(activity, reason=reason),
    )
    return activity


@transaction.atomic
def activity_makeup(*, absence: Absence, actor: User, note: str) -> Absence:
    """补学: the absentee records their make-up study (once)."""
    absence = Absence.objects.select_for_update().get(pk=absence.pk)
    if absence.makeup_done_at is not None:
        raise TransitionConflict("The make-up study is already recorded.")
    absence.makeup_note = note
    absence.makeup_done_at = timezone.now()
    absence.save(update_fields=["makeup_note", "makeup_done_at"])
    return absence


def _register_issue(**kwargs):
    """The one way a visit raises a livelihood issue: the issues app's service."""
    from issues.services import issue_register

    return issue_register(**kwargs)


@transaction.atomic
def visit_create(
    *,
    visitor: User,
    unit: Unit,
    branch: Unit,
    visited_on: dt.date,
    notes: str,
    companions: str = "",
    issues: list[dict] | None = None,
    photos=(),
) -> Visit:
    """千名干部联村企: log a visit; issues raised on the spot are registered with source ``visit``."""
    issue_ids = [
        _register_issue(
            actor=visitor,
            title=issue["title"],
            description=issue.get("description", ""),
            source="visit",
            place_unit=unit,
            category=issue.get("category") or "other",
            urgency=issue.get("urgency") or "normal",
        ).pk
        for issue in issues or []
    ]
    visit = Visit.objects.create(
        unit=unit,
        branch=branch,
        visitor=visitor,
        visited_on=visited_on,
        notes=notes.strip(),
        companions=companions.strip(),
        issue_ids=issue_ids,
    )
    from .showcases import save_photos

    save_photos(VisitPhoto, photos, visit=visit)
    return visit


@transaction.atomic
def photos_add(*, subject: Activity | Visit, photos) -> Activity | Visit:
    """More photos of a held activity or a visit (checked by ``showcases.checked_photos``)."""
    from .showcases import save_photos

    if isinstance(subject, Activity):
        save_photos(ActivityPhoto, photos, activity=subject)
    else:
        save_photos(VisitPhoto, photos, visit=subject)
    return subject


def _finding_context(finding: Finding, **extra) -> dict:
    return {
        "title": finding.title,
        "unit": finding.unit.name,
        "url": reverse("partylife:finding-detail", args=[finding.pk]),
        **extra,
    }


@transaction.atomic
def finding_file(*, actor: User, unit: Unit, title: str, description: str) -> Finding:
    """An observer (or commissioner) files what they saw; the unit's commissioners are told."""
    finding = Finding.objects.create(unit=unit, title=title.strip(), description=description.strip(), filed_by=actor)
    append_log(finding, transition="file", source="", target=finding.state, actor=actor, comment=description[:2000])
    emit(
        "finding.filed",
        subject=finding,
        recipients=[pk for pk in commissioners_for(unit).values_list("pk", flat=True) if pk != actor.pk],
        actor=actor,
        context=_finding_context(finding),
    )
    return finding


def _locked_finding(finding: Finding) -> Finding:
    return Finding.objects.select_for_update().select_related("unit").get(pk=finding.pk)


@transaction.atomic
def finding_accept(*, finding: Finding, actor: User, comment: str = "") -> Finding:
    """Accepted: a supervision case opens on the finding (supervision's service) and the one who
    filed it is told."""
    from supervision.services import case_open

    finding = _locked_finding(finding)
    apply_transition(finding, "accept", actor=actor, comment=comment, decider=actor)
    try:
        case = case_open(subject=finding, reason=comment or finding.title, actor=actor)
    except IntegrityError as exc:  # pragma: no cover - one finding is accepted once
        raise TransitionConflict(str(exc)) from exc
    finding.case_id = case.pk
    finding.save(update_fields=["case_id"])
    emit(
        "finding.accepted",
        subject=finding,
        recipients=[finding.filed_by_id] if finding.filed_by_id != actor.pk else [],
        actor=actor,
        context=_finding_context(finding),
    )
    return finding


@transaction.atomic
def finding_dismiss(*, finding: Finding, actor: User, reason: str, comment: str = "") -> Finding:
    finding = _locked_finding(finding)
    apply_transition(
        finding,
        "dismiss",
        actor=actor,
        comment=reason,
        payload={"reason": reason, "comment": comment},
        reason=reason,
        decider=actor,
    )
    emit(
        "finding.dismissed",
        subject=finding,
        recipients=[finding.filed_by_id] if finding.filed_by_id != actor.pk else [],
        actor=actor,
        context=_finding_context(finding, reason=reason),
    )
    return finding
