"""Benchmark: where a first sweep's time goes, by phase, in CPU seconds (robust to a loaded host).

Not a test. Same database as ``sweep.py`` (``dutyflow_bench_sweep``, filled by ``generate.py``)
and the same items made due (``sweep.Changing``: → red and escalation level 1, put back after).
One first sweep of ``--changes`` objects runs with every phase of a batch wrapped by a timer:

- per phase: calls, wall seconds, the Python process's CPU (``time.thread_time``, the phase's own
  time: nested phases are subtracted), its queries (count, wall) and the PostgreSQL backend's CPU
  during them (``/proc/<backend pid>/schedstat``: the nanoseconds the backend process ran, read
  before and after every statement; the same host);
- per batch: queries and the same totals, and what is left outside the phases (the commit,
  the batch's transaction);
- the whole sweep: wall, ``getrusage`` of this process and the backend's CPU; then the same
  figures for the second sweep (nothing to change).

On a quiet host the sweep's wall time is about its Python CPU plus its backend CPU plus the
commits' flushes: the two alternate (Python waits for each statement's answer), so these CPU
seconds are what the sweep costs when it has a core to itself, whatever else the host runs.

Usage:
    .venv/bin/python bench/sweep_phases.py [--changes 10000] [--batch-size 500]
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
import time
from collections import defaultdict

os.environ.setdefault("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/dutyflow_bench_sweep")
os.environ["REDIS_URL"] = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/11")

from benchlib import backend_cpu_seconds, configure_environment, machine, process_cpu_seconds


class Phases:
    """A stack of named phases; each phase's own wall and CPU time (children subtracted), and the
    queries run while it is the innermost one."""

    def __init__(self, backend_pid: int):
        self.backend_pid = backend_pid
        self.stack: list[list] = []  # [name, wall start, cpu start, children's wall, children's cpu]
        self.totals: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))

    def wrap(self, name: str, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            frame = [name, time.perf_counter(), time.thread_time(), 0.0, 0.0]
            self.stack.append(frame)
            try:
                return fn(*args, **kwargs)
            finally:
                self.stack.pop()
                wall = time.perf_counter() - frame[1]
                cpu = time.thread_time() - frame[2]
                row = self.totals[name]
                row["calls"] += 1
                row["wall"] += wall - frame[3]
                row["cpu"] += cpu - frame[4]
                if self.stack:
                    self.stack[-1][3] += wall
                    self.stack[-1][4] += cpu

        return wrapper

    def patch(self, owner, attribute: str, name: str):
        setattr(owner, attribute, self.wrap(name, getattr(owner, attribute)))

    def execute(self, execute, sql, params, many, context):
        """``connection.execute_wrapper``: the statement's wall time and the backend's CPU."""
        name = self.stack[-1][0] if self.stack else "outside the phases"
        backend = backend_cpu_seconds(self.backend_pid)
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            row = self.totals[name]
            row["queries"] += 1
            row["query wall"] += time.perf_counter() - start
            row["backend cpu"] += backend_cpu_seconds(self.backend_pid) - backend


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--changes", type=int, default=10_000)
    parser.add_argument("--batch-size", type=int, default=None)
    parser.add_argument(
        "--profile", type=int, default=0, help="instead of the phases, run the first sweep under cProfile: top K"
    )
    args = parser.parse_args()

    configure_environment("sweep_settings", keep_redis=True)
    import django

    django.setup()
    from django.db import connection
    from django.utils import timezone
    from sweep import Changing, flush_broker, pick

    import notifications.services as outbox
    import supervision.services as cases
    import workflows.audit as audit
    import workflows.sweep as sweep
    from workflows.events import _batch_handlers

    batch_size = args.batch_size or sweep.BATCH_SIZE
    print("machine: ", machine())
    print("database:", os.environ["DATABASE_URL"])
    as_of = timezone.now().replace(microsecond=0)
    flush_broker()
    sweep.sweep_deadlines(as_of=as_of, batch_size=batch_size)  # settle: nothing else is due
    changing = Changing(pick(args.changes, as_of, set()))
    changing.make_due(as_of)

    if args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        try:
            profiler.runcall(sweep.sweep_deadlines, as_of=as_of, batch_size=batch_size)
        finally:
            changing.put_back()
            flush_broker()
        stats = pstats.Stats(profiler)
        stats.sort_stats("tottime").print_stats(args.profile)
        stats.sort_stats("cumulative").print_stats(args.profile)
        return 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend_pid = cursor.fetchone()[0]
    phases = Phases(backend_pid)
    # The phases of a batch, outermost first (each a function the batch calls).
    phases.patch(sweep, "_sweep_batch", "select: lock the rows that still change")
    phases.patch(sweep, "_load", "load the objects (select_related)")
    phases.patch(sweep, "_apply_set", "apply: changes, steps, event building")
    phases.patch(sweep, "_update", "UPDATE colour and level")
    phases.patch(sweep.SweepTarget, "recipients_of", "recipients (per unit)")
    phases.patch(sweep, "make_event", "events: make_event")
    phases.patch(cases, "make_event", "events: make_event")
    phases.patch(outbox, "outbox_write_many", "outbox: rows built")
    phases.patch(outbox, "_recipients", "outbox: recipients' preferences")
    phases.patch(outbox, "render_text", "outbox: message texts")
    phases.patch(outbox, "_insert_new", "outbox: INSERT")
    phases.patch(audit, "row_hash", "log rows: HMAC chain")
    phases.patch(cases, "append_logs", "log rows: heads and INSERT")
    for handler, many in list(sweep._escalation_batch_handlers.items()):
        sweep._escalation_batch_handlers[handler] = phases.wrap("cases: opened in bulk", many)
    for handler, many in list(_batch_handlers.items()):
        _batch_handlers[handler] = phases.wrap("events: subscribers", many)
    phases.patch(sweep.EscalationEvent.objects, "bulk_create", "escalation steps: INSERT")

    batches: list[tuple[float, float]] = []
    last = [time.perf_counter()]

    def progress(state):
        now = time.perf_counter()
        batches.append((state.done, now - last[0]))
        last[0] = now

    def measured(run):
        rusage, backend, wall = process_cpu_seconds(), backend_cpu_seconds(backend_pid), time.perf_counter()
        with connection.execute_wrapper(phases.execute):
            report = run()
        return (
            report,
            time.perf_counter() - wall,
            process_cpu_seconds() - rusage,
            backend_cpu_seconds(backend_pid) - backend,
        )

    try:
        report, wall, python, backend = measured(
            lambda: phases.wrap("sweep: plan and batches", sweep.sweep_deadlines)(
                as_of=as_of, batch_size=batch_size, progress=progress
            )
        )
        first = dict(phases.totals)
        phases.totals.clear()
        again, wall2, python2, backend2 = measured(lambda: sweep.sweep_deadlines(as_of=as_of, batch_size=batch_size))
    finally:
        changing.put_back()
        flush_broker()
    assert not again.changes
    changes = len(report.changes)
    print(f"load average: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    print(
        f"first sweep: {changes:,} changes in {report.batches} batches of {batch_size}: wall {wall:.2f} s, "
        f"Python CPU {python:.2f} s, backend CPU {backend:.2f} s (CPU {1000 * (python + backend) / changes:.2f} ms "
        f"a change; wall {1000 * wall / changes:.2f} ms)"
    )
    print(
        f"second sweep: wall {wall2 * 1000:.0f} ms, Python CPU {python2 * 1000:.0f} ms, backend CPU "
        f"{backend2 * 1000:.0f} ms, {sum(row['queries'] for row in phases.totals.values()):.0f} queries"
    )
    queries = sum(row["queries"] for row in first.values())
    print(f"queries: {queries:.0f} ({queries / max(report.batches, 1):.1f} a batch)")
    print()
    print(
        f"{'phase (own time)':45} {'calls':>6} {'wall s':>8} {'py CPU s':>9} {'queries':>8} {'q wall s':>9}"
        f" {'PG CPU s':>9} {'CPU µs/change':>14}"
    )
    for name, row in sorted(first.items(), key=lambda kv: -(kv[1]["cpu"] + kv[1]["backend cpu"])):
        cpu = row["cpu"] + row["backend cpu"]
        print(
            f"{name:45} {row['calls']:6.0f} {row['wall']:8.2f} {row['cpu']:9.2f} {row['queries']:8.0f}"
            f" {row['query wall']:9.2f} {row['backend cpu']:9.2f} {1e6 * cpu / changes:14.0f}"
        )
    phase_python = sum(row["cpu"] for row in first.values())
    phase_backend = sum(row["backend cpu"] for row in first.values())
    print(
        f"{'outside the statements (commits, the rest)':45} {'':6} {'':8} {python - phase_python:9.2f} {'':8}"
        f" {'':9} {backend - phase_backend:9.2f}"
    )
    times = sorted(seconds for _done, seconds in batches)
    if times:
        print(f"\nbatch wall: median {times[len(times) // 2]:.2f} s, max {times[-1]:.2f} s over {len(times)} batches")
    return 0


if __name__ == "__main__":
    sys.exit(main())
