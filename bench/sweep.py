"""Benchmark: the deadline sweep after a long holiday, when many objects change step at once.

Not a test. Uses its own database (``dutyflow_bench_sweep``; ``BENCH_DATABASE_URL`` to change it),
filled by ``generate.py``, and its own Redis db (``BENCH_REDIS_URL``, default db 11) as the broker
the outbox enqueues to after each batch commits (no worker: messages stay queued; the db is
flushed before and after). What it deletes: its broker db, and what its own sweeps wrote about
the items it made due (each repeat puts them back); the throwaway flow's processes stay.

For each repeat, at one moment ``as_of`` (the database first settled by an untimed sweep, so that
nothing else is due):

1. ``--changes`` open items (accepted or in progress, never escalated, no case, no pending
   extension) get a deadline a week back: each changes step at once (→ red, escalation level 1:
   a warning and an escalation event, a supervision case with its log row, outbox rows). The
   first sweep is timed (wall, and the CPU seconds of this process and of its PostgreSQL
   backend: what a quiet host would see), then the second (nothing to change, best of 3). The items are then put
   back (deadline, colour, level; the steps, cases and outbox rows about them deleted), so
   every repeat sweeps the same items.
2. viewflow's ``fire_due_timers`` on as many due timers of a throwaway flow
   (``bench/timer_flow/``, installed by ``bench/sweep_settings.py``), in the same run.
3. Item transitions (``item_report_progress`` through the service: row lock, UPDATE, log row,
   progress row) from ``--threads`` processes on other open items: transitions/s for
   ``--seconds`` without a sweep, then during a first sweep of another ``--changes`` items;
   meanwhile one more process sends transitions to items of the sweep's current batch (their
   latency: p50, p99, max). Processes, not threads, since the sweep (a worker) and the users'
   requests (web workers) never share an interpreter lock in production; the host's busy CPU
   share is printed for both.

The generated open items have their flow processes (``generate.py``), but a progress report is
a self-transition of ``in_progress`` that moves no flow task: this is the cheaper transition
path (a submit also completes the flow's task and opens the next: ``transitions.py``), the same
one with and without a sweep.

Usage:
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/dutyflow_bench_sweep .venv/bin/python bench/generate.py --fresh
    .venv/bin/python bench/sweep.py [--changes 10000] [--repeat 3] [--batch-size 500]
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import random
import statistics
import sys
import time

os.environ.setdefault("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/dutyflow_bench_sweep")
os.environ["REDIS_URL"] = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/11")

from benchlib import backend_cpu_seconds, configure_environment, machine, process_cpu_seconds


def load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def flush_broker() -> None:
    import redis

    redis.Redis.from_url(os.environ["REDIS_URL"]).flushdb()


def pick(count: int, as_of: dt.datetime, used: set[int], states=None) -> list[int]:
    """Open items (of ``states``, default every state in which the clock runs) below the last
    escalation level, with no case and no pending extension request."""
    from django.db.models import Exists, OuterRef

    from lists.models import ExtensionRequest, ResponsibilityItem
    from lists.sweep import CLOCK_STATES
    from supervision.models import SupervisionCase

    candidates = (
        ResponsibilityItem.objects.filter(state__in=states or CLOCK_STATES, escalation_level__lt=3)
        .exclude(Exists(ExtensionRequest.objects.filter(item=OuterRef("pk"), state="pending")))
        .exclude(Exists(SupervisionCase.objects.filter(object_id=OuterRef("pk"), subject_type="item")))
        .values_list("pk", flat=True)
    )
    pool = [pk for pk in candidates if pk not in used]
    random.Random(len(used)).shuffle(pool)
    chosen = sorted(pool[:count])
    if len(chosen) < count:
        raise SystemExit(f"only {len(chosen)} items fit; generate more (or ask for fewer --changes)")
    used.update(chosen)
    return chosen


class Changing:
    """Items made to change step at once (green, never escalated, a deadline a week back), and
    put back afterwards: their deadline, colour, level and earlier escalation steps restored,
    the steps, cases and outbox rows the sweep wrote about them deleted (the cases' log rows
    stay: the log is append-only), so that every repeat sweeps the same items from the same
    state."""

    def __init__(self, pks: list[int]):
        from lists.models import ResponsibilityItem
        from workflows.models import EscalationEvent

        self.pks = pks
        self.saved = list(
            ResponsibilityItem.objects.filter(pk__in=pks).values_list(
                "pk", "assigned_at", "due_at", "warning_level", "escalation_level"
            )
        )
        self.steps = list(
            EscalationEvent.objects.filter(object_id__in=pks, content_type__model="responsibilityitem").values(
                "content_type_id", "object_id", "level", "due_at", "as_of", "created_at"
            )
        )

    def make_due(self, as_of: dt.datetime) -> None:
        """Due a week ago (assigned at least three weeks ago)."""
        from django.db import transaction
        from django.db.models import F, Value
        from django.db.models.functions import Least

        from lists.models import ResponsibilityItem
        from workflows.models import EscalationEvent

        with transaction.atomic():
            EscalationEvent.objects.filter(object_id__in=self.pks, content_type__model="responsibilityitem").delete()
            for start in range(0, len(self.pks), 5000):
                ResponsibilityItem.objects.filter(pk__in=self.pks[start : start + 5000]).update(
                    assigned_at=Least(F("assigned_at"), Value(as_of - dt.timedelta(days=21))),
                    due_at=as_of - dt.timedelta(days=7),
                    warning_level="green",
                    escalation_level=0,
                )

    def put_back(self) -> None:
        from django.contrib.contenttypes.models import ContentType
        from django.db import transaction

        from lists.models import ResponsibilityItem
        from notifications.models import Notification, OutboxMessage
        from supervision.models import SupervisionCase
        from workflows.models import EscalationEvent

        item_type = ContentType.objects.get_for_model(ResponsibilityItem)
        case_type = ContentType.objects.get_for_model(SupervisionCase)
        with transaction.atomic():
            cases = list(
                SupervisionCase.objects.filter(content_type=item_type, object_id__in=self.pks).values_list(
                    "pk", flat=True
                )
            )
            for model in (OutboxMessage, Notification):
                model.objects.filter(subject_type=case_type, subject_id__in=cases).delete()
                model.objects.filter(
                    subject_type=item_type, subject_id__in=self.pks, event__startswith="sweep."
                ).delete()
            SupervisionCase.objects.filter(pk__in=cases).delete()
            EscalationEvent.objects.filter(content_type=item_type, object_id__in=self.pks).delete()
            by_values: dict[tuple, list[int]] = {}
            for pk, *values in self.saved:
                by_values.setdefault(tuple(values), []).append(pk)
            for (assigned_at, due_at, warning, escalation), pks in by_values.items():
                ResponsibilityItem.objects.filter(pk__in=pks).update(
                    assigned_at=assigned_at, due_at=due_at, warning_level=warning, escalation_level=escalation
                )
            EscalationEvent.objects.bulk_create([EscalationEvent(**step) for step in self.steps])


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def costed(fn):
    """(wall s, this process's CPU s, its PostgreSQL backend's CPU s, result): the CPU seconds
    are what ``fn`` costs whatever else the host runs; on a quiet host its wall time is about
    their sum (the two alternate: Python waits for each answer)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    python, backend = process_cpu_seconds(), backend_cpu_seconds(pid)
    wall, result = timed(fn)
    return wall, process_cpu_seconds() - python, backend_cpu_seconds(pid) - backend, result


def host_busy() -> tuple[float, float]:
    """(busy, total) CPU ticks of the host so far (``/proc/stat``)."""
    with open("/proc/stat") as fh:
        ticks = [int(value) for value in fh.readline().split()[1:]]
    idle = ticks[3] + ticks[4]
    return sum(ticks) - idle, sum(ticks)


def busy_share(before: tuple[float, float]) -> float:
    busy, total = host_busy()
    return (busy - before[0]) / max(total - before[1], 1)


def fire_timers(count: int) -> tuple[float, float, float, int]:
    """``count`` due timers of the throwaway flow, fired by viewflow's dispatcher: ``costed``
    figures of the dispatcher alone (not the timers' set-up) and how many it fired."""
    from django.db import transaction
    from django.utils import timezone
    from timer_flow.flows import TimerFlow
    from viewflow.workflow.models import Process, Task
    from viewflow.workflow.timers import fire_due_timers

    template_process = TimerFlow.start.run()
    template = Task.objects.get(process=template_process, flow_task_type="TIMER")
    with transaction.atomic():
        processes = Process.objects.bulk_create(
            [Process(flow_class=template_process.flow_class, status=template_process.status) for _ in range(count - 1)]
        )
        fields = {
            field.attname: getattr(template, field.attname)
            for field in Task._meta.concrete_fields
            if field.attname not in ("id", "process_id")
        }
        Task.objects.bulk_create([Task(**{**fields, "process_id": process.pk}) for process in processes])
        Task.objects.filter(flow_task_type="TIMER", status="SCHEDULED").update(
            scheduled=timezone.now() - dt.timedelta(minutes=1)
        )
    return costed(fire_due_timers)


def _close_connections() -> None:
    from django.db import connections

    connections.close_all()


def _transitions(slot: int, item_ids, assignees, stop, count, errors) -> None:
    """A process sending transitions to random items of ``item_ids`` until ``stop`` is set."""
    from lists import services
    from lists.models import ResponsibilityItem
    from organization.models import User

    rng, users = random.Random(slot), {}
    try:
        while not stop.is_set():
            pk = rng.choice(item_ids)
            user_id = assignees[pk]
            user = users.get(user_id) or users.setdefault(user_id, User.objects.get(pk=user_id))
            try:
                services.item_report_progress(
                    item=ResponsibilityItem.objects.get(pk=pk), actor=user, text="进展", percent=50
                )
                with count.get_lock():
                    count.value += 1
            except Exception:  # noqa: BLE001 - counted and shown
                with errors.get_lock():
                    errors.value += 1
    finally:
        _close_connections()


def _at_the_batch(sweeping, assignees, batch_size, where, stop, latencies) -> None:
    """A process sending transitions to items of the batch the sweep works on now (ids in its
    order: ``where`` is how many it has looked at); puts its latencies on ``latencies``."""
    from lists import services
    from lists.models import ResponsibilityItem
    from organization.models import User

    rng, measured = random.Random(7), []
    try:
        while not stop.is_set():
            low = where.value
            pk = rng.choice(sweeping[low : low + batch_size] or sweeping[-1:])
            user = User.objects.get(pk=assignees[pk])
            start = time.perf_counter()
            services.item_report_progress(
                item=ResponsibilityItem.objects.get(pk=pk), actor=user, text="进展", percent=60
            )
            measured.append(time.perf_counter() - start)
    finally:
        latencies.put(measured)
        _close_connections()


def transitions_while(
    run, *, item_ids, assignees, threads: int, seconds: float | None, sweeping=None, batch_size: int = 0
):
    """Transitions from ``threads`` processes on ``item_ids`` while ``run(progress)`` runs (or for
    ``seconds``), and with ``sweeping``, one more process on the items of the sweep's current
    batch. Processes, not threads: in production the sweep (a worker) and the transitions (the
    web workers) do not share an interpreter lock. Returns (transitions, wall seconds, run's
    result, sorted latencies on the current batch)."""
    context = multiprocessing.get_context("fork")
    stop, count, errors, where = context.Event(), context.Value("l", 0), context.Value("l", 0), context.Value("l", 0)
    latencies = context.SimpleQueue()
    _close_connections()  # the children must not share this process's connection
    workers = [
        context.Process(target=_transitions, args=(slot, item_ids, assignees, stop, count, errors))
        for slot in range(threads)
    ]
    if sweeping:
        workers.append(
            context.Process(target=_at_the_batch, args=(sweeping, assignees, batch_size, where, stop, latencies))
        )
    for worker in workers:
        worker.start()
    start = time.perf_counter()
    result = None
    if seconds is not None:
        time.sleep(seconds)
    else:

        def progress(state):
            where.value = state.done

        result = run(progress)
    stop.set()
    wall, done = time.perf_counter() - start, count.value
    measured = sorted(latencies.get()) if sweeping else []
    for worker in workers:
        worker.join()
    if errors.value:
        print(f"    transition errors: {errors.value}")
    return done, wall, result, measured


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--changes", type=int, default=10_000, help="objects changing step at once")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=None)
    parser.add_argument("--threads", type=int, default=2, help="processes sending transitions to other items")
    parser.add_argument("--seconds", type=float, default=15.0, help="the baseline of the transitions")
    parser.add_argument(
        "--viewflow-repeats", type=int, default=None, help="time viewflow in the first K repeats only (default: all)"
    )
    args = parser.parse_args()

    configure_environment("sweep_settings", keep_redis=True)
    import django

    django.setup()
    from django.db import connection
    from django.utils import timezone

    from lists.models import ResponsibilityItem
    from workflows.sweep import BATCH_SIZE, sweep_deadlines

    batch_size = args.batch_size or BATCH_SIZE
    print("machine: ", machine())
    print("database:", os.environ["DATABASE_URL"], "broker:", os.environ["REDIS_URL"])
    total = ResponsibilityItem.objects.count()
    print(f"items: {total:,}; open: {ResponsibilityItem.objects.open().count():,}; batch size {batch_size}")
    if not total:
        raise SystemExit("no items: run generate.py against this database first")
    flush_broker()
    as_of = timezone.now().replace(microsecond=0)
    seconds, report = timed(lambda: sweep_deadlines(as_of=as_of, batch_size=batch_size))
    print(f"settling sweep as of {as_of.isoformat()}: {len(report.changes):,} changed in {seconds:.1f} s")
    seconds, _ = timed(lambda: connection.cursor().execute("VACUUM (ANALYZE)"))
    print(f"VACUUM (ANALYZE): {seconds:.1f} s")

    used: set[int] = set()
    busy_set = Changing(pick(args.changes, as_of, used, states=("in_progress",)))
    quiet_set = Changing(pick(args.changes, as_of, used))
    firsts, seconds_runs, timers, baseline, during, ratios, p99s = [], [], [], [], [], [], []
    first_cpu, second_cpu, timer_cpu = [], [], []
    for round_ in range(1, args.repeat + 1):
        print(f"-- repeat {round_} (load average {load()})")
        quiet_set.make_due(as_of)
        elapsed, python, backend, report = costed(lambda: sweep_deadlines(as_of=as_of, batch_size=batch_size))
        firsts.append(elapsed)
        first_cpu.append(python + backend)
        print(
            f"  first sweep: {elapsed:.2f} s, {len(report.changes):,} changed, {report.escalations:,} escalation"
            f" step(s), {report.batches} batches ({len(report.changes) / elapsed:,.0f} objects/s); CPU: Python"
            f" {python:.2f} s + PostgreSQL backend {backend:.2f} s = {python + backend:.2f} s"
        )
        again = []
        for _ in range(3):
            elapsed, python, backend, report = costed(lambda: sweep_deadlines(as_of=as_of, batch_size=batch_size))
            again.append((elapsed, python + backend))
            assert not report.changes, report.changes[:3]
        quiet_set.put_back()
        best = min(again)
        seconds_runs.append(best[0])
        second_cpu.append(best[1])
        print(
            f"  second sweep (nothing to change): best {best[0] * 1000:.0f} ms of {[round(s * 1000) for s, _ in again]};"
            f" CPU (Python + backend) {best[1] * 1000:.0f} ms"
        )
        flush_broker()
        if args.viewflow_repeats is None or round_ <= args.viewflow_repeats:
            elapsed, python, backend, fired = fire_timers(args.changes)
            timers.append(elapsed)
            timer_cpu.append(python + backend)
            print(
                f"  viewflow fire_due_timers: {fired:,} timers in {elapsed:.2f} s ({fired / elapsed:,.0f}/s);"
                f" CPU: Python {python:.2f} s + backend {backend:.2f} s = {python + backend:.2f} s"
            )

        # Transitions on other items, without and with a sweep running.
        others = list(
            ResponsibilityItem.objects.filter(state="in_progress")
            .exclude(pk__in=used)
            .values_list("pk", "assignee_id")[:2000]
        )
        assignees = dict(others)
        before = host_busy()
        count, wall, _, _ = transitions_while(
            None, item_ids=list(assignees), assignees=assignees, threads=args.threads, seconds=args.seconds
        )
        quiet = count / wall
        baseline.append(quiet)
        print(f"  transitions without a sweep: host CPU {busy_share(before):.0%} busy")
        sweeping = busy_set.pks
        busy_set.make_due(as_of)
        assignees.update(ResponsibilityItem.objects.filter(pk__in=sweeping).values_list("pk", "assignee_id"))
        before = host_busy()
        count, wall, report, latencies = transitions_while(
            lambda progress: sweep_deadlines(as_of=as_of, batch_size=batch_size, progress=progress),
            item_ids=list(assignees.keys() - set(sweeping)),
            assignees=assignees,
            threads=args.threads,
            seconds=None,
            sweeping=sweeping,
            batch_size=batch_size,
        )
        print(f"  transitions during a sweep: host CPU {busy_share(before):.0%} busy")
        busy_set.put_back()
        busy = count / wall
        during.append(busy)
        ratios.append(busy / quiet)
        p99 = latencies[int(0.99 * (len(latencies) - 1))] if latencies else float("nan")
        p99s.append(p99)
        print(
            f"  transitions on other items ({args.threads} processes): {quiet:.1f}/s without a sweep, {busy:.1f}/s"
            f" during one ({busy / quiet:.0%}); the sweep: {wall:.2f} s, {len(report.changes):,} changed"
        )
        print(
            f"  transitions on items of the current batch: {len(latencies)}, p50"
            f" {latencies[len(latencies) // 2] * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, max {latencies[-1] * 1000:.0f} ms"
            if latencies
            else "  no transition on the current batch finished"
        )
        flush_broker()
    print(f"-- summary over {args.repeat} repeat(s), load average now {load()}")

    def spread(values, unit="s", scale=1.0, fmt=".2f"):
        values = [v * scale for v in values]
        return f"median {statistics.median(values):{fmt}} {unit} (min {min(values):{fmt}}, max {max(values):{fmt}})"

    print(f"  first sweep, {args.changes:,} changes: {spread(firsts)}; CPU {spread(first_cpu)}")
    print(f"  second sweep: {spread(seconds_runs, 'ms', 1000, '.0f')}; CPU {spread(second_cpu, 'ms', 1000, '.0f')}")
    if timers:
        print(f"  viewflow fire_due_timers, {args.changes:,} timers: {spread(timers)}; CPU {spread(timer_cpu)}")
        print(
            f"  sweep vs viewflow: {statistics.median(timers) / statistics.median(firsts):.1f}× faster (wall),"
            f" {statistics.median(timer_cpu) / statistics.median(first_cpu):.1f}× (CPU)"
        )
    print(
        f"  transitions/s on other items: without {spread(baseline, '/s', 1, '.1f')}; during {spread(during, '/s', 1, '.1f')}"
    )
    print(f"  share kept: {spread(ratios, '%', 100, '.0f')}")
    print(f"  p99 on the current batch: {spread(p99s, 'ms', 1000, '.0f')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
