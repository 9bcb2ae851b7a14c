"""Building pledges in a given state through the flow, as the people who would do it."""

import datetime as dt

from django.utils import timezone

from pledges import services

TEXT = "每月走访结对困难群众两户并帮办一件实事。"


def due_date() -> dt.date:
    today = timezone.localdate()
    return min(dt.date(today.year, 12, 31), today + dt.timedelta(days=20))


def make_pledge(member, leader, state: str = "draft", text: str = TEXT):
    pledge = services.pledge_create(member=member, text=text, due_date=due_date(), category="people_needs")
    if state == "draft":
        return pledge
    if state == "withdrawn":
        return services.pledge_withdraw(pledge=pledge, actor=member)
    pledge = services.pledge_submit(pledge=pledge, actor=member)
    if state == "submitted":
        return pledge
    pledge = services.pledge_approve(pledge=pledge, actor=leader)
    if state == "approved":
        return pledge
    if state == "unfulfilled":
        return services.pledge_mark_unfulfilled(pledge=pledge, actor=leader, reason="资金未到位")
    pledge = services.pledge_claim(pledge=pledge, actor=member, evidence_text="走访记录")
    if state == "claimed":
        return pledge
    return services.pledge_confirm(pledge=pledge, actor=leader)
