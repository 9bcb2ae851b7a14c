"""Demo livelihood issues from the villages, communities and enterprises, in various states.

Everything goes through the services (so the log and the events are real). Idempotent: an issue
whose title already exists is left alone.
"""

from __future__ import annotations

import sys

from organization.models import Membership, Unit, User

from . import services
from .models import LivelihoodIssue

Issue = LivelihoodIssue

# (title, place code, category, source, urgency, target state, handling branch code)
DEMO_ISSUES = [
    ("东山村三组路灯损坏，夜间出行不便", "east-village1", "roads", "visit", "normal", "reported", ""),
    ("桃源村灌溉水渠淤堵，影响春耕", "east-village2", "water", "pairing", "urgent", "dispatched", "branch05"),
    ("东湖社区老旧小区楼道堆物，存在消防隐患", "east-community3", "safety", "visit", "normal", "accepted", "branch07"),
    (
        "青山纺织有限公司反映用工招聘难",
        "east-enterprise4",
        "enterprise",
        "pairing",
        "normal",
        "in_progress",
        "branch03",
    ),
    ("西溪村垃圾中转点清运不及时", "west-village1", "environment", "hotline", "normal", "resolved", "branch08"),
    ("石桥村独居老人申请居家养老服务", "west-village2", "social", "visit", "normal", "closed", "branch06"),
    ("西城社区停车位不足，道路拥堵", "west-community3", "roads", "letter", "normal", "unsatisfied", "branch09"),
    ("绿源食品有限公司咨询技改补贴政策", "west-enterprise4", "enterprise", "pairing", "normal", "answered", ""),
    ("南岭村危房改造进度咨询", "south-village1", "housing", "visit", "normal", "staged", "branch09"),
    ("竹林村村道破损，校车通行困难", "south-village2", "roads", "pairing", "urgent", "reopened", "branch09"),
]
# 白水镇's own orders, registered by its cadres and dispatched by its own dispatcher.
B_DEMO_ISSUES = [
    ("白水村饮水管网老化，水压不足", "bs-village1", "water", "visit", "normal", "reported", ""),
    ("白水茶业有限公司反映茶园道路坑洼", "bs-enterprise2", "roads", "pairing", "normal", "in_progress", "bs-branch01"),
]
# (rows, dispatcher, reporters' username pattern, how many reporters)
GROUPS = [(DEMO_ISSUES, "leader01", "cadre{:03d}", 65), (B_DEMO_ISSUES, "bleader01", "bcadre{:03d}", 5)]


def _handler_for(branch: Unit) -> User:
    return User.objects.filter(memberships__unit=branch, memberships__role=Membership.Role.CADRE).order_by("username").first()  # fmt: skip


def seed_issues(stdout=None) -> int:
    stdout = stdout or sys.stdout
    created = sum(_seed_group(*group) for group in GROUPS)
    stdout.write(f"livelihood issues: {created} created\n")
    return created


def _seed_group(rows, dispatcher_username: str, reporter_pattern: str, reporters: int) -> int:
    dispatcher = User.objects.get(username=dispatcher_username)
    created = 0
    for n, (title, place, category, source, urgency, target, branch_code) in enumerate(rows):
        if Issue.objects.filter(title=title).exists():
            continue
        place_unit = Unit.objects.get(code=place)
        reporter = User.objects.filter(username=reporter_pattern.format((n * 7) % reporters + 1)).first()
        issue = services.issue_register(
            actor=reporter,
            title=title,
            description=f"{place_unit.name}群众在走访中反映：{title}。",
            source=source,
            place_unit=place_unit,
            category=category,
            urgency=urgency,
            reporter_name=["王大伯", "李阿姨", "张师傅", "刘女士"][n % 4],
            reporter_phone=f"1381234{n:04d}",
        )
        created += 1
        if target == "reported":
            continue
        if target == "answered":
            services.issue_answer(issue=issue, actor=dispatcher, result="已当场讲解政策并提供申报指南。")
            continue
        branch = Unit.objects.get(code=branch_code)
        handler = _handler_for(branch)
        issue = services.issue_dispatch(issue=issue, actor=dispatcher, handler=handler, unit=branch)
        if target == "dispatched":
            continue
        issue = services.issue_accept(issue=issue, actor=handler)
        if target == "accepted":
            continue
        issue = services.issue_report_progress(issue=issue, actor=handler, text="已到现场查看并联系相关单位。")
        if target == "in_progress":
            continue
        if target == "staged":
            import datetime as dt

            from django.utils import timezone

            services.issue_resolve(
                issue=issue,
                actor=handler,
                result="已完成危房鉴定并落实过渡安置。",
                resolution="staged",
                remaining_plan="年底前完成加固施工。",
                remaining_due_date=timezone.localdate() + dt.timedelta(days=45),
            )
            continue
        issue = services.issue_resolve(issue=issue, actor=handler, result="问题已解决。", resolution="substantive")
        if target == "resolved":
            continue
        satisfaction = "satisfied" if target == "closed" else "unsatisfied"
        issue = services.issue_follow_up(issue=issue, actor=dispatcher, satisfaction=satisfaction, note="电话回访")
        if target == "reopened":
            services.issue_reopen(issue=issue, actor=dispatcher, comment="群众不满意，重新办理")
    return created
