"""The extensions/ endpoint: the assignee asks, a leader of the unit decides."""

import datetime as dt

import pytest

from lists.models import ExtensionRequest, ResponsibilityItem
from workflows.models import TransitionLog

from .lists_builders import item_in_state


def ask(api_as, personas, item, *, who=None, days=5, reason="村里需要协调"):
    body = {"item": item.pk, "new_due_at": (item.due_at + dt.timedelta(days=days)).isoformat(), "reason": reason}
    return api_as(who or personas.cadre).post("/api/v1/extensions/", body, format="json")


@pytest.fixture
def pending(personas, api_as):
    item = item_in_state(personas, "in_progress")
    response = ask(api_as, personas, item)
    assert response.status_code == 201, response.content
    return ExtensionRequest.objects.get(pk=response.json()["id"])


def test_assignee_requests_an_extension(personas, api_as, pending):
    assert pending.state == "pending" and pending.requested_by == personas.cadre
    assert TransitionLog.objects.for_object(pending).get().transition == "request"


@pytest.mark.parametrize("persona", ["leader", "colleague"])
def test_only_the_assignee_requests_an_extension(personas, api_as, persona):
    item = item_in_state(personas, "in_progress")
    assert ask(api_as, personas, item, who=getattr(personas, persona)).status_code == 403
    assert not ExtensionRequest.objects.exists()


def test_extension_on_an_unseen_item_is_400(personas, api_as):
    item = item_in_state(personas, "in_progress")
    response = ask(api_as, personas, item, who=personas.other_cadre)
    assert response.status_code == 400
    assert "item" in response.json()


def test_new_deadline_must_be_later(personas, api_as):
    item = item_in_state(personas, "in_progress")
    response = ask(api_as, personas, item, days=-1)
    assert response.status_code == 400
    assert "new_due_at" in response.json()


def test_reason_is_required(personas, api_as):
    item = item_in_state(personas, "in_progress")
    response = ask(api_as, personas, item, reason="  ")
    assert response.status_code == 400
    assert "reason" in response.json()


def test_second_pending_request_is_409(personas, api_as, pending):
    assert ask(api_as, personas, pending.item, days=9).status_code == 409


def test_closed_item_cannot_be_extended(personas, api_as):
    item = item_in_state(personas, "completed")
    assert ask(api_as, personas, item).status_code == 409


def test_leader_approves_and_the_deadline_moves(personas, api_as, pending):
    original = pending.item.due_at
    response = api_as(personas.leader).post(f"/api/v1/extensions/{pending.pk}/transitions/approve/", {}, format="json")
    assert response.status_code == 200
    assert response.json()["state"] == "approved"
    item = ResponsibilityItem.objects.get(pk=pending.item_id)
    assert item.due_at == pending.new_due_at and item.original_due_at == original
    assert TransitionLog.objects.for_object(item).last().transition == "extend"
    assert ExtensionRequest.objects.get().decided_by == personas.leader


def test_leader_rejects_with_a_reason(personas, api_as, pending):
    url = f"/api/v1/extensions/{pending.pk}/transitions/reject/"
    assert api_as(personas.leader).post(url, {}, format="json").status_code == 400
    response = api_as(personas.leader).post(url, {"reason": "期限不能再延"}, format="json")
    assert response.json()["state"] == "rejected"
    assert ResponsibilityItem.objects.get(pk=pending.item_id).due_at == pending.item.due_at


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("cadre", 403),
        ("colleague", 403),
        ("commissioner", 403),
        ("observer", 403),
        ("other_leader", 404),
        ("other_cadre", 404),
        ("other_commissioner", 404),
    ],
)
def test_who_may_not_decide(personas, api_as, pending, persona, status):
    url = f"/api/v1/extensions/{pending.pk}/transitions/approve/"
    assert api_as(getattr(personas, persona)).post(url, {}, format="json").status_code == status
    assert ExtensionRequest.objects.get().state == "pending"


def test_deciding_twice_is_409(personas, api_as, pending):
    client = api_as(personas.leader)
    client.post(f"/api/v1/extensions/{pending.pk}/transitions/approve/", {}, format="json")
    response = client.post(f"/api/v1/extensions/{pending.pk}/transitions/reject/", {"reason": "x"}, format="json")
    assert response.status_code == 409


def test_extensions_list_is_scoped(personas, api_as, pending):
    assert api_as(personas.leader).get("/api/v1/extensions/").json()["count"] == 1
    assert api_as(personas.other_leader).get("/api/v1/extensions/").json()["count"] == 0


def test_anonymous_cannot_decide(personas, api, pending):
    assert api.post(f"/api/v1/extensions/{pending.pk}/transitions/approve/", {}, format="json").status_code == 401
    assert ExtensionRequest.objects.get().state == "pending"
