"""Services for one-sentence pledges (承诺践诺).

Each service is one transaction: it locks the pledge, runs the model transition through
``workflows.engine.apply_transition`` (which saves and logs), emits the domain event and
returns the pledge. Text, dates and duplicates are validated before (serializers, forms);
the database constraint on one active pledge per member and year is the last word.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from organization.models import Membership, Unit, User
from organization.scoping import leaders_of
from workflows.calendar import local_minute
from workflows.engine import TransitionConflict, apply_transition
from workflows.events import emit

from .models import Pledge, PledgeCheck, PledgeEvaluation

__all__ = [
    "branch_of_member",
    "pledge_approve",
    "pledge_claim",
    "pledge_confirm",
    "pledge_create",
    "pledge_evaluate",
    "pledge_mark_unfulfilled",
    "pledge_record_check",
    "pledge_remind_leader_checks",
    "pledge_remind_self_checks",
    "pledge_reject_claim",
    "pledge_return",
    "pledge_reviewers",
    "pledge_submit",
    "pledge_update",
    "pledge_withdraw",
]


def branch_of_member(user: User) -> Unit | None:
    """The Party branch the user belongs to (as cadre or leader), nearest first; None if none."""
    membership = (
        Membership.objects.filter(
            user=user, unit__kind=Unit.Kind.BRANCH, role__in=[Membership.Role.CADRE, Membership.Role.LEADER]
        )
        .select_related("unit")
        .order_by("role", "unit__path")
        .first()
    )
    return membership.unit if membership else None


def pledge_reviewers(pledge: Pledge) -> list[int]:
    """Leaders of the pledge's branch (and above), never the member: four-eyes."""
    ids = set(leaders_of(pledge.unit).values_list("pk", flat=True))
    ids.discard(pledge.member_id)
    return sorted(ids)


def _context(pledge: Pledge, **extra) -> dict:
    return {
        "title": pledge.text,
        "unit": pledge.unit.name,
        "due_at": local_minute(pledge.due_at),
        "url": reverse("pledges:pledge-detail", args=[pledge.pk]),
        **extra,
    }


def _locked(pledge: Pledge) -> Pledge:
    locked = Pledge.objects.select_for_update().select_related("unit", "member").get(pk=pledge.pk)
    return locked


def _transition(pledge: Pledge, method: str, *, actor: User, comment: str = "", name=None, payload=None, **kw):
    pledge = _locked(pledge)
    apply_transition(pledge, method, actor=actor, comment=comment, name=name, payload=payload, **kw)
    return pledge


def _transition_with_reason(
    pledge: Pledge, method: str, *, actor: User, reason: str, comment: str, event: str, name=None, **kw
) -> Pledge:
    """Lock, apply a transition whose reason is required (kept on the pledge) and tell the member."""
    pledge = _transition(
        pledge,
        method,
        actor=actor,
        comment=reason,
        name=name,
        payload={"reason": reason, "comment": comment},
        reason=reason,
        **kw,
    )
    emit(event, subject=pledge, recipients=[pledge.member_id], actor=actor, context=_context(pledge, reason=reason))
    return pledge


@transaction.atomic
def pledge_create(
    *, member: User, text: str, due_date: dt.date, category: str, year: int | None = None, unit: Unit | None = None
) -> Pledge:
    """提诺 (draft): the member writes the pledge for their branch; ``year`` defaults to the due date's."""
    unit = unit or branch_of_member(member)
    year = year or due_date.year
    # Two requests of one member at once both pass the form's duplicate check; the unique
    # constraint (one active pledge per member and year) stops the second: a conflict.
    try:
        with transaction.atomic():
            return Pledge.objects.create(
                member=member,
                unit=unit,
                year=year,
                text=text.strip(),
                due_date=due_date,
                category=category,
            )
    except IntegrityError as exc:
        if Pledge.objects.active().filter(member=member, year=year).exists():
            raise TransitionConflict(
                _(
                    "You already have an active pledge for %(year)d: withdraw it or wait until it is closed "
                    "before making another."
                )
                % {"year": year}
            ) from exc
        raise


@transaction.atomic
def pledge_update(*, pledge: Pledge, actor: User, text: str, due_date: dt.date, category: str) -> Pledge:
    """The member edits a draft (e.g. after it was returned). Caller checked it is theirs and a draft."""
    pledge = _locked(pledge)
    pledge.text = text.strip()
    pledge.due_date = due_date
    pledge.category = category
    pledge.save(update_fields=["text", "due_date", "due_at", "category", "updated_at"])
    return pledge


@transaction.atomic
def pledge_submit(*, pledge: Pledge, actor: User, comment: str = "") -> Pledge:
    """提诺: the member submits; the branch's leaders are asked to review it."""
    pledge = _transition(pledge, "submit", actor=actor, comment=comment)
    emit("pledge.submitted", subject=pledge, recipients=pledge_reviewers(pledge), actor=actor, context=_context(pledge))
    return pledge


@transaction.atomic
def pledge_approve(*, pledge: Pledge, actor: User, comment: str = "") -> Pledge:
    """审诺 passed: published on the branch's board (公示)."""
    pledge = _transition(pledge, "approve", actor=actor, comment=comment, reviewer=actor)
    emit("pledge.approved", subject=pledge, recipients=[pledge.member_id], actor=actor, context=_context(pledge))
    return pledge


@transaction.atomic
def pledge_return(*, pledge: Pledge, actor: User, reason: str, comment: str = "") -> Pledge:
    """Returned to draft: not concrete or checkable enough; the reason goes to the member."""
    return _transition_with_reason(
        pledge,
        "return_for_revision",
        actor=actor,
        reason=reason,
        comment=comment,
        event="pledge.returned",
        name="return",
        reviewer=actor,
    )


@transaction.atomic
def pledge_claim(*, pledge: Pledge, actor: User, evidence_text: str, comment: str = "") -> Pledge:
    """践诺: the member reports fulfilment with evidence; the leaders are asked to confirm."""
    pledge = _transition(
        pledge,
        "claim",
        actor=actor,
        comment=comment or evidence_text,
        payload={"evidence_text": evidence_text},
        evidence_text=evidence_text,
    )
    emit("pledge.claimed", subject=pledge, recipients=pledge_reviewers(pledge), actor=actor, context=_context(pledge))
    return pledge


@transaction.atomic
def pledge_confirm(*, pledge: Pledge, actor: User, comment: str = "") -> Pledge:
    pledge = _transition(pledge, "confirm", actor=actor, comment=comment, confirmer=actor)
    emit("pledge.confirmed", subject=pledge, recipients=[pledge.member_id], actor=actor, context=_context(pledge))
    return pledge


@transaction.atomic
def pledge_reject_claim(*, pledge: Pledge, actor: User, reason: str, comment: str = "") -> Pledge:
    """Not yet fulfilled: back on the board as approved; the member goes on."""
    return _transition_with_reason(
        pledge, "reject_claim", actor=actor, reason=reason, comment=comment, event="pledge.claim_rejected"
    )


@transaction.atomic
def pledge_mark_unfulfilled(*, pledge: Pledge, actor: User, reason: str, comment: str = "") -> Pledge:
    """Closed as unfulfilled; the explanation is shown publicly on the board."""
    return _transition_with_reason(
        pledge, "mark_unfulfilled", actor=actor, reason=reason, comment=comment, event="pledge.unfulfilled"
    )


@transaction.atomic
def pledge_withdraw(*, pledge: Pledge, actor: User, comment: str = "") -> Pledge:
    return _transition(pledge, "withdraw", actor=actor, comment=comment)


@transaction.atomic
def pledge_record_check(
    *, pledge: Pledge, actor: User, kind: str, note: str, as_of: dt.date | None = None
) -> PledgeCheck:
    """督诺: record (or update) this period's check of ``kind``. Caller checked who may."""
    day = as_of or timezone.localdate()
    check, _created = PledgeCheck.objects.update_or_create(
        pledge=pledge,
        kind=kind,
        period=PledgeCheck.period_for(kind, day),
        defaults={"note": note, "checked_by": actor, "checked_at": timezone.now()},
    )
    return check


@transaction.atomic
def pledge_evaluate(*, pledge: Pledge, actor: User, rater: str, rating: str, note: str = "") -> PledgeEvaluation:
    """评诺: record (or change) one kind of rating on a fulfilled or unfulfilled pledge."""
    evaluation, _created = PledgeEvaluation.objects.update_or_create(
        pledge=pledge, rater=rater, defaults={"rating": rating, "note": note, "recorded_by": actor}
    )
    return evaluation


@transaction.atomic
def pledge_remind_self_checks(*, as_of: dt.date | None = None) -> int:
    """督诺: remind each member whose open pledge has no self-check this month. The event key is the
    month, so the outbox sends one reminder per pledge and month however often this runs."""
    from .selectors import pledges_due_for_self_check

    day = as_of or timezone.localdate()
    period = PledgeCheck.period_for(PledgeCheck.Kind.SELF_MONTHLY, day)
    count = 0
    for pledge in pledges_due_for_self_check(day):
        emit(
            "pledge.self_check_due",
            subject=pledge,
            recipients=[pledge.member_id],
            context=_context(pledge, period=period),
            key=period,
        )
        count += 1
    return count


@transaction.atomic
def pledge_remind_leader_checks(*, as_of: dt.date | None = None) -> int:
    """督诺: at the start of a quarter, ask the branch's leaders for the Party-group check of each open
    pledge; at the start of a half-year, for the branch check too. Keyed by period: sent once."""
    day = as_of or timezone.localdate()
    kinds = [PledgeCheck.Kind.GROUP_QUARTERLY]
    if day.month in (1, 7):
        kinds.append(PledgeCheck.Kind.BRANCH_HALF_YEARLY)
    count = 0
    for kind in kinds:
        period = PledgeCheck.period_for(kind, day)
        done = PledgeCheck.objects.filter(pledge=OuterRef("pk"), kind=kind, period=period)
        for pledge in Pledge.objects.open().exclude(Exists(done)).select_related("unit", "member"):
            emit(
                "pledge.check_due",
                subject=pledge,
                recipients=pledge_reviewers(pledge),
                context=_context(pledge, period=period, kind=str(PledgeCheck.Kind(kind).label)),
                key=f"{kind}:{period}",
            )
            count += 1
    return count
