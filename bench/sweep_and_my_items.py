"""Benchmark: the deadline sweep and "my items" over a large item table.

Not a test. Creates (or reuses) a database of its own (``dutyflow_bench_sweep_items``;
``SWEEP_ITEMS_DATABASE_URL`` to change it), fills it with N items spread over the demo township's
branches with a realistic state mix, then times:

- the first ``sweep_deadlines`` after a month has passed (many rows change),
- a second sweep at the same moment (nothing changes: must cost O(changed rows), not O(table)),
- the "my items" query and the list page's query for one branch,
- the query plans of those reads (no sequential scan on the items table expected on PostgreSQL).

It touches only what it wrote: its lists are titled ``[sweep_and_my_items] …``; ``--refill``
deletes those lists' items and nothing else, and each run puts back only its own items (green,
never escalated) and deletes only the escalation steps, supervision cases, outbox rows and
notifications about them. (Its sweeps, like any sweep, bring every open item of the database up
to date: give it a database of its own.)

Usage (PostgreSQL, the default here):
    .venv/bin/python bench/sweep_and_my_items.py --items 200000
    SWEEP_ITEMS_DATABASE_URL=sqlite:////tmp/bench.sqlite3 .venv/bin/python bench/sweep_and_my_items.py --items 20000
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DATABASE_URL"] = os.environ.get(
    "SWEEP_ITEMS_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/dutyflow_bench_sweep_items"
)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.pop("REDIS_URL", None)
from benchlib import ensure_database, machine  # noqa: E402

# Outbox rows are written (part of the sweep's cost); delivery is left queued, not timed here.
os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"
os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.dummy.EmailBackend"

MARK = "[sweep_and_my_items] "  # the title prefix of the lists this script fills


def fill(n_items: int, now: dt.datetime) -> None:
    """Bulk-insert lists and items (no per-row saves, no log rows: this measures reads and the sweep)."""
    from lists.models import ResponsibilityItem, ResponsibilityList
    from organization.models import Membership, Unit

    rng = random.Random(2026)
    branches = list(Unit.objects.filter(kind=Unit.Kind.BRANCH).order_by("path"))
    cadres = {
        b.pk: list(Membership.objects.filter(unit=b, role="cadre").values_list("user_id", flat=True)) for b in branches
    }
    leaders = {
        b.pk: Membership.objects.filter(unit=b, role="leader").values_list("user_id", flat=True).first()
        for b in branches
    }
    branches = [b for b in branches if cadres[b.pk] and leaders[b.pk]]  # some demo branches have no people
    months = 24
    per_list = max(1, n_items // (len(branches) * months))
    states = (
        ["completed"] * 70
        + ["in_progress"] * 12
        + ["accepted"] * 6
        + ["assigned"] * 5
        + ["submitted"] * 4
        + ["suspended"] * 1
        + ["cancelled"] * 2
    )
    created = 0
    for m in range(months):
        back = months - m
        index = now.year * 12 + now.month - 1 - back
        month = dt.date(index // 12, index % 12 + 1, 1)
        lists = ResponsibilityList.objects.bulk_create(
            [
                ResponsibilityList(unit=b, month=month, title=f"{MARK}{b.name} {month:%Y-%m}", state="published")
                for b in branches
            ],
            ignore_conflicts=False,
        )
        items = []
        for lst in lists:
            for k in range(per_list):
                assigned = dt.datetime.combine(month, dt.time(9), tzinfo=now.tzinfo) + dt.timedelta(
                    days=rng.randint(0, 5)
                )
                due = assigned + dt.timedelta(days=rng.randint(5, 40))
                state = (
                    rng.choice(states)
                    if due < now - dt.timedelta(days=60) or rng.random() < 0.5
                    else rng.choice(states[70:])
                )
                items.append(
                    ResponsibilityItem(
                        list=lst,
                        title=f"事项 {m}-{k}",
                        standard="按时完成并留存记录",
                        state=state,
                        assignee_id=rng.choice(cadres[lst.unit_id]),
                        lead_leader_id=leaders[lst.unit_id],
                        due_at=due,
                        original_due_at=due,
                        assigned_at=assigned,
                        accepted_at=assigned + dt.timedelta(hours=20) if state != "assigned" else None,
                        completed_at=due - dt.timedelta(days=1) if state == "completed" else None,
                        on_time=True if state == "completed" else None,
                    )
                )
        ResponsibilityItem.objects.bulk_create(items, batch_size=5000)
        created += len(items)
    print(f"filled {created} items in {len(branches) * months} lists")


def timed(label: str, fn, repeat: int = 1):
    best = None
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - start
        best = elapsed if best is None else min(best, elapsed)
    print(f"{label:<55} {best * 1000:10.1f} ms")
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=200_000)
    parser.add_argument("--refill", action="store_true", help="delete the items and fill again")
    args = parser.parse_args()

    ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from lists.models import ResponsibilityItem, ResponsibilityList
    from lists.selectors import items_for_user, items_of_list
    from organization.demo import seed_organization
    from organization.models import User
    from workflows.models import EscalationEvent
    from workflows.sweep import sweep_deadlines

    print("machine:", machine())
    print("database:", connection.vendor, os.environ["DATABASE_URL"])
    call_command("migrate", verbosity=0)
    seed_organization()
    from django.contrib.contenttypes.models import ContentType

    from notifications.models import Notification, OutboxMessage
    from supervision.models import SupervisionAction, SupervisionCase

    now = timezone.now()
    ours = ResponsibilityItem.objects.filter(list__title__startswith=MARK)
    ours_ids = ours.values("pk")
    item_type = ContentType.objects.get_for_model(ResponsibilityItem)
    case_type = ContentType.objects.get_for_model(SupervisionCase)
    our_cases = SupervisionCase.objects.filter(content_type=item_type, object_id__in=ours_ids)

    def forget_sweeps():
        """Only what earlier runs' sweeps wrote about our items."""
        for model in (OutboxMessage, Notification):
            model.objects.filter(subject_type=case_type, subject_id__in=our_cases.values("pk")).delete()
            model.objects.filter(subject_type=item_type, subject_id__in=ours_ids).delete()
        SupervisionAction.objects.filter(case__in=our_cases).delete()
        our_cases.delete()
        EscalationEvent.objects.filter(content_type=item_type, object_id__in=ours_ids).delete()

    if args.refill or ours.count() < args.items // 2:
        forget_sweeps()
        ours.delete()
        ResponsibilityList.objects.filter(title__startswith=MARK, items__isnull=True).delete()
        timed("bulk fill", lambda: fill(args.items, now))
    total = ours.count()
    open_items = ours.open().count()
    print(f"items: {total}, open: {open_items}")
    if connection.vendor == "postgresql":
        # VACUUM sets the visibility map (index-only scans, as autovacuum would leave the table).
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")

    # Start every run from the same point: our items green, nothing escalated, no cases or outbox rows.
    forget_sweeps()
    ours.update(warning_level="green", escalation_level=0)

    report = timed("sweep, first run (as of now)", lambda: sweep_deadlines(as_of=now))
    print(f"  changed: {len(report.changes)}")
    report = timed("sweep, second run (nothing to change)", lambda: sweep_deadlines(as_of=now), repeat=3)
    print(f"  changed: {len(report.changes)}")

    cadre = User.objects.get(username="cadre001")
    timed("my items: first page of 50 (cadre001)", lambda: list(items_for_user(cadre)[:50]), repeat=5)
    lst = ResponsibilityList.objects.filter(unit__code="branch01").order_by("-month").first()
    timed("one branch's monthly list", lambda: list(items_of_list(lst)), repeat=5)

    if connection.vendor == "postgresql":
        for label, qs in (("my items", items_for_user(cadre)[:50]), ("branch list", items_of_list(lst))):
            plan = qs.explain()
            seq = "Seq Scan on lists_responsibilityitem" in plan
            print(f"plan for {label}: {'SEQUENTIAL SCAN on items' if seq else 'index scans only'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
