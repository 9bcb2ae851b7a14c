"""What every bench script prints and needs: the machine, and a database of its own."""

from __future__ import annotations

import os
import platform


def machine() -> str:
    cores = os.cpu_count()
    try:
        with open("/proc/meminfo") as fh:
            kib = int(fh.readline().split()[1])
        memory = f"{kib / 1024 / 1024:.1f} GiB"
    except OSError:
        memory = "unknown"
    return f"{platform.machine()}, {cores} cores, {memory} memory, Python {platform.python_version()}"


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database of ``url`` if it does not exist yet."""
    if not url.startswith("postgresql://"):
        return
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
