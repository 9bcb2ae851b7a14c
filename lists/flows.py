"""viewflow flows for monthly lists and their items: who must act next, and everyone's inbox.

Flows orchestrate people, models hold rules (DESIGN.md). Each human task here is taken by
calling one service (``list_publish``, ``item_accept``, ``item_submit``, ``item_verify`` …);
the service runs the model transition and then, in the same transaction, closes the task
through ``complete_task`` so the flow moves on. Gates read the item's state, never write it:
the FSM field stays the one source of truth, and the flow only follows it.

ItemFlow::

    start ─► accept (assignee) ─► work (assignee: progress, submit) ─► verify (a leader)
                                      ▲                                   │
                                      └──── returned ◄── check_verified ◄─┘ ─► end (completed)

Cancelling, carrying over or marking an item unfinished cancels its process.
"""

from __future__ import annotations

from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import STATUS, flow, lock
from viewflow.workflow.models import Task

from organization.scoping import leaders_of

from .models import ItemProcess, ListProcess, ResponsibilityItem, ResponsibilityList

OPEN_TASK_STATUSES = (STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED)


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


# -- what services call ---------------------------------------------------------------------------


def start_item_process(item: ResponsibilityItem) -> ItemProcess:
    """Called when an item is assigned: the assignee gets the "accept" task."""
    return ItemFlow.start.run(item=item)


def start_list_process(lst: ResponsibilityList) -> ListProcess:
    """Called when a list is created: its leader gets the "publish" task."""
    return ListFlow.start.run(lst=lst)


def complete_task(process_qs, node, *, actor, subject=None, subject_field: str = "") -> Task | None:
    """Close the open ``node`` task of the process in ``process_qs`` as done by ``actor``.

    Caller is a service inside its transaction, after the model transition succeeded. An
    object without a process (made before flows existed) has no task to close: nothing happens.

    The task and its process are found by one query, which locks the process row: the lock the
    flow's ``lock_impl`` (``SelectForUpdateLock``) would take, in the caller's transaction.
    ``subject``, the object the service holds (locked, with what the flow's assignments read), is
    handed to the process as its ``subject_field`` so that the flow's steps do not load it again.
    """
    assert transaction.get_connection().in_atomic_block
    child = process_qs.model._meta.model_name  # the flow's process row, joined from the base row
    task = (
        Task.objects.filter(
            process__in=process_qs.exclude(status__in=[STATUS.DONE, STATUS.CANCELED]).values("pk"),
            flow_task=node,
            status__in=OPEN_TASK_STATUSES,
        )
        .select_related(f"process__{child}")
        .select_for_update(of=("process",))
        .order_by("-process_id", "-pk")
        .first()
    )
    if task is None:
        return None
    process = getattr(task.process, child)
    if subject is not None:
        setattr(process, subject_field, subject)
    task.process = process  # the activation reads the process (coerced): it is this one
    activation = node.activation_class(task)
    if task.status == STATUS.NEW:
        activation.assign(actor)
    task.owner = actor
    if task.status == STATUS.ASSIGNED:
        activation.start(None)
    activation.execute()
    return task


def cancel_processes(process_qs) -> None:
    """Cancel every running process in ``process_qs`` with its open tasks."""
    for process in process_qs.exclude(status__in=[STATUS.DONE, STATUS.CANCELED]):
        process.flow_class.instance.cancel(process)


def _task_done(flow_class, field: str, subject, node_name: str, actor) -> Task | None:
    processes = flow_class.process_class.objects.filter(**{field: subject})
    return complete_task(processes, getattr(flow_class, node_name), actor=actor, subject=subject, subject_field=field)


def item_task_done(item: ResponsibilityItem, node_name: str, *, actor) -> Task | None:
    return _task_done(ItemFlow, "item", item, node_name, actor)


def list_task_done(lst: ResponsibilityList, node_name: str, *, actor) -> Task | None:
    return _task_done(ListFlow, "list", lst, node_name, actor)


def item_flow_cancel(item: ResponsibilityItem) -> None:
    cancel_processes(ItemProcess.objects.filter(item=item))


def list_flow_cancel(lst: ResponsibilityList) -> None:
    cancel_processes(ListProcess.objects.filter(list=lst))


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
