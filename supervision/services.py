"""Services of supervision: open a case, act on it, close it; and the sweep's escalation hook.

Each is one transaction that locks the case row, runs the transition through the engine (which
saves and logs) and emits the domain event for the people being supervised.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from organization.models import User
from organization.scoping import discipline_bodies
from workflows.audit import append_log, append_logs
from workflows.engine import TransitionConflict, apply_transition
from workflows.events import emit, emit_many, make_event
from workflows.models import EscalationAction
from workflows.sweep import RED, SweepTarget, target_for_model

from .models import SupervisionAction, SupervisionCase

Case = SupervisionCase


def _people_of(case: Case, target: SweepTarget | None, subject) -> list:
    """Who is being supervised: those the domain tells at red (assignee and lead leader)."""
    if target is None or subject is None:
        return []
    return list(target.recipients(subject, RED))


def _context(case: Case) -> dict:
    return {
        "title": case.subject_title,
        "unit": case.unit.name,
        "url": reverse("supervision:case-detail", args=[case.pk]),
    }


def active_case_for(subject) -> Case | None:
    content_type = ContentType.objects.get_for_model(subject, for_concrete_model=False)
    return Case.objects.filter(content_type=content_type, object_id=subject.pk, state__in=Case.ACTIVE_STATES).first()


def case_open(
    *,
    subject,
    reason: str,
    actor: User | None,
    source: str = Case.Source.COMMISSIONER,
    escalation_level: int = 0,
    responsible_id: int | None = None,
    for_committee_meeting: bool = False,
    at=None,
) -> Case:
    """督办: open a case on ``subject`` (a registered kind). One active case per subject: a
    second one is a conflict. ``actor`` is None when the sweep opens it."""
    target = target_for_model(type(subject))
    if target is None:
        raise ValueError(f"{type(subject).__name__} is not registered with the sweep")
    content_type = ContentType.objects.get_for_model(subject, for_concrete_model=False)
    try:
        with transaction.atomic():
            case = Case.objects.create(
                content_type=content_type,
                object_id=subject.pk,
                subject_type=target.kind,
                subject_title=str(subject)[:200],
                unit=target.unit_of(subject),
                source=source,
                escalation_level=escalation_level,
                reason=reason,
                opened_by=actor,
                responsible_id=responsible_id,
                for_committee_meeting=for_committee_meeting,
                marked_for_meeting_at=at if for_committee_meeting else None,
            )
            append_log(case, transition="open", source="", target=case.state, actor=actor, comment=reason)
            emit(
                "case.opened",
                subject=case,
                recipients=_people_of(case, target, subject),
                actor=actor,
                context=_context(case),
                urgent=True,
            )
    except IntegrityError as exc:
        raise TransitionConflict(_("This subject already has an open supervision case.")) from exc
    return case


@transaction.atomic
def case_act(*, case: Case, actor: User, action: str, note: str, comment: str = "") -> Case:
    """Record an action (reminder, yellow card, red card, talk, notice) and move the case to acting."""
    case = Case.objects.select_for_update().select_related("unit").get(pk=case.pk)
    apply_transition(case, "act", actor=actor, comment=comment or note, payload={"action": action})
    record = SupervisionAction.objects.create(
        case=case, action=action, level=SupervisionAction.LEVELS[action], note=note, actor=actor
    )
    target = target_for_model(case.content_type.model_class())
    emit(
        "case.acted",
        subject=case,
        recipients=_people_of(case, target, case.subject),
        actor=actor,
        context={**_context(case), "action": record.get_action_display(), "note": note},
        urgent=action != SupervisionAction.Kind.REMINDER,
        key=f"action:{record.pk}",
    )
    return case


@transaction.atomic
def case_close(*, case: Case, actor: User, conclusion: str, comment: str = "") -> Case:
    """结案: close the case with a conclusion."""
    case = Case.objects.select_for_update().select_related("unit").get(pk=case.pk)
    case.closed_by = actor
    apply_transition(case, "close", actor=actor, comment=comment or conclusion, conclusion=conclusion)
    target = target_for_model(case.content_type.model_class())
    emit(
        "case.closed",
        subject=case,
        recipients=_people_of(case, target, case.subject),
        actor=actor,
        context={**_context(case), "conclusion": conclusion},
    )
    return case


def _escalation_reason(level: int) -> str:
    return _("Overdue: escalated by the deadline sweep (level %(level)s).") % {"level": level}


def _ladder_case_fields(rung, unit_id: int, bodies) -> dict:
    """What a case the ladder opens at ``rung`` starts with: its owning body (the district's
    committee when the rung opens a case, the township's when it takes over or marks it for the
    meeting: a case closed before those rungs opens again there) and the committee-meeting mark."""
    township = rung.action != EscalationAction.OPEN_CASE
    return {
        "responsible_id": bodies.responsible(unit_id, township=township),
        "for_committee_meeting": rung.action == EscalationAction.MARK_FOR_MEETING,
    }


def _climb(cases: list[Case], subjects_units: dict[int, int], *, rung, bodies, as_of) -> None:
    """The ladder's step on cases already active: the township discipline committee takes them
    over (``take_over``) or they are marked for the committee meeting (``mark_for_meeting``);
    each change is one logged row on the case. Caller holds the sweep's batch transaction."""
    entries, taken, marked = [], [], []
    for case in cases:
        if rung.action == EscalationAction.TAKE_OVER:
            body = bodies.responsible(subjects_units[case.object_id], township=True)
            if body is None or body == case.responsible_id:
                continue
            entries.append(
                {
                    "subject": case,
                    "transition": "take_over",
                    "source": case.state,
                    "target": case.state,
                    "actor": None,
                    "comment": _("The township discipline committee takes the case over (escalation level %(level)s).")
                    % {"level": rung.level},
                    "payload": {"from": case.responsible_id, "to": body, "level": rung.level},
                }
            )
            taken.append((case.pk, body))
        elif rung.action == EscalationAction.MARK_FOR_MEETING and not case.for_committee_meeting:
            entries.append(
                {
                    "subject": case,
                    "transition": "mark_for_meeting",
                    "source": case.state,
                    "target": case.state,
                    "actor": None,
                    "comment": _("Marked for the committee meeting (escalation level %(level)s).")
                    % {"level": rung.level},
                    "payload": {"level": rung.level},
                }
            )
            marked.append(case.pk)
    by_body: dict[int, list[int]] = {}
    for pk, body in taken:
        by_body.setdefault(body, []).append(pk)
    for body, pks in by_body.items():
        Case.objects.filter(pk__in=pks).update(responsible_id=body)
    if marked:
        Case.objects.filter(pk__in=marked).update(for_committee_meeting=True, marked_for_meeting_at=as_of)
    append_logs(entries)


def open_case_on_escalation(*, subject, target: SweepTarget, level: int, as_of, rung) -> None:
    """The sweep's escalation hook: what the ladder's ``rung`` says happens. A subject without an
    active case gets one (owned by the district's committee at level 1, the township's from level
    2 on, marked for the committee meeting at that rung); an active case is taken over by the
    township committee or marked for the meeting. ``notify`` rungs do nothing here.

    Runs inside the sweep's transaction, once per subject and escalation step."""
    if rung.action == EscalationAction.NOTIFY:
        return
    unit = target.unit_of(subject)
    bodies = discipline_bodies([unit])
    case = active_case_for(subject)
    if case is not None:
        _climb([case], {subject.pk: unit.pk}, rung=rung, bodies=bodies, as_of=as_of)
        return
    case_open(
        subject=subject,
        reason=_escalation_reason(level),
        actor=None,
        source=Case.Source.ESCALATION,
        escalation_level=level,
        at=as_of,
        **_ladder_case_fields(rung, unit.pk, bodies),
    )


def open_cases_on_escalation(*, subjects: list, target: SweepTarget, level: int, as_of, rung) -> None:
    """The escalation hook's batch form (the sweep's set-based path): the same cases, log rows
    and events as ``open_case_on_escalation`` on each subject in turn, written with bulk
    statements. Runs inside the sweep's batch transaction, which holds the subjects' row locks.
    A case a commissioner opened meanwhile fails the batch's unique constraint; the sweep then
    takes the batch one subject at a time."""
    if not subjects or rung.action == EscalationAction.NOTIFY:
        return
    content_type = ContentType.objects.get_for_model(subjects[0], for_concrete_model=False)
    units = {subject.pk: target.unit_of(subject) for subject in subjects}
    bodies = discipline_bodies(units.values())
    active = list(
        Case.objects.filter(
            content_type=content_type, object_id__in=[subject.pk for subject in subjects], state__in=Case.ACTIVE_STATES
        ).order_by("object_id")
    )
    _climb(active, {pk: unit.pk for pk, unit in units.items()}, rung=rung, bodies=bodies, as_of=as_of)
    taken = {case.object_id for case in active}
    subjects = [subject for subject in subjects if subject.pk not in taken]
    if not subjects:
        return
    reason = _escalation_reason(level)
    cases = Case.objects.bulk_create(
        [
            Case(
                content_type=content_type,
                object_id=subject.pk,
                subject_type=target.kind,
                subject_title=str(subject)[:200],
                unit=units[subject.pk],
                source=Case.Source.ESCALATION,
                escalation_level=level,
                reason=reason,
                opened_by=None,
                marked_for_meeting_at=as_of if rung.action == EscalationAction.MARK_FOR_MEETING else None,
                **_ladder_case_fields(rung, units[subject.pk].pk, bodies),
            )
            for subject in subjects
        ]
    )
    append_logs(
        [
            {
                "subject": case,
                "transition": "open",
                "source": "",
                "target": case.state,
                "actor": None,
                "comment": reason,
            }
            for case in cases
        ]
    )
    people = target.recipients_of(subjects, RED)
    emit_many(
        [
            make_event("case.opened", subject=case, recipients=people[subject.pk], context=_context(case), urgent=True)
            for case, subject in zip(cases, subjects, strict=True)
        ]
    )
