"""The viewflow flow of a pledge: who must act next, and every leader's inbox of pledge tasks.

One ``PledgeProcess`` per pledge, started on submit (提诺). Its human tasks are ``Handle``
nodes: ``review`` (审诺, the leaders of the member's branch), ``revise`` (the member, after a
return), ``fulfil`` (践诺, the member) and ``confirmation`` (the leaders). A task is done on the
pledge's page or through the API, which call one service; the service's transition fires the
engine's hook, and ``PLEDGE_DRIVER`` completes the task. The flow calls no service; the rules
stay on the model. Withdrawal and marking a pledge unfulfilled end the process.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow, lock
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from workflows.flowdrive import StepDriver

from .models import Pledge, PledgeProcess


class PledgeFlow(flow.Flow):
    process_class = PledgeProcess
    # Row lock on the process: two leaders deciding at once are serialised.
    lock_impl = lock.select_for_update_lock
    process_title = _("One-sentence pledge")

    start = flow.StartHandle(this.start_process).Next(this.review)
    review = flow.Handle().Annotation(title=_("Review the pledge")).Next(this.reviewed)
    reviewed = flow.If(this.is_approved).Then(this.fulfil).Else(this.revise)
    revise = flow.Handle().Annotation(title=_("Revise and resubmit")).Next(this.review)
    fulfil = flow.Handle().Annotation(title=_("Fulfil the pledge")).Next(this.confirmation)
    confirmation = flow.Handle().Annotation(title=_("Confirm fulfilment")).Next(this.confirmed)
    confirmed = flow.If(this.is_fulfilled).Then(this.end).Else(this.fulfil)
    end = flow.End()

    def start_process(self, activation, *, pledge: Pledge):
        activation.process.artifact = pledge
        return activation.process

    def is_approved(self, activation) -> bool:
        return activation.process.artifact.state == Pledge.State.APPROVED

    def is_fulfilled(self, activation) -> bool:
        return activation.process.artifact.state == Pledge.State.FULFILLED


def pledge_processes(pledge: Pledge):
    return PledgeProcess.objects.filter(
        artifact_content_type=ContentType.objects.get_for_model(Pledge), artifact_object_id=pledge.pk
    )


# The first submission starts the process; a resubmission completes "revise"; each decision
# completes its step (the gates read the pledge's new state); withdrawing or marking the pledge
# unfulfilled ends the process.
PLEDGE_DRIVER = StepDriver(
    flow=PledgeFlow,
    processes=pledge_processes,
    start=lambda pledge: PledgeFlow.start.run(pledge=pledge),
    start_on=frozenset({"submit"}),
    steps={
        "submit": ("revise",),
        "approve": ("review",),
        "return": ("review",),
        "claim": ("fulfil",),
        "confirm": ("confirmation",),
        "reject_claim": ("confirmation",),
    },
    cancel_on=frozenset({"withdraw", "mark_unfulfilled"}),
    subject_field="artifact",
)


def open_task(pledge: Pledge, node) -> Task | None:
    """The pledge's waiting task at ``node``, if its process is running."""
    return (
        Task.objects.filter(
            process__in=pledge_processes(pledge).filter(status=STATUS.NEW).values("pk"),
            flow_task=node,
            status=STATUS.NEW,
        )
        .order_by("-pk")
        .first()
    )
