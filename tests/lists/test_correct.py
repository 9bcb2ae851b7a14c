"""更正: the leader corrects a published item's title, standard and deadline with a reason; a
deadline moved this way is an extension in the log (README, "Changes of hands")."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from notifications.models import OutboxMessage
from workflows.audit import verify_chains
from workflows.models import TransitionLog

from .lists_builders import item_in_state


def correct(api_as, user, item, **body):
    return api_as(user).post(f"/api/v1/items/{item.pk}/transitions/correct/", body, format="json")


def log_of(item):
    return list(TransitionLog.objects.for_object(item).order_by("seq"))


@pytest.mark.django_db
@pytest.mark.parametrize("state", ["assigned", "accepted", "in_progress", "submitted", "returned", "suspended"])
def test_the_leader_corrects_the_wording_where_the_item_stands(personas, api_as, state):
    item = item_in_state(personas, state)
    response = correct(
        api_as, personas.leader, item, title="主题党日（更正）", standard="召开、记录并拍照", reason="错别字"
    )
    assert response.status_code == 200, response.content
    assert (response.json()["title"], response.json()["standard"], response.json()["state"]) == (
        "主题党日（更正）",
        "召开、记录并拍照",
        state,
    )
    last = log_of(item)[-1]
    assert (last.transition, last.source, last.target, last.comment) == ("correct", state, state, "错别字")
    assert last.payload["changes"] == {
        "title": {"from": "主题党日", "to": "主题党日（更正）"},
        "standard": {"from": "召开并记录", "to": "召开、记录并拍照"},
    }
    assert OutboxMessage.objects.filter(event="item.corrected", recipient=personas.cadre).exists()


@pytest.mark.django_db
def test_a_deadline_moved_by_a_correction_is_an_extension_in_the_log(personas, api_as):
    item = item_in_state(personas, "accepted")
    first_due = item.due_at
    new_due = (first_due + dt.timedelta(days=3)).replace(microsecond=0)
    response = correct(api_as, personas.leader, item, due_at=new_due.isoformat(), reason="县里推迟检查")
    assert response.status_code == 200, response.content
    item.refresh_from_db()
    assert (item.due_at, item.original_due_at) == (new_due, first_due)
    last = log_of(item)[-1]
    assert (last.transition, last.comment) == ("extend", "县里推迟检查")
    assert last.payload["correction"] is True
    moved = (dt.datetime.fromisoformat(last.payload["from"]), dt.datetime.fromisoformat(last.payload["to"]))
    assert moved == (first_due, new_due)
    history = api_as(personas.cadre).get(f"/api/v1/items/{item.pk}/history/").json()
    assert history[-1]["transition"] == "extend"
    assert verify_chains() == []


@pytest.mark.django_db
def test_wording_and_deadline_at_once_write_both_rows(personas, api_as):
    item = item_in_state(personas, "in_progress")
    due = (item.due_at + dt.timedelta(days=1)).isoformat()
    assert correct(api_as, personas.leader, item, title="新标题", due_at=due, reason="调整").status_code == 200
    assert [e.transition for e in log_of(item)[-2:]] == ["correct", "extend"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "新标题"}, "reason"),
        ({"reason": "无变化"}, "non_field_errors"),
        ({"title": "主题党日", "reason": "同名"}, "non_field_errors"),
        ({"title": "   ", "reason": "空"}, "title"),
        ({"title": "长" * 201, "reason": "太长"}, "title"),
        ({"due_at": "2020-01-01T09:00:00+08:00", "reason": "过去"}, "due_at"),
        ({"due_at": "2200-01-01T09:00:00+08:00", "reason": "太远"}, "due_at"),
        ({"due_at": "明天", "reason": "格式"}, "due_at"),
    ],
)
def test_a_bad_correction_is_a_400_naming_the_field(personas, api_as, body, field):
    item = item_in_state(personas, "assigned")
    response = correct(api_as, personas.leader, item, **body)
    assert response.status_code == 400
    assert field in response.json()
    assert log_of(item)[-1].transition != "correct"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("cadre", 403),
        ("observer", 403),
        ("commissioner", 403),
        ("other_leader", 404),
        ("other_cadre", 404),
        ("b_leader", 404),
        ("b_secretary", 404),
        ("secretary", 200),
    ],
)
def test_only_the_units_leaders_correct(personas, api_as, persona, status):
    item = item_in_state(personas, "assigned")
    assert correct(api_as, getattr(personas, persona), item, title="改", reason="试").status_code == status


@pytest.mark.django_db
@pytest.mark.parametrize("state", ["completed", "cancelled", "draft"])
def test_a_closed_or_draft_item_is_not_corrected_this_way(personas, api_as, state):
    item = item_in_state(personas, state)
    assert correct(api_as, personas.leader, item, title="改", reason="试").status_code == 409


@pytest.mark.django_db
def test_the_leader_corrects_on_the_item_page(personas):
    item = item_in_state(personas, "accepted")
    client = Client()
    client.force_login(personas.leader)
    page = client.get(reverse("lists:item-detail", args=[item.pk])).content.decode()
    assert "correct-title" in page
    new_due = timezone.localtime(item.due_at + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("lists:item-action", args=[item.pk, "correct"]),
        {
            "correct-title": "主题党日（改）",
            "correct-standard": item.standard,
            "correct-due_at": new_due,
            "correct-reason": "改期",
        },
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.title == "主题党日（改）"
    assert [e.transition for e in log_of(item)[-2:]] == ["correct", "extend"]
    history = client.get(reverse("lists:item-detail", args=[item.pk])).content.decode()
    assert "已更正" in history or "更正" in history


@pytest.mark.django_db
def test_an_unchanged_page_form_comes_back_with_its_message(personas):
    item = item_in_state(personas, "accepted")
    client = Client()
    client.force_login(personas.leader)
    shown = timezone.localtime(item.due_at).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("lists:item-action", args=[item.pk, "correct"]),
        {
            "correct-title": item.title,
            "correct-standard": item.standard,
            "correct-due_at": shown,
            "correct-reason": "无",
        },
    )
    assert response.status_code == 200
    assert [e.transition for e in log_of(item)][-1] == "accept"
