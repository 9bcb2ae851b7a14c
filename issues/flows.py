"""The viewflow flow that puts each work order's next step in the right inbox.

One ``IssueProcess`` per issue (its artifact). The flow mirrors the issue's state machine —
the model holds the rules, the flow decides who acts next:

    start → dispatch (dispatchers) → accept (handler) → handle (handler) → follow_up (dispatchers) → end
            ↑ returned as wrongly routed ┘                ↑ reopened ┘

Each human task is taken with ``take(task, actor, **data)``, which calls the one service of that
step; every issue service then calls ``sync(issue)``, which completes the current task once the
issue's state has moved past it and lets the flow route to the next one. Services are the only
writers, so work done through the API or the pages keeps the inboxes right as well.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q
from django.utils.timezone import now
from viewflow import this
from viewflow.workflow import flow, lock
from viewflow.workflow.activation import Activation
from viewflow.workflow.models import Task
from viewflow.workflow.nodes.handle import HandleActivation
from viewflow.workflow.status import STATUS

from organization.scoping import scope_for

from .models import IssueProcess, LivelihoodIssue, can_dispatch, issue_township_q

Issue = LivelihoodIssue
OPEN_TASK = (STATUS.NEW, STATUS.ASSIGNED)


class IssueTaskActivation(HandleActivation):
    @Activation.status.super()
    def activate(self):
        owner = self.flow_task.owner_for(self.process.issue)
        if owner is not None:
            self.task.owner = owner
            self.task.status = STATUS.ASSIGNED
            self.task.assigned = now()
        self.task.save()

    @Activation.status.transition(source=[STATUS.NEW, STATUS.ASSIGNED], target=STATUS.STARTED)
    def run(self, func, **kwargs):
        self.task.started = now()
        return func(self, **kwargs) if func else self.process


class IssueTask(flow.Handle):
    """A human step: assigned to one person (``owner``) or left in the dispatchers' queue."""

    task_type = "HUMAN"
    activation_class = IssueTaskActivation

    def __init__(self, *, done_when, owner=None, **kwargs):
        super().__init__(**kwargs)
        self.done_when = done_when  # issue → bool: the state has moved past this step
        self._owner = owner

    def owner_for(self, issue):
        return self._owner(issue) if self._owner else None


def _handler(issue):
    return issue.handler


class IssueFlow(flow.Flow):
    process_class = IssueProcess
    lock_impl = lock.select_for_update_lock
    process_title = "Livelihood issue"

    start = flow.StartHandle(this.start_process).Next(this.dispatch)
    dispatch = IssueTask(done_when=lambda i: i.state != Issue.State.REPORTED).Next(this.after_dispatch)
    after_dispatch = (
        flow.Switch().Case(this.accept, lambda act: act.process.issue.state == Issue.State.DISPATCHED).Default(this.end)
    )
    accept = IssueTask(owner=_handler, done_when=lambda i: i.state != Issue.State.DISPATCHED).Next(this.after_accept)
    after_accept = (
        flow.Switch()
        .Case(this.dispatch, lambda act: act.process.issue.state == Issue.State.REPORTED)
        .Case(this.handle, lambda act: act.process.issue.state in Issue.CLOCK_STATES)
        .Default(this.end)
    )
    handle = IssueTask(owner=_handler, done_when=lambda i: i.state not in Issue.CLOCK_STATES).Next(this.after_handle)
    after_handle = (
        flow.Switch()
        .Case(this.follow_up, lambda act: act.process.issue.state == Issue.State.RESOLVED)
        .Default(this.end)
    )
    follow_up = IssueTask(done_when=lambda i: i.state != Issue.State.RESOLVED).Next(this.after_follow_up)
    after_follow_up = (
        flow.Switch().Case(this.handle, lambda act: act.process.issue.state in Issue.CLOCK_STATES).Default(this.end)
    )
    end = flow.End()

    def start_process(self, activation, issue):
        activation.process.artifact = issue
        return activation.process


# Which services a step's person may call (the API and pages call the same services).
STEP_SERVICES = {
    "dispatch": ("issue_dispatch", "issue_answer", "issue_cancel"),
    "accept": ("issue_accept", "issue_reject"),
    "handle": ("issue_report_progress", "issue_resolve"),
    "follow_up": ("issue_follow_up", "issue_reopen", "issue_close"),
}


def process_of(issue: Issue) -> IssueProcess | None:
    from django.contrib.contenttypes.models import ContentType

    return IssueProcess.objects.filter(
        artifact_content_type=ContentType.objects.get_for_model(Issue), artifact_object_id=issue.pk
    ).first()


def start(issue: Issue) -> IssueProcess:
    """Start the issue's process (the registration service calls this)."""
    return IssueFlow.start.run(issue=issue)


def open_tasks(issue: Issue):
    process = process_of(issue)
    if process is None:
        return Task.objects.none()
    return Task.objects.filter(process=process, status__in=OPEN_TASK)


def sync(issue: Issue) -> None:
    """Complete the open task(s) the issue's state has moved past; the flow routes onwards.

    Caller holds the issue's row lock, inside the service's transaction.
    """
    assert transaction.get_connection().in_atomic_block
    for _ in range(4):  # each pass finishes one step; a service moves the issue one step at most
        progressed = False
        for task in open_tasks(issue):
            node = task.flow_task
            if isinstance(node, IssueTask) and node.done_when(issue):
                node.run(task)
                progressed = True
        if not progressed:
            return


def take(task: Task, *, actor, **data):
    """Do a task's step: call the one service named, which advances the flow through ``sync``."""
    from . import services

    service_name = data.pop("service")
    if service_name not in STEP_SERVICES[task.flow_task.name]:
        raise ValueError(f"{service_name} is not a step of {task.flow_task.name}")
    return getattr(services, service_name)(issue=issue_of(task), actor=actor, **data)


def issue_of(task: Task) -> Issue:
    return Issue.objects.get(pk=task.process.artifact_object_id)


def inbox(user):
    """Open flow tasks for ``user``: assigned to them, or in the dispatchers' queue."""
    q = Q(owner=user, status=STATUS.ASSIGNED)
    if can_dispatch(user):
        # The dispatchers' queue: the orders of the townships the user dispatches for.
        queue = Q(owner__isnull=True, status=STATUS.NEW, flow_task_type="HUMAN")
        if not user.is_superuser:
            own = Issue.objects.filter(issue_township_q(scope_for(user).dispatch_paths)).values("pk")
            queue &= Q(process__artifact_object_id__in=own)
        q |= queue
    return Task.objects.filter(q, process__flow_class=IssueFlow).select_related("process").order_by("created", "pk")
