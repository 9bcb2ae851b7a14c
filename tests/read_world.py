"""A world of 3, then 30, rows of everything the pages and endpoints read, built through the
services at fixed times in July and August 2026 (all overdue by now): items (comments, progress
reports, history, evidence, extension requests, supervision cases and actions), pledges (checks,
evaluations), work orders (progress, photos) and notifications."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from issues import services as issue_services
from lists import services
from notifications.models import Notification
from organization.models import Membership, User
from pledges import services as pledge_services
from supervision import services as supervision_services
from tests.issues.issue_fixtures import IssuePeople, issue_in_state
from tests.matrix import PNG_BYTES
from tests.pledges.pledge_helpers import make_pledge
from tests.reports.helpers import at


@dataclass
class World:
    """What the reads are about; ``grow(n)`` adds n rows of everything and moves the subjects
    of the detail reads to the newest objects (which hold n related rows each)."""

    p: object
    rounds: int = 0
    subjects: dict = field(default_factory=dict)

    def __getattr__(self, name):
        subjects = self.__dict__.get("subjects", {})
        if name in subjects:
            return subjects[name]
        raise AttributeError(name)

    def grow(self, n: int) -> None:
        month = 7 + self.rounds  # July, then August 2026: all overdue by now
        self.rounds += 1
        self._items(n, month)
        self._pledges(n, month)
        self._issues(n, month)
        self._party_life(n, month)
        self._delegations(n)
        self._notifications(n)

    def _items(self, n, month):
        p = self.p
        start = at(month, 6 if month == 7 else 3)
        with time_machine.travel(start, tick=False):
            lst = services.list_create(unit=p.branch, month=dt.date(2026, month, 1), title=f"{month}月", actor=p.leader)
            items = [
                services.item_create(
                    lst=lst,
                    actor=p.leader,
                    title=f"事项{month}-{i}",
                    standard="完成",
                    assignee=p.cadre,
                    lead_leader=p.leader,
                    due_at=start + dt.timedelta(days=10),
                    co_handlers=[p.colleague],
                )
                for i in range(n)
            ]
            services.list_publish(lst=lst, actor=p.leader)
            items = [services.item_accept(item=lst.items.get(pk=i.pk), actor=p.cadre) for i in items]
        with time_machine.travel(start + dt.timedelta(days=1), tick=False):
            cases = []
            for i, item in enumerate(items):
                item = services.item_report_progress(item=item, actor=p.cadre, text="推进中", percent=30)
                if i % 3 == 0:
                    services.item_submit(item=item, actor=p.cadre, result="已完成")
                elif i % 3 == 1:
                    extension = services.extension_request(
                        item=item, actor=p.cadre, new_due_at=start + dt.timedelta(days=20), reason="等待材料"
                    )
                else:
                    case = supervision_services.case_open(subject=item, reason="进度滞后", actor=p.commissioner)
                    case = supervision_services.case_act(
                        case=case, actor=p.commissioner, action="reminder", note="提醒"
                    )
                    cases.append(case)
            detail, case = items[2], cases[0]
            for i in range(n):
                services.item_comment(item=detail, actor=p.leader, text=f"意见{i}")
                detail = services.item_report_progress(item=detail, actor=p.cadre, text=f"进展{i}", percent=40)
                upload = SimpleUploadedFile(f"照片{i}.png", PNG_BYTES, content_type="image/png")
                evidence = services.item_add_evidence(
                    item=detail, actor=p.cadre, upload=upload, content_type="image/png"
                )
                case = supervision_services.case_act(
                    case=case, actor=p.commissioner, action="reminder", note=f"提醒{i}"
                )
        self.subjects.update(
            list=lst, item=detail, plain_item=items[0], extension=extension, evidence=evidence, case=case
        )

    def _pledges(self, n, month):
        p = self.p
        members = list(
            User.objects.filter(memberships__unit=p.branch, memberships__role=Membership.Role.CADRE).order_by(
                "username"
            )
        )
        with time_machine.travel(at(month, 6), tick=False):
            for i in range(n):
                fulfilled = make_pledge(members[i % 2], p.leader, "fulfilled", text=f"承诺{month}-{i}：每月走访两户。")
            # one active pledge per member and year: the other members hold them, one or two a round
            for member, state in zip(members[2 * self.rounds :], ("submitted", "approved")):
                make_pledge(member, p.leader, state)
            for i in range(n):  # one monthly self-check a month, from January 2020 on
                month_of_check = dt.date(2020 + i // 12, 1 + i % 12, 1)
                pledge_services.pledge_record_check(
                    pledge=fulfilled, actor=p.leader, kind="self_monthly", note=f"自查{i}", as_of=month_of_check
                )
            for rater in ("self", "masses", "organisation"):
                pledge_services.pledge_evaluate(pledge=fulfilled, actor=p.leader, rater=rater, rating="excellent")
        self.subjects.update(pledge=fulfilled)

    def _issues(self, n, month):
        people = IssuePeople(self.p)
        with time_machine.travel(at(month, 6), tick=False):
            for i in range(n):
                state = ("reported", "dispatched", "in_progress", "resolved")[i % 4]
                issue_in_state(people, state, title=f"路灯不亮{month}-{i}")
            issue = issue_in_state(people, "in_progress", title=f"路面破损{month}")
            for i in range(n):
                issue = issue_services.issue_report_progress(issue=issue, actor=people.handler, text=f"进展{i}")
                upload = SimpleUploadedFile(f"现场{i}.png", PNG_BYTES, content_type="image/png")
                photo = issue_services.issue_add_photo(
                    issue=issue, actor=people.handler, upload=upload, content_type="image/png"
                )
        self.subjects.update(issue=issue, photo=photo)

    def _party_life(self, n, month):
        """n recorded theme Party days of branch 01 (a check-in and an absentee each), one still
        scheduled, n visits to a paired village and n findings about branch 01."""
        from organization.models import Pairing
        from partylife import services as party

        p = self.p
        parts = ["oath", "study", "discipline_lesson", "dues", "deliberation"]
        start = at(month, 6)
        with time_machine.travel(start, tick=False):
            for i in range(n):
                activity = party.activity_create(
                    actor=p.leader,
                    unit=p.branch,
                    kind="theme_party_day",
                    title=f"主题党日{month}-{i}",
                    scheduled_at=start,
                )
                party.activity_check_in(activity=activity, actor=p.cadre)
                party.activity_record(
                    activity=activity,
                    actor=p.leader,
                    minutes="纪要",
                    parts=parts,
                    absentees=[{"user": p.colleague, "reason": "病假"}],
                )
            scheduled = party.activity_create(
                actor=p.leader, unit=p.branch, kind="study", title=f"学习{month}", scheduled_at=start
            )
            village = Pairing.objects.filter(branch=p.branch).order_by("pk").first().partner
            for i in range(n):
                visit = party.visit_create(
                    visitor=p.cadre, unit=village, branch=p.branch, visited_on=start.date(), notes=f"走访{month}-{i}"
                )
                finding = party.finding_file(actor=p.observer, unit=p.branch, title=f"问题{month}-{i}", description="d")
            self._showcases_and_staff(n, start)
        self.subjects.update(activity=activity, open_activity=scheduled, visit=visit, finding=finding)

    def _delegations(self, n):
        """n stand-ins cadre001 named (cadre002) and revoked, so that the next ones may cover the same days."""
        import datetime as dt

        from django.utils import timezone

        from delegations import services as delegations

        p, today = self.p, timezone.localdate()
        for i in range(n):
            delegation = delegations.delegation_create(
                delegator=p.cadre,
                delegate=p.colleague,
                starts_on=today + dt.timedelta(days=1),
                ends_on=today + dt.timedelta(days=2),
                reason=f"外出{self.rounds}-{i}",
            )
            delegations.delegation_revoke(delegation=delegation, actor=p.cadre)
        self.subjects.update(delegation=delegation)

    def _showcases_and_staff(self, n, start):
        """n showcase posts, honours, brand achievements and rotations in branch 01; its obligations."""
        from partylife import showcases
        from partylife.models import FrequencyObligation, Rotation
        from partylife.obligations import obligations_open

        p = self.p
        brand = showcases.brand_save(unit=p.branch, name="红色管家", slogan="有事找管家", stands_for="服务群众")
        for i in range(n):
            post = showcases.showcase_post(
                actor=p.cadre, unit=p.branch, title=f"亮初心{i}", text="t", month=start.date()
            )
            honour = showcases.honour_record(
                actor=p.leader, unit=p.branch, member=p.cadre, title=f"荣誉{i}", body="县委", awarded_on=start.date()
            )
            showcases.achievement_add(brand=brand, title=f"成果{i}", achieved_on=start.date())
            Rotation.objects.create(
                worker=p.party_worker, unit=p.branch, from_post="a", to_post=f"b{i}", starts_on=start.date(),
                months=3, report="r", recorded_by=p.leader,
            )  # fmt: skip
        obligations_open(as_of=start)
        obligation = FrequencyObligation.objects.filter(unit=p.branch).latest("pk")
        self.subjects.update(showcase_post=post, honour=honour, brand=brand, obligation=obligation)

    def _notifications(self, n):
        item = self.subjects["plain_item"]
        for user in (self.p.cadre, self.p.leader, self.p.commissioner, self.p.other_cadre):
            Notification.objects.bulk_create(
                Notification(recipient=user, event="item.assigned", text=f"新任务{i}", link="/x/", subject_id=item.pk)
                for i in range(n)
            )
