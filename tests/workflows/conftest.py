import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from lists import services

SH = ZoneInfo("Asia/Shanghai")


def at(*args) -> dt.datetime:
    """A Shanghai wall-clock time: at(2026, 12, 1, 9)."""
    return dt.datetime(*args, tzinfo=SH)


@pytest.fixture
def make_item(personas):
    """``make_item(assigned_at=..., due_at=...)`` → an assigned item of branch 01 (cadre001, leader01)."""
    lists = {}

    def make(*, assigned_at, due_at, unit=None, assignee=None, leader=None, urgent=False, title="主题党日"):
        unit = unit or personas.branch
        leader = leader or personas.leader
        assignee = assignee or personas.cadre
        with time_machine.travel(assigned_at, tick=False):
            lst = lists.get(unit.pk)
            if lst is None:
                lst = services.list_create(unit=unit, month=dt.date(2026, 12, 1), title="12月清单", actor=leader)
                lists[unit.pk] = lst
            item = services.item_create(
                lst=lst,
                actor=leader,
                title=title,
                standard="召开并记录",
                assignee=assignee,
                lead_leader=leader,
                due_at=due_at,
                urgent=urgent,
            )
            lst.refresh_from_db()
            if lst.state == "draft":
                services.list_publish(lst=lst, actor=leader)
        item.refresh_from_db()
        return item

    return make


@pytest.fixture
def events_seen():
    """Every domain event emitted while the test runs."""
    from workflows import events

    seen = []
    events.subscribe(seen.append)
    yield seen
    events.unsubscribe(seen.append)
