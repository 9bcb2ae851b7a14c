"""Services for livelihood issues (民生问题 work orders), their photos and extension requests.

One transaction each: lock the row, run the model transition through ``apply_transition``
(save + log), emit the domain event for the notification outbox, return the issue.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.urls import reverse

from lists.models import ExtensionRequest
from lists.services.items import extension_open
from organization.models import Unit, User
from organization.scoping import leaders_of
from workflows.audit import append_log
from workflows.calendar import local_minute
from workflows.engine import TransitionConflict, TransitionForbidden, apply_transition
from workflows.events import emit

from .models import IssueFollowUp, IssuePhoto, IssueProgress, LivelihoodIssue, add_working_time, dispatchers

Issue = LivelihoodIssue


def _issue_context(issue: Issue, **extra) -> dict:
    return {
        "title": issue.title,
        "unit": issue.unit.name if issue.unit_id else "",
        "place": issue.place,
        "due_at": local_minute(issue.due_at),
        "url": reverse("issues:issue-detail", args=[issue.pk]),
        **extra,
    }


def _dispatcher_ids(issue: Issue, exclude=None) -> list[int]:
    """The order's own township's dispatchers (never another township's)."""
    ids = set(dispatchers(issue).values_list("pk", flat=True))
    ids.discard(getattr(exclude, "pk", exclude))
    return sorted(ids)


def _locked_issue(issue: Issue) -> Issue:
    locked = Issue.objects.select_for_update(of=("self",)).select_related("unit").get(pk=issue.pk)
    return locked


def _transition(issue: Issue, method: str, *, actor: User, comment: str = "", name=None, payload=None, **kwargs):
    issue = _locked_issue(issue)
    apply_transition(issue, method, actor=actor, comment=comment, name=name, payload=payload, **kwargs)
    if method != "reject":  # a return is completed by the requeue that follows it
        _advance_flow(issue)
    return issue


def _advance_flow(issue: Issue) -> None:
    """Move the issue's viewflow process on to whoever must act next (same transaction)."""
    from . import flows as issue_flows

    issue_flows.sync(issue)


@transaction.atomic
def issue_register(
    *,
    actor: User,
    title: str,
    description: str = "",
    source: str = Issue.Source.VISIT,
    place_unit: Unit | None = None,
    place_text: str = "",
    category: str = Issue.Category.OTHER,
    urgency: str = Issue.Urgency.NORMAL,
    reporter_name: str = "",
    reporter_phone: str = "",
) -> Issue:
    """受理: any cadre registers what was raised on a visit, a pairing, the hotline or a letter."""
    issue = Issue.objects.create(
        title=title,
        description=description,
        source=source,
        place_unit=place_unit,
        place_text="" if place_unit else place_text,
        category=category,
        urgency=urgency,
        reporter_name=reporter_name,
        reporter_phone=reporter_phone,
        registered_by=actor,
    )
    append_log(issue, transition="report", source="", target=issue.state, actor=actor, comment=description[:2000])
    from . import flows as issue_flows

    issue_flows.start(issue)
    emit(
        "issue.reported",
        subject=issue,
        recipients=_dispatcher_ids(issue, exclude=actor),
        actor=actor,
        context=_issue_context(issue),
        urgent=urgency == Issue.Urgency.URGENT,
    )
    return issue


@transaction.atomic
def issue_answer(*, issue: Issue, actor: User, result: str, comment: str = "") -> Issue:
    """直接答复: settled on the spot; the order is closed at once."""
    issue = _transition(
        issue, "answer", actor=actor, comment=comment or result, payload={"result": result}, result=result
    )
    emit("issue.closed", subject=issue, recipients=[issue.registered_by_id], actor=actor, context=_issue_context(issue))
    return issue


@transaction.atomic
def issue_dispatch(*, issue: Issue, actor: User, handler: User, unit: Unit, co_units=(), comment: str = "") -> Issue:
    """派单: to a handling unit and the cadre responsible; the clocks start now."""
    issue = _transition(
        issue,
        "dispatch",
        actor=actor,
        comment=comment,
        payload={"handler": handler.pk, "unit": unit.pk, "co_units": [u.pk for u in co_units]},
        handler=handler,
        unit=unit,
        dispatched_by=actor,
    )
    issue.co_units.set(co_units)
    emit(
        "issue.dispatched",
        subject=issue,
        recipients=[handler],
        actor=actor,
        context=_issue_context(issue),
        urgent=issue.urgency == Issue.Urgency.URGENT,
    )
    return issue


@transaction.atomic
def issue_accept(*, issue: Issue, actor: User, comment: str = "") -> Issue:
    """签收: the handler acknowledges the order."""
    return _transition(issue, "accept", actor=actor, comment=comment)


@transaction.atomic
def issue_reject(*, issue: Issue, actor: User, reason: str, comment: str = "") -> Issue:
    """退回: wrongly routed. Logged as dispatched → rejected → reported; dispatchers re-dispatch."""
    issue = _transition(issue, "reject", actor=actor, name="reject", comment=reason, payload={"reason": reason}, reason=reason)  # fmt: skip
    previous_unit = issue.unit.name if issue.unit_id else ""
    apply_transition(issue, "requeue", actor=actor, check_permission=False, payload={"reason": reason})
    _advance_flow(issue)
    emit(
        "issue.rejected",
        subject=issue,
        recipients=_dispatcher_ids(issue, exclude=actor),
        actor=actor,
        context={**_issue_context(issue), "unit": previous_unit, "reason": reason},
    )
    return issue


@transaction.atomic
def issue_report_progress(*, issue: Issue, actor: User, text: str, comment: str = "") -> Issue:
    issue = _transition(issue, "report_progress", actor=actor, comment=comment or text, payload={"text": text})
    IssueProgress.objects.create(issue=issue, author=actor, text=text)
    return issue


@transaction.atomic
def issue_resolve(
    *,
    issue: Issue,
    actor: User,
    result: str,
    resolution: str,
    remaining_plan: str = "",
    remaining_due_date: dt.date | None = None,
    comment: str = "",
) -> Issue:
    """办结: substantive (实质办结) or staged (阶段办结, with a plan and a date for the rest)."""
    if resolution == Issue.Resolution.STAGED and not (remaining_plan.strip() and remaining_due_date):
        raise ValueError("A staged resolution needs a plan and a date for the rest.")
    issue = _transition(
        issue,
        "resolve",
        actor=actor,
        comment=comment or result,
        payload={
            "resolution": resolution,
            "remaining_plan": remaining_plan,
            "remaining_due_date": remaining_due_date.isoformat() if remaining_due_date else None,
        },
        result=result,
        resolution=resolution,
        remaining_plan=remaining_plan,
        remaining_due_date=remaining_due_date,
    )
    emit(
        "issue.resolved",
        subject=issue,
        recipients=_dispatcher_ids(issue, exclude=actor),
        actor=actor,
        context=_issue_context(issue, resolution=resolution),
    )
    return issue


@transaction.atomic
def issue_follow_up(*, issue: Issue, actor: User, satisfaction: str, note: str = "", comment: str = "") -> Issue:
    """回访: satisfied or basically satisfied closes the order; unsatisfied leaves it resolved."""
    issue = _transition(
        issue,
        "follow_up",
        actor=actor,
        comment=comment or note,
        payload={"satisfaction": satisfaction},
        satisfaction=satisfaction,
    )
    IssueFollowUp.objects.create(issue=issue, satisfaction=satisfaction, note=note or comment, called_by=actor)
    recipients = [issue.handler_id, *leaders_of(issue.unit).values_list("pk", flat=True)] if issue.unit_id else []
    emit(
        "issue.followed_up",
        subject=issue,
        recipients=recipients,
        actor=actor,
        context=_issue_context(issue, satisfaction=satisfaction),
    )
    if issue.state == Issue.State.CLOSED:
        emit("issue.closed", subject=issue, recipients=[issue.handler_id], actor=actor, context=_issue_context(issue))
    return issue


@transaction.atomic
def issue_reopen(*, issue: Issue, actor: User, comment: str = "") -> Issue:
    """重办: back to the handler with a fresh resolution period."""
    issue = _transition(issue, "reopen", actor=actor, comment=comment)
    emit("issue.reopened", subject=issue, recipients=[issue.handler_id], actor=actor, context=_issue_context(issue, reason=comment))  # fmt: skip
    return issue


@transaction.atomic
def issue_close(*, issue: Issue, actor: User, reason: str, comment: str = "") -> Issue:
    """归档 with an explanation (e.g. unsatisfied but nothing more the unit can do)."""
    issue = _transition(issue, "close", actor=actor, comment=reason, payload={"reason": reason}, reason=reason)
    emit("issue.closed", subject=issue, recipients=[issue.handler_id, issue.registered_by_id], actor=actor, context=_issue_context(issue, reason=reason))  # fmt: skip
    return issue


@transaction.atomic
def issue_cancel(*, issue: Issue, actor: User, reason: str, comment: str = "") -> Issue:
    """Cancelled as a duplicate or out of scope; the reason is required."""
    issue = _transition(issue, "cancel", actor=actor, comment=reason, payload={"reason": reason}, reason=reason)
    emit("issue.closed", subject=issue, recipients=[issue.handler_id, issue.registered_by_id], actor=actor, context=_issue_context(issue, reason=reason))  # fmt: skip
    return issue


@transaction.atomic
def issue_add_photo(*, issue: Issue, actor: User, upload, content_type: str) -> IssuePhoto:
    """Store an uploaded photo (validated by the caller: size and image type by content)."""
    return IssuePhoto.objects.create(
        issue=issue,
        file=upload,
        original_name=upload.name[:200],
        content_type=content_type,
        size=upload.size,
        uploaded_by=actor,
    )


# -- extension requests (延期申请) for work orders --------------------------------------------------


def issue_extension_limit(issue: Issue) -> dt.datetime | None:
    """The latest deadline an extension may set: 10 working days after the original deadline."""
    base = issue.original_due_at or issue.due_at
    if base is None:
        return None
    return add_working_time(base, days=issue.policy().max_extension_working_days)


@transaction.atomic
def issue_extension_request(*, issue: Issue, actor: User, new_due_at: dt.datetime, reason: str) -> ExtensionRequest:
    """The handler asks for a later deadline (at most 10 working days past the original one)."""
    issue = _locked_issue(issue)
    if actor.pk != issue.handler_id:
        raise TransitionForbidden("Only the handler may request an extension.")
    if issue.state not in Issue.CLOCK_STATES:
        raise TransitionConflict("The work order is not being handled.")
    limit = issue_extension_limit(issue)
    if issue.due_at and new_due_at <= issue.due_at:
        raise ValueError("The requested deadline must be later than the current one.")
    if limit and new_due_at > limit:
        raise ValueError("An extension may add at most 10 working days.")
    extension = extension_open(subject_field="issue", subject=issue, actor=actor, new_due_at=new_due_at, reason=reason)
    emit(
        "extension.requested",
        subject=extension,
        recipients=_dispatcher_ids(issue, exclude=actor),
        actor=actor,
        context=_issue_context(issue, new_due_at=local_minute(new_due_at), reason=reason),
    )
    return extension


@transaction.atomic
def issue_extension_approve(*, extension: ExtensionRequest, actor: User, comment: str = "") -> ExtensionRequest:
    """Approval moves the order's deadline (the original one is kept) and logs it on the order."""
    extension = ExtensionRequest.objects.select_for_update().get(pk=extension.pk)
    issue = _locked_issue(extension.issue)  # locked before the first write
    apply_transition(extension, "approve", actor=actor, comment=comment)
    apply_transition(
        issue,
        "move_deadline",
        actor=actor,
        name="extend",
        check_permission=False,
        comment=extension.reason,
        payload={
            "from": issue.due_at.isoformat() if issue.due_at else None,
            "to": extension.new_due_at.isoformat(),
            "extension": extension.pk,
        },
        new_due_at=extension.new_due_at,
    )
    emit(
        "extension.decided",
        subject=extension,
        recipients=[extension.requested_by_id],
        actor=actor,
        context=_issue_context(issue, decision="approved"),
    )
    return extension


@transaction.atomic
def issue_extension_reject(
    *, extension: ExtensionRequest, actor: User, reason: str, comment: str = ""
) -> ExtensionRequest:
    extension = (
        ExtensionRequest.objects.select_for_update(of=("self",)).select_related("issue__unit").get(pk=extension.pk)
    )
    apply_transition(extension, "reject", actor=actor, comment=reason, payload={"reason": reason}, reason=reason)
    emit(
        "extension.decided",
        subject=extension,
        recipients=[extension.requested_by_id],
        actor=actor,
        context=_issue_context(extension.issue, decision="rejected", reason=reason),
    )
    return extension
