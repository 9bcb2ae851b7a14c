import datetime as dt

import pytest
from django.utils import timezone

from lists import services
from lists.models import ResponsibilityItem, ResponsibilityList
from workflows.engine import TransitionConflict, TransitionForbidden
from workflows.models import TransitionLog


@pytest.fixture
def published_item(personas):
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
    return item


def test_leader_to_cadre_to_leader_journey_is_logged(published_item, personas):
    item = published_item
    assert item.state == "assigned"
    item = services.item_accept(item=item, actor=personas.cadre)
    item = services.item_report_progress(item=item, actor=personas.cadre, text="已通知", percent=50)
    item = services.item_submit(item=item, actor=personas.cadre, result="已召开")
    item = services.item_verify(item=item, actor=personas.leader)
    assert item.state == "completed" and item.on_time is True
    transitions = list(TransitionLog.objects.for_object(item).values_list("transition", flat=True))
    assert transitions == ["assign", "accept", "report_progress", "submit", "verify"]
    assert ResponsibilityList.objects.get().state == "published"


def test_assignee_cannot_verify_own_item(published_item, personas):
    item = services.item_accept(item=published_item, actor=personas.cadre)
    item = services.item_report_progress(item=item, actor=personas.cadre, text="x")
    item = services.item_submit(item=item, actor=personas.cadre, result="done")
    with pytest.raises(TransitionForbidden):
        services.item_verify(item=item, actor=personas.cadre)
    assert ResponsibilityItem.objects.get(pk=item.pk).state == "submitted"


def test_verify_from_wrong_state_is_a_conflict(published_item, personas):
    with pytest.raises(TransitionConflict):
        services.item_verify(item=published_item, actor=personas.leader)
