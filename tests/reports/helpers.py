"""A small hand-built quarter (2026 Q3) in branch 01, built through the services with explicit times."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

import time_machine

from lists import services
from supervision import services as supervision_services

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")


BUSINESS_ONLY = {
    "weight_on_time_acceptance": 20,
    "weight_on_time_completion": 60,
    "weight_pledge_fulfilment": 20,
    "weight_frequency_met": 0,
    "weight_required_parts": 0,
    "weight_attendance": 0,
    "weight_visit_coverage": 0,
}


def business_scheme(year: int = 2026, **fields):
    """The deployment's ``year`` scheme weighing business figures only, with ``fields`` changed."""
    from reports.models import ScoringScheme

    scheme, _ = ScoringScheme.objects.update_or_create(year=year, township=None, defaults={**BUSINESS_ONLY, **fields})
    return scheme


def at(month: int, day: int, hour: int = 9, year: int = 2026) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=TZ)


@dataclass
class Quarter:
    on_time: object  # accepted the same day, completed before its deadline
    late: object  # accepted three working days after assignment, never completed: overdue


def build_quarter(p) -> Quarter:
    """Branch 01, August 2026: two items due in Q3 2026; a yellow card on the overdue one."""
    with time_machine.travel(at(8, 3), tick=False):
        lst = services.list_create(unit=p.branch, month=dt.date(2026, 8, 1), title="8月清单", actor=p.leader)
        on_time = services.item_create(
            lst=lst, actor=p.leader, title="主题党日", standard="召开", assignee=p.cadre,
            lead_leader=p.leader, due_at=at(8, 20, 18),
        )  # fmt: skip
        late = services.item_create(
            lst=lst, actor=p.leader, title="走访群众", standard="十户", assignee=p.colleague,
            lead_leader=p.leader, due_at=at(9, 24, 18),
        )  # fmt: skip
        services.list_publish(lst=lst, actor=p.leader)
        on_time.refresh_from_db()
        services.item_accept(item=on_time, actor=p.cadre)
    with time_machine.travel(at(8, 6), tick=False):
        late.refresh_from_db()
        services.item_accept(item=late, actor=p.colleague)
    with time_machine.travel(at(8, 10), tick=False):
        on_time.refresh_from_db()
        services.item_report_progress(item=on_time, actor=p.cadre, text="筹备中", percent=50)
        on_time.refresh_from_db()
        services.item_submit(item=on_time, actor=p.cadre, result="已召开")
        on_time.refresh_from_db()
        services.item_verify(item=on_time, actor=p.leader)
    card(p, late, "yellow_card", when=at(9, 29))
    on_time.refresh_from_db()
    late.refresh_from_db()
    return Quarter(on_time=on_time, late=late)


def card(p, item, action: str, *, when: dt.datetime):
    with time_machine.travel(when, tick=False):
        case = supervision_services.case_open(subject=item, reason="逾期未办结", actor=p.commissioner)
        return supervision_services.case_act(case=case, actor=p.commissioner, action=action, note="督办")
