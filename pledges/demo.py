"""Demo pledges: one realistic one-sentence pledge per cadre, in various states, through the flow."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from organization.models import Membership, User
from organization.scoping import leaders_of

from . import flows as pledge_flows
from . import services
from .models import Pledge, PledgeCheck

TEXTS = [
    ("people_needs", "每月走访结对困难群众两户，帮助解决一件实事。"),
    ("strengths", "发挥法律专长，每季度为村民开展一次免费法律咨询。"),
    ("organisation_needs", "年内牵头完成辖区三个老旧小区的党建阵地提升。"),
    ("people_needs", "协调解决青山村两百户村民的自来水入户问题。"),
    ("strengths", "利用农技特长，年内培训种植户不少于五十人次。"),
    ("organisation_needs", "年底前帮助结对企业建立规范的党员活动室。"),
    ("people_needs", "每周三到便民服务中心代办群众医保社保事项。"),
    ("strengths", "为辖区留守儿童每月开展一次课业辅导活动。"),
]
STATES = ["draft", "submitted", "approved", "claimed", "fulfilled", "unfulfilled"]


def seed_pledges(stdout=None) -> int:
    """Idempotent: members who already have a pledge are left alone."""
    today = timezone.localdate()
    created = 0
    cadres = (
        Membership.objects.filter(role=Membership.Role.CADRE, unit__kind="branch")
        .select_related("user", "unit")
        .order_by("user__username")
    )
    for n, membership in enumerate(cadres):
        member = membership.user
        if Pledge.objects.filter(member=member).exists():
            continue
        leader = leaders_of(membership.unit).exclude(pk=member.pk).order_by("-memberships__unit__path").first()
        if leader is None:
            continue
        category, text = TEXTS[n % len(TEXTS)]
        due_date = max(today, dt.date(today.year, 12, 31) - dt.timedelta(days=n % 25))
        with transaction.atomic():
            _seed_one(member, leader, category, text, due_date, STATES[n % len(STATES)])
        created += 1
    if stdout is not None:
        stdout.write(f"Demo pledges: {created} created.")
    return created


def _seed_one(member: User, leader: User, category: str, text: str, due_date: dt.date, target: str) -> None:
    pledge = services.pledge_create(member=member, text=text, due_date=due_date, category=category)
    if target == "draft":
        return
    pledge = pledge_flows.flow_submit(pledge=pledge, actor=member)
    if target == "submitted":
        return
    pledge = pledge_flows.flow_review(pledge=pledge, actor=leader, approve=True, comment="承诺具体可检验，同意公示。")
    services.pledge_record_check(pledge=pledge, actor=member, kind=PledgeCheck.Kind.SELF_MONTHLY, note="按计划推进。")
    if target == "approved":
        return
    if target == "unfulfilled":
        pledge_flows.flow_close(
            pledge=pledge,
            actor=leader,
            method="pledge_mark_unfulfilled",
            reason="因项目资金未到位，年内无法完成，已向群众说明并列入明年计划。",
        )
        services.pledge_evaluate(
            pledge=Pledge.objects.get(pk=pledge.pk), actor=leader, rater="organisation", rating="basically_qualified"
        )
        return
    pledge = pledge_flows.flow_claim(pledge=pledge, actor=member, evidence_text="已完成，附走访记录和群众签字。")
    if target == "claimed":
        return
    pledge = pledge_flows.flow_confirmation(pledge=pledge, actor=leader, confirm=True)
    for rater, rating in (("self", "qualified"), ("masses", "excellent"), ("organisation", "qualified")):
        services.pledge_evaluate(pledge=pledge, actor=member if rater == "self" else leader, rater=rater, rating=rating)
