"""Generate a county cluster: dozens of townships, hundreds of branches, thousands of users, N items.

Not a test. Writes into the bench database (``dutyflow_bench`` on the local PostgreSQL;
``BENCH_DATABASE_URL`` to change it) with PostgreSQL COPY, month by month, then ANALYZE.

What it writes:
- the demo township (``seed_organization``) plus ``--townships`` more, each with a Party
  committee, ``--branches`` organ branches (one leader and ``--cadres`` cadres each), a
  secretary, a discipline commissioner (jurisdiction: the township) and an observer;
- one list per branch and month over ``--months`` months ending with the current one: lists
  older than two months are closed, the last three published;
- N items spread over those lists. Closed months: mostly verified (completed), some unfinished,
  carried over or cancelled. The last three months: every open state (assigned, accepted, in
  progress, submitted, returned, suspended) with warning colours and escalation levels from
  their deadlines (overdue ones red, escalation 1–3), plus completed ones;
- transition log rows (history) for every open item and for ``--history-fraction`` of the
  others, HMAC-chained exactly as ``workflows.audit.append_log`` does (with the AUDIT_KEY of
  this environment), and a signed audit checkpoint covering them, so their chains verify;
  lists' own publish/close rows are not written, so ``manage.py verify_audit``'s comparison
  of each object's state with its last log row reports the lists, the completed items
  without history and the supervision cases (a benchmark data set, not a real history);
- supervision cases for items at escalation level 2 or more (open or acting) and a few closed
  ones in past months.

API tokens are not written here: they are stored hashed, so each bench issues its own at start
(``benchlib.api_tokens``).

Usage:
    .venv/bin/python bench/generate.py --fresh                 # 1,000,000 items
    .venv/bin/python bench/generate.py --fresh --items 100000 --townships 10
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys

from benchlib import Stopwatch, configure_environment, database_url, ensure_database, machine, postgres_version

CLOSED_MIX = [("completed", 90), ("unfinished", 4), ("carried_over", 3), ("cancelled", 3)]
RECENT_MIX = [
    ("completed", 40),
    ("assigned", 8),
    ("accepted", 10),
    ("in_progress", 24),
    ("submitted", 10),
    ("returned", 4),
    ("suspended", 2),
    ("cancelled", 2),
]
# The path of each state through the item's transitions (transition, source, target).
PATHS = {
    "assigned": [("assign", "draft", "assigned")],
    "accepted": [("assign", "draft", "assigned"), ("accept", "assigned", "accepted")],
    "in_progress": [
        ("assign", "draft", "assigned"),
        ("accept", "assigned", "accepted"),
        ("report_progress", "accepted", "in_progress"),
    ],
}
PATHS["submitted"] = PATHS["in_progress"] + [("submit", "in_progress", "submitted")]
PATHS["returned"] = PATHS["submitted"] + [("return", "submitted", "returned")]
PATHS["completed"] = PATHS["submitted"] + [("verify", "submitted", "completed")]
PATHS["suspended"] = PATHS["in_progress"] + [("suspend", "in_progress", "suspended")]
PATHS["unfinished"] = PATHS["in_progress"] + [("mark_unfinished", "in_progress", "unfinished")]
PATHS["carried_over"] = PATHS["accepted"] + [("carry_over", "accepted", "carried_over")]
PATHS["cancelled"] = PATHS["assigned"] + [("cancel", "assigned", "cancelled")]
LEADER_TRANSITIONS = {"assign", "verify", "return", "suspend", "cancel", "mark_unfinished", "carry_over"}

ITEM_COLUMNS = (
    "id title standard urgent state due_at original_due_at warning_level escalation_level assigned_at accepted_at "
    "submitted_at completed_at suspended_at on_time result progress_percent sort_order created_at updated_at "
    "assignee_id carried_over_from_id created_by_id lead_leader_id list_id category_id"
).split()
LOG_COLUMNS = (
    "id content_type_id object_id transition source target actor_id at comment payload seq prev_hash hash".split()
)
TITLES = [
    "落实基层党建责任清单",
    "开展主题党日活动",
    "入户走访困难群众",
    "安全生产隐患排查",
    "信访积案化解",
    "人居环境整治",
    "防汛物资检查",
    "党员积分评定",
    "网格员培训",
    "村级财务公开",
]


def weighted(rng: random.Random, mix) -> str:
    return rng.choices([s for s, _ in mix], weights=[w for _, w in mix])[0]


def month_start(now: dt.datetime, back: int) -> dt.date:
    index = now.year * 12 + now.month - 1 - back
    return dt.date(index // 12, index % 12 + 1, 1)


def build_cluster(townships: int, branches: int, cadres: int, password_hash: str) -> dict:
    """Extra townships with their committees, branches and people; returns the counts."""
    from organization.models import Jurisdiction, Membership, Unit, User

    users, members, n_units = [], [], 0
    for t in range(1, townships + 1):
        code = f"t{t:02d}"
        township = Unit(code=f"{code}-township", name=f"第{t}镇", kind=Unit.Kind.TOWNSHIP, sort_order=100 + t)
        township.save()
        committee = Unit(code=f"{code}-committee", name=f"第{t}镇党委", kind="committee", parent=township)
        committee.save()
        Jurisdiction.objects.create(unit=township, name=f"第{t}镇纪委")
        n_units += 2
        people = [
            (f"{code}secretary", f"第{t}镇书记", [(township, "leader"), (committee, "leader")]),
            (f"{code}commissioner", f"第{t}镇纪委书记", [(township, "commissioner")]),
            (f"{code}observer", f"第{t}镇观察员", [(township, "observer")]),
        ]
        for b in range(1, branches + 1):
            branch = Unit(code=f"{code}-branch{b:02d}", name=f"第{t}镇第{b}支部", kind="branch", parent=committee)
            branch.sort_order = b
            branch.save()
            n_units += 1
            people.append((f"{code}leader{b:02d}", f"第{t}镇{b}支部书记", [(branch, "leader")]))
            for k in range(1, cadres + 1):
                people.append((f"{code}cadre{b:02d}{k:02d}", f"第{t}镇干部{b}-{k}", [(branch, "cadre")]))
        for username, name, roles in people:
            users.append(User(username=username, display_name=name, password=password_hash))
            members.append((username, roles))
    created = {u.username: u for u in User.objects.bulk_create(users, batch_size=2000)}
    Membership.objects.bulk_create(
        [
            Membership(user=created[username], unit=unit, role=role)
            for username, roles in members
            for unit, role in roles
        ],
        batch_size=5000,
    )
    return {"units": n_units, "users": len(users)}


def warning_for(due: dt.datetime, now: dt.datetime) -> tuple[str, int]:
    days = (due - now).total_seconds() / 86400
    if days < 0:
        overdue = -days
        return "red", 3 if overdue > 20 else 2 if overdue > 7 else 1 if overdue > 1 else 0
    if days < 2:
        return "yellow", 0
    if days < 5:
        return "blue", 0
    return "green", 0


class Generator:
    def __init__(self, args, now: dt.datetime):
        self.args = args
        self.now = now
        self.rng = random.Random(args.seed)
        self.next_item = 1
        self.next_log = 1
        self.open_escalated: list[tuple] = []
        self.closed_samples: list[tuple] = []
        self.counts = {"items": 0, "open": 0, "overdue": 0, "log rows": 0}

    def item_rows(self, lists, people, month: dt.date, recent: bool, categories):
        rng, now = self.rng, self.now
        tz = now.tzinfo
        for lst in lists:
            cadres, leader = people[lst.unit_id]
            # Exactly N items: the first N mod (lists) lists get one more.
            self.list_index += 1
            for k in range(self.per_list + (self.list_index <= self.extra)):
                item_id = self.next_item
                self.next_item += 1
                assigned = dt.datetime.combine(month, dt.time(9), tzinfo=tz) + dt.timedelta(
                    days=rng.randint(0, 4), minutes=rng.randint(0, 480)
                )
                due = assigned + dt.timedelta(days=rng.randint(7, 35), hours=8)
                state = weighted(rng, RECENT_MIX if recent else CLOSED_MIX)
                if state in ("assigned", "accepted") and due < now - dt.timedelta(days=40):
                    state = "in_progress"
                assignee = rng.choice(cadres)
                path = PATHS[state]
                step = (due - assigned) / (len(path) + 1)
                times = [assigned + step * i for i in range(len(path))]
                if state == "completed" and rng.random() < 0.08:
                    times[-2] = due + dt.timedelta(days=rng.randint(1, 6))  # submitted late
                    times[-1] = times[-2] + dt.timedelta(hours=5)
                times = [min(t, now - dt.timedelta(minutes=5)) for t in times]
                open_ = state in ("assigned", "accepted", "in_progress", "submitted", "returned", "suspended")
                warning, escalation = warning_for(due, now) if open_ else ("green", 0)
                submitted = times[3] if state in ("submitted", "completed") else None
                completed = times[-1] if state == "completed" else None
                self.counts["items"] += 1
                if open_:
                    self.counts["open"] += 1
                    self.counts["overdue"] += due < now
                    if escalation >= 2:
                        self.open_escalated.append((item_id, lst.unit_id, escalation, due))
                elif state == "completed" and rng.random() < 0.002:
                    self.closed_samples.append((item_id, lst.unit_id, due))
                title = f"{TITLES[k % len(TITLES)]}（{month:%Y年%m月}第{k + 1}项）"
                yield (
                    (
                        item_id,
                        title,
                        "按时完成并留存台账",
                        k % 17 == 0,
                        state,
                        due,
                        due,
                        warning,
                        escalation,
                        times[0],
                        times[1] if len(times) > 1 else None,
                        submitted,
                        completed,
                        times[-1] if state == "suspended" else None,
                        (submitted <= due) if completed else None,
                        "已完成" if submitted else "",
                        100 if completed else 50 if state in ("in_progress", "submitted", "returned") else 0,
                        k,
                        assigned - dt.timedelta(days=1),
                        times[-1],
                        assignee,
                        None,
                        leader,
                        leader,
                        lst.pk,
                        categories[k % len(categories)],
                    ),
                    path,
                    times,
                    assignee,
                    leader,
                    open_,
                )

    def log_rows(self, item_id, path, times, assignee, leader, content_type_id):
        from workflows.audit import compute_hash

        prev = ""
        for seq, ((name, source, target), at) in enumerate(zip(path, times), start=1):
            actor = leader if name in LEADER_TRANSITIONS else assignee
            payload = {"percent": 50} if name == "report_progress" else {}
            comment = {"report_progress": "已推进过半", "submit": "已完成", "return": "材料不全"}.get(name, "")
            digest = compute_hash(
                content_type="responsibilities.responsibilityitem",  # items' audit label (lists/apps.py)
                object_id=item_id,
                seq=seq,
                transition=name,
                source=source,
                target=target,
                actor_id=actor,
                at=at,
                comment=comment,
                payload=payload,
                prev_hash=prev,
            )
            yield (
                self.next_log,
                content_type_id,
                item_id,
                name,
                source,
                target,
                actor,
                at,
                comment,
                json.dumps(payload),
                seq,
                prev,
                digest,
            )
            self.next_log += 1
            prev = digest


def copy_rows(cursor, table: str, columns, rows) -> int:
    n = 0
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            n += 1
    return n


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--townships", type=int, default=30, help="townships besides the demo one")
    parser.add_argument("--branches", type=int, default=12, help="organ branches per extra township")
    parser.add_argument("--cadres", type=int, default=8, help="cadres per extra branch")
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--history-fraction", type=float, default=0.2, help="share of closed items with history")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--fresh", action="store_true", help="drop and recreate the bench database first")
    args = parser.parse_args()

    configure_environment()
    url = database_url()
    if not url.startswith("postgresql://"):
        print("generate.py writes with PostgreSQL COPY: BENCH_DATABASE_URL must be postgresql://")
        return 2
    ensure_database(url, fresh=args.fresh)
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from lists.models import ResponsibilityItem, ResponsibilityList, TaskCategory
    from organization.demo import DEMO_PASSWORD, seed_organization
    from organization.models import Membership, Unit, User

    print("machine:", machine())
    watch = Stopwatch()
    with watch.step("migrate"):
        call_command("migrate", verbosity=0)
    print("database:", postgres_version(connection), url)
    if ResponsibilityItem.objects.exists():
        print("the bench database already has items: run with --fresh to start again")
        return 2
    now = timezone.localtime(timezone.now())

    with watch.step("organization: demo township and the cluster"), transaction.atomic():
        seed_organization()
        counts = build_cluster(args.townships, args.branches, args.cadres, make_password(DEMO_PASSWORD))
    branches = list(Unit.objects.filter(kind=Unit.Kind.BRANCH).order_by("path"))
    people = {}
    for branch in branches:
        cadres = list(Membership.objects.filter(unit=branch, role="cadre").values_list("user_id", flat=True))
        leader = Membership.objects.filter(unit=branch, role="leader").values_list("user_id", flat=True).first()
        people[branch.pk] = (cadres, leader)
    print(
        f"  units: {Unit.objects.count()} ({len(branches)} branches), users: {User.objects.count()}, "
        f"memberships: {Membership.objects.count()}"
    )

    categories = [
        TaskCategory.objects.get_or_create(code=code, defaults={"name": name})[0].pk
        for code, name in (("party", "党建"), ("economy", "经济发展"), ("safety", "平安建设"), ("livelihood", "民生"))
    ]
    gen = Generator(args, now)
    gen.per_list, gen.extra = divmod(args.items, len(branches) * args.months)
    gen.list_index = 0
    content_type_id = ContentType.objects.get_for_model(ResponsibilityItem).pk
    history_rng = random.Random(args.seed + 1)

    with watch.step(f"lists and items over {args.months} months, with history"):
        for back in range(args.months - 1, -1, -1):
            month = month_start(now, back)
            recent = back <= 2
            with transaction.atomic(), connection.cursor() as cursor:
                lists = ResponsibilityList.objects.bulk_create(
                    [
                        ResponsibilityList(
                            unit=b,
                            month=month,
                            title=f"{b.name}{month:%Y年%m月}责任清单",
                            state="published" if recent else "closed",
                            published_at=dt.datetime.combine(month, dt.time(8), tzinfo=now.tzinfo),
                            closed_at=None if recent else dt.datetime.combine(month, dt.time(8), tzinfo=now.tzinfo),
                            created_by_id=people[b.pk][1],
                        )
                        for b in branches
                    ]
                )
                history = []
                items = gen.item_rows(lists, people, month, recent, categories)

                def item_stream(items=items, history=history):
                    for row, path, times, assignee, leader, open_ in items:
                        if open_ or history_rng.random() < args.history_fraction:
                            history.append((row[0], path, times, assignee, leader))
                        yield row

                copy_rows(cursor.cursor, "lists_responsibilityitem", ITEM_COLUMNS, item_stream())
                logs = (
                    row
                    for item_id, path, times, assignee, leader in history
                    for row in gen.log_rows(item_id, path, times, assignee, leader, content_type_id)
                )
                gen.counts["log rows"] += copy_rows(cursor.cursor, "workflows_transitionlog", LOG_COLUMNS, logs)
            if back % 6 == 0:
                print(f"  {month:%Y-%m}: {gen.counts['items']} items, {gen.counts['log rows']} log rows", flush=True)

    with watch.step("sequences, supervision cases"), transaction.atomic(), connection.cursor() as cursor:
        for table in ("lists_responsibilityitem", "workflows_transitionlog"):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        commissioners = {
            u.path: m
            for u, m in (
                (m.unit, m.user_id)
                for m in Membership.objects.filter(role="commissioner", unit__kind="township").select_related("unit")
            )
        }
        unit_paths = dict(Unit.objects.values_list("pk", "path"))

        def commissioner_for(unit_id):
            path = unit_paths[unit_id]
            return next((uid for p, uid in commissioners.items() if path.startswith(p)), None)

        case_rows = []
        for item_id, unit_id, escalation, due in gen.open_escalated:
            if escalation < 3:
                continue
            case_rows.append(
                (
                    content_type_id,
                    item_id,
                    "item",
                    f"事项 #{item_id}",
                    "acting" if escalation == 3 else "open",
                    "escalation",
                    escalation,
                    "逾期升级",
                    due + dt.timedelta(days=8),
                    "",
                    None,
                    None,
                    None,
                    unit_id,
                )
            )
        for item_id, unit_id, due in gen.closed_samples:
            case_rows.append(
                (
                    content_type_id,
                    item_id,
                    "item",
                    f"事项 #{item_id}",
                    "closed",
                    "commissioner",
                    0,
                    "群众反映办理迟缓",
                    due - dt.timedelta(days=3),
                    "已整改",
                    due + dt.timedelta(days=10),
                    commissioner_for(unit_id),
                    commissioner_for(unit_id),
                    unit_id,
                )
            )
        n_cases = copy_rows(
            cursor.cursor,
            "supervision_supervisioncase",
            (
                "content_type_id object_id subject_type subject_title state source escalation_level reason opened_at "
                "conclusion closed_at closed_by_id opened_by_id unit_id"
            ).split(),
            case_rows,
        )
    with watch.step("audit checkpoint (back-dated rows, signed now)"):
        from workflows.audit import write_checkpoint

        write_checkpoint()
    with watch.step("ANALYZE"), connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    print()
    print(f"machine:   {machine()}")
    print(f"database:  {postgres_version(connection)} {url}")
    print(
        f"cluster:   {1 + args.townships} townships, {len(branches)} branches, {counts['users']} generated users "
        f"(+ demo), {len(branches) * args.months} lists"
    )
    print(
        f"items:     {gen.counts['items']} ({gen.per_list}–{gen.per_list + 1} per list), open {gen.counts['open']}, "
        f"overdue {gen.counts['overdue']}, supervision cases {n_cases}"
    )
    print(f"history:   {gen.counts['log rows']} transition log rows")
    for label, seconds in watch.steps:
        print(f"  {label:<55} {seconds:8.1f} s")
    print(f"  {'total':<55} {watch.total:8.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
