"""Load benchmark: gunicorn (2 workers × threads) on loopback, driven by wrk with token auth.

Not a test. Needs the data of bench/generate.py in the bench database (``dutyflow_bench``;
``BENCH_DATABASE_URL`` to change it), wrk (Debian package ``wrk``) and, for the cache and the
Celery broker the transitions enqueue to, Redis (``--redis``, db 10 by default; ``--redis ''``
for none). Steps:

1. query counts and plans: every endpoint is requested once in-process (Django test client)
   with its queries captured; each SELECT touching the items table is run again under
   ``EXPLAIN ANALYZE`` and any sequential scan on that table is reported;
2. gunicorn ``bench.settings`` (the project plus a trivial JSON view at ``/bench/ping/``),
   ``--workers`` × ``--threads`` (gthread);
3. wrk, ``--connections`` connections, for each endpoint: a warm-up, then ``--duration``
   seconds measured. Requests are spread over many users (one token or session per line of
   the request file, see bench/wrk_requests.lua); every status outside 2xx is counted;
4. the trivial view is the ceiling, measured first and again last: each endpoint's throughput is
   reported as a fraction of the higher of the two;
5. the workers' resident memory (VmRSS) after the run.

With ``--prefill`` each distinct GET of a read endpoint is sent once before it is measured
(the database's and the processes' caches are warm then; no answer is kept).

Usage:
    .venv/bin/python bench/load.py                    # all endpoints, 20 connections, 15 s each
    .venv/bin/python bench/load.py --prefill          # warm caches before each read
    .venv/bin/python bench/load.py --only my_items,history --duration 10
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from benchlib import ROOT, api_tokens, configure_environment, database_url, machine, postgres_version

LUA = Path(__file__).with_name("wrk_requests.lua")
ITEMS_TABLE = "lists_responsibilityitem"


@dataclass
class Endpoint:
    name: str
    label: str
    kind: str  # "read", "write", "ceiling" or "floor" (bench/floor.py: no target, for comparison)
    lines: list[tuple[str, str, str, str, str]] = field(default_factory=list)
    warmup: bool = True


def token_header(tokens, user_id):
    return ("Authorization", f"Token {tokens[user_id]}")


def build_endpoints(rng: random.Random, users_per_endpoint: int) -> list[Endpoint]:
    """Requests of every endpoint, over many users, from the generated data."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.db.models import Max
    from django.middleware.csrf import _get_new_csrf_string

    from lists.models import ResponsibilityItem, ResponsibilityList
    from organization.models import Membership, User

    tokens = api_tokens()
    store = import_module(settings.SESSION_ENGINE).SessionStore

    def session_cookie(user):
        """A browser that has been on the site before: its session and its CSRF cookie."""
        session = store()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        csrf = f"{settings.CSRF_COOKIE_NAME}={_get_new_csrf_string()}"
        return ("Cookie", f"{settings.SESSION_COOKIE_NAME}={session.session_key}; {csrf}")

    current = ResponsibilityList.objects.aggregate(m=Max("month"))["m"]
    open_items = list(
        ResponsibilityItem.objects.filter(list__month=current, state__in=ResponsibilityItem.OPEN_STATES)
        .order_by()
        .values_list("pk", "assignee_id", "state")
    )
    rng.shuffle(open_items)
    cadres = sorted({assignee for _, assignee, _ in open_items})
    cadres = rng.sample(cadres, min(users_per_endpoint, len(cadres)))
    leader_lists = list(
        ResponsibilityList.objects.filter(month=current, unit__kind="branch")
        .values_list("pk", "unit__memberships__user_id")
        .filter(unit__memberships__role="leader")
    )
    rng.shuffle(leader_lists)
    leader_lists = leader_lists[:users_per_endpoint]
    commissioners = list(Membership.objects.filter(role="commissioner").values_list("user_id", flat=True))
    township_leaders = list(
        Membership.objects.filter(role="leader", unit__kind="township").values_list("user_id", flat=True)
    )
    users = {u.pk: u for u in User.objects.filter(pk__in=[u for _, u in leader_lists] + township_leaders)}

    endpoints = [
        Endpoint("ping", "trivial JSON view (ceiling)", "ceiling", [("GET", "/bench/ping/", "", "", "")]),
        Endpoint(
            "my_items",
            '"my items" API page (cadre)',
            "read",
            [("GET", "/api/v1/items/?assignee=me", *token_header(tokens, c), "") for c in cadres],
        ),
        Endpoint(
            "list_api",
            "leader's list, API (items of a list)",
            "read",
            [("GET", f"/api/v1/items/?list={lst}", *token_header(tokens, u), "") for lst, u in leader_lists],
        ),
        Endpoint(
            "list_page",
            "leader's list page (HTML)",
            "read",
            [("GET", f"/lists/{lst}/", *session_cookie(users[u]), "") for lst, u in leader_lists],
        ),
        Endpoint(
            "overdue",
            "commissioner's overdue queue (API)",
            "read",
            [("GET", "/api/v1/supervision/overdue/", *token_header(tokens, c), "") for c in commissioners],
        ),
        Endpoint(
            "history",
            "an item's history (API)",
            "read",
            [
                ("GET", f"/api/v1/items/{pk}/history/", *token_header(tokens, assignee), "")
                for pk, assignee, _ in open_items[: users_per_endpoint * 4]
            ],
        ),
        Endpoint(
            "transition",
            "transition: submit through the API (log + outbox)",
            "write",
            [
                (
                    "POST",
                    f"/api/v1/items/{pk}/transitions/submit/",
                    *token_header(tokens, assignee),
                    json.dumps({"result": "已按标准完成"}),
                )
                for pk, assignee, state in open_items
                if state == "in_progress"
            ],
            warmup=False,
        ),
        *(
            Endpoint(
                f"floor_{kind}",
                f"floor: log + outbox row, {label} (bench/floor.py)",
                "floor",
                [
                    ("POST", f"/bench/floor/{kind}/{pk}/", *token_header(tokens, assignee), "{}")
                    for pk, assignee, _ in open_items
                ],
                warmup=False,
            )
            for kind, label in (("orm", "ORM"), ("sql", "hand-written SQL"))
        ),
        Endpoint(
            "dashboard",
            "dashboard (HTML, township secretaries)",
            "read",
            [("GET", "/reports/", *session_cookie(users[u]), "") for u in township_leaders],
        ),
    ]
    return endpoints


def count_and_explain(endpoints: list[Endpoint]) -> dict[str, dict]:
    """One request per endpoint in-process: status, query count, plans of the item queries."""
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    results = {}
    for ep in endpoints:
        method, path, hname, hvalue, body = ep.lines[0]
        client = Client()
        extra = {"HTTP_ACCEPT": "application/json"}
        if hname == "Authorization":
            extra["HTTP_AUTHORIZATION"] = hvalue
        elif hname == "Cookie":
            client.cookies.load(hvalue)
        with transaction.atomic():
            with CaptureQueriesContext(connection) as ctx:
                if method == "GET":
                    response = client.get(path, **extra)
                else:
                    response = client.post(path, data=body, content_type="application/json", **extra)
            plans, seq_scans, slowest = 0, [], 0.0
            for query in ctx.captured_queries:
                sql = query["sql"]
                if not sql.lstrip().upper().startswith("SELECT") or ITEMS_TABLE not in sql:
                    continue
                with connection.cursor() as cursor:
                    cursor.execute("EXPLAIN (ANALYZE, FORMAT TEXT) " + sql)
                    plan = "\n".join(row[0] for row in cursor.fetchall())
                plans += 1
                took = re.search(r"Execution Time: ([\d.]+) ms", plan)
                slowest = max(slowest, float(took.group(1)) if took else 0.0)
                if re.search(rf"Seq Scan on {ITEMS_TABLE}\b", plan):
                    seq_scans.append(sql[:300])
            transaction.set_rollback(True)  # the transition's sample request changes nothing
        results[ep.name] = {
            "status": response.status_code,
            "queries": len(ctx.captured_queries),
            "item_plans": plans,
            "seq_scans": seq_scans,
            "slowest_item_query_ms": slowest,
        }
    return results


def start_gunicorn(port: int, workers: int, threads: int, env: dict) -> subprocess.Popen:
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "config.wsgi",
        "--chdir",
        str(ROOT),
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "gthread",
        "--threads",
        str(threads),
        "--timeout",
        "60",
        "--log-level",
        "warning",
    ]
    proc = subprocess.Popen(command, env=env, start_new_session=True)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/bench/ping/", timeout=2) as answer:
                if answer.status == 200:
                    return proc
        except OSError:
            time.sleep(0.5)
    proc.terminate()
    raise SystemExit("gunicorn did not answer within 60 s")


def drain(url: str, limit: float = 120.0) -> float:
    """Wait until the server answers the trivial view quickly again (requests of the previous
    endpoint that wrk gave up on may still be running); returns the seconds waited."""
    start = time.time()
    fast = 0
    while fast < 3 and time.time() - start < limit:
        t = time.perf_counter()
        try:
            with urllib.request.urlopen(f"{url}/bench/ping/", timeout=limit):
                pass
        except OSError:
            pass
        fast = fast + 1 if time.perf_counter() - t < 0.05 else 0
        time.sleep(0.2)
    return time.time() - start


def prefill(url: str, lines: list[tuple[str, str, str, str, str]], concurrency: int = 8) -> float:
    """Send every distinct GET once (warm database and process caches, as they would be for
    people who opened the page before); returns the seconds it took."""
    from concurrent.futures import ThreadPoolExecutor

    def fetch(line):
        method, path, hname, hvalue, _body = line
        request = urllib.request.Request(url + path, headers={"Accept": "application/json", hname: hvalue})
        with urllib.request.urlopen(request, timeout=300) as response:
            response.read()

    start = time.time()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(fetch, [line for line in lines if line[0] == "GET"]))
    return time.time() - start


def worker_rss_mib(master_pid: int) -> list[float]:
    rss = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        ppid = re.search(r"^PPid:\s+(\d+)", text, re.M)
        if ppid and int(ppid.group(1)) == master_pid:
            kib = re.search(r"^VmRSS:\s+(\d+)", text, re.M)
            rss.append(int(kib.group(1)) / 1024 if kib else 0.0)
    return sorted(rss)


class BackgroundWrites:
    """Transitions sent at a steady rate while a read endpoint is measured (``--writes-per-second``):
    each one is a write that the reads meet (row locks, fresh rows). Takes its items from the
    end of the transition endpoint's list, which uses them from the start."""

    def __init__(self, url: str, lines: list, per_second: float):
        import threading

        self.url, self.lines, self.interval = url, list(lines), 1.0 / per_second
        self.sent = self.failed = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set() and self.lines:
            started = time.monotonic()
            method, path, hname, hvalue, body = self.lines.pop()
            headers = {"Accept": "application/json", "Content-Type": "application/json", hname: hvalue}
            request = urllib.request.Request(self.url + path, data=body.encode(), headers=headers, method=method)
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    response.read()
                self.sent += 1
            except OSError:
                self.failed += 1
            self._stop.wait(max(0.0, self.interval - (time.monotonic() - started)))

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def run_wrk(url: str, lines_file: str, *, connections: int, threads: int, duration: int, offset: int = 0) -> dict:
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{duration}s",
        "--timeout",
        "10s",
        "--latency",
        "-s",
        str(LUA),
        url,
        "--",
        lines_file,
        str(offset),
        str(threads),
    ]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    match = re.search(r"^WRKJSON (\{.*\})$", out, re.M)
    if not match:
        raise SystemExit(f"wrk printed no summary:\n{out}")
    data = json.loads(match.group(1))
    data["rps"] = data["requests"] / (data["duration_us"] / 1e6)
    return data


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--threads",
        type=int,
        default=2,
        help="gthread threads per worker (2: on two cores more threads only contend for the GIL; see bench/README.md)",
    )
    parser.add_argument("--connections", type=int, default=20, help="concurrent users (wrk connections)")
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--duration", type=int, default=15, help="seconds measured per endpoint")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--users", type=int, default=300, help="distinct users per endpoint (where there are)")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/10", help="cache and broker ('' for none)")
    parser.add_argument("--only", default="", help="comma-separated endpoint names")
    parser.add_argument("--json", default="", help="also write the figures to this file")
    parser.add_argument(
        "--writes-per-second",
        type=float,
        default=0,
        help="while each read is measured, send this many transitions a second (writes drop kept answers)",
    )
    parser.add_argument(
        "--prefill",
        action="store_true",
        help="before measuring a read, send each of its distinct requests once (warm caches)",
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("load.py drives the server with wrk: install it first (apt-get install wrk)")

    configure_environment("bench.settings")
    if args.redis:
        os.environ["REDIS_URL"] = args.redis
    import django

    django.setup()
    from django.db import connection

    print("machine: ", machine())
    print("database:", postgres_version(connection), database_url())
    print("redis:   ", args.redis or "none (local memory cache, tasks kept in memory)")

    if args.redis:
        import redis

        redis.Redis.from_url(args.redis).flushdb()

    rng = random.Random(10)
    endpoints = build_all = build_endpoints(rng, args.users)
    if args.only:
        wanted = {"ping", *args.only.split(",")}
        endpoints = [ep for ep in endpoints if ep.name in wanted]
    for ep in endpoints:
        if not ep.lines:
            raise SystemExit(f"no requests for {ep.name}: generate data with bench/generate.py first")

    print("\n1. one request each in-process: status, queries, plans of the item queries (EXPLAIN ANALYZE)")
    checks = count_and_explain(endpoints)
    for ep in endpoints:
        c = checks[ep.name]
        scan = "SEQ SCAN on items" if c["seq_scans"] else "no seq scan on items"
        print(
            f"  {ep.name:<11} status {c['status']}  {c['queries']:3d} queries  {c['item_plans']} item queries, "
            f"slowest {c['slowest_item_query_ms']:.1f} ms  {scan}"
        )
        for sql in c["seq_scans"]:
            print(f"      {sql}")
    connection.close()

    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    print(f"\n2. gunicorn: {args.workers} workers × {args.threads} threads (gthread) on 127.0.0.1:{args.port}")
    proc = start_gunicorn(args.port, args.workers, args.threads, env)
    url = f"http://127.0.0.1:{args.port}"
    results = {}
    writes = next((ep.lines for ep in build_all if ep.kind == "write"), [])
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for ep in endpoints:
                lines_file = os.path.join(tmp, f"{ep.name}.tsv")
                with open(lines_file, "w") as fh:
                    for line in ep.lines:
                        fh.write("\t".join(line) + "\n")
                common = {"connections": args.connections, "threads": args.wrk_threads}
                drain(url)
                if ep.kind == "read" and args.prefill:
                    took = prefill(url, ep.lines)
                    print(f"  {ep.name:<11} prefill: {len(ep.lines)} distinct requests once each in {took:.0f} s")
                if ep.warmup and args.warmup:
                    run_wrk(url, lines_file, duration=args.warmup, **common)
                if ep.kind == "read" and args.writes_per_second and writes:
                    with BackgroundWrites(url, writes, args.writes_per_second) as background:
                        results[ep.name] = run_wrk(url, lines_file, duration=args.duration, **common)
                    writes = background.lines
                    print(f"  {ep.name:<11} meanwhile {background.sent} transitions ({background.failed} failed)")
                else:
                    results[ep.name] = run_wrk(url, lines_file, duration=args.duration, **common)
                r = results[ep.name]
                print(
                    f"  {ep.name:<11} {r['rps']:8.1f} req/s  p50 {r['p50_us'] / 1000:7.1f}  p95 "
                    f"{r['p95_us'] / 1000:7.1f}  p99 {r['p99_us'] / 1000:7.1f} ms  non-2xx {r['non2xx']}  "
                    f"socket errors {r['socket_errors']}  distinct requests {len(ep.lines)}"
                    f"{'  RAN OUT OF ITEMS' if ep.kind == 'write' and r['repeated'] else ''}",
                    flush=True,
                )
            # The ceiling again, last: on a shared host the first one alone may be slow or fast.
            drain(url)
            again = run_wrk(url, os.path.join(tmp, "ping.tsv"), duration=args.duration, **common)
            print(f"  {'ping again':<11} {again['rps']:8.1f} req/s  p95 {again['p95_us'] / 1000:7.1f} ms", flush=True)
        rss = worker_rss_mib(proc.pid)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:  # requests wrk gave up on are still running
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()

    # Shares are taken of the higher of the two ceilings, so that a slow moment of the host while
    # the ceiling was measured never makes an endpoint look closer to it.
    first, last = results["ping"]["rps"], again["rps"]
    ceiling = max(first, last)
    print(
        f"\n3. figures ({args.connections} connections, {args.duration} s each; ceiling {ceiling:.0f} req/s, "
        f"the higher of {first:.0f} first and {last:.0f} last)"
    )
    header = (
        f"  {'endpoint':<52} {'req/s':>8} {'p50':>7} {'p95':>7} {'p99':>7} {'ceil.':>6} {'non2xx':>6} {'q':>3}  target"
    )
    print(header)
    summary = []
    for ep in endpoints:
        r, c = results[ep.name], checks[ep.name]
        fraction = r["rps"] / ceiling
        ok_status = r["non2xx"] == 0 and r["socket_errors"] == 0 and not (ep.kind == "write" and r["repeated"])
        if ep.kind == "read":
            passed = ok_status and r["p95_us"] < 100_000 and fraction >= 0.5 and not c["seq_scans"]
        elif ep.kind == "write":
            passed = ok_status and r["rps"] >= 150 and not c["seq_scans"]
        else:
            passed = ok_status
        verdict = "pass" if passed else "FAIL"
        if ep.kind == "floor":  # a comparison, not a target
            verdict = "no target" if ok_status else "FAIL"
        print(
            f"  {ep.label:<52} {r['rps']:8.1f} {r['p50_us'] / 1000:7.1f} {r['p95_us'] / 1000:7.1f} "
            f"{r['p99_us'] / 1000:7.1f} {fraction:6.0%} {r['non2xx']:6d} {c['queries']:3d}  "
            f"{verdict}"
        )
        summary.append(
            {"name": ep.name, "label": ep.label, "kind": ep.kind, "fraction": fraction, "passed": passed, **r, **c}
        )
    print(
        f"  worker RSS after the run: {', '.join(f'{m:.0f} MiB' for m in rss)} "
        f"({'pass' if rss and max(rss) < 200 else 'FAIL'} against 200 MB)"
    )
    print("  targets: reads p95 < 100 ms and ≥ 50 % of the ceiling; transitions ≥ 150/s; only 2xx; no seq scan")
    if args.json:
        Path(args.json).write_text(
            json.dumps({"machine": machine(), "ceilings": [first, last], "results": summary, "rss_mib": rss}, indent=1)
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
