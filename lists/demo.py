"""Demo content for the lists app (listed in settings.DEMO_SEEDERS).

Everything goes through the services so that the transition log is real. Idempotent: categories
and templates are keyed by code / unit + title, and a month's list that exists is left alone.
"""

from __future__ import annotations

import datetime as dt

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from organization.models import Membership, Unit, User

from . import services
from .excel import default_title
from .models import RecurringItemTemplate, ResponsibilityList, TaskCategory
from .services.generation import lists_generate_monthly, next_month

CATEGORIES = [
    ("party-building", "党建"),
    ("economy", "经济发展"),
    ("safety", "平安建设"),
    ("livelihood", "民生服务"),
    ("ecology", "生态环境"),
    ("ideology", "意识形态"),
    ("discipline", "党风廉政"),
]

RECURRING = [
    ("每月主题党日", "按“1+X”模式开展主题党日活动，有方案、有签到、有记录、有照片", "party-building", 20),
    ("15分钟纪律微课", "主题党日中安排15分钟纪律微课，讲稿和学习记录归档", "discipline", 20),
]

# (title, standard, category, state to reach) — the states show the life cycle at a glance.
ITEMS = [
    ("“三服务”走访联系企业", "走访联系企业不少于5家，问题清单录入系统", "economy", "completed"),
    ("安全生产隐患排查", "完成辖区重点场所隐患排查，建立整改台账并跟踪销号", "safety", "submitted"),
    ("“千名干部联村企”民情收集", "联系村（企）收集民生诉求不少于10条，分类交办", "livelihood", "in_progress"),
    ("河道“清四乱”巡查", "每周巡河一次，发现问题当日上报，整改率100%", "ecology", "accepted"),
    ("意识形态阵地排查", "排查宣传栏、微信群等阵地，形成书面报告", "ideology", "assigned"),
    ("党员积分季度评定", "完成本支部党员积分评定并公示", "party-building", "returned"),
]

DEMO_BRANCHES = ("branch01", "branch02", "branch03", "branch07", "bs-branch01")  # bs-: 白水镇


def _month_offset(month: dt.date, offset: int) -> dt.date:
    year, index = divmod(month.year * 12 + month.month - 1 + offset, 12)
    return dt.date(year, index + 1, 1)


def _due(month: dt.date, day: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(month.replace(day=day), dt.time(18, 0)))


def seed_categories() -> dict[str, TaskCategory]:
    result = {}
    for code, name in CATEGORIES:
        category, _ = TaskCategory.objects.update_or_create(code=code, defaults={"name": name})
        result[code] = category
    return result


def _people(unit: Unit) -> tuple[User, list[User]]:
    leader = User.objects.filter(memberships__unit=unit, memberships__role=Membership.Role.LEADER).first()
    cadres = list(
        User.objects.filter(memberships__unit=unit, memberships__role=Membership.Role.CADRE).order_by("username")
    )
    return leader, cadres


def seed_templates(categories) -> None:
    for unit in Unit.objects.filter(kind=Unit.Kind.BRANCH).order_by("path"):
        leader, cadres = _people(unit)
        for order, (title, standard, category, day) in enumerate(RECURRING):
            RecurringItemTemplate.objects.get_or_create(
                unit=unit,
                title=title,
                defaults={
                    "standard": standard,
                    "category": categories[category],
                    "default_assignee": cadres[order % len(cadres)] if cadres else None,
                    "lead_leader": leader,
                    "due_day": day,
                },
            )


def _drive(item, state: str, leader: User) -> None:
    """Take a freshly assigned item through the services up to ``state``."""
    cadre = item.assignee
    if state == "assigned":
        return
    item = services.item_accept(item=item, actor=cadre)
    if state == "accepted":
        return
    item = services.item_report_progress(item=item, actor=cadre, text="已部署，正在推进", percent=40)
    if state == "in_progress":
        services.item_comment(item=item, actor=leader, text="注意时间节点，按时上报进展。")
        services.item_add_evidence(
            item=item,
            actor=cadre,
            upload=ContentFile("走访记录：已联系村（企）8家，收集诉求12条。".encode(), name="走访记录.txt"),
            content_type="text/plain",
        )
        if item.due_at and item.due_at > timezone.now():
            services.extension_request(
                item=item,
                actor=cadre,
                new_due_at=item.due_at + dt.timedelta(days=7),
                reason="部分企业负责人外出，需延后走访",
            )
        return
    item = services.item_submit(item=item, actor=cadre, result="已按标准完成，材料已归档")
    if state == "submitted":
        return
    if state == "returned":
        services.item_return(item=item, actor=leader, reason="佐证材料不全，请补充签到表和照片")
        return
    services.item_verify(item=item, actor=leader, comment="符合完成标准")


@transaction.atomic
def _seed_list(unit: Unit, month: dt.date, categories, *, close: bool) -> bool:
    if ResponsibilityList.objects.filter(unit=unit, month=month).exists():
        return False
    leader, cadres = _people(unit)
    lst = services.list_create(unit=unit, month=month, title=default_title(unit, month), actor=leader)
    items = []
    for order, (title, standard, category, state) in enumerate(ITEMS, start=1):
        item = services.item_create(
            lst=lst,
            actor=leader,
            title=title,
            standard=standard,
            category=categories[category],
            assignee=cadres[order % len(cadres)],
            lead_leader=leader,
            due_at=_due(month, min(10 + 3 * order, 28)),
            sort_order=order,
        )
        if order == 3 and len(cadres) > 1:
            item.co_handlers.set([cadres[(order + 1) % len(cadres)]])
        items.append((item, state))
    services.list_publish(lst=lst, actor=leader)
    for item, state in items:
        item.refresh_from_db()
        _drive(item, "completed" if close and state != "in_progress" else state, leader)
    if close:
        lst.refresh_from_db()
        open_items = lst.items.filter(state__in=lst.items.model.OPEN_STATES)
        services.list_close(
            lst=lst,
            actor=leader,
            decisions={item.pk: "carry_over" for item in open_items},
            comment="月底验单",
        )
    return True


def seed_lists(stdout=None) -> None:
    categories = seed_categories()
    seed_templates(categories)
    current = timezone.localdate().replace(day=1)
    created = 0
    for code in DEMO_BRANCHES:
        unit = Unit.objects.filter(code=code).first()
        if unit is None:
            continue
        # The current month first: closing the previous one carries its open items into it.
        created += _seed_list(unit, current, categories, close=False)
        created += _seed_list(unit, _month_offset(current, -1), categories, close=True)
    generated = lists_generate_monthly(month=next_month())
    if stdout is not None:
        stdout.write(
            f"Responsibility lists: {created} demo lists, {generated.lists_created} next-month drafts generated."
        )
