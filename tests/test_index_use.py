"""No read path scans the whole items table (or the transition log): an index serves each one.

On PostgreSQL (skipped on SQLite outside CI, required in CI): each path runs as the app runs it
(the HTTP views, or the sweep's own function), the SQL it sent is captured, and every statement
touching the table is EXPLAINed with ``enable_seqscan = off`` — tiny test tables are otherwise
always scanned sequentially, so this asks "is there an index that can serve it?", not "is it
fast on this data". A plan that still says ``Seq Scan on <table>`` has none.
"""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from lists.models import ResponsibilityItem
from tests.read_world import World
from workflows.models import TransitionLog
from workflows.sweep import sweep_deadlines

pytestmark = [pytest.mark.django_db, pytest.mark.services]


ITEMS = ResponsibilityItem._meta.db_table
LOG = TransitionLog._meta.db_table


def _statements(run, table: str) -> list[str]:
    """The SQL statements ``run()`` sent that read or change ``table``."""
    with CaptureQueriesContext(connection) as queries:
        run()
    pattern = re.compile(rf'\b"?{table}"?\b')
    return [
        q["sql"]
        for q in queries.captured_queries
        if pattern.search(q["sql"]) and q["sql"].lstrip().upper().startswith(("SELECT", "UPDATE", "DELETE", "WITH"))
    ]


def _partial_indexes(table: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = %s AND indexdef LIKE '%% WHERE %%'", [table])
        return {row[0] for row in cursor.fetchall()}


def _full_scans(plan: dict, table: str, partial: set[str]):
    """Scan nodes on ``table`` that read all of it: a Seq Scan, or an index scan with no index
    condition (walking a whole index, e.g. the primary key for its order) on a non-partial index."""
    if plan.get("Relation Name") == table:
        kind = plan["Node Type"]
        if kind == "Seq Scan":
            yield kind
        elif kind in ("Index Scan", "Index Only Scan") and "Index Cond" not in plan:
            if plan["Index Name"] not in partial:
                yield f"{kind} using {plan['Index Name']} without an index condition"
    for child in plan.get("Plans", []):
        yield from _full_scans(child, table, partial)


def _seq_scans(statements: list[str], table: str) -> list[str]:
    found = []
    partial = _partial_indexes(table)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        for sql in statements:
            cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
            plan = cursor.fetchone()[0]
            plan = json.loads(plan) if isinstance(plan, str) else plan
            scans = list(_full_scans(plan[0]["Plan"], table, partial))

            if scans:
                cursor.execute("EXPLAIN " + sql)
                text = "\n".join(row[0] for row in cursor.fetchall())
                found.append(f"{'; '.join(scans)}\n{sql}\n{text}")
    return found


def _get(user, url, *, api=False):
    def run():
        if api:
            client = APIClient()
            client.force_authenticate(user=user)
        else:
            client = Client()
            client.force_login(user)
        assert client.get(url).status_code == 200

    return run


def _paths(world: World) -> dict[str, tuple]:
    """Read path → (how to run it, the table it must not scan all of)."""
    p = world.p
    return {
        "my items (API)": (_get(p.cadre, "/api/v1/items/?assignee=me", api=True), ITEMS),
        "my items (page)": (_get(p.cadre, reverse("lists:my-tasks")), ITEMS),
        "a leader's branch list (page)": (
            _get(p.leader, reverse("lists:list-detail", args=[world.list.pk])),
            ITEMS,
        ),
        "a leader's branch list items (API)": (
            _get(p.leader, f"/api/v1/items/?list={world.list.pk}", api=True),
            ITEMS,
        ),
        "the commissioner's overdue queue (API)": (
            _get(p.commissioner, "/api/v1/supervision/overdue/", api=True),
            ITEMS,
        ),
        "the commissioner's overdue queue (page)": (_get(p.commissioner, reverse("supervision:queue")), ITEMS),
        "the township commissioner's overdue queue (API)": (
            _get(p.township_commissioner, "/api/v1/supervision/overdue/", api=True),
            ITEMS,
        ),
        "an item's history (API)": (_get(p.leader, f"/api/v1/items/{world.item.pk}/history/", api=True), LOG),
        "an item's page with its history": (
            _get(p.leader, reverse("lists:item-detail", args=[world.item.pk])),
            LOG,
        ),
        "the dashboard's warning levels by unit": (
            _get(p.secretary, reverse("reports:dashboard") + "?year=2026&quarter=3"),
            ITEMS,
        ),
        "the warning overview": (_get(p.commissioner, reverse("supervision:overview")), ITEMS),
        "the deadline sweep's candidates": (
            lambda: sweep_deadlines(as_of=dt.datetime(2026, 9, 1, 9, tzinfo=dt.UTC)),
            ITEMS,
        ),
    }


PATHS = [
    "my items (API)",
    "my items (page)",
    "a leader's branch list (page)",
    "a leader's branch list items (API)",
    "the commissioner's overdue queue (API)",
    "the commissioner's overdue queue (page)",
    "the township commissioner's overdue queue (API)",
    "an item's history (API)",
    "an item's page with its history",
    "the dashboard's warning levels by unit",
    "the warning overview",
    "the deadline sweep's candidates",
]


@pytest.mark.parametrize("path", PATHS)
def test_no_sequential_scan_on_the_path(postgresql, personas, path):
    world = World(personas)
    world.grow(3)
    run, table = _paths(world)[path]
    statements = _statements(run, table)
    assert statements, f"{path} sent no statement on {table}"
    scans = _seq_scans(statements, table)
    assert not scans, "\n\n".join(scans)


def test_the_check_sees_a_whole_table_scan(postgresql, personas):
    """A control: filtering items on their title (no index) is reported."""
    world = World(personas)
    world.grow(3)
    statements = _statements(lambda: list(ResponsibilityItem.objects.filter(title="主题党日")), ITEMS)
    assert (len(_seq_scans(statements, ITEMS)), sorted(_paths(world))) == (1, sorted(PATHS))
