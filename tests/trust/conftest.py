"""Shared fixtures of the trust tests: a logged item."""

import datetime as dt

import pytest
from django.utils import timezone

from responsibilities import services


@pytest.fixture
def item(personas):
    """A submitted item: its list's chain has one row (publish), its own four."""
    lst = services.list_create(
        unit=personas.branch, month=dt.date(2026, 12, 1), title="12月清单", actor=personas.leader
    )
    item = services.item_create(
        lst=lst,
        actor=personas.leader,
        title="主题党日",
        standard="召开并记录",
        assignee=personas.cadre,
        lead_leader=personas.leader,
        due_at=timezone.now() + dt.timedelta(days=10),
    )
    services.list_publish(lst=lst, actor=personas.leader)
    item.refresh_from_db()
    item = services.item_accept(item=item, actor=personas.cadre)
    item = services.item_report_progress(item=item, actor=personas.cadre, text="已通知", percent=50)
    return services.item_submit(item=item, actor=personas.cadre, result="已召开")
