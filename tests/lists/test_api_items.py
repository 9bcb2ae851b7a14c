"""The items/ endpoint: creating and editing drafts, validation, filters and query counts."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from lists import services
from lists.models import ResponsibilityItem
from organization.models import User

from .lists_builders import add_item, draft_list, item_in_state


def item_body(personas, lst, **extra):
    return {
        "list": lst.pk,
        "title": "走访困难党员",
        "standard": "走访 5 户并记录",
        "assignee": personas.cadre.pk,
        "lead_leader": personas.leader.pk,
        "due_at": (timezone.now() + dt.timedelta(days=12)).isoformat(),
        **extra,
    }


API_FIELDS = {
    "id",
    "list",
    "title",
    "standard",
    "assignee",
    "lead_leader",
    "state",
    "due_at",
    "original_due_at",
    "warning_level",
    "escalation_level",
    "completed_at",
    "on_time",
}


def test_leader_adds_an_item_to_a_draft_list(personas, api_as):
    lst = draft_list(personas)
    response = api_as(personas.leader).post("/api/v1/items/", item_body(personas, lst), format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert API_FIELDS <= set(data)
    assert (data["state"], data["assignee"], data["warning_level"], data["escalation_level"]) == (
        "draft",
        personas.cadre.pk,
        "green",
        0,
    )
    assert data["original_due_at"] == data["due_at"]


@pytest.mark.parametrize(("persona", "status"), [("cadre", 403), ("commissioner", 403), ("observer", 403)])
def test_non_leaders_cannot_add_items(personas, api_as, persona, status):
    lst = draft_list(personas)
    response = api_as(getattr(personas, persona)).post("/api/v1/items/", item_body(personas, lst), format="json")
    assert response.status_code == status
    assert not ResponsibilityItem.objects.exists()


def test_leader_of_a_parent_unit_may_add_items(personas, api_as):
    lst = draft_list(personas)
    response = api_as(personas.secretary).post("/api/v1/items/", item_body(personas, lst), format="json")
    assert response.status_code == 201


def test_other_leader_cannot_add_items_to_an_unseen_list(personas, api_as):
    lst = draft_list(personas)
    response = api_as(personas.other_leader).post("/api/v1/items/", item_body(personas, lst), format="json")
    assert response.status_code == 400
    assert "list" in response.json()


def test_items_are_added_to_draft_lists_only(personas, api_as):
    item = item_in_state(personas, "assigned")
    response = api_as(personas.leader).post("/api/v1/items/", item_body(personas, item.list), format="json")
    assert response.status_code == 409


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", ""),
        ("title", "   "),
        ("standard", ""),
        ("assignee", None),
        ("assignee", 999999),
        ("lead_leader", None),
        ("due_at", "tomorrow"),
        ("due_at", "2020-01-01T00:00:00+08:00"),
        ("due_at", "2099-01-01T00:00:00+08:00"),
        ("list", 999999),
    ],
)
def test_bad_item_field_is_400(personas, api_as, field, value):
    lst = draft_list(personas)
    response = api_as(personas.leader).post("/api/v1/items/", item_body(personas, lst, **{field: value}), format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not ResponsibilityItem.objects.exists()


def test_assignee_outside_the_unit_is_400(personas, api_as):
    lst = draft_list(personas)
    body = item_body(personas, lst, assignee=personas.other_cadre.pk)
    response = api_as(personas.leader).post("/api/v1/items/", body, format="json")
    assert response.status_code == 400
    assert "assignee" in response.json()


def test_lead_leader_who_does_not_lead_the_unit_is_400(personas, api_as):
    lst = draft_list(personas)
    body = item_body(personas, lst, lead_leader=personas.other_leader.pk)
    response = api_as(personas.leader).post("/api/v1/items/", body, format="json")
    assert response.status_code == 400
    assert "lead_leader" in response.json()


def test_township_secretary_may_be_lead_leader(personas, api_as):
    lst = draft_list(personas)
    body = item_body(personas, lst, lead_leader=personas.secretary.pk)
    assert api_as(personas.leader).post("/api/v1/items/", body, format="json").status_code == 201


def test_leader_edits_a_draft_item(personas, api_as):
    item = item_in_state(personas, "draft")
    body = {"title": "新标题", "assignee": personas.colleague.pk}
    response = api_as(personas.leader).patch(f"/api/v1/items/{item.pk}/", body, format="json")
    assert response.status_code == 200, response.content
    item.refresh_from_db()
    assert (item.title, item.assignee) == ("新标题", personas.colleague)


def test_editing_a_draft_item_validates_the_assignee(personas, api_as):
    item = item_in_state(personas, "draft")
    body = {"assignee": personas.other_cadre.pk}
    response = api_as(personas.leader).patch(f"/api/v1/items/{item.pk}/", body, format="json")
    assert response.status_code == 400
    assert ResponsibilityItem.objects.get(pk=item.pk).assignee == personas.cadre


def test_cadre_cannot_edit_a_draft_item(personas, api_as):
    item = item_in_state(personas, "draft")
    response = api_as(personas.cadre).patch(f"/api/v1/items/{item.pk}/", {"title": "x"}, format="json")
    assert response.status_code == 403


def test_assigned_item_cannot_be_edited(personas, api_as):
    item = item_in_state(personas, "assigned")
    response = api_as(personas.leader).patch(f"/api/v1/items/{item.pk}/", {"title": "x"}, format="json")
    assert response.status_code == 409
    assert ResponsibilityItem.objects.get(pk=item.pk).title == item.title


def test_leader_deletes_a_draft_item(personas, api_as):
    item = item_in_state(personas, "draft")
    assert api_as(personas.leader).delete(f"/api/v1/items/{item.pk}/").status_code == 204
    assert not ResponsibilityItem.objects.exists()


def test_assigned_item_cannot_be_deleted(personas, api_as):
    item = item_in_state(personas, "assigned")
    assert api_as(personas.leader).delete(f"/api/v1/items/{item.pk}/").status_code == 409


def test_other_cadre_cannot_see_an_item(personas, api_as):
    item = item_in_state(personas, "assigned")
    assert api_as(personas.other_cadre).get(f"/api/v1/items/{item.pk}/").status_code == 404


def test_anonymous_gets_401(personas, api):
    item = item_in_state(personas, "assigned")
    assert api.get(f"/api/v1/items/{item.pk}/").status_code == 401
    assert api.get("/api/v1/items/").status_code == 401


@pytest.mark.parametrize(
    ("body", "field"),
    [({}, "text"), ({"text": "x", "percent": 101}, "percent"), ({"text": "x", "percent": -1}, "percent")],
)
def test_bad_progress_report_is_400(personas, api_as, body, field):
    item = item_in_state(personas, "accepted")
    response = api_as(personas.cadre).post(f"/api/v1/items/{item.pk}/transitions/report_progress/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert ResponsibilityItem.objects.get(pk=item.pk).state == "accepted"


@pytest.mark.parametrize(("transition", "state"), [("submit", "in_progress"), ("return", "submitted")])
def test_transition_without_its_required_text_is_400(personas, api_as, transition, state):
    item = item_in_state(personas, state)
    actor = personas.cadre if transition == "submit" else personas.leader
    response = api_as(actor).post(f"/api/v1/items/{item.pk}/transitions/{transition}/", {}, format="json")
    assert response.status_code == 400
    assert ResponsibilityItem.objects.get(pk=item.pk).state == state


def test_unknown_transition_is_404(personas, api_as):
    item = item_in_state(personas, "assigned")
    response = api_as(personas.leader).post(f"/api/v1/items/{item.pk}/transitions/assign/", {}, format="json")
    assert response.status_code == 404


def test_progress_report_records_percent(personas, api_as):
    item = item_in_state(personas, "accepted")
    body = {"text": "已完成一半", "percent": 50}
    response = api_as(personas.cadre).post(f"/api/v1/items/{item.pk}/transitions/report_progress/", body, format="json")
    assert response.json()["progress_percent"] == 50
    assert item.progress_reports.get().text == "已完成一半"


def test_verify_records_on_time(personas, api_as):
    item = item_in_state(personas, "submitted")
    response = api_as(personas.leader).post(f"/api/v1/items/{item.pk}/transitions/verify/", {}, format="json")
    data = response.json()
    assert data["state"] == "completed" and data["on_time"] is True and data["completed_at"]


def test_item_history_lists_every_step(personas, api_as):
    item = item_in_state(personas, "submitted")
    history = api_as(personas.commissioner).get(f"/api/v1/items/{item.pk}/history/").json()
    assert [h["transition"] for h in history] == ["assign", "accept", "report_progress", "submit"]
    assert {"transition", "source", "target", "actor", "at", "comment"} <= set(history[0])


# -- filters ------------------------------------------------------------------------------------


def test_assignee_me_lists_only_my_items(personas, api_as):
    mine = item_in_state(personas, "assigned")
    lst = draft_list(personas, month=dt.date(2027, 1, 1))
    add_item(personas, lst, assignee=personas.colleague)
    services.list_publish(lst=lst, actor=personas.leader)
    results = api_as(personas.cadre).get("/api/v1/items/?assignee=me").json()["results"]
    assert [r["id"] for r in results] == [mine.pk]


def test_filter_by_state(personas, api_as):
    accepted = item_in_state(personas, "accepted")
    results = api_as(personas.leader).get("/api/v1/items/?state=accepted").json()["results"]
    assert [r["id"] for r in results] == [accepted.pk]
    assert api_as(personas.leader).get("/api/v1/items/?state=submitted").json()["count"] == 0


def test_filter_by_bad_state_is_400(personas, api_as):
    assert api_as(personas.leader).get("/api/v1/items/?state=nonsense").status_code == 400


def test_filter_by_list_and_unit(personas, api_as):
    item = item_in_state(personas, "assigned")
    client = api_as(personas.secretary)
    assert client.get(f"/api/v1/items/?list={item.list_id}").json()["count"] == 1
    assert client.get(f"/api/v1/items/?unit={personas.branch.pk}").json()["count"] == 1
    assert client.get(f"/api/v1/items/?unit={personas.other_branch.pk}").json()["count"] == 0


def test_filter_by_warning_level(personas, api_as):
    item = item_in_state(personas, "assigned")
    ResponsibilityItem.objects.filter(pk=item.pk).update(warning_level="red")
    client = api_as(personas.leader)
    assert client.get("/api/v1/items/?warning_level=red").json()["count"] == 1
    assert client.get("/api/v1/items/?warning_level=green").json()["count"] == 0


def test_filter_overdue(personas, api_as):
    item = item_in_state(personas, "assigned")
    client = api_as(personas.leader)
    assert client.get("/api/v1/items/?overdue=true").json()["count"] == 0
    with time_machine.travel(item.due_at + dt.timedelta(hours=1)):
        results = client.get("/api/v1/items/?overdue=true").json()["results"]
    assert [r["id"] for r in results] == [item.pk]
    assert results[0]["is_overdue"] is True


def test_completed_item_is_never_overdue(personas, api_as):
    item = item_in_state(personas, "completed")
    with time_machine.travel(item.due_at + dt.timedelta(days=3)):
        assert api_as(personas.leader).get("/api/v1/items/?overdue=true").json()["count"] == 0


# -- query counts -------------------------------------------------------------------------------


@pytest.fixture
def two_hundred_items(personas):
    lst = draft_list(personas)
    cadres = list(User.objects.filter(username__in=["cadre001", "cadre002", "cadre003"]))
    due = timezone.now() + dt.timedelta(days=20)
    for n in range(200):
        item = ResponsibilityItem.objects.create(
            list=lst,
            title=f"item {n}",
            standard="s",
            assignee=personas.cadre if n % 2 == 0 else cadres[n % 3],
            lead_leader=personas.leader,
            due_at=due,
            original_due_at=due,
        )
        item.co_handlers.set(cadres[:2])
    services.list_publish(lst=lst, actor=personas.leader)
    return lst


def test_my_items_stay_within_fixed_queries(personas, api_as, two_hundred_items, django_assert_max_num_queries):
    client = api_as(User.objects.get(pk=personas.cadre.pk))
    with django_assert_max_num_queries(6):
        body = client.get("/api/v1/items/?assignee=me&page_size=200").json()
    assert body["count"] >= 100


def test_item_list_stays_within_fixed_queries(personas, api_as, two_hundred_items, django_assert_max_num_queries):
    client = api_as(User.objects.get(pk=personas.leader.pk))
    with django_assert_max_num_queries(6):
        body = client.get("/api/v1/items/").json()
    assert body["count"] == 200 and len(body["results"]) == 50
    with django_assert_max_num_queries(6):
        client.get("/api/v1/items/?page=4")
