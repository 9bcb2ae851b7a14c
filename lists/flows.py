"""viewflow flows for monthly lists and their items: who must act next, and everyone's inbox.

Flows orchestrate people, models hold rules (DESIGN.md). Each human task here is taken by
calling one service (``list_publish``, ``item_accept``, ``item_submit``, ``item_verify`` …) on
the object's page or through the API; the service runs the model transition, and the engine's
hook (``workflows.flowdrive``, with the drivers below) closes the task in the same transaction
so the flow moves on. Flows never call services. Gates read the item's state, never write it:
the FSM field stays the one source of truth, and the flow only follows it.

ItemFlow::

    start ─► accept (assignee) ─► work (assignee: progress, submit) ─► verify (a leader)
                                      ▲                                   │
                                      └──── returned ◄── check_verified ◄─┘ ─► end (completed)

Cancelling, carrying over or marking an item unfinished cancels its process.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow, lock
from viewflow.workflow.models import Task

from organization.scoping import leaders_of
from workflows.flowdrive import OPEN_TASK_STATUSES, StepDriver, register_flow_driver

from .models import ItemProcess, ListProcess, ResponsibilityItem, ResponsibilityList


def open_task_view(request, process_pk: int, task_pk: int, **kwargs):
    """A task is worked on on its object's page (the page calls the service)."""
    task = get_object_or_404(Task, pk=task_pk, process_id=process_pk)
    process = task.process.coerced
    if isinstance(process, ItemProcess):
        return redirect("lists:item-detail", process.item_id)
    return redirect("lists:inbox")


def _assignee(activation):
    return activation.process.item.assignee


def _verifier(activation):
    """The lead leader verifies; when they are the assignee (four-eyes), a leader of the unit."""
    item = activation.process.item
    if item.lead_leader_id and item.lead_leader_id != item.assignee_id:
        return item.lead_leader
    return leaders_of(item.list.unit).exclude(pk=item.assignee_id).order_by("-memberships__unit__path").first()


def _list_owner(activation):
    lst = activation.process.list
    return lst.created_by or leaders_of(lst.unit).order_by("-memberships__unit__path").first()


class ItemFlow(flow.Flow):
    process_class = ItemProcess
    # A real row lock on the process for every task step (PostgreSQL: SELECT … FOR UPDATE).
    lock_impl = lock.SelectForUpdateLock(nowait=False)
    process_title = _("Responsibility item")

    start = flow.StartHandle(this.start_process).Next(this.accept)
    accept = flow.View(open_task_view).Annotation(title=_("Accept the item")).Assign(_assignee).Next(this.work)
    work = (
        flow.View(open_task_view)
        .Annotation(title=_("Work on the item and submit it"))
        .Assign(_assignee)
        .Next(this.verify)
    )
    verify = (
        flow.View(open_task_view).Annotation(title=_("Verify completion")).Assign(_verifier).Next(this.check_verified)
    )
    check_verified = flow.If(this.is_completed).Then(this.end).Else(this.work)
    end = flow.End()

    def start_process(self, activation, item: ResponsibilityItem):
        activation.process.item = item
        return activation.process

    def is_completed(self, activation) -> bool:
        return activation.process.item.state == ResponsibilityItem.State.COMPLETED


class ListFlow(flow.Flow):
    process_class = ListProcess
    lock_impl = lock.SelectForUpdateLock(nowait=False)
    process_title = _("Monthly responsibility list")

    start = flow.StartHandle(this.start_process).Next(this.publish)
    publish = (flow.View(open_task_view).Annotation(title=_("Publish the list")).Assign(_list_owner)).Next(this.close)
    close = (flow.View(open_task_view).Annotation(title=_("Close the list")).Assign(_list_owner)).Next(this.end)
    end = flow.End()

    def start_process(self, activation, lst: ResponsibilityList):
        activation.process.list = lst
        return activation.process


FLOWS = (ItemFlow, ListFlow)


# -- the drivers: each transition moves its subject's process on ---------------------------------


def item_processes(item: ResponsibilityItem):
    return ItemProcess.objects.filter(item=item)


def list_processes(lst: ResponsibilityList):
    return ListProcess.objects.filter(list=lst)


# Assignment starts the item's process (the assignee gets "accept"); each step's transition
# completes it; an item that leaves the list's work for good ends it.
ITEM_DRIVER = StepDriver(
    flow=ItemFlow,
    processes=item_processes,
    start=lambda item: ItemFlow.start.run(item=item),
    start_on=frozenset({"assign"}),
    steps={"accept": ("accept",), "submit": ("work",), "verify": ("verify",), "return": ("verify",)},
    cancel_on=frozenset({"cancel", "carry_over", "mark_unfinished"}),
    hand_over_on=frozenset({"reassign"}),
    subject_field="item",
)

# Creating a list starts its process (its leader gets "publish"); publishing and closing
# complete their steps; deleting a draft ends it.
LIST_DRIVER = StepDriver(
    flow=ListFlow,
    processes=list_processes,
    start=lambda lst: ListFlow.start.run(lst=lst),
    start_on=frozenset({"create"}),
    steps={"publish": ("publish",), "close": ("close",)},
    cancel_on=frozenset({"delete"}),
    subject_field="list",
)


def register_flow_drivers() -> None:
    register_flow_driver(ResponsibilityItem, ITEM_DRIVER)
    register_flow_driver(ResponsibilityList, LIST_DRIVER)


# -- inboxes --------------------------------------------------------------------------------------


def open_tasks_for(user):
    """The user's inbox: open human tasks of these flows assigned to them, oldest first."""
    return (
        Task.objects.filter(
            owner_id=user.pk,
            status__in=OPEN_TASK_STATUSES,
            flow_task_type="HUMAN",
            process__flow_class__in=FLOWS,
        )
        .select_related(
            "process__itemprocess__item__list__unit",
            "process__listprocess__list__unit",
        )
        .order_by("created", "pk")
    )
