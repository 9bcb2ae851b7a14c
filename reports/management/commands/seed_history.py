"""Fill past quarters with realistic activity for the dashboards (demo data).

Every step goes through the services with the clock moved to its moment (time-machine), so the
items, the transition log and the supervision actions carry the back-dated times a real quarter
would have. Units and months that already have a list are left alone: running it twice adds
nothing. Run ``seed_demo`` first.
"""

from __future__ import annotations

import datetime as dt
import random

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from lists import services
from lists.models import ResponsibilityList
from organization.models import Membership, Unit, User
from reports.metrics import local_tz
from reports.selectors import current_quarter
from supervision import services as supervision_services
from workflows.audit import write_checkpoint
from workflows.calendar import WorkingCalendar

TITLES = [
    "召开支部主题党日活动",
    "走访联系困难群众",
    "开展安全生产隐患排查",
    "整理党员发展材料",
    "落实河湖长巡河任务",
    "组织理论学习研讨",
    "推进人居环境整治",
    "完成季度信访积案化解",
]


def past_quarters(count: int, today: dt.date) -> list[tuple[int, int]]:
    year, quarter = current_quarter(today)
    result = []
    for _i in range(count):
        year, quarter = (year - 1, 4) if quarter == 1 else (year, quarter - 1)
        result.append((year, quarter))
    return list(reversed(result))


class Command(BaseCommand):
    help = "Fill the last complete quarters with back-dated list activity, cards and cases (demo data)."

    def add_arguments(self, parser):
        parser.add_argument("--quarters", type=int, default=2, help="How many past quarters (default 2).")
        parser.add_argument("--items", type=int, default=3, help="Items per list (default 3).")
        parser.add_argument("--seed", type=int, default=2026, help="Random seed: the same seed gives the same history.")

    def handle(self, *args, quarters, items, seed, **options):
        try:
            import time_machine
        except ImportError as exc:  # pragma: no cover - the test requirements provide it
            raise CommandError("seed_history needs the time-machine package to back-date activity.") from exc
        if quarters < 1 or items < 1:
            raise CommandError("--quarters and --items must be at least 1.")
        # Each township's own commissioner supervises its items (keyed by the tree's root unit).
        commissioners = {
            membership.unit_id: membership.user
            for membership in Membership.objects.filter(role=Membership.Role.COMMISSIONER, unit__parent__isnull=True)
            .select_related("user")
            .order_by("-user__username")
        }
        if not commissioners:
            raise CommandError("No township commissioner: run seed_demo first.")
        self.rng = random.Random(seed)
        self.tm = time_machine
        self.calendar = WorkingCalendar()
        self.commissioners = commissioners
        self.items_per_list = items
        branches = [
            branch
            for branch in Unit.objects.filter(kind=Unit.Kind.BRANCH).order_by("path")
            if self.root_id(branch) in commissioners
        ]
        made = 0
        for year, quarter in past_quarters(quarters, dt.date.today()):
            for month in range(3 * quarter - 2, 3 * quarter + 1):
                for branch in branches:
                    made += self.seed_list(branch, dt.date(year, month, 1))
        # Back-dated log rows: sign a checkpoint now, or verify_audit would take them for rows
        # whose checkpoints were deleted.
        write_checkpoint()
        self.stdout.write(f"seed_history: {made} list(s) created.")

    def at(self, day: dt.date, hour: int) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour), tzinfo=local_tz())

    def working_day(self, start: dt.datetime, n: int) -> dt.datetime:
        return self.calendar.add_working_days(start, n)

    def seed_list(self, branch: Unit, month: dt.date) -> int:
        if ResponsibilityList.objects.filter(unit=branch, month=month).exists():
            return 0
        leader = User.objects.filter(memberships__unit=branch, memberships__role=Membership.Role.LEADER).first()
        cadres = list(
            User.objects.filter(memberships__unit=branch, memberships__role=Membership.Role.CADRE).order_by("username")
        )
        if leader is None or not cadres:
            return 0
        rng = self.rng
        published = self.working_day(self.at(month - dt.timedelta(days=1), 9), 1)
        with transaction.atomic(), self.tm.travel(published, tick=False):
            lst = services.list_create(unit=branch, month=month, title=f"{month:%Y年%m月}责任清单", actor=leader)
            made = []
            for n in range(self.items_per_list):
                due = self.working_day(published, rng.randint(8, 16)).replace(hour=18)
                made.append(
                    services.item_create(
                        lst=lst,
                        actor=leader,
                        title=rng.choice(TITLES),
                        standard="按要求完成并留存记录",
                        assignee=cadres[(n + month.month) % len(cadres)],
                        lead_leader=leader,
                        due_at=due,
                    )  # fmt: skip
                )
            services.list_publish(lst=lst, actor=leader)
        for item in made:
            self.play(item, published, leader, rng)
        return 1

    def play(self, item, published: dt.datetime, leader: User, rng: random.Random) -> None:
        """One item's life: acceptance (mostly prompt), then on time, late, or never finished."""
        item.refresh_from_db()
        accepted = published + dt.timedelta(hours=2) if rng.random() < 0.8 else self.working_day(published, 3)
        with transaction.atomic(), self.tm.travel(accepted, tick=False):
            item = services.item_accept(item=item, actor=item.assignee)
        fate = rng.random()
        if fate < 0.7:
            finish = self.working_day(item.due_at, -rng.randint(1, 3))
        elif fate < 0.9:
            finish = self.working_day(item.due_at, rng.randint(1, 6))
        else:
            finish = None
        if finish is not None and finish <= accepted:
            finish = accepted + dt.timedelta(hours=3)
        escalation = self.working_day(item.due_at, 3).replace(hour=10)
        if finish is None or finish > escalation:
            self.supervise(item, escalation, rng)
        if finish is None:
            return
        with transaction.atomic(), self.tm.travel(finish, tick=False):
            item.refresh_from_db()
            services.item_report_progress(item=item, actor=item.assignee, text="已按计划推进", percent=80)
            item.refresh_from_db()
            services.item_submit(item=item, actor=item.assignee, result="已完成")
            item.refresh_from_db()
            services.item_verify(item=item, actor=leader)

    @staticmethod
    def root_id(unit: Unit) -> int:
        """The id of the township (the tree's root) that ``unit`` belongs to."""
        return int(unit.path.strip("/").split("/")[0])

    def supervise(self, item, moment: dt.datetime, rng: random.Random) -> None:
        """Overdue three working days: a case opens; a yellow card, rarely a red one."""
        with transaction.atomic(), self.tm.travel(moment, tick=False):
            item.refresh_from_db()
            commissioner = self.commissioners[self.root_id(item.list.unit)]
            case = supervision_services.case_open(subject=item, reason="逾期未办结", actor=commissioner)
            action = "red_card" if rng.random() < 0.15 else "yellow_card"
            supervision_services.case_act(case=case, actor=commissioner, action=action, note="请限期办结")
