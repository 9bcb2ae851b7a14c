"""Building pledges in a given state through the flow, as the people who would do it."""

import datetime as dt

from django.utils import timezone

from pledges import flows as pledge_flows
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
        return pledge_flows.flow_close(pledge=pledge, actor=member, method="pledge_withdraw")
    pledge = pledge_flows.flow_submit(pledge=pledge, actor=member)
    if state == "submitted":
        return pledge
    pledge = pledge_flows.flow_review(pledge=pledge, actor=leader, approve=True)
    if state == "approved":
        return pledge
    if state == "unfulfilled":
        return pledge_flows.flow_close(
            pledge=pledge, actor=leader, method="pledge_mark_unfulfilled", reason="资金未到位"
        )
    pledge = pledge_flows.flow_claim(pledge=pledge, actor=member, evidence_text="走访记录")
    if state == "claimed":
        return pledge
    return pledge_flows.flow_confirmation(pledge=pledge, actor=leader, confirm=True)
