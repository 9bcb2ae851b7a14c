"""改派 (reassign) and 临时交办 (an item added to a published list): API.md, "Items"."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from lists import services
from lists.models import ExtensionRequest, ResponsibilityItem, ResponsibilityList
from notifications.models import OutboxMessage
from organization.models import User
from workflows.inbox import inbox_for
from workflows.models import TransitionLog

from .lists_builders import draft_list, item_in_state

REASSIGNABLE = ["assigned", "accepted", "in_progress", "returned"]
NOT_REASSIGNABLE = ["draft", "submitted", "suspended", "completed", "cancelled"]


def reassign(api_as, user, item, **body):
    return api_as(user).post(f"/api/v1/items/{item.pk}/transitions/reassign/", body, format="json")


@pytest.mark.django_db
@pytest.mark.parametrize("state", REASSIGNABLE)
def test_leader_reassigns_an_open_item_where_it_stands(personas, api_as, state):
    item = item_in_state(personas, state)
    response = reassign(api_as, personas.leader, item, assignee=personas.colleague.pk, reason="cadre001 借调县里")
    assert response.status_code == 200, response.content
    assert response.json()["assignee"] == personas.colleague.pk
    assert response.json()["state"] == state
    item.refresh_from_db()
    assert item.assignee == personas.colleague
    last = TransitionLog.objects.for_object(item).last()
    assert (last.transition, last.source, last.target) == ("reassign", state, state)
    assert last.payload["from_user"] == personas.cadre.pk
    assert last.payload["to_user"] == personas.colleague.pk
    assert last.comment == "cadre001 借调县里"


@pytest.mark.django_db
def test_the_open_step_moves_to_the_new_assignee(personas, api_as):
    item = item_in_state(personas, "accepted")
    assert any(r["subject_id"] == item.pk for r in inbox_for(personas.cadre) if r["subject_type"] == "item")
    reassign(api_as, personas.leader, item, assignee=personas.colleague.pk, reason="换人")
    assert not any(r["subject_id"] == item.pk for r in inbox_for(personas.cadre) if r["subject_type"] == "item")
    rows = [r for r in inbox_for(personas.colleague) if r["subject_type"] == "item" and r["subject_id"] == item.pk]
    assert [r["action"] for r in rows] == ["work"]
    # and the new assignee can carry on: report progress, submit
    response = api_as(personas.colleague).post(
        f"/api/v1/items/{item.pk}/transitions/report_progress/", {"text": "接手", "percent": 10}, format="json"
    )
    assert response.status_code == 200
    old = api_as(personas.cadre).post(
        f"/api/v1/items/{item.pk}/transitions/report_progress/", {"text": "x"}, format="json"
    )
    assert old.status_code in (403, 404)


@pytest.mark.django_db
def test_the_new_assignee_is_told(personas, api_as):
    item = item_in_state(personas, "assigned")
    before = OutboxMessage.objects.filter(recipient=personas.colleague).count()
    reassign(api_as, personas.leader, item, assignee=personas.colleague.pk, reason="换人")
    assert OutboxMessage.objects.filter(recipient=personas.colleague).count() > before


@pytest.mark.django_db
def test_a_pending_extension_request_moves_with_the_item(personas, api_as):
    item = item_in_state(personas, "in_progress")
    extension = services.extension_request(
        item=item, actor=personas.cadre, new_due_at=item.due_at + dt.timedelta(days=3), reason="雨天"
    )
    reassign(api_as, personas.leader, item, assignee=personas.colleague.pk, reason="换人")
    services.extension_approve(extension=extension, actor=personas.leader)
    extension.refresh_from_db()
    assert extension.state == ExtensionRequest.State.APPROVED
    item.refresh_from_db()
    assert item.due_at == extension.new_due_at


@pytest.mark.django_db
@pytest.mark.parametrize("state", NOT_REASSIGNABLE)
def test_reassigning_from_a_closed_or_waiting_state_is_409(personas, api_as, state):
    item = item_in_state(personas, state)
    response = reassign(api_as, personas.leader, item, assignee=personas.colleague.pk, reason="换人")
    assert response.status_code == 409
    assert ResponsibilityItem.objects.get(pk=item.pk).assignee == personas.cadre


@pytest.mark.django_db
@pytest.mark.parametrize(
    "persona, status",
    [
        ("cadre", 403),  # the assignee cannot hand their own item on
        ("colleague", 403),
        ("commissioner", 403),
        ("observer", 403),
        ("other_leader", 404),
        ("other_cadre", 404),
        ("other_commissioner", 404),
        ("b_secretary", 404),
        ("b_leader", 404),
        ("b_cadre", 404),
        ("b_commissioner", 404),
    ],
)
def test_only_the_units_leaders_reassign(personas, api_as, persona, status):
    item = item_in_state(personas, "accepted")
    response = reassign(api_as, getattr(personas, persona), item, assignee=personas.colleague.pk, reason="换人")
    assert response.status_code == status
    assert ResponsibilityItem.objects.get(pk=item.pk).assignee == personas.cadre


@pytest.mark.django_db
def test_reassign_needs_sign_in(personas, api):
    item = item_in_state(personas, "accepted")
    response = api.post(f"/api/v1/items/{item.pk}/transitions/reassign/", {}, format="json")
    assert response.status_code == 401


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body, field",
    [
        (lambda p: {"assignee": p.colleague.pk}, "reason"),
        (lambda p: {"assignee": p.colleague.pk, "reason": "  "}, "reason"),
        (lambda p: {"reason": "换人"}, "assignee"),
        (lambda p: {"assignee": 999999, "reason": "换人"}, "assignee"),
        (lambda p: {"assignee": "abc", "reason": "换人"}, "assignee"),
        (lambda p: {"assignee": p.other_cadre.pk, "reason": "换人"}, "assignee"),  # another branch
        (lambda p: {"assignee": p.b_cadre.pk, "reason": "换人"}, "assignee"),  # another township
        (lambda p: {"assignee": p.cadre.pk, "reason": "换人"}, "assignee"),  # already holds it
    ],
)
def test_bad_reassign_bodies_are_400_and_change_nothing(personas, api_as, body, field):
    item = item_in_state(personas, "accepted")
    logged = TransitionLog.objects.for_object(item).count()
    response = reassign(api_as, personas.leader, item, **body(personas))
    assert response.status_code == 400
    assert field in response.json()
    assert ResponsibilityItem.objects.get(pk=item.pk).assignee == personas.cadre
    assert TransitionLog.objects.for_object(item).count() == logged


@pytest.mark.django_db
def test_leaders_see_reassign_among_the_transitions(personas, api_as):
    item = item_in_state(personas, "accepted")
    names = {t["name"] for t in api_as(personas.leader).get(f"/api/v1/items/{item.pk}/transitions/").json()}
    assert "reassign" in names
    names = {t["name"] for t in api_as(personas.cadre).get(f"/api/v1/items/{item.pk}/transitions/").json()}
    assert "reassign" not in names


@pytest.mark.django_db
def test_history_names_the_reassignment(personas, api_as):
    item = item_in_state(personas, "accepted")
    reassign(api_as, personas.leader, item, assignee=personas.colleague.pk, reason="换人")
    history = api_as(personas.leader).get(f"/api/v1/items/{item.pk}/history/").json()
    assert history[-1]["transition"] == "reassign"
    assert history[-1]["comment"] == "换人"


@pytest.mark.django_db
def test_reassign_on_the_item_page(personas):
    item = item_in_state(personas, "accepted")
    client = Client()
    client.force_login(personas.leader)
    page = client.get(reverse("lists:item-detail", args=[item.pk])).content.decode()
    assert 'name="reassign-assignee"' in page
    assert f'value="{personas.other_cadre.pk}"' not in page.split('name="reassign-assignee"')[1].split("</select>")[0]
    url = reverse("lists:item-action", args=[item.pk, "reassign"])
    response = client.post(url, {"reassign-assignee": personas.colleague.pk, "reassign-reason": "借调"})
    assert response.status_code == 302
    assert ResponsibilityItem.objects.get(pk=item.pk).assignee == personas.colleague
    bad = client.post(url, {"reassign-assignee": personas.other_cadre.pk, "reassign-reason": "x"})
    assert bad.status_code in (200, 400)
    assert ResponsibilityItem.objects.get(pk=item.pk).assignee == personas.colleague


@pytest.mark.django_db
def test_the_assignee_sees_no_reassign_form(personas):
    item = item_in_state(personas, "accepted")
    client = Client()
    client.force_login(personas.cadre)
    assert 'name="reassign-assignee"' not in client.get(reverse("lists:item-detail", args=[item.pk])).content.decode()


# -- 临时交办: an item added to a published list is assigned at once ------------------------------


def published_list_of(personas) -> ResponsibilityList:
    lst = draft_list(personas)
    services.item_create(
        lst=lst,
        actor=personas.leader,
        title="常规任务",
        standard="完成",
        assignee=personas.cadre,
        lead_leader=personas.leader,
        due_at=timezone.now() + dt.timedelta(days=5),
    )
    return services.list_publish(lst=lst, actor=personas.leader)


@pytest.mark.django_db
def test_leader_adds_an_item_to_a_published_list_and_it_is_assigned(personas, api_as):
    lst = published_list_of(personas)
    response = api_as(personas.leader).post(
        "/api/v1/items/",
        {
            "list": lst.pk,
            "title": "临时交办：防汛值班",
            "standard": "排好值班表并上报",
            "assignee": personas.colleague.pk,
            "lead_leader": personas.leader.pk,
            "due_at": (timezone.now() + dt.timedelta(days=3)).isoformat(),
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["state"] == "assigned"
    item = ResponsibilityItem.objects.get(pk=response.json()["id"])
    assert any(r["subject_id"] == item.pk for r in inbox_for(personas.colleague) if r["subject_type"] == "item")
    assert OutboxMessage.objects.filter(recipient=personas.colleague).exists()


@pytest.mark.django_db
def test_no_item_is_added_to_a_closed_list(personas, api_as):
    lst = published_list_of(personas)
    services.list_close(lst=lst, actor=personas.leader, decisions={i.pk: "unfinished" for i in lst.items.all()})
    assert ResponsibilityList.objects.get(pk=lst.pk).state == "closed"
    response = api_as(personas.leader).post(
        "/api/v1/items/",
        {
            "list": lst.pk,
            "title": "迟到的任务",
            "standard": "完成",
            "assignee": personas.cadre.pk,
            "lead_leader": personas.leader.pk,
            "due_at": (timezone.now() + dt.timedelta(days=3)).isoformat(),
        },
        format="json",
    )
    assert response.status_code == 409
    assert User.objects.filter(pk=personas.cadre.pk).exists()
