"""The viewflow flow of a pledge: who must act next, and every leader's inbox of pledge tasks.

One ``PledgeProcess`` per pledge, started on submit (提诺). Its human tasks are ``Handle``
nodes completed from the API and the pages: ``review`` (审诺, the leaders of the member's
branch), ``revise`` (the member, after a return), ``fulfil`` (践诺, the member) and
``confirmation`` (the leaders). Each task calls one service, which runs the model transition;
the rules stay on the model. Withdrawal and marking a pledge unfulfilled end the process.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow, lock
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from organization.models import User

from . import services
from .models import Pledge, PledgeProcess


class PledgeFlow(flow.Flow):
    process_class = PledgeProcess
    # Row lock on the process: two leaders deciding at once are serialised.
    lock_impl = lock.select_for_update_lock
    process_title = _("One-sentence pledge")

    start = flow.StartHandle(this.start_process).Next(this.review)
    review = flow.Handle(this.perform_review).Annotation(title=_("Review the pledge")).Next(this.reviewed)
    reviewed = flow.If(this.is_approved).Then(this.fulfil).Else(this.revise)
    revise = flow.Handle(this.perform_resubmit).Annotation(title=_("Revise and resubmit")).Next(this.review)
    fulfil = flow.Handle(this.perform_claim).Annotation(title=_("Fulfil the pledge")).Next(this.confirmation)
    confirmation = flow.Handle(this.perform_confirmation).Annotation(title=_("Confirm fulfilment")).Next(this.confirmed)
    confirmed = flow.If(this.is_fulfilled).Then(this.end).Else(this.fulfil)
    end = flow.End()

    # -- node callbacks: each calls one service ----------------------------------------------
    def start_process(self, activation, *, pledge: Pledge, actor: User, comment: str = ""):
        pledge = services.pledge_submit(pledge=pledge, actor=actor, comment=comment)
        activation.process.artifact = pledge
        return pledge

    def perform_review(self, activation, *, pledge: Pledge, actor: User, approve: bool, reason="", comment=""):
        if approve:
            return services.pledge_approve(pledge=pledge, actor=actor, comment=comment)
        return services.pledge_return(pledge=pledge, actor=actor, reason=reason, comment=comment)

    def perform_resubmit(self, activation, *, pledge: Pledge, actor: User, comment: str = ""):
        return services.pledge_submit(pledge=pledge, actor=actor, comment=comment)

    def perform_claim(self, activation, *, pledge: Pledge, actor: User, evidence_text: str, comment: str = ""):
        return services.pledge_claim(pledge=pledge, actor=actor, evidence_text=evidence_text, comment=comment)

    def perform_confirmation(self, activation, *, pledge: Pledge, actor: User, confirm: bool, reason="", comment=""):
        if confirm:
            return services.pledge_confirm(pledge=pledge, actor=actor, comment=comment)
        return services.pledge_reject_claim(pledge=pledge, actor=actor, reason=reason, comment=comment)

    def is_approved(self, activation) -> bool:
        return Pledge.objects.filter(pk=activation.process.artifact_object_id, state=Pledge.State.APPROVED).exists()

    def is_fulfilled(self, activation) -> bool:
        return Pledge.objects.filter(pk=activation.process.artifact_object_id, state=Pledge.State.FULFILLED).exists()


# -- entry points for the API and the pages --------------------------------------------------------


def open_task(pledge: Pledge, node) -> Task | None:
    """The pledge's waiting task at ``node`` (a Handle), if its process is running."""
    return (
        Task.objects.filter(
            process__artifact_content_type=ContentType.objects.get_for_model(Pledge),
            process__artifact_object_id=pledge.pk,
            process__status=STATUS.NEW,
            flow_task=node,
            status=STATUS.NEW,
        )
        .order_by("-pk")
        .first()
    )


def _run(node, pledge: Pledge, fallback, **kwargs) -> Pledge:
    task = open_task(pledge, node)
    if task is None:
        # No running process (a pledge from before the flow, or seeded): the service alone.
        return fallback(pledge=pledge, **kwargs)
    return node.run(task, pledge=pledge, **kwargs)


@transaction.atomic
def flow_submit(*, pledge: Pledge, actor: User, comment: str = "") -> Pledge:
    """Submit (提诺): resubmission completes the ``revise`` task, a first submit starts a process."""
    if open_task(pledge, PledgeFlow.revise) is not None:
        return _run(PledgeFlow.revise, pledge, services.pledge_submit, actor=actor, comment=comment)
    return PledgeFlow.start.run(pledge=pledge, actor=actor, comment=comment)


@transaction.atomic
def flow_review(*, pledge: Pledge, actor: User, approve: bool, reason: str = "", comment: str = "") -> Pledge:

    def fallback(*, pledge, actor, approve, reason, comment):
        if approve:
            return services.pledge_approve(pledge=pledge, actor=actor, comment=comment)
        return services.pledge_return(pledge=pledge, actor=actor, reason=reason, comment=comment)

    return _run(PledgeFlow.review, pledge, fallback, actor=actor, approve=approve, reason=reason, comment=comment)


@transaction.atomic
def flow_claim(*, pledge: Pledge, actor: User, evidence_text: str, comment: str = "") -> Pledge:
    return _run(
        PledgeFlow.fulfil, pledge, services.pledge_claim, actor=actor, evidence_text=evidence_text, comment=comment
    )


@transaction.atomic
def flow_confirmation(*, pledge: Pledge, actor: User, confirm: bool, reason: str = "", comment: str = "") -> Pledge:

    def fallback(*, pledge, actor, confirm, reason, comment):
        if confirm:
            return services.pledge_confirm(pledge=pledge, actor=actor, comment=comment)
        return services.pledge_reject_claim(pledge=pledge, actor=actor, reason=reason, comment=comment)

    return _run(PledgeFlow.confirmation, pledge, fallback, actor=actor, confirm=confirm, reason=reason, comment=comment)


@transaction.atomic
def flow_close(*, pledge: Pledge, actor: User, method: str, **kwargs) -> Pledge:
    """Withdraw or mark unfulfilled through the service, then end the pledge's running process."""
    pledge = getattr(services, method)(pledge=pledge, actor=actor, **kwargs)
    processes = PledgeProcess.objects.filter(
        artifact_content_type=ContentType.objects.get_for_model(Pledge),
        artifact_object_id=pledge.pk,
        status=STATUS.NEW,
    )
    now = timezone.now()
    Task.objects.filter(process__in=processes, status=STATUS.NEW).update(status=STATUS.CANCELED, finished=now)
    processes.update(status=STATUS.CANCELED, finished=now)
    return pledge


def pledge_inbox(user) -> list[Task]:
    """Waiting pledge tasks the user may complete: review and confirmation for the leaders of the
    member's branch (never their own pledge), revise and fulfil for the member."""
    from .selectors import pledges_awaiting_review

    leader_ids = list(pledges_awaiting_review(user).values_list("pk", flat=True))
    tasks = Task.objects.filter(
        status=STATUS.NEW,
        process__status=STATUS.NEW,
        process__artifact_content_type=ContentType.objects.get_for_model(Pledge),
    )
    own_ids = list(Pledge.objects.filter(member=user).values_list("pk", flat=True))
    leader_tasks = tasks.filter(
        process__artifact_object_id__in=leader_ids, flow_task__in=[PledgeFlow.review, PledgeFlow.confirmation]
    )
    member_tasks = tasks.filter(
        process__artifact_object_id__in=own_ids, flow_task__in=[PledgeFlow.revise, PledgeFlow.fulfil]
    )
    return list((leader_tasks | member_tasks).order_by("created"))
