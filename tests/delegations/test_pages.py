"""我的代理 and acting as a stand-in on the pages (代办), for both townships."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from delegations.models import Delegation
from workflows.models import TransitionLog

from ..lists.lists_builders import item_in_state
from ..matrix import PERSONAS
from .builders import name_stand_in


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def form(delegate, *, start=0, end=3, reason="参加培训"):
    today = timezone.localdate()
    return {
        "delegate": getattr(delegate, "pk", delegate),
        "starts_on": (today + dt.timedelta(days=start)).isoformat(),
        "ends_on": (today + dt.timedelta(days=end)).isoformat(),
        "reason": reason,
    }


@pytest.mark.django_db
@pytest.mark.parametrize("persona", [p for p, name in PERSONAS.items() if name] + ["office", "b_office", "admin"])
def test_every_persona_opens_my_stand_ins(personas, persona):
    user = getattr(personas, {"assignee": "cadre"}.get(persona, persona))
    response = client_for(user).get(reverse("delegations:index"))
    assert response.status_code == 200
    assert "我的代理" in response.content.decode()


@pytest.mark.django_db
def test_the_page_offers_only_people_of_ones_own_township(personas):
    page = client_for(personas.b_cadre).get(reverse("delegations:index")).content.decode()
    assert str(personas.b_leader) in page
    assert "cadre006" not in page and str(personas.other_cadre) not in page


@pytest.mark.django_db
@pytest.mark.parametrize(("who", "stand_in"), [("cadre", "colleague"), ("b_cadre", "b_leader")])
def test_a_person_names_and_revokes_a_stand_in_on_the_page(personas, who, stand_in):
    person, deputy = getattr(personas, who), getattr(personas, stand_in)
    client = client_for(person)
    response = client.post(reverse("delegations:index"), form(deputy))
    assert response.status_code == 302
    delegation = Delegation.objects.get(delegator=person)
    assert delegation.delegate == deputy
    response = client.post(reverse("delegations:revoke", args=[delegation.pk]))
    assert response.status_code == 302
    delegation.refresh_from_db()
    assert delegation.state == "revoked"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "field_message"),
    [
        ({"delegate": "self"}, 'class="msg error"'),  # not among the choices
        ({"delegate": "b_cadre"}, 'class="msg error"'),
        ({"start": 3, "end": 1}, "截止日不能早于起始日"),
        ({"start": -1}, "日期不能早于今天"),
        ({"reason": ""}, 'class="msg error"'),
    ],
)
def test_a_bad_form_comes_back_with_its_message(personas, data, field_message):
    data = dict(data)
    delegate = {"self": personas.cadre, "b_cadre": personas.b_cadre}.get(data.pop("delegate", None), personas.colleague)
    response = client_for(personas.cadre).post(reverse("delegations:index"), form(delegate, **data))
    assert response.status_code == 400
    content = response.content.decode()
    assert field_message in content
    assert not Delegation.objects.exists()


@pytest.mark.django_db
def test_an_overlapping_stand_in_is_refused_on_the_page(personas):
    name_stand_in(personas.cadre, personas.colleague)
    response = client_for(personas.cadre).post(reverse("delegations:index"), form(personas.other_cadre))
    assert response.status_code == 400
    assert "已有代理人" in response.content.decode()


@pytest.mark.django_db
def test_only_the_person_revokes_on_the_page(personas):
    delegation = name_stand_in(personas.cadre, personas.colleague)
    assert client_for(personas.colleague).post(reverse("delegations:revoke", args=[delegation.pk])).status_code == 403
    assert client_for(personas.leader).post(reverse("delegations:revoke", args=[delegation.pk])).status_code == 404
    assert client_for(personas.b_leader).get(reverse("delegations:detail", args=[delegation.pk])).status_code == 404


@pytest.mark.django_db
def test_the_stand_in_sees_for_x_rows_and_verifies_on_the_item_page(personas):
    item = item_in_state(personas, "submitted")
    delegation = name_stand_in(personas.leader, personas.other_leader)
    client = client_for(personas.other_leader)
    inbox = client.get(reverse("lists:inbox")).content.decode()
    assert f"代 {personas.leader}" in inbox
    act = reverse("delegations:act", args=[delegation.pk])
    assert act in inbox
    # the row's link opens the item as the stand-in
    page = client.get(f"{act}?next={reverse('lists:item-detail', args=[item.pk])}", follow=True)
    assert page.status_code == 200
    content = page.content.decode()
    assert "您正在代" in content and item.title in content
    response = client.post(reverse("lists:item-action", args=[item.pk, "verify"]), {"verify-comment": "代验"})
    assert response.status_code == 302
    last = TransitionLog.objects.for_object(item).last()
    assert (last.transition, last.actor, last.on_behalf_of) == ("verify", personas.other_leader, personas.leader)
    # the item's history names both
    detail = client.get(reverse("lists:item-detail", args=[item.pk])).content.decode()
    assert f"{personas.other_leader}（代 {personas.leader}）" in detail
    # 结束代办: back to themself, the item is out of reach again
    client.post(reverse("delegations:stop"))
    assert client.get(reverse("lists:item-detail", args=[item.pk])).status_code == 404


@pytest.mark.django_db
def test_acting_never_reaches_the_persons_own_settings(personas):
    delegation = name_stand_in(personas.office, personas.colleague)
    client = client_for(personas.colleague)
    client.get(reverse("delegations:act", args=[delegation.pk]))
    assert client.get(reverse("office_home")).status_code == 403
    assert client.get(reverse("delegations:index")).context["request"].user == personas.colleague


@pytest.mark.django_db
def test_one_cannot_act_under_someone_elses_delegation(personas):
    delegation = name_stand_in(personas.leader, personas.other_leader)
    for user in (personas.colleague, personas.leader, personas.b_leader):
        assert client_for(user).get(reverse("delegations:act", args=[delegation.pk])).status_code == 403


@pytest.mark.django_db
def test_a_revoked_delegation_ends_acting_at_the_next_request(personas):
    item = item_in_state(personas, "submitted")
    delegation = name_stand_in(personas.leader, personas.other_leader)
    client = client_for(personas.other_leader)
    client.get(reverse("delegations:act", args=[delegation.pk]))
    assert client.get(reverse("lists:item-detail", args=[item.pk])).status_code == 200
    client_for(personas.leader).post(reverse("delegations:revoke", args=[delegation.pk]))
    assert client.get(reverse("lists:item-detail", args=[item.pk])).status_code == 404


@pytest.mark.django_db
def test_act_ignores_a_next_elsewhere(personas):
    delegation = name_stand_in(personas.leader, personas.other_leader)
    response = client_for(personas.other_leader).get(
        reverse("delegations:act", args=[delegation.pk]) + "?next=https://evil.example/"
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("lists:inbox")
