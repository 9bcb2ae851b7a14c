"""bench/benchlib.py: the CPU meters the sweep benchmarks report (a process's own CPU, and a
PostgreSQL backend's by its process id) count work done, not time waited."""

import os
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

from benchlib import backend_cpu_seconds, process_cpu_seconds


def _spin(seconds: float) -> None:
    end = time.thread_time() + seconds
    while time.thread_time() < end:
        pass


def test_process_cpu_counts_work_and_not_sleep():
    before = process_cpu_seconds()
    time.sleep(0.2)
    slept = process_cpu_seconds() - before
    _spin(0.1)
    worked = process_cpu_seconds() - before - slept
    assert slept < 0.05
    assert worked >= 0.09


@pytest.mark.skipif(not Path("/proc/self/schedstat").exists(), reason="needs Linux's /proc")
def test_backend_cpu_of_a_process_counts_its_work():
    pid = os.getpid()
    before = backend_cpu_seconds(pid)
    _spin(0.1)
    assert backend_cpu_seconds(pid) - before >= 0.09


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL backend's process")
@pytest.mark.skipif(not Path("/proc/self/schedstat").exists(), reason="needs Linux's /proc")
def test_backend_cpu_of_the_postgresql_backend_counts_its_statements():
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
        before = backend_cpu_seconds(pid)
        cursor.execute("SELECT count(*) FROM generate_series(1, 3000000)")
    assert backend_cpu_seconds(pid) - before > 0.01
