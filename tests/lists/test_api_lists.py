"""The lists/ endpoint: create, edit, delete drafts, publish and close, scoped by persona."""

import datetime as dt

import pytest
from django.utils import timezone

from lists.models import ResponsibilityItem, ResponsibilityList
from workflows.models import TransitionLog

from .lists_builders import add_item, draft_list, item_in_state


def create_body(personas, **extra):
    return {"unit": personas.branch.pk, "month": "2026-12", "title": "十二月清单", **extra}


def test_leader_creates_a_draft_list(personas, api_as):
    response = api_as(personas.leader).post("/api/v1/lists/", create_body(personas), format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["month"], data["state"], data["unit"], data["item_count"]) == (
        "2026-12",
        "draft",
        personas.branch.pk,
        0,
    )
    assert ResponsibilityList.objects.get().created_by == personas.leader


@pytest.mark.parametrize("persona", ["cadre", "commissioner", "observer"])
def test_non_leaders_cannot_create_lists(personas, api_as, persona):
    response = api_as(getattr(personas, persona)).post("/api/v1/lists/", create_body(personas), format="json")
    assert response.status_code == 403
    assert not ResponsibilityList.objects.exists()


def test_anonymous_cannot_create_lists(personas, api):
    assert api.post("/api/v1/lists/", create_body(personas), format="json").status_code == 401


def test_leader_cannot_create_a_list_for_another_unit(personas, api_as):
    response = api_as(personas.other_leader).post("/api/v1/lists/", create_body(personas), format="json")
    assert response.status_code == 400
    assert "unit" in response.json()


@pytest.mark.parametrize("month", ["2026-13", "2026/12", "12-2026", "", "2026-1", 202612])
def test_bad_month_is_400(personas, api_as, month):
    response = api_as(personas.leader).post("/api/v1/lists/", create_body(personas, month=month), format="json")
    assert response.status_code == 400
    assert "month" in response.json()


def test_missing_fields_are_400_with_field_messages(personas, api_as):
    response = api_as(personas.leader).post("/api/v1/lists/", {}, format="json")
    assert response.status_code == 400
    assert {"unit", "month", "title"} <= set(response.json())


def test_second_list_for_unit_and_month_is_400(personas, api_as):
    draft_list(personas)
    response = api_as(personas.leader).post("/api/v1/lists/", create_body(personas), format="json")
    assert response.status_code == 400
    assert "month" in response.json()
    assert ResponsibilityList.objects.count() == 1


@pytest.mark.parametrize(
    ("persona", "visible"),
    [
        ("leader", True),
        ("secretary", True),
        ("cadre", True),
        ("commissioner", True),
        ("observer", True),
        ("admin", True),
        ("other_leader", False),
        ("other_cadre", False),
        ("other_commissioner", False),
    ],
)
def test_list_visibility_by_persona(personas, api_as, persona, visible):
    lst = draft_list(personas)
    client = api_as(getattr(personas, persona))
    assert client.get(f"/api/v1/lists/{lst.pk}/").status_code == (200 if visible else 404)
    assert [r["id"] for r in client.get("/api/v1/lists/").json()["results"]] == ([lst.pk] if visible else [])


def test_outsider_sees_no_lists(personas, api_as):
    lst = draft_list(personas)
    assert api_as(personas.outsider()).get(f"/api/v1/lists/{lst.pk}/").status_code == 404


def test_leader_renames_a_draft_list(personas, api_as):
    lst = draft_list(personas)
    response = api_as(personas.leader).patch(f"/api/v1/lists/{lst.pk}/", {"title": "新标题"}, format="json")
    assert response.status_code == 200
    assert ResponsibilityList.objects.get().title == "新标题"


def test_cadre_cannot_edit_a_list(personas, api_as):
    lst = draft_list(personas)
    response = api_as(personas.cadre).patch(f"/api/v1/lists/{lst.pk}/", {"title": "x"}, format="json")
    assert response.status_code == 403
    assert ResponsibilityList.objects.get().title == lst.title


def test_published_list_cannot_be_edited(personas, api_as):
    item = item_in_state(personas, "assigned")
    response = api_as(personas.leader).patch(f"/api/v1/lists/{item.list_id}/", {"title": "x"}, format="json")
    assert response.status_code == 409


def test_leader_deletes_a_draft_list(personas, api_as):
    lst = draft_list(personas)
    add_item(personas, lst)
    assert api_as(personas.leader).delete(f"/api/v1/lists/{lst.pk}/").status_code == 204
    assert not ResponsibilityList.objects.exists() and not ResponsibilityItem.objects.exists()


def test_other_leader_cannot_delete_a_list(personas, api_as):
    lst = draft_list(personas)
    assert api_as(personas.other_leader).delete(f"/api/v1/lists/{lst.pk}/").status_code == 404
    assert ResponsibilityList.objects.exists()


def test_published_list_cannot_be_deleted(personas, api_as):
    item = item_in_state(personas, "assigned")
    assert api_as(personas.leader).delete(f"/api/v1/lists/{item.list_id}/").status_code == 409


def test_publish_assigns_every_item(personas, api_as):
    lst = draft_list(personas)
    add_item(personas, lst, title="a")
    add_item(personas, lst, title="b")
    response = api_as(personas.leader).post(f"/api/v1/lists/{lst.pk}/transitions/publish/", {}, format="json")
    assert response.status_code == 200
    assert response.json()["state"] == "published"
    assert set(ResponsibilityItem.objects.values_list("state", flat=True)) == {"assigned"}
    assert TransitionLog.objects.filter(transition="assign").count() == 2


def test_empty_list_cannot_be_published(personas, api_as):
    lst = draft_list(personas)
    response = api_as(personas.leader).post(f"/api/v1/lists/{lst.pk}/transitions/publish/", {}, format="json")
    assert response.status_code == 409
    assert ResponsibilityList.objects.get().state == "draft"


@pytest.mark.parametrize(
    ("persona", "status"),
    [("cadre", 403), ("commissioner", 403), ("observer", 403), ("other_leader", 404), ("other_cadre", 404)],
)
def test_only_leaders_of_the_unit_publish(personas, api_as, persona, status):
    lst = draft_list(personas)
    add_item(personas, lst)
    response = api_as(getattr(personas, persona)).post(
        f"/api/v1/lists/{lst.pk}/transitions/publish/", {}, format="json"
    )
    assert response.status_code == status
    assert ResponsibilityList.objects.get().state == "draft"


def test_publishing_twice_is_409(personas, api_as):
    item = item_in_state(personas, "assigned")
    response = api_as(personas.leader).post(f"/api/v1/lists/{item.list_id}/transitions/publish/", {}, format="json")
    assert response.status_code == 409


def test_close_carries_over_and_marks_unfinished_as_decided(personas, api_as):
    lst = draft_list(personas)
    carried = add_item(personas, lst, title="carried")
    dropped = add_item(personas, lst, title="dropped")
    api_as(personas.leader).post(f"/api/v1/lists/{lst.pk}/transitions/publish/", {}, format="json")
    body = {"decisions": {str(carried.pk): "carry_over", str(dropped.pk): "unfinished"}}
    response = api_as(personas.leader).post(f"/api/v1/lists/{lst.pk}/transitions/close/", body, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "closed"
    assert ResponsibilityItem.objects.get(pk=carried.pk).state == "carried_over"
    assert ResponsibilityItem.objects.get(pk=dropped.pk).state == "unfinished"
    copy = ResponsibilityItem.objects.get(carried_over_from=carried)
    assert copy.list.month == dt.date(2027, 1, 1)


def test_close_without_a_decision_for_every_open_item_is_400(personas, api_as):
    item = item_in_state(personas, "in_progress")
    response = api_as(personas.leader).post(f"/api/v1/lists/{item.list_id}/transitions/close/", {}, format="json")
    assert response.status_code == 400
    assert "decisions" in response.json()
    assert ResponsibilityList.objects.get().state == "published"


def test_close_with_an_unknown_decision_is_400(personas, api_as):
    item = item_in_state(personas, "in_progress")
    body = {"decisions": {str(item.pk): "forget"}}
    response = api_as(personas.leader).post(f"/api/v1/lists/{item.list_id}/transitions/close/", body, format="json")
    assert response.status_code == 400


def test_close_with_a_foreign_item_is_400(personas, api_as):
    item = item_in_state(personas, "completed")
    body = {"decisions": {"999999": "unfinished"}}
    response = api_as(personas.leader).post(f"/api/v1/lists/{item.list_id}/transitions/close/", body, format="json")
    assert response.status_code == 400


def test_cadre_cannot_close_a_list(personas, api_as):
    item = item_in_state(personas, "completed")
    response = api_as(personas.cadre).post(f"/api/v1/lists/{item.list_id}/transitions/close/", {}, format="json")
    assert response.status_code == 403


def test_draft_list_cannot_be_closed(personas, api_as):
    lst = draft_list(personas)
    response = api_as(personas.leader).post(f"/api/v1/lists/{lst.pk}/transitions/close/", {}, format="json")
    assert response.status_code == 409


def test_list_history_shows_publish(personas, api_as):
    item = item_in_state(personas, "assigned")
    history = api_as(personas.observer).get(f"/api/v1/lists/{item.list_id}/history/").json()
    assert [(h["transition"], h["source"], h["target"], h["actor"]) for h in history] == [
        ("publish", "draft", "published", "leader01")
    ]


def test_list_transitions_for_leader_of_a_ready_draft(personas, api_as):
    lst = draft_list(personas)
    add_item(personas, lst)
    options = api_as(personas.leader).get(f"/api/v1/lists/{lst.pk}/transitions/").json()
    assert [o["name"] for o in options] == ["publish"]
    assert options[0]["target"] == "published"


def test_list_filter_by_month(personas, api_as):
    draft_list(personas)
    december_2027 = draft_list(personas, month=dt.date(2027, 12, 1))
    results = api_as(personas.leader).get("/api/v1/lists/?month=2027-12").json()["results"]
    assert [r["id"] for r in results] == [december_2027.pk]


def test_lists_endpoint_is_paginated(personas, api_as):
    draft_list(personas)
    body = api_as(personas.leader).get("/api/v1/lists/").json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 1


def test_list_page_stays_within_fixed_queries(personas, api_as, django_assert_max_num_queries):
    for month in range(1, 13):
        lst = draft_list(personas, month=dt.date(2026, month, 1))
        add_item(personas, lst, due_at=timezone.now() + dt.timedelta(days=30))
    client = api_as(personas.secretary)
    with django_assert_max_num_queries(6):
        body = client.get("/api/v1/lists/").json()
    assert body["count"] == 12
