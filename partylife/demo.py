"""A realistic month of Party life for both demo townships, through the services.

Theme Party days (one recorded earlier this month with check-ins, an absentee and a make-up; one
scheduled within the hour so that its check-in is open), a 支委会 and a 党课, visits to the
paired villages and enterprises (one raising a livelihood issue), and observers' findings (one
waiting, one accepted into a supervision case). Idempotent: an activity, visit or finding whose
title or notes already exist for its unit is left alone. Party groups, a functional branch and a
temporary branch join the unit tree.
"""

from __future__ import annotations

import datetime as dt
import sys

from django.db import transaction
from django.utils import timezone

from organization.models import Membership, Pairing, Unit, User

from . import services
from .models import Activity, Attendance, Finding, Visit, required_part_codes

EXTRA_PARTS = ["service"]


def _unit(code, name, kind, parent, order, **extra) -> Unit:
    unit, _ = Unit.objects.update_or_create(
        code=code, defaults={"name": name, "kind": kind, "parent": parent, "sort_order": order, **extra}
    )
    return unit


def _seed_units() -> None:
    branch01 = Unit.objects.get(code="branch01")
    group = _unit("branch01-group1", "党政办公室党支部第一党小组", Unit.Kind.PARTY_GROUP, branch01, 1)
    for username in ("cadre001", "cadre002", "cadre003"):
        Membership.objects.get_or_create(
            user=User.objects.get(username=username), unit=group, role=Membership.Role.CADRE, defaults={"title": "党员"}
        )
    Membership.objects.get_or_create(
        user=User.objects.get(username="cadre003"), unit=group, role=Membership.Role.BRANCH_COMMITTEE,
        defaults={"title": "党小组长"},
    )  # fmt: skip
    community = Unit.objects.get(code="east-community3")
    _unit("east-community3-grid1", "东湖社区第一网格功能性党支部", Unit.Kind.FUNCTIONAL_BRANCH, community, 1)
    committee = Unit.objects.get(code="committee")
    today = timezone.localdate()
    _unit(
        "flood-checkpoint",
        "防汛卡口临时党支部",
        Unit.Kind.TEMPORARY_BRANCH,
        committee,
        50,
        stands_from=today.replace(day=1),
        stands_until=today.replace(day=1) + dt.timedelta(days=90),
    )
    b_branch = Unit.objects.get(code="bs-branch01")
    b_group = _unit("bs-branch01-group1", "白水镇党政办公室党支部第一党小组", Unit.Kind.PARTY_GROUP, b_branch, 1)
    Membership.objects.get_or_create(
        user=User.objects.get(username="bcadre001"),
        unit=b_group,
        role=Membership.Role.CADRE,
        defaults={"title": "党员"},
    )


def _members(unit: Unit) -> list[User]:
    return list(
        User.objects.filter(memberships__unit=unit, memberships__role=Membership.Role.CADRE)
        .distinct()
        .order_by("username")
    )


def _activity(unit, organiser, kind, title, at, place="党员活动室") -> tuple[Activity, bool]:
    existing = Activity.objects.filter(unit=unit, title=title).first()
    if existing:
        return existing, False
    return services.activity_create(
        actor=organiser, unit=unit, kind=kind, title=title, scheduled_at=at, place=place
    ), True


def _held(unit, organiser, kind, title, at, minutes, *, absent=1) -> int:
    activity, created = _activity(unit, organiser, kind, title, at)
    if not created:
        return 0
    members = _members(unit)
    present, absentees = members[: len(members) - absent], members[len(members) - absent :]
    for n, member in enumerate(present):
        services.activity_check_in(activity=activity, actor=member)
        Attendance.objects.filter(activity=activity, user=member).update(
            checked_in_at=at - dt.timedelta(minutes=20 - 3 * n)
        )
    reasons = ["病假", "公差", "事假"]
    activity = services.activity_record(
        activity=activity,
        actor=organiser,
        minutes=minutes,
        parts=required_part_codes(kind) + (EXTRA_PARTS if kind == "theme_party_day" else []),
        absentees=[{"user": user, "reason": reasons[i % 3]} for i, user in enumerate(absentees)],
    )
    if absentees:
        absence = activity.absences.order_by("pk").first()
        services.activity_makeup(absence=absence, actor=absence.user, note="观看党纪教育视频并撰写心得")
    return 1


MINUTES = (
    "一、全体党员重温入党誓词；二、集中学习《中国共产党纪律处分条例》；三、党纪教育一刻钟：剖析身边典型案例；"
    "四、交纳党费；五、民主议事：讨论本月联村走访安排；六、到结对村开展志愿服务。"
)


def _seed_township(branch_codes, leader_of, month_title, stdout) -> int:
    now = timezone.now()
    month_start = timezone.localtime(now).replace(day=1, hour=9, minute=0, second=0, microsecond=0)
    created = 0
    for code in branch_codes:
        branch = Unit.objects.get(code=code)
        leader = User.objects.get(username=leader_of(code))
        held_at = max(month_start, timezone.localtime(now - dt.timedelta(days=2))).replace(hour=9, minute=0)
        if held_at >= now:
            held_at = now - dt.timedelta(hours=3)
        created += _held(branch, leader, "committee_meeting", f"{month_title}支委会", held_at - dt.timedelta(hours=2), "研究本月主题党日安排和联村走访计划。", absent=0)  # fmt: skip
        created += _held(branch, leader, "theme_party_day", f"{month_title}主题党日（上旬）", held_at, MINUTES)
        _, new = _activity(branch, leader, "theme_party_day", f"{month_title}主题党日", now + dt.timedelta(minutes=40), "三楼党员活动室")  # fmt: skip
        created += new
        _, new = _activity(branch, leader, "party_lecture", f"{month_title}书记讲党课", now + dt.timedelta(days=7), "镇会议中心")  # fmt: skip
        created += new
    return created


def _seed_visits(branch_codes, stdout) -> int:
    today = timezone.localdate()
    created = 0
    for n, code in enumerate(branch_codes):
        if n % 3 == 2:
            continue  # some paired units stay unvisited this month: the coverage page flags them
        branch = Unit.objects.get(code=code)
        pairing = Pairing.objects.filter(branch=branch).select_related("partner").order_by("pk").first()
        visitor = _members(branch)[0] if _members(branch) else None
        if pairing is None or visitor is None:
            continue
        notes = f"{pairing.partner.name}走访：了解生产生活情况，宣讲惠民政策"
        if Visit.objects.filter(unit=pairing.partner, visitor=visitor, notes=notes).exists():
            continue
        issues = []
        if n == 0:
            issues = [{"title": f"{pairing.partner.name}村民反映路口缺少减速带", "description": "学校门口车速快，存在安全隐患。", "category": "roads", "urgency": "normal"}]  # fmt: skip
        services.visit_create(
            visitor=visitor,
            unit=pairing.partner,
            branch=branch,
            visited_on=max(today.replace(day=1), today - dt.timedelta(days=1 + n % 3)),
            notes=notes,
            companions="村党支部书记",
            issues=issues,
        )
        created += 1
    return created


def _finding(filer, unit_code, title, description) -> Finding | None:
    unit = Unit.objects.get(code=unit_code)
    if Finding.objects.filter(unit=unit, title=title).exists():
        return None
    return services.finding_file(
        actor=User.objects.get(username=filer), unit=unit, title=title, description=description
    )


def _seed_showcase(code, poster, organiser, selector, brand, honour) -> None:
    """A branch's brand with an achievement, two showcase posts (one nominated, one selected as
    the quarter's 党员先锋), an honour from outside. Idempotent by titles."""
    from . import showcases
    from .models import BrandAchievement, Honour, ShowcasePost

    branch = Unit.objects.get(code=code)
    today = timezone.localdate()
    saved = showcases.brand_save(unit=branch, name=brand[0], slogan=brand[1], stands_for=brand[2])
    if not BrandAchievement.objects.filter(brand=saved).exists():
        showcases.achievement_add(brand=saved, title=brand[3], achieved_on=today.replace(day=1))
    users = {name: User.objects.get(username=name) for name in (poster, organiser, selector)}
    for n, (title, text) in enumerate(
        [
            ("带头化解邻里纠纷", "牵头调解3起邻里纠纷，全部达成和解。"),
            ("为独居老人代办医保", "上门为5位独居老人代办医保续缴。"),
        ]
    ):
        if ShowcasePost.objects.filter(unit=branch, title=title).exists():
            continue
        post = showcases.showcase_post(actor=users[poster], unit=branch, title=title, text=text)
        showcases.showcase_nominate(post=post, actor=users[organiser], reason="事迹具体、群众认可")
        if n == 0:
            showcases.showcase_select(post=post, actor=users[selector])
    if not Honour.objects.filter(unit=branch, title=honour[0]).exists():
        showcases.honour_record(
            actor=users[organiser], unit=branch, member=users[poster], title=honour[0], body=honour[1],
            awarded_on=today.replace(day=1),
        )  # fmt: skip


def _seed_staff_steps(code, organiser, worker) -> None:
    """The Party-affairs worker's training of the year (with its result) and a rotation; the
    worker is made the branch's 兼职党务工作者 if the organisation's demo did not make them one."""
    from .models import Rotation

    branch = Unit.objects.get(code=code)
    organiser, worker = User.objects.get(username=organiser), User.objects.get(username=worker)
    Membership.objects.get_or_create(
        user=worker, unit=branch, role=Membership.Role.PARTY_WORKER, defaults={"title": "兼职党务工作者"}
    )
    title = f"{timezone.localdate().year}年党务干部集中培训"
    activity, created = _activity(branch, organiser, "training", title, timezone.now() - dt.timedelta(days=1), "镇党校")
    if created:
        services.activity_check_in(activity=activity, actor=worker)
        services.activity_record(
            activity=activity, actor=organiser, minutes="集中培训三天：党务知识、组织生活规范、台账管理。",
            parts=[], absentees=[], result="考核合格",
        )  # fmt: skip
    if not Rotation.objects.filter(worker=worker).exists():
        Rotation.objects.create(
            worker=worker, unit=branch, from_post="支部组织委员", to_post="镇党建办（跟班学习）",
            starts_on=timezone.localdate().replace(day=1), months=3, report="熟悉党建台账和组织关系转接流程。",
            recorded_by=organiser,
        )  # fmt: skip


@transaction.atomic
def seed_party_life(stdout=None) -> int:
    stdout = stdout or sys.stdout
    _seed_units()
    month = timezone.localdate().month
    title = f"{month}月"
    created = _seed_township([f"branch{n:02d}" for n in range(1, 4)], lambda c: f"leader{c[-2:]}", title, stdout)
    created += _seed_township(["bs-branch01"], lambda c: "bleader01", title, stdout)
    created += _seed_visits([f"branch{n:02d}" for n in range(1, 14)], stdout)
    created += _seed_visits(["bs-branch01", "bs-branch02"], stdout)
    _finding("observer01", "branch02", "主题党日签到存在代签现象", "12月主题党日签到表中有两名党员由他人代签。")
    accepted = _finding(
        "observer01", "branch08", "为民办实事承诺长期未兑现", "承诺事项公示后三个月无进展，群众有意见。"
    )
    if accepted is not None:
        services.finding_accept(finding=accepted, actor=User.objects.get(username="commissioner03"), comment="立案督办")
    _finding("bcommissioner01", "bs-branch01", "支部会议记录不规范", "党员大会记录缺少表决情况。")
    _seed_showcase(
        "branch01", "cadre001", "cadre003", "secretary",
        ("红色管家", "有事找管家，服务零距离", "机关党员下沉网格，为群众代办实事", "获评县级党建示范点"),
        ("全市优秀共产党员", "中共市委"),
    )  # fmt: skip
    _seed_showcase(
        "bs-branch01", "bcadre001", "bcadre002", "bsecretary",
        ("白水先锋", "党员走在前，白水更向前", "党员认领民生微实事", "获评镇级五星支部"),
        ("省优秀共产党员", "中共浙江省委"),
    )  # fmt: skip
    _seed_staff_steps("branch01", "leader01", "cadre004")
    _seed_staff_steps("bs-branch01", "bleader01", "bcadre003")
    from .obligations import obligations_open

    obligations_open(as_of=timezone.now())
    stdout.write(f"party life: {created} activities and visits created\n")
    return created
