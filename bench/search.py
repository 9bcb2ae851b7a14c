"""Benchmark: the one search box (``GET /api/v1/search/?q=``) on the bench database.

Not a test. Needs the data of bench/generate.py (``BENCH_DATABASE_URL``; the README's figures
came from ``dutyflow_bench_search``, a migrated copy of the 1M-item ``dutyflow_bench_sweep``).
Sends the search through Django's test client in this process (token auth, no server), as
branch leaders and as cadres, for Chinese queries of three characters or more (served by the
pg_trgm GIN indexes) and of one or two characters (which scan the caller's scoped rows). Each
case runs ``--requests`` requests spread over ``--users`` users after a warm-up, ``--repeat``
times; it prints the median of the repeats' p50 and p95 with their spread (lowest–highest).
Then EXPLAIN (ANALYZE, BUFFERS) of the items statement of one request per query class: the plan
(a Bitmap Index Scan on the trigram index for long queries) and PostgreSQL's own execution time,
which a loaded host inflates less than the wall clock.

Usage:
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/dutyflow_bench_search \\
        .venv/bin/python bench/search.py [--requests 40] [--users 20] [--repeat 3]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from urllib.parse import quote

from benchlib import api_tokens, median, start_django

# The generated items repeat ten titles, so a common word matches ~10 % of the table; the rare
# words match no generated item (a search that finds nothing must be quick too).
QUERIES = {
    "3+ common": ["隐患排查", "主题党日", "困难群众", "财务公开"],
    "3+ rare": ["村口路灯", "暴雨转移", "垃圾清运车"],
    "1-2 common": ["走访", "党", "培训", "整治"],
    "1-2 rare": ["灯", "暴雨"],
}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=40, help="measured requests per case and repeat")
    parser.add_argument("--users", type=int, default=20, help="distinct users per role")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    connection = start_django("bench.settings")
    from django.db.models import Max
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from lists.models import ResponsibilityItem, ResponsibilityList
    from organization.models import Membership

    rng = random.Random(22)
    current = ResponsibilityList.objects.aggregate(m=Max("month"))["m"]
    cadres = sorted(
        set(ResponsibilityItem.objects.filter(list__month=current).values_list("assignee_id", flat=True)[:5000])
    )
    leaders = sorted(
        set(Membership.objects.filter(role="leader", unit__kind="branch").values_list("user_id", flat=True))
    )
    roles = {
        "leader": rng.sample(leaders, min(args.users, len(leaders))),
        "cadre": rng.sample(cadres, min(args.users, len(cadres))),
    }
    tokens = api_tokens({pk for users in roles.values() for pk in users})
    client = Client(HTTP_ACCEPT="application/json")

    def get(query: str, user_id: int):
        started = time.perf_counter()
        response = client.get(f"/api/v1/search/?q={quote(query)}", HTTP_AUTHORIZATION=f"Token {tokens[user_id]}")
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise SystemExit(f"{query!r} as {user_id}: {response.status_code}")
        return elapsed, len(response.json()["results"] if isinstance(response.json(), dict) else response.json())

    print(f"\n{'role':<7} {'query':<11} {'p50 ms (spread)':>22} {'p95 ms (spread)':>22} {'hits/req':>8}")
    for role, users in roles.items():
        for kind, words in QUERIES.items():
            plan = [(words[i % len(words)], users[i % len(users)]) for i in range(args.requests)]
            for word, user in plan[: len(users)]:  # warm-up
                get(word, user)
            p50s, p95s, hits = [], [], []
            for _ in range(args.repeat):
                times = []
                for word, user in plan:
                    ms, n = get(word, user)
                    times.append(ms)
                    hits.append(n)
                p50s.append(percentile(times, 0.5))
                p95s.append(percentile(times, 0.95))
            print(
                f"{role:<7} {kind:<11} {median(p50s):>8.1f} ({min(p50s):.1f}–{max(p50s):.1f})"
                f"{median(p95s):>12.1f} ({min(p95s):.1f}–{max(p95s):.1f}) {sum(hits) / len(hits):>8.1f}"
            )

    print("\nEXPLAIN ANALYZE of the items statement (a leader's request):")
    for kind, words in QUERIES.items():
        with CaptureQueriesContext(connection) as captured:
            get(words[0], roles["leader"][0])
        statements = [
            q["sql"] for q in captured.captured_queries if "lists_responsibilityitem" in q["sql"] and "LIKE" in q["sql"]
        ]
        if not statements:
            print(f"{kind}: no items statement captured")
            continue
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statements[0])
            lines = [row[0] for row in cursor.fetchall()]
        print(f"\n-- {kind} ({words[0]!r})")
        print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
