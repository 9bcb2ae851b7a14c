"""Shared builders for the page, Excel, evidence and generation tests."""

import datetime as dt

import pytest
from django.utils import timezone

from lists import services

MONTH = dt.date(2026, 12, 1)


def build_list(personas, *, items=1, publish=True, unit=None, leader=None, assignee=None, month=MONTH):
    unit = unit or personas.branch
    leader = leader or personas.leader
    lst = services.list_create(unit=unit, month=month, title="12月责任清单", actor=leader)
    for n in range(items):
        services.item_create(
            lst=lst,
            actor=leader,
            title=f"任务{n + 1}",
            standard="按标准完成并留档",
            assignee=assignee or personas.cadre,
            lead_leader=leader,
            due_at=timezone.now() + dt.timedelta(days=10),
            sort_order=n,
        )
    if publish:
        services.list_publish(lst=lst, actor=leader)
    lst.refresh_from_db()
    return lst


@pytest.fixture
def published_list(personas):
    return build_list(personas)


@pytest.fixture
def item(published_list):
    return published_list.items.get()


@pytest.fixture
def submitted_item(item, personas):
    item = services.item_accept(item=item, actor=personas.cadre)
    item = services.item_report_progress(item=item, actor=personas.cadre, text="推进中", percent=60)
    return services.item_submit(item=item, actor=personas.cadre, result="已完成")


@pytest.fixture
def client_as(client):
    def login(user):
        client.logout()
        if user is not None:
            client.force_login(user)
        return client

    return login
