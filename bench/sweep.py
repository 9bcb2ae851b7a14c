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
   first sweep is timed, then the second (nothing to change, best of 3). The items are then put
   back (deadline, colour, level; the steps, cases and outbox rows about them deleted), so
   every repeat sweeps the same items.
2. viewflow's ``fire_due_timers`` on as many due timers of a throwaway flow
   (``bench/timer_flow/``, installed by ``bench/sweep_settings.py``), in the same run.
3. Item transitions (``item_report_progress`` through the service: row lock, log row, outbox
   rows) from ``--threads`` threads on other open items: transitions/s for ``--seconds`` without
   a sweep, then during a first sweep of another ``--changes`` items; meanwhile one more thread
   sends transitions to items of the sweep's current batch (their latency: p50, p99, max).

The generated items have no flow process: the transitions take the cheap path (no viewflow task
to move on); both measurements below take the same path.

Usage:
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/dutyflow_bench_sweep .venv/bin/python bench/generate.py --fresh
    .venv/bin/python bench/sweep.py [--changes 10000] [--repeat 3] [--batch-size 500]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import threading
import time

os.environ.setdefault("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/dutyflow_bench_sweep")
os.environ["REDIS_URL"] = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/11")

from benchlib import configure_environment, machine


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


def fire_timers(count: int) -> tuple[float, int]:
    """``count`` due timers of the throwaway flow, fired by viewflow's dispatcher."""
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
    seconds, fired = timed(fire_due_timers)
    return seconds, fired


def transitions_while(run, *, item_ids: list[int], assignees: dict[int, int], threads: int, seconds: float | None):
    """Transitions from ``threads`` threads on ``item_ids`` while ``run()`` runs (or for
    ``seconds``); returns (transitions, wall seconds, run's result)."""
    from django.db import connections

    from lists import services
    from lists.models import ResponsibilityItem
    from organization.models import User

    stop = threading.Event()
    counts = [0] * threads
    errors: list[str] = []

    def work(slot: int):
        rng = random.Random(slot)
        users = {}
        try:
            while not stop.is_set():
                pk = rng.choice(item_ids)
                user_id = assignees[pk]
                user = users.get(user_id) or users.setdefault(user_id, User.objects.get(pk=user_id))
                try:
                    services.item_report_progress(
                        item=ResponsibilityItem.objects.get(pk=pk), actor=user, text="进展", percent=50
                    )
                    counts[slot] += 1
                except Exception as exc:  # noqa: BLE001 - counted and shown
                    errors.append(type(exc).__name__)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=work, args=(slot,)) for slot in range(threads)]
    start = time.perf_counter()
    for worker in workers:
        worker.start()
    result = None
    if seconds is not None:
        time.sleep(seconds)
    else:
        result = run()
    stop.set()
    for worker in workers:
        worker.join()
    wall = time.perf_counter() - start
    if errors:
        print(f"    transition errors: {len(errors)} ({', '.join(sorted(set(errors)))})")
    return sum(counts), wall, result


def sweep_under_load(as_of, sweeping: list[int], others, assignees, *, threads: int, batch_size: int):
    """A first sweep of ``sweeping`` while ``threads`` threads send transitions to ``others`` and
    one more to items of the sweep's current batch; (transitions, wall s, report, latencies)."""
    from django.db import connections

    from lists import services
    from lists.models import ResponsibilityItem
    from organization.models import User
    from workflows.sweep import sweep_deadlines

    where = {"done": 0}
    latencies: list[float] = []
    stop = threading.Event()

    def at_the_batch():
        """Transitions on items of the batch the sweep works on now (ids in its order)."""
        rng = random.Random(7)
        try:
            while not stop.is_set():
                low = where["done"]
                pk = rng.choice(sweeping[low : low + batch_size] or sweeping[-1:])
                user = User.objects.get(pk=assignees[pk])
                start = time.perf_counter()
                services.item_report_progress(
                    item=ResponsibilityItem.objects.get(pk=pk), actor=user, text="进展", percent=60
                )
                latencies.append(time.perf_counter() - start)
        finally:
            connections.close_all()

    def progress(state):
        where["done"] = state.done

    batch_thread = threading.Thread(target=at_the_batch)
    batch_thread.start()
    try:
        count, wall, report = transitions_while(
            lambda: sweep_deadlines(as_of=as_of, batch_size=batch_size, progress=progress),
            item_ids=[pk for pk, _ in others],
            assignees=assignees,
            threads=threads,
            seconds=None,
        )
    finally:
        stop.set()
        batch_thread.join()
    return count, wall, report, sorted(latencies)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--changes", type=int, default=10_000, help="objects changing step at once")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=None)
    parser.add_argument("--threads", type=int, default=2, help="threads sending transitions to other items")
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
    for round_ in range(1, args.repeat + 1):
        print(f"-- repeat {round_} (load average {load()})")
        quiet_set.make_due(as_of)
        elapsed, report = timed(lambda: sweep_deadlines(as_of=as_of, batch_size=batch_size))
        firsts.append(elapsed)
        print(
            f"  first sweep: {elapsed:.2f} s, {len(report.changes):,} changed, {report.escalations:,} escalation"
            f" step(s), {report.batches} batches ({len(report.changes) / elapsed:,.0f} objects/s)"
        )
        again = []
        for _ in range(3):
            elapsed, report = timed(lambda: sweep_deadlines(as_of=as_of, batch_size=batch_size))
            again.append(elapsed)
            assert not report.changes, report.changes[:3]
        quiet_set.put_back()
        seconds_runs.append(min(again))
        print(
            f"  second sweep (nothing to change): best {min(again) * 1000:.0f} ms of {[round(s * 1000) for s in again]}"
        )
        flush_broker()
        if args.viewflow_repeats is None or round_ <= args.viewflow_repeats:
            elapsed, fired = fire_timers(args.changes)
            timers.append(elapsed)
            print(f"  viewflow fire_due_timers: {fired:,} timers in {elapsed:.2f} s ({fired / elapsed:,.0f}/s)")

        # Transitions on other items, without and with a sweep running.
        others = list(
            ResponsibilityItem.objects.filter(state="in_progress")
            .exclude(pk__in=used)
            .values_list("pk", "assignee_id")[:2000]
        )
        assignees = dict(others)
        count, wall, _ = transitions_while(
            None, item_ids=list(assignees), assignees=assignees, threads=args.threads, seconds=args.seconds
        )
        quiet = count / wall
        baseline.append(quiet)
        sweeping = busy_set.pks
        busy_set.make_due(as_of)
        assignees.update(ResponsibilityItem.objects.filter(pk__in=sweeping).values_list("pk", "assignee_id"))
        count, wall, report, latencies = sweep_under_load(
            as_of, sweeping, others, assignees, threads=args.threads, batch_size=batch_size
        )
        busy_set.put_back()
        busy = count / wall
        during.append(busy)
        ratios.append(busy / quiet)
        p99 = latencies[int(0.99 * (len(latencies) - 1))] if latencies else float("nan")
        p99s.append(p99)
        print(
            f"  transitions on other items ({args.threads} threads): {quiet:.1f}/s without a sweep, {busy:.1f}/s"
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

    print(f"  first sweep, {args.changes:,} changes: {spread(firsts)}")
    print(f"  second sweep: {spread(seconds_runs, 'ms', 1000, '.0f')}")
    if timers:
        print(f"  viewflow fire_due_timers, {args.changes:,} timers: {spread(timers)}")
        print(f"  sweep vs viewflow: {statistics.median(timers) / statistics.median(firsts):.1f}× faster")
    print(
        f"  transitions/s on other items: without {spread(baseline, '/s', 1, '.1f')}; during {spread(during, '/s', 1, '.1f')}"
    )
    print(f"  share kept: {spread(ratios, '', 100, '.0f')} %")
    print(f"  p99 on the current batch: {spread(p99s, 'ms', 1000, '.0f')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
