"""Benchmark: the quarterly assessment over the whole cluster (target: under 5 s at 1M items).

Not a test. Needs the data of bench/generate.py in the bench database (``dutyflow_bench``;
``BENCH_DATABASE_URL`` to change it). Times, several runs each (median, min, max), with the
number of queries:

- ``reports.selectors.quarterly_assessment`` for the last full quarter and the current one
  (every unit and cadre of every township);
- ``GET /api/v1/reports/quarterly/`` for that quarter as the superuser (the whole cluster,
  serialised to JSON) and as the demo township's secretary (its subtree), each run computing
  the assessment afresh (the process-wide reuse of ``REPORTS_CACHE_SECONDS`` is cleared).

Usage:
    .venv/bin/python bench/report.py [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from benchlib import api_tokens, start_django


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    start_django()
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from organization.models import User
    from reports import selectors
    from reports.selectors import current_quarter, quarterly_assessment

    year, quarter = current_quarter(timezone.localdate())
    previous = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    results = []

    def measure(label, fn):
        times, queries = [], 0
        for _ in range(args.runs):
            reset_queries()
            with CaptureQueriesContext(connection) as ctx:
                start = time.perf_counter()
                outcome = fn()
                times.append(time.perf_counter() - start)
            queries = len(ctx.captured_queries)
        median = statistics.median(times)
        results.append((label, median, min(times), max(times), queries))
        print(
            f"  {label:<62} median {median:6.2f} s  (min {min(times):.2f}, max {max(times):.2f})  "
            f"{queries} queries  {outcome}",
            flush=True,
        )

    for y, q in (previous, (year, quarter)):

        def assessment(y=y, q=q):
            a = quarterly_assessment(year=y, quarter=q)
            return f"{len(a.units)} units, {len(a.persons)} cadres"

        measure(f"quarterly_assessment {y} Q{q} (whole cluster)", assessment)

    client = Client()
    for username in ("admin", "secretary"):
        user = User.objects.get(username=username)
        key = api_tokens([user.pk])[user.pk]

        def api(key=key, y=previous[0], q=previous[1]):
            selectors._shared.clear()  # time the computation, not the process's reuse of it
            response = client.get(f"/api/v1/reports/quarterly/?year={y}&quarter={q}", HTTP_AUTHORIZATION=f"Token {key}")
            assert response.status_code == 200, response.status_code
            return f"HTTP {response.status_code}, {len(response.content) // 1024} KiB"

        measure(f"GET /api/v1/reports/quarterly/ {previous[0]} Q{previous[1]} as {username}", api)

    worst = max(median for _, median, *_ in results)
    print(f"\nslowest median {worst:.2f} s: {'pass' if worst < 5 else 'FAIL'} against the 5 s target")
    return 0


if __name__ == "__main__":
    sys.exit(main())
