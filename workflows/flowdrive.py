"""The one way a subject's viewflow process moves on (DESIGN.md, principle 9).

``apply_transition`` calls ``drive_flow`` after it has saved the subject and logged the change,
in the same transaction and with the subject's row still locked. Domain apps register one
driver per subject model (``register_flow_driver`` from their AppConfig.ready()); the engine
never imports the domain. A driver reads the log row just written (which transition, who) and
moves the subject's process on: it starts the process, completes the open human task the
transition answers (the flow then activates the next one), or cancels the process when the
subject left its flow for good. Flows never call services: a human task is done on the
subject's page or through the API, which call the service, whose transition lands here.

``StepDriver`` is the declarative driver every flow of the project uses: a table of which
transition starts, completes which step, or cancels. A subject whose flow decides by state
alone may register any callable ``driver(subject, entry)`` instead.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from viewflow.workflow import STATUS
from viewflow.workflow.models import Process, Task

#: Task statuses of a step still waiting on someone.
OPEN_TASK_STATUSES = (STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED)

FlowDriver = Callable[[object, object], None]  # (subject, its new TransitionLog row) -> None

_DRIVERS: dict[type, FlowDriver] = {}


def register_flow_driver(model: type, driver: FlowDriver) -> None:
    _DRIVERS[model] = driver


def flow_driver_for(model: type) -> FlowDriver | None:
    return _DRIVERS.get(model._meta.concrete_model) or _DRIVERS.get(model)


def drive_flow(subject, entry) -> None:
    """Move ``subject``'s process on after the transition ``entry`` logged (no driver: nothing)."""
    driver = flow_driver_for(type(subject))
    if driver is not None:
        driver(subject, entry)


@dataclass(frozen=True)
class Creation:
    """What a driver is handed for a subject created without a log row of its own."""

    actor: object = None
    transition: str = "create"


def subject_created(subject, *, actor=None) -> None:
    """Start ``subject``'s flow: its driver sees the transition ``create``."""
    drive_flow(subject, Creation(actor))


def running(processes: QuerySet) -> QuerySet:
    return processes.exclude(status__in=[STATUS.DONE, STATUS.CANCELED])


def complete_task(processes: QuerySet, node, *, actor=None, subject=None, subject_field: str = "") -> Task | None:
    """Complete the open ``node`` task of the running process in ``processes`` as done by ``actor``;
    the flow then activates what comes next. No such task (an object made before its flow
    existed, or a step already done): nothing happens.

    One query finds the task with its process and locks the process row: the lock the flow's
    ``lock_impl`` (``SelectForUpdateLock``) would take, in the caller's transaction. ``subject``,
    the object the caller holds locked, is set on the process as ``subject_field`` so that the
    flow's steps (assignments, gates) do not read it again.
    """
    assert transaction.get_connection().in_atomic_block
    model = processes.model
    tasks = Task.objects.filter(
        process__in=running(processes).values("pk"), flow_task=node, status__in=OPEN_TASK_STATUSES
    ).order_by("-process_id", "-pk")
    child = None if model._meta.proxy or model is Process else model._meta.model_name
    if child:
        tasks = tasks.select_related(f"process__{child}")
    else:
        tasks = tasks.select_related("process")
    task = tasks.select_for_update(of=("process",)).first()
    if task is None:
        return None
    process = getattr(task.process, child) if child else task.process
    if not isinstance(process, model):
        process.__class__ = model  # a proxy process: the same row, the flow's class
    if subject is not None and subject_field:
        setattr(process, subject_field, subject)
    task.process = process  # the activation reads the process (coerced): it is this one
    activation = node.activation_class(task)
    if hasattr(activation, "assign"):  # a View step: assigned, started, then executed
        if task.status == STATUS.NEW:
            activation.assign(actor)
        if actor is not None:
            task.owner = actor
        if task.status == STATUS.ASSIGNED:
            activation.start(None)
    else:  # a Handle step: run, then executed
        if actor is not None:
            task.owner = actor
        activation.run(None)
    activation.execute()
    return task


def cancel_processes(processes: QuerySet) -> None:
    """End every running process in ``processes``; their open tasks are cancelled with it."""
    now = timezone.now()
    open_processes = running(processes).values("pk")
    Task.objects.filter(process__in=open_processes, status__in=OPEN_TASK_STATUSES).update(
        status=STATUS.CANCELED, finished=now
    )
    Process.objects.filter(pk__in=open_processes).update(status=STATUS.CANCELED, finished=now)


def hand_over_tasks(processes: QuerySet, *, from_user: int, to_user: int) -> int:
    """Give the open steps of the running processes in ``processes`` that wait on ``from_user``
    to ``to_user`` (改派, 交接); returns how many moved."""
    return Task.objects.filter(
        process__in=running(processes).values("pk"), owner_id=from_user, status__in=OPEN_TASK_STATUSES
    ).update(owner_id=to_user)


@dataclass(frozen=True)
class StepDriver:
    """A flow driven by a table: which transition starts the process, which step each one
    completes, which ones cancel it. Transition names are the log's (the API names)."""

    #: subject -> the subject's processes (any status)
    processes: Callable[[object], QuerySet]
    #: subject -> start a process (the flow's StartHandle)
    start: Callable[[object], object] | None = None
    #: transition names that start a process (one that also completes a step starts one only
    #: when no process is running: a pledge submitted again after a return continues its own)
    start_on: frozenset[str] = frozenset()
    #: transition name -> names of the steps it completes, in order (the first that is open)
    steps: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: transition names that end the process
    cancel_on: frozenset[str] = frozenset()
    #: the flow class whose nodes ``steps`` names
    flow: type | None = None
    #: the attribute of the process that holds the subject (handed over, not read again)
    subject_field: str = ""
    #: transition names that hand the subject's open steps from one person to another: the log
    #: row's payload names them (``from_user``, ``to_user``); the steps stay where they are
    hand_over_on: frozenset[str] = frozenset()

    def __call__(self, subject, entry) -> None:
        name = entry.transition
        processes = self.processes(subject)
        if name in self.cancel_on:
            cancel_processes(processes)
            return
        if name in self.hand_over_on:
            hand_over_tasks(processes, from_user=entry.payload["from_user"], to_user=entry.payload["to_user"])
            return
        for node_name in self.steps.get(name, ()):
            node = getattr(self.flow, node_name)
            task = complete_task(processes, node, actor=entry.actor, subject=subject, subject_field=self.subject_field)
            if task is not None:
                return
        if name in self.start_on and self.start is not None:
            if self.steps.get(name) and running(processes).exists():
                return
            self.start(subject)
