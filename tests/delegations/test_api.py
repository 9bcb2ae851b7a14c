"""代理 through the API (API.md: ``delegations/``): naming, refusing, revoking, and a stand-in
taking the person's steps with ``actor`` and ``on_behalf_of`` in the log."""

import datetime as dt

import pytest
from django.utils import timezone

from delegations.models import Delegation
from notifications.models import OutboxMessage
from workflows.audit import verify_chains
from workflows.models import TransitionLog

from ..lists.lists_builders import item_in_state
from .builders import name_stand_in

TODAY = timezone.localdate


def body(delegate, *, start=0, end=5, reason="外出学习"):
    today = TODAY()
    return {
        "delegate": getattr(delegate, "pk", delegate),
        "starts_on": (today + dt.timedelta(days=start)).isoformat(),
        "ends_on": (today + dt.timedelta(days=end)).isoformat(),
        "reason": reason,
    }


def create(api_as, user, data):
    return api_as(user).post("/api/v1/delegations/", data, format="json")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "stand_in"), [("leader", "other_leader"), ("cadre", "colleague"), ("b_leader", "b_cadre")]
)
def test_a_person_names_a_stand_in_of_their_township(personas, api_as, who, stand_in):
    person, deputy = getattr(personas, who), getattr(personas, stand_in)
    response = create(api_as, person, body(deputy))
    assert response.status_code == 201, response.content
    answer = response.json()
    assert (answer["delegator"], answer["delegate"], answer["state"], answer["in_force"]) == (
        person.pk,
        deputy.pk,
        "granted",
        True,
    )
    delegation = Delegation.objects.get(pk=answer["id"])
    assert [e.transition for e in TransitionLog.objects.for_object(delegation)] == ["create"]
    assert OutboxMessage.objects.filter(event="delegation.granted", recipient=deputy).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"delegate": "self"}, "delegate"),
        ({"delegate": "b_cadre"}, "delegate"),
        ({"delegate": 999999}, "delegate"),
        ({"start": 3, "end": 1}, "ends_on"),
        ({"start": -2, "end": 3}, "starts_on"),
        ({"start": 1, "end": 500}, "ends_on"),
        ({"reason": "   "}, "reason"),
    ],
)
def test_a_bad_stand_in_is_a_400_naming_the_field(personas, api_as, change, field):
    change = dict(change)
    delegate = change.pop("delegate", personas.colleague)
    if delegate == "self":
        delegate = personas.cadre
    elif delegate == "b_cadre":
        delegate = personas.b_cadre
    response = create(api_as, personas.cadre, body(delegate, **change))
    assert response.status_code == 400
    assert field in response.json()
    assert not Delegation.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["2200-01-01", "1999-12-31", "2026-02-30", "not a date"])
def test_a_date_out_of_bounds_is_a_400(personas, api_as, value):
    data = {**body(personas.colleague), "ends_on": value}
    response = create(api_as, personas.cadre, data)
    assert response.status_code == 400
    assert "ends_on" in response.json()


@pytest.mark.django_db
def test_overlapping_stand_ins_of_one_person_are_refused(personas, api_as):
    assert create(api_as, personas.cadre, body(personas.colleague, start=0, end=5)).status_code == 201
    response = create(api_as, personas.cadre, body(personas.other_cadre, start=5, end=8))
    assert response.status_code == 400
    assert "starts_on" in response.json()
    # after the first one ends, another may stand in
    assert create(api_as, personas.cadre, body(personas.other_cadre, start=6, end=8)).status_code == 201


@pytest.mark.django_db
def test_a_revoked_stand_in_no_longer_blocks_the_dates(personas, api_as):
    first = name_stand_in(personas.cadre, personas.colleague)
    assert api_as(personas.cadre).post(f"/api/v1/delegations/{first.pk}/transitions/revoke/").status_code == 200
    assert create(api_as, personas.cadre, body(personas.other_cadre)).status_code == 201


@pytest.mark.django_db
def test_only_the_person_revokes_and_only_once(personas, api_as):
    delegation = name_stand_in(personas.cadre, personas.colleague)
    url = f"/api/v1/delegations/{delegation.pk}/transitions/revoke/"
    assert api_as(personas.colleague).post(url).status_code == 403
    assert api_as(personas.leader).post(url).status_code == 404
    assert api_as(personas.b_leader).post(url).status_code == 404
    assert api_as(personas.cadre).get(f"/api/v1/delegations/{delegation.pk}/transitions/").json() == [
        {"name": "revoke", "label": "撤销", "target": "revoked"}
    ]
    assert api_as(personas.cadre).post(url).status_code == 200
    assert api_as(personas.cadre).post(url).status_code == 409
    history = api_as(personas.cadre).get(f"/api/v1/delegations/{delegation.pk}/history/").json()
    assert [(h["transition"], h["actor"], h["on_behalf_of"]) for h in history] == [
        ("create", "cadre001", None),
        ("revoke", "cadre001", None),
    ]


@pytest.mark.django_db
def test_both_sides_read_a_delegation_nobody_else(personas, api_as):
    delegation = name_stand_in(personas.cadre, personas.colleague)
    for user, status in [
        (personas.cadre, 200),
        (personas.colleague, 200),
        (personas.leader, 404),
        (personas.observer, 404),
        (personas.b_leader, 404),
    ]:
        assert api_as(user).get(f"/api/v1/delegations/{delegation.pk}/").status_code == status
    assert [d["id"] for d in api_as(personas.colleague).get("/api/v1/delegations/").json()["results"]] == [
        delegation.pk
    ]
    assert api_as(personas.leader).get("/api/v1/delegations/").json()["count"] == 0


@pytest.mark.django_db
def test_a_stand_in_verifies_for_the_leader_and_the_log_says_so(personas, api_as):
    item = item_in_state(personas, "submitted")
    stand_in = personas.other_leader  # leads branch 02: not this item's leader
    url = f"/api/v1/items/{item.pk}/transitions/verify/"
    before = type(stand_in).objects.get(pk=stand_in.pk)  # a request's own user object
    assert api_as(before).post(url, {}, format="json").status_code == 404
    name_stand_in(personas.leader, stand_in)
    assert api_as(stand_in).get(f"/api/v1/items/{item.pk}/").status_code == 200
    options = api_as(stand_in).get(f"/api/v1/items/{item.pk}/transitions/").json()
    assert "verify" in [o["name"] for o in options]
    response = api_as(stand_in).post(url, {"comment": "代为验收"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "completed"
    last = TransitionLog.objects.for_object(item).last()
    assert (last.actor, last.on_behalf_of, last.transition) == (stand_in, personas.leader, "verify")
    history = api_as(stand_in).get(f"/api/v1/items/{item.pk}/history/").json()
    assert (history[-1]["actor"], history[-1]["on_behalf_of"]) == ("leader02", "leader01")
    assert all(h["on_behalf_of"] is None for h in history[:-1])
    assert verify_chains() == []


@pytest.mark.django_db
def test_a_stand_in_takes_a_cadres_steps(personas, api_as):
    item = item_in_state(personas, "assigned")
    name_stand_in(personas.cadre, personas.other_cadre)
    response = api_as(personas.other_cadre).post(f"/api/v1/items/{item.pk}/transitions/accept/", {}, format="json")
    assert response.status_code == 200, response.content
    last = TransitionLog.objects.for_object(item).last()
    assert (last.actor, last.on_behalf_of) == (personas.other_cadre, personas.cadre)


@pytest.mark.django_db
def test_a_leader_standing_in_for_a_cadre_still_verifies_as_themself(personas, api_as):
    """A step the stand-in may take themself is theirs: no on_behalf_of."""
    item = item_in_state(personas, "submitted")
    name_stand_in(personas.cadre, personas.leader)
    assert api_as(personas.leader).post(f"/api/v1/items/{item.pk}/transitions/verify/").status_code == 200
    last = TransitionLog.objects.for_object(item).last()
    assert (last.actor, last.on_behalf_of) == (personas.leader, None)


@pytest.mark.django_db
@pytest.mark.parametrize("when", ["future", "revoked", "over"])
def test_a_stand_in_out_of_force_sees_nothing_of_the_person(personas, api_as, when):
    item = item_in_state(personas, "assigned")
    delegation = name_stand_in(personas.cadre, personas.other_cadre, starts_in=2 if when == "future" else 0)
    if when == "revoked":
        api_as(personas.cadre).post(f"/api/v1/delegations/{delegation.pk}/transitions/revoke/")
    if when == "over":
        Delegation.objects.filter(pk=delegation.pk).update(
            starts_on=TODAY() - dt.timedelta(days=5), ends_on=TODAY() - dt.timedelta(days=1)
        )
    assert api_as(personas.other_cadre).get(f"/api/v1/items/{item.pk}/").status_code == 404
    response = api_as(personas.other_cadre).post(f"/api/v1/items/{item.pk}/transitions/accept/")
    assert response.status_code == 404
    assert not [r for r in api_as(personas.other_cadre).get("/api/v1/inbox/").json()["results"] if r["on_behalf_of"]]


@pytest.mark.django_db
def test_a_stand_in_cannot_name_stand_ins_for_the_person(personas, api_as):
    delegation = name_stand_in(personas.cadre, personas.colleague)
    response = api_as(personas.colleague).post(f"/api/v1/delegations/{delegation.pk}/transitions/revoke/")
    assert response.status_code == 403
    assert Delegation.objects.get(pk=delegation.pk).state == "granted"


@pytest.mark.django_db
def test_the_stand_in_sees_the_persons_inbox(personas, api_as):
    item = item_in_state(personas, "submitted")
    name_stand_in(personas.leader, personas.other_leader)
    rows = api_as(personas.other_leader).get("/api/v1/inbox/").json()["results"]
    theirs = [r for r in rows if r["subject_type"] == "item" and r["subject_id"] == item.pk]
    assert len(theirs) == 1
    assert theirs[0]["on_behalf_of"] == personas.leader.pk
    assert theirs[0]["on_behalf_of_name"] == str(personas.leader)
    assert theirs[0]["url"].startswith("/delegations/")
    own = api_as(personas.leader).get("/api/v1/inbox/").json()["results"]
    assert all(r["on_behalf_of"] is None for r in own)


@pytest.mark.django_db
def test_the_persons_notifications_reach_the_stand_in(personas, api_as):
    name_stand_in(personas.cadre, personas.colleague)
    item = item_in_state(personas, "assigned")  # cadre001 is told of the new item
    to_cadre = OutboxMessage.objects.filter(subject_id=item.pk, recipient=personas.cadre, channel="in_app")
    to_stand_in = OutboxMessage.objects.filter(subject_id=item.pk, recipient=personas.colleague, channel="in_app")
    assert to_cadre.exists() and to_stand_in.exists()
    assert to_stand_in.first().text.startswith(f"【代 {personas.cadre}】")
    assert to_stand_in.first().text.endswith(to_cadre.first().text)


def _fresh(user):
    return type(user).objects.get(pk=user.pk)


@pytest.mark.django_db
@pytest.mark.parametrize("subject", ["pledge", "work_order", "case", "extension"])
def test_a_stand_in_takes_the_persons_steps_on_every_subject(personas, api_as, subject):
    from ..matrix import dispatched_issue, submitted_pledge, supervision_case

    if subject == "pledge":  # branch 01's leader reviews; leader02 stands in
        obj, person, stand_in = submitted_pledge(personas), personas.leader, personas.other_leader
        url, body = "/api/v1/pledges/{}/transitions/approve/", {}
    elif subject == "work_order":  # cadre001 handles; cadre006 of branch 02 stands in
        obj, person, stand_in = dispatched_issue(personas), personas.cadre, personas.other_cadre
        url, body = "/api/v1/livelihood-issues/{}/transitions/accept/", {}
    elif subject == "case":  # district 1's commissioner acts; district 2's stands in
        obj, person, stand_in = supervision_case(personas), personas.commissioner, personas.other_commissioner
        url, body = "/api/v1/supervision-cases/{}/transitions/act/", {"action": "reminder", "note": "代为提醒"}
    else:  # the leader decides the cadre's extension request
        from lists import services

        item = item_in_state(personas, "accepted")
        obj = services.extension_request(
            item=item, actor=personas.cadre, new_due_at=item.due_at + dt.timedelta(days=3), reason="汛期"
        )
        person, stand_in = personas.leader, personas.other_leader
        url, body = "/api/v1/extensions/{}/transitions/approve/", {}
    url = url.format(obj.pk)
    assert api_as(_fresh(stand_in)).post(url, body, format="json").status_code == 404
    name_stand_in(person, stand_in)
    response = api_as(_fresh(stand_in)).post(url, body, format="json")
    assert response.status_code == 200, response.content
    last = TransitionLog.objects.for_object(obj).last()
    assert (last.actor, last.on_behalf_of) == (stand_in, person)
