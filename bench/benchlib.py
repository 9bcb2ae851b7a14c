"""Shared plumbing of the benchmark scripts: the bench database, Django set-up, the machine line."""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/dutyflow_bench"


def database_url() -> str:
    return os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)


def configure_environment(settings_module: str = "config.settings", *, keep_redis: bool = False) -> None:
    """Point Django at the bench database; outbox rows are written but never delivered here.
    ``REDIS_URL`` is dropped (no shared cache, no broker) unless ``keep_redis``."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = database_url()
    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    if not keep_redis:
        os.environ.pop("REDIS_URL", None)
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.dummy.EmailBackend"
    os.environ.setdefault("DEBUG", "false")


def start_django(settings_module: str = "config.settings", *, keep_redis: bool = False):
    """Set Django up on the bench database and print the machine, the database and the items;
    returns the connection."""
    configure_environment(settings_module, keep_redis=keep_redis)
    import django

    django.setup()
    from django.db import connection

    from lists.models import ResponsibilityItem

    print("machine: ", machine())
    print("database:", postgres_version(connection), database_url())
    print(f"items:    {ResponsibilityItem.objects.count()}")
    return connection


def api_tokens(user_ids=None) -> dict[int, str]:
    """A fresh API token for each user (every user when ``None``), as ``organization.tokens``
    issues them. Tokens are stored hashed, so a bench cannot read earlier ones back: it issues
    its own at start and drops the users' earlier ones."""
    from django.db import transaction
    from django.utils import timezone
    from knox.models import AuthToken, get_digest_token
    from knox.settings import CONSTANTS, knox_settings

    from organization.models import User

    users = AuthToken.objects.all() if user_ids is None else AuthToken.objects.filter(user_id__in=user_ids)
    if user_ids is None:
        user_ids = list(User.objects.values_list("pk", flat=True))
    expiry = timezone.now() + knox_settings.TOKEN_TTL
    tokens, rows = {}, []
    for pk in user_ids:
        digest, key = get_digest_token()
        tokens[pk] = key
        rows.append(AuthToken(digest=digest, token_key=key[: CONSTANTS.TOKEN_KEY_LENGTH], user_id=pk, expiry=expiry))
    with transaction.atomic():
        users.delete()
        AuthToken.objects.bulk_create(rows, batch_size=2000)
    return tokens


def memory_gib() -> float:
    with open("/proc/meminfo") as fh:
        return int(fh.readline().split()[1]) / 1024 / 1024


def machine() -> str:
    try:
        memory = f"{memory_gib():.1f} GiB"
    except OSError:
        memory = "unknown"
    try:
        load = "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        load = ""
    return f"{platform.machine()}, {os.cpu_count()} cores, {memory} memory, Python {platform.python_version()}, {load}"


def process_cpu_seconds() -> float:
    """User and system CPU of this process so far (``getrusage``): what it costs whatever the
    host's load, unlike its wall time."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def backend_cpu_seconds(pid: int) -> float:
    """CPU seconds a process of this host has run so far, by ``/proc/<pid>/schedstat`` (in
    nanoseconds; readable for any process): a PostgreSQL backend's, by its ``pg_backend_pid()``."""
    with open(f"/proc/{pid}/schedstat") as fh:
        return int(fh.read().split()[0]) / 1e9


def ensure_database(url: str, *, fresh: bool = False) -> None:
    """Create the PostgreSQL database named by ``url`` (dropping it first when ``fresh``)."""
    if not url.startswith("postgresql://"):
        return
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if fresh:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def postgres_version(connection) -> str:
    if connection.vendor != "postgresql":
        return connection.vendor
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return "PostgreSQL " + cursor.fetchone()[0]


class Stopwatch:
    """Prints each step's wall time as it ends; keeps them for a summary."""

    def __init__(self) -> None:
        self.steps: list[tuple[str, float]] = []

    def step(self, label: str):
        watch = self

        class _Step:
            def __enter__(self):
                self.start = time.perf_counter()
                print(f"… {label}", flush=True)

            def __exit__(self, *exc):
                elapsed = time.perf_counter() - self.start
                watch.steps.append((label, elapsed))
                print(f"  {label}: {elapsed:.1f} s", flush=True)

        return _Step()

    @property
    def total(self) -> float:
        return sum(seconds for _, seconds in self.steps)


def median(values) -> float:
    return statistics.median(values)
