"""Benchmark: item transitions through the API, in-process (no web server), one thread and N threads.

Not a test. Sends ``POST /api/v1/items/<id>/transitions/submit/`` with the assignee's token
through Django's test client, so each request runs the whole stack (middleware, token
authentication, the scoped object, the checks, the service with its row lock, log row, flow task
and outbox rows, the answer) against PostgreSQL; prints the queries of one transition, wall and
CPU milliseconds per transition and transitions per second, from one thread and from
``--threads`` threads (each with its own database connection: the GIL lets threads overlap only
while they wait for the database).

Each measured item is then put back with two more API transitions, ``return`` (its lead leader)
and ``report_progress`` (its assignee), also timed, so the same items can be measured again: the
data only grows by log, task and outbox rows. Before the first run every sampled item without a
flow process gets one with an open "work" task, as an item accepted through the application has
(``bench/generate.py`` writes items without processes).

Its own database (it writes): ``dutyflow_bench_trans`` unless ``BENCH_DATABASE_URL`` says
otherwise; fill it first with ``generate.py``. Outbox rows are enqueued to Redis db 12
(``--redis``; '' for Celery's in-memory transport), which is flushed before and after the run.

Usage:
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/dutyflow_bench_trans \\
        .venv/bin/python bench/generate.py --fresh --items 50000 --townships 3
    .venv/bin/python bench/transitions.py [--items 300] [--threads 4] [--show-queries] [--profile 40]
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import sys
import threading
import time

from benchlib import api_tokens, configure_environment, database_url, machine, postgres_version

os.environ.setdefault("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/dutyflow_bench_trans")

SUBMIT = ("submit", "assignee", {"result": "已按标准完成"})
RESET = [
    ("return", "lead_leader", {"reason": "请补充佐证材料"}),
    ("report_progress", "assignee", {"text": "已补充材料", "percent": 90}),
]


def sample_items(count: int) -> list[tuple[int, int, int]]:
    """(item id, assignee id, lead leader id) of ``count`` items in progress whose lead leader may
    return them (a leader of the item's unit who is not the assignee)."""
    from django.db.models import F

    from lists.models import ResponsibilityItem
    from organization.models import Membership

    rows = (
        ResponsibilityItem.objects.filter(state="in_progress", lead_leader__isnull=False)
        .exclude(lead_leader_id=F("assignee_id"))
        .order_by("pk")
        .values_list("pk", "assignee_id", "lead_leader_id", "list__unit__path")
    )
    leader_paths: dict[int, list[str]] = {}
    for user_id, path in Membership.objects.filter(role="leader").values_list("user_id", "unit__path"):
        leader_paths.setdefault(user_id, []).append(path)
    chosen = []
    for pk, assignee, leader, path in rows.iterator():
        if any(path.startswith(prefix) for prefix in leader_paths.get(leader, ())):
            chosen.append((pk, assignee, leader))
            if len(chosen) == count:
                break
    return chosen


def give_flow_processes(items: list[tuple[int, int, int]]) -> int:
    """An open "work" task for every item without a running process (what accepting it in the
    application leaves behind). Returns how many processes were started."""
    from django.db import transaction
    from viewflow.workflow import STATUS

    from lists import flows
    from lists.models import ItemProcess, ResponsibilityItem
    from organization.models import User

    running = set(
        ItemProcess.objects.filter(item_id__in=[pk for pk, _, _ in items])
        .exclude(status__in=[STATUS.DONE, STATUS.CANCELED])
        .values_list("item_id", flat=True)
    )
    started = 0
    for pk, assignee, _ in items:
        if pk in running:
            continue
        with transaction.atomic():
            item = ResponsibilityItem.objects.select_for_update().get(pk=pk)
            flows.start_item_process(item)
            flows.item_task_done(item, "accept", actor=User.objects.get(pk=assignee))
        started += 1
    return started


def post(client, item_id: int, name: str, token: str, body: dict):
    return client.post(
        f"/api/v1/items/{item_id}/transitions/{name}/",
        data=json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {token}",
        HTTP_ACCEPT="application/json",
    )


def run(items, tokens, step, threads: int) -> tuple[float, float, list[str]]:
    """Take ``step`` on every item from ``threads`` threads; (wall seconds, CPU seconds, errors)."""
    from django.db import connection
    from django.test import Client

    name, who, body = step
    errors: list[str] = []
    chunks = [items[i::threads] for i in range(threads)]

    def work(chunk):
        client = Client()
        try:
            for pk, assignee, leader in chunk:
                response = post(client, pk, name, tokens[assignee if who == "assignee" else leader], body)
                if response.status_code != 200:
                    errors.append(f"{name} item {pk}: HTTP {response.status_code} {response.content[:200]!r}")
        finally:
            connection.close()

    cpu, start = time.process_time(), time.perf_counter()
    if threads == 1:
        work(items)
    else:
        workers = [threading.Thread(target=work, args=(chunk,)) for chunk in chunks]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
    return time.perf_counter() - start, time.process_time() - cpu, errors


def count_queries(item, tokens, step) -> list[str]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    name, who, body = step
    pk, assignee, leader = item
    with CaptureQueriesContext(connection) as ctx:
        response = post(Client(), pk, name, tokens[assignee if who == "assignee" else leader], body)
    assert response.status_code == 200, response.content[:300]
    return [query["sql"] for query in ctx.captured_queries]


def flush_broker(url: str) -> None:
    """Empty the bench's own Redis db: the queued deliveries have no worker here."""
    if url:
        import redis

        redis.Redis.from_url(url).flushdb()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=300, help="items measured per run (each run takes each once)")
    parser.add_argument("--threads", type=int, default=4, help="threads of the concurrent run")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/12", help="Celery broker ('' for in-memory)")
    parser.add_argument("--show-queries", action="store_true", help="print the SQL of one transition")
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="N",
        help="also profile the single-thread submits (cProfile) and print the N functions of most own time",
    )
    args = parser.parse_args()

    configure_environment()
    if args.redis:
        os.environ["REDIS_URL"] = args.redis
    os.environ["LOG_LEVEL"] = "WARNING"
    import django

    django.setup()
    from django.db import connection

    print("machine: ", machine())
    print("database:", postgres_version(connection), database_url())
    print("broker:  ", args.redis or "Celery in-memory transport")
    flush_broker(args.redis)

    needed = 2 * args.items + 2
    items = sample_items(needed)
    if len(items) < needed:
        raise SystemExit(f"only {len(items)} items in progress: generate more data with bench/generate.py")
    started = give_flow_processes(items)
    print(f"items:    {len(items)} in progress ({started} given a flow process with an open 'work' task)")
    tokens = api_tokens({u for _, a, b in items for u in (a, b)})

    warm, counted, single, threaded = items[:1], items[1:2], items[2 : 2 + args.items], items[2 + args.items :]
    run(warm, tokens, SUBMIT, 1)  # per-process caches (content types, URL resolver, serializers)
    sqls = count_queries(counted[0], tokens, SUBMIT)
    print(f"\nqueries of one submit: {len(sqls)}")
    if args.show_queries:
        for number, sql in enumerate(sqls, 1):
            print(f"  {number:2d}. {sql[:240]}")

    profiler = cProfile.Profile()
    print(f"\n{'run':<28} {'transitions':>11} {'wall s':>8} {'ms each':>8} {'CPU ms each':>11} {'per s':>8}")
    failures: list[str] = []
    for label, batch, threads in (
        ("submit, 1 thread", single, 1),
        (f"submit, {args.threads} threads", threaded, args.threads),
    ):
        profiling = args.profile and threads == 1
        if profiling:
            profiler.enable()
        wall, cpu, errors = run(batch, tokens, SUBMIT, threads)
        if profiling:
            profiler.disable()
        failures += errors
        n = len(batch)
        print(f"{label:<28} {n:>11} {wall:>8.2f} {1000 * wall / n:>8.1f} {1000 * cpu / n:>11.1f} {n / wall:>8.1f}")
    for step in RESET:
        wall, cpu, errors = run(warm + counted + single + threaded, tokens, step, args.threads)
        failures += errors
        n = len(items)
        label = f"{step[0]} (reset), {args.threads} threads"
        print(f"{label:<28} {n:>11} {wall:>8.2f} {1000 * wall / n:>8.1f} {1000 * cpu / n:>11.1f} {n / wall:>8.1f}")
    print("\nCPU ms: this process's CPU time (all threads) per transition; the database's is not in it.")
    if args.profile:
        print(f"\nprofile of the single-thread submits (slower than unprofiled), {args.profile} by own time:")
        pstats.Stats(profiler, stream=sys.stdout).sort_stats("tottime").print_stats(args.profile)
        print("by cumulative time:")
        pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative").print_stats(args.profile)
    print("machine after:", machine())
    flush_broker(args.redis)
    for failure in failures[:10]:
        print("  FAILED", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
