"""Benchmark: the read endpoints in one process, without a server (what a request costs in CPU).

Not a test. Needs the data of bench/generate.py in the bench database (``dutyflow_bench``;
``BENCH_DATABASE_URL`` to change it). Sends each endpoint's requests through Django's test
client, spread over many users and objects (token auth for the API, a session for the pages),
after one warm-up pass, and prints per endpoint: ms per request (wall clock and this process's
CPU, which leaves out PostgreSQL's own work), requests per second and the number of queries of
one request.

``--dump DIR`` writes every response body to DIR (one file per request, named by endpoint and
position), so that two versions of the code can be compared byte for byte with ``diff -r``.

Every read is computed (no answer is kept anywhere). ``--redis URL`` gives the process that
Redis as its cache (flushed first), as production has it. The trivial JSON view of the load benchmark
(``/bench/ping/``, no database, no authentication) is measured first, as the ceiling.

Usage:
    .venv/bin/python bench/reads.py [--requests 200] [--only my_items,history] [--dump /tmp/before]
    .venv/bin/python bench/reads.py --redis redis://127.0.0.1:6379/11
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from benchlib import api_tokens, machine, start_django


@dataclass
class Endpoint:
    name: str
    label: str
    #: (path, user id, "token" or "session")
    requests: list[tuple[str, int, str]] = field(default_factory=list)


def build_endpoints(rng: random.Random, users: int) -> list[Endpoint]:
    from django.db.models import Max

    from lists.models import ResponsibilityItem, ResponsibilityList
    from organization.models import Membership

    current = ResponsibilityList.objects.aggregate(m=Max("month"))["m"]
    open_items = list(
        ResponsibilityItem.objects.filter(list__month=current, state__in=ResponsibilityItem.OPEN_STATES)
        .order_by("pk")
        .values_list("pk", "assignee_id")
    )
    rng.shuffle(open_items)
    cadres = sorted({assignee for _, assignee in open_items})
    cadres = rng.sample(cadres, min(users, len(cadres)))
    leader_lists = list(
        ResponsibilityList.objects.filter(month=current, unit__kind="branch", unit__memberships__role="leader")
        .order_by("pk")
        .values_list("pk", "unit__memberships__user_id")
    )
    rng.shuffle(leader_lists)
    leader_lists = leader_lists[:users]
    commissioners = list(
        Membership.objects.filter(role="commissioner").order_by("user_id").values_list("user_id", flat=True)
    )
    some_items = open_items[: users * 2]
    return [
        Endpoint("ping", "trivial JSON view (ceiling)", [("/bench/ping/", 0, "none")]),
        Endpoint(
            "my_items", '"my items" (items/?assignee=me)', [("/api/v1/items/?assignee=me", c, "token") for c in cadres]
        ),
        Endpoint(
            "my_items_p2",
            '"my items", page 2 of the finished ones',
            [("/api/v1/items/?assignee=me&state=completed&page=2", c, "token") for c in cadres],
        ),
        Endpoint(
            "list_api",
            "a leader's list, API (items/?list=)",
            [(f"/api/v1/items/?list={lst}", u, "token") for lst, u in leader_lists],
        ),
        Endpoint(
            "list_page", "a leader's list page (HTML)", [(f"/lists/{lst}/", u, "session") for lst, u in leader_lists]
        ),
        Endpoint(
            "overdue_items",
            "overdue items of a commissioner (items/?overdue=true)",
            [("/api/v1/items/?overdue=true", c, "token") for c in commissioners],
        ),
        Endpoint(
            "overdue",
            "a commissioner's overdue queue",
            [("/api/v1/supervision/overdue/", c, "token") for c in commissioners],
        ),
        Endpoint(
            "overdue_p2",
            "a commissioner's overdue queue, page 2",
            [("/api/v1/supervision/overdue/?page=2", c, "token") for c in commissioners],
        ),
        Endpoint("retrieve", "an item (items/{id}/)", [(f"/api/v1/items/{pk}/", a, "token") for pk, a in some_items]),
        Endpoint(
            "history",
            "an item's history (items/{id}/history/)",
            [(f"/api/v1/items/{pk}/history/", a, "token") for pk, a in some_items],
        ),
        Endpoint(
            "transitions",
            "an item's transitions (items/{id}/transitions/)",
            [(f"/api/v1/items/{pk}/transitions/", a, "token") for pk, a in some_items],
        ),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=200, help="measured requests per endpoint")
    parser.add_argument("--users", type=int, default=100, help="distinct users (or lists, items) per endpoint")
    parser.add_argument("--only", default="", help="comma-separated endpoint names")
    parser.add_argument("--dump", default="", help="write every response body into this directory")
    parser.add_argument("--redis", default="", help="Redis as the cache (flushed first), e.g. redis://…/11")
    args = parser.parse_args()

    if args.redis:
        os.environ["REDIS_URL"] = args.redis
        import redis

        redis.Redis.from_url(args.redis).flushdb()
    start_django("bench.settings", keep_redis=bool(args.redis))
    from django.conf import settings
    from django.db import connection
    from django.middleware.csrf import _get_new_csrf_string
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from organization.models import User

    endpoints = build_endpoints(random.Random(11), args.users)
    if args.only:
        wanted = set(args.only.split(","))
        endpoints = [ep for ep in endpoints if ep.name in wanted]
    tokens = api_tokens(
        {user_id for endpoint in endpoints for _path, user_id, auth in endpoint.requests if auth == "token"}
    )
    token_client = Client(HTTP_ACCEPT="application/json")
    session_clients: dict[int, Client] = {}

    def session_client(user_id: int) -> Client:
        client = session_clients.get(user_id)
        if client is None:
            client = session_clients[user_id] = Client()
            client.force_login(User.objects.get(pk=user_id))
            # a browser that has been on the site before: pages are kept per CSRF secret
            client.cookies[settings.CSRF_COOKIE_NAME] = _get_new_csrf_string()
        return client

    def get(path: str, user_id: int, auth: str):
        if auth == "token":
            return token_client.get(path, HTTP_AUTHORIZATION=f"Token {tokens[user_id]}")
        if auth == "none":
            return token_client.get(path)
        return session_client(user_id).get(path)

    dump = Path(args.dump) if args.dump else None
    if dump:
        dump.mkdir(parents=True, exist_ok=True)
    print(f"\n{'endpoint':<14} {'queries':>7} {'ms/req':>8} {'CPU ms':>8} {'req/s':>7}  what")
    for ep in endpoints:
        if not ep.requests:
            print(f"{ep.name:<14} no requests: generate data with bench/generate.py first")
            continue
        for _path, user_id, auth in ep.requests:
            if auth == "session":
                session_client(user_id)  # a login is a write: all of them before the warm-up
        for i, (path, user_id, auth) in enumerate(ep.requests):  # warm-up, status check, dump
            response = get(path, user_id, auth)
            if response.status_code != 200:
                raise SystemExit(f"{ep.name}: {path} answered {response.status_code}")
            if dump:
                (dump / f"{ep.name}-{i:03d}").write_bytes(response.content)
        with CaptureQueriesContext(connection) as queries:
            get(*ep.requests[0])
        query_count = len(queries.captured_queries)  # before the next request resets the log
        wall_start, cpu_start = time.perf_counter(), time.process_time()
        for i in range(args.requests):
            get(*ep.requests[i % len(ep.requests)])
        wall = (time.perf_counter() - wall_start) / args.requests
        cpu = (time.process_time() - cpu_start) / args.requests
        print(
            f"{ep.name:<14} {query_count:>7} {wall * 1000:>8.1f} {cpu * 1000:>8.1f} {1 / wall:>7.1f}  {ep.label}",
            flush=True,
        )
    print("\nmachine: ", machine())
    return 0


if __name__ == "__main__":
    sys.exit(main())
