"""Benchmark: in-app notifications fanned out through Redis and one Celery worker.

Not a test. Uses its own database and Redis db, starts one ``celery worker`` subprocess
(prefork, concurrency 2) and times, from the first message handed to the broker to the last one
done:

- N outbox rows of the in-app channel (written beforehand by ``outbox_write``: 10 events × N/10
  recipients) enqueued with ``enqueue_delivery`` and delivered: claim, inbox entry, "sent";
- N tasks that do nothing but count themselves (``bench/noop_task.py``): the ceiling of this
  broker, worker and machine.

Usage (PostgreSQL, the default here):
    .venv/bin/python bench/notify.py --notifications 10000
    BENCH_DATABASE_URL=... BENCH_REDIS_URL=redis://127.0.0.1:6379/14 .venv/bin/python bench/notify.py
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.benchlib import ensure_database, machine  # noqa: E402

os.environ["DATABASE_URL"] = os.environ.get(
    "BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/dutyflow_bench_notify"
)
os.environ["REDIS_URL"] = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"
os.environ["LOG_LEVEL"] = "WARNING"

CONCURRENCY = 2
WORKER_NAME = f"bench-notify-{os.getpid()}"


def load() -> str:
    """The machine's load average (1, 5, 15 min): others' work shows in the figures."""
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


def start_worker(log_path: Path) -> subprocess.Popen:
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "config",
        "worker",
        "--include=bench.noop_task",
        "--pool=prefork",
        f"--concurrency={CONCURRENCY}",
        "--without-heartbeat",
        "--without-gossip",
        "--without-mingle",
        "--loglevel=WARNING",
        f"--hostname={WORKER_NAME}@%h",
    ]
    with open(log_path, "wb") as log:
        return subprocess.Popen(
            command, cwd=ROOT, env=os.environ.copy(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )


def wait_ready(app, process: subprocess.Popen, log_path: Path, timeout: float = 120.0) -> None:
    destination = [f"{WORKER_NAME}@{socket.gethostname()}"]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the worker exited:\n{log_path.read_text()[-3000:]}")
        if app.control.ping(destination=destination, timeout=0.5):
            return
    raise SystemExit("the worker did not answer a ping")


def stop_worker(process: subprocess.Popen) -> None:
    try:
        process.terminate()
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        pass
    finally:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait()


def wait_until(done, total: int, label: str, timeout: float = 1800.0) -> None:
    deadline = time.monotonic() + timeout
    while (count := done()) < total:
        if time.monotonic() > deadline:
            raise SystemExit(f"{label}: only {count} of {total} done after {timeout} s")
        time.sleep(0.05)


def report(label: str, n: int, seconds: float) -> float:
    rate = n / seconds
    print(f"{label:<40} {seconds:8.2f} s {rate:10.0f} /s")
    return rate


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--notifications", type=int, default=10_000)
    args = parser.parse_args()
    n = args.notifications
    events = 10
    per_event = n // events

    ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    import redis
    from django.core.management import call_command
    from django.db import connection

    from bench import noop_task
    from config.celery import app
    from notifications import registry, services
    from notifications.models import Notification, OutboxMessage
    from organization.models import User

    registry.register_group("bench", "bench")
    registry.register_event("bench.fanout", group="bench", text="%(title)s")

    broker = redis.Redis.from_url(os.environ["REDIS_URL"])
    print("machine:", machine(), "— load average:", load())
    print("database:", connection.vendor, os.environ["DATABASE_URL"])
    print("broker:", os.environ["REDIS_URL"], f"worker: 1 process, prefork, concurrency {CONCURRENCY}")
    call_command("migrate", verbosity=0)
    Notification.objects.all().delete()
    OutboxMessage.objects.all().delete()
    existing = set(User.objects.filter(username__startswith="bench").values_list("username", flat=True))
    User.objects.bulk_create(
        [User(username=f"bench{k:05d}") for k in range(per_event) if f"bench{k:05d}" not in existing]
    )
    users = list(User.objects.filter(username__startswith="bench").order_by("username")[:per_event])

    # The rows are written first (the commit hook's enqueue held back), so that the figure below is
    # the delivery path alone: broker, worker, claim, inbox entry, "sent".
    ids: list[int] = []
    enqueue = services.enqueue_delivery
    services.enqueue_delivery = lambda message_ids: True
    try:
        start = time.perf_counter()
        run = uuid.uuid4().hex[:8]
        for k in range(events):
            ids += services.outbox_write(
                event="bench.fanout", recipients=users, key=f"{run}-{k}", text=f"通知 {k}", context={"url": "/"}
            )
        report(f"write {len(ids)} outbox rows", len(ids), time.perf_counter() - start)
    finally:
        services.enqueue_delivery = enqueue
    assert len(ids) == n, (len(ids), n)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    broker.delete("celery", "unacked", "unacked_index", noop_task.COUNTER)
    log_path = Path(f"/tmp/bench-notify-worker-{os.getpid()}.log")
    process = start_worker(log_path)
    try:
        wait_ready(app, process, log_path)
        # The ceiling first: the same number of tasks that only count themselves.
        start = time.perf_counter()
        with app.connection_for_write() as conn:
            for k in range(n):
                noop_task.noop.apply_async(args=[k], connection=conn)
        wait_until(lambda: int(broker.get(noop_task.COUNTER) or 0), n, "no-op")
        ceiling = report(f"{n} no-op tasks (ceiling)", n, time.perf_counter() - start)

        sent = OutboxMessage.objects.filter(state=OutboxMessage.State.SENT)
        start = time.perf_counter()
        assert services.enqueue_delivery(ids)
        wait_until(sent.count, n, "notifications")
        rate = report(f"{n} in-app notifications", n, time.perf_counter() - start)
    finally:
        stop_worker(process)
    print(f"notifications / ceiling: {rate / ceiling:.2f} (target ≥ 0.50)")
    print("load average after:", load())
    assert Notification.objects.count() == n, "every row delivered exactly once"
    print(f"worker log: {log_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
