"""Townships are kept apart (issue 19 §1): 白水镇's people see and act on nothing of 青山镇's, and
the other way round; dispatchers are data (``Membership.dispatcher``) scoped to their township."""

import datetime as dt

import pytest
from django.utils import timezone

from issues import services
from issues.models import LivelihoodIssue, can_dispatch, dispatchers
from issues.selectors import issues_awaiting_follow_up, issues_to_dispatch, issues_visible_to
from lists import services as list_services
from organization.models import Membership, Unit
from organization.scoping import scope_for
from pledges.models import Pledge
from pledges.selectors import branches_with_boards, pledges_visible_to
from tests.issues.issue_fixtures import issue_in_state, people_fixture, register  # noqa: F401

URL = "/api/v1/livelihood-issues/"


def fresh(user):
    """The user without the scope cached on the object (as a new request would load them)."""
    return type(user).objects.get(pk=user.pk)


def b_issue(p, **overrides):
    """白水镇's order from 白水村, registered by bcadre002."""
    from organization.models import User

    fields = {
        "title": "白水村路灯不亮",
        "description": "村口路灯损坏。",
        "place_unit": Unit.objects.get(code="bs-village1"),
        "category": LivelihoodIssue.Category.ROADS,
        "reporter_name": "赵大爷",
        "reporter_phone": "13900001111",
    }
    fields.update(overrides)
    return services.issue_register(actor=User.objects.get(username="bcadre002"), **fields)


# -- scope ----------------------------------------------------------------------------------------


def test_scope_knows_each_users_township_and_where_they_dispatch(personas):
    qingshan, baishui = Unit.objects.get(code="township").path, Unit.objects.get(code="bs-township").path
    assert scope_for(personas.cadre).township_paths == (qingshan,)
    assert scope_for(personas.b_cadre).township_paths == (baishui,)
    assert scope_for(personas.b_secretary).dispatch_paths == (baishui,)
    assert scope_for(personas.leader).dispatch_paths == (qingshan,)
    assert scope_for(personas.other_leader).dispatch_paths == ()
    units = Unit.objects.filter(scope_for(personas.b_commissioner).township_q())
    assert set(units.values_list("code", flat=True)) == set(
        Unit.objects.filter(path__startswith=baishui).values_list("code", flat=True)
    )
    assert not units.filter(code="branch01").exists()


def test_the_dispatcher_is_data_the_admin_edits(personas):
    """Not a hard-coded unit: flag leader02's membership and leader02 dispatches 青山镇's orders."""
    assert not can_dispatch(personas.other_leader)
    Membership.objects.filter(user=personas.other_leader).update(dispatcher=True)
    Membership.objects.filter(user=personas.leader).update(dispatcher=False)
    assert can_dispatch(fresh(personas.other_leader)) and not can_dispatch(fresh(personas.leader))


# -- livelihood issues ----------------------------------------------------------------------------


def test_other_townships_secretary_and_leader_see_none_of_its_orders(people, personas):
    qingshan_issue = issue_in_state(people, "dispatched")
    own = b_issue(personas)
    for user in (personas.b_secretary, personas.b_leader, personas.b_cadre, personas.b_commissioner):
        assert qingshan_issue not in issues_visible_to(user), user
    assert list(issues_visible_to(personas.b_secretary)) == [own]
    assert own not in issues_visible_to(personas.leader)
    assert not can_dispatch(personas.b_secretary, qingshan_issue) and can_dispatch(personas.b_secretary, own)
    assert not can_dispatch(personas.leader, own) and can_dispatch(personas.leader, qingshan_issue)


def test_dispatch_board_and_follow_ups_hold_the_own_townships_orders(people, personas):
    reported = register(people)
    resolved = issue_in_state(people, "resolved", title="桃源村水渠堵塞")
    own = b_issue(personas)
    assert list(issues_to_dispatch(personas.b_leader)) == [own]
    assert list(issues_to_dispatch(personas.leader)) == [reported]
    assert list(issues_awaiting_follow_up(personas.b_secretary)) == []
    assert resolved in issues_awaiting_follow_up(personas.leader)


@pytest.mark.parametrize("persona", ["b_secretary", "b_leader"])
def test_other_township_cannot_read_cancel_or_see_the_phone(persona, people, personas, api_as):
    issue = issue_in_state(people, "dispatched")
    client = api_as(getattr(personas, persona))
    assert client.get(f"{URL}{issue.pk}/").status_code == 404
    assert "1234" not in str(client.get(URL).json())
    response = client.post(f"{URL}{issue.pk}/transitions/cancel/", {"reason": "重复"}, format="json")
    assert response.status_code == 404
    issue.refresh_from_db()
    assert issue.state == "dispatched"


def test_other_township_cannot_approve_an_orders_extension(people, personas, api_as):
    issue = issue_in_state(people, "accepted")
    extension = services.issue_extension_request(
        issue=issue, actor=people.handler, new_due_at=issue.due_at + dt.timedelta(days=2), reason="材料未齐"
    )
    url = f"/api/v1/extensions/{extension.pk}/transitions/approve/"
    for user in (personas.b_secretary, personas.b_leader):
        assert api_as(user).post(url, {}, format="json").status_code == 404
    assert not extension.__class__.objects.get(pk=extension.pk).decided_by_id
    assert api_as(personas.leader).post(url, {}, format="json").status_code == 200


def test_the_township_own_dispatchers_are_told_of_a_new_order(people, personas):
    own = b_issue(personas)
    assert set(dispatchers(own).values_list("username", flat=True)) == {"bsecretary", "bleader01"}
    assert set(dispatchers(register(people)).values_list("username", flat=True)) == {"secretary", "leader01"}


def test_the_dispatchers_flow_queue_is_the_own_townships(people, personas):
    from issues import flows as issue_flows

    register(people)
    own = b_issue(personas)
    tasks = issue_flows.inbox(personas.b_leader)
    assert {issue_flows.issue_of(task).pk for task in tasks} == {own.pk}


def test_dispatching_to_another_townships_unit_or_handler_is_400(people, personas, api_as):
    issue = register(people)
    url = f"{URL}{issue.pk}/transitions/dispatch/"
    body = {"handler": personas.b_cadre.pk, "unit": personas.b_branch.pk}
    response = api_as(people.dispatcher).post(url, body, format="json")
    assert response.status_code == 400 and "unit" in response.json()
    body = {"handler": people.handler.pk, "unit": people.unit.pk, "co_units": [personas.b_branch.pk]}
    response = api_as(people.dispatcher).post(url, body, format="json")
    assert response.status_code == 400 and "co_units" in response.json()


def test_registering_at_another_townships_village_is_400(personas, api_as):
    village = Unit.objects.get(code="east-village1")
    body = {"title": "路灯不亮", "description": "x", "place": str(village.pk), "category": "roads"}
    response = api_as(personas.b_cadre).post(URL, body, format="json")
    assert response.status_code == 400 and "place" in response.json()


def test_possible_duplicates_are_only_those_the_caller_may_open(people, personas, api_as):
    """cadre011 (branch 03) registers what cadre016 registered already: they may not open it."""
    hidden = register(people, title="东山村三组路灯不亮")
    response = api_as(people.other_cadre).post(
        URL,
        {"title": "东山村三组路灯坏了不亮", "place": str(people.village.pk), "category": "roads"},
        format="json",
    )
    assert response.status_code == 201
    created = response.json()["id"]
    assert api_as(people.other_cadre).get(f"{URL}{created}/").json()["possible_duplicates"] == []
    duplicates = api_as(people.dispatcher).get(f"{URL}{created}/").json()["possible_duplicates"]
    assert [d["id"] for d in duplicates] == [hidden.pk]


# -- pledges --------------------------------------------------------------------------------------


def approved_pledge(member, leader):
    from pledges import services as pledges

    pledge = pledges.pledge_create(member=member, text="每月走访两户。", due_date=dt.date(2026, 12, 20), category="people_needs")  # fmt: skip
    pledge = pledges.pledge_submit(pledge=pledge, actor=member)
    return pledges.pledge_approve(pledge=pledge, actor=leader)


def test_public_pledges_and_boards_stay_in_their_township(personas, api_as):
    qingshan = approved_pledge(personas.cadre, personas.leader)
    baishui = approved_pledge(personas.b_cadre, personas.b_leader)
    assert qingshan.state in Pledge.PUBLIC_STATES and baishui.state in Pledge.PUBLIC_STATES
    assert set(pledges_visible_to(personas.b_cadre)) == {baishui}
    assert qingshan in pledges_visible_to(personas.other_cadre) and baishui not in pledges_visible_to(
        personas.other_cadre
    )
    assert set(branches_with_boards(personas.b_cadre).values_list("code", flat=True)) == {
        "bs-branch01",
        "bs-branch02",
        "bs-branch03",
    }
    assert api_as(personas.b_cadre).get(f"/api/v1/pledges/{qingshan.pk}/").status_code == 404


# -- items: pickers -------------------------------------------------------------------------------


def test_an_item_assignee_from_another_township_is_400(personas, api_as):
    lst = list_services.list_create(
        unit=personas.branch, month=dt.date(2026, 12, 1), title="12月清单", actor=personas.leader
    )
    body = {
        "list": lst.pk,
        "title": "主题党日",
        "standard": "召开并记录",
        "assignee": personas.b_cadre.pk,
        "lead_leader": personas.b_leader.pk,
        "due_at": (timezone.now() + dt.timedelta(days=5)).isoformat(),
    }
    response = api_as(personas.leader).post("/api/v1/items/", body, format="json")
    assert response.status_code == 400 and {"assignee", "lead_leader"} <= set(response.json())


# -- pages ----------------------------------------------------------------------------------------


def test_register_page_refuses_another_townships_village(personas):
    from django.test import Client

    client = Client()
    client.force_login(personas.b_cadre)
    village = Unit.objects.get(code="east-village1")
    data = {"title": "路灯不亮", "source": "visit", "place_unit": village.pk, "category": "roads", "urgency": "normal"}
    response = client.post("/lists/issues/new/", data)
    assert response.status_code == 200 and "place_unit" in response.context["form"].errors
    assert not LivelihoodIssue.objects.exists()


def test_dispatch_page_refuses_a_membership_of_another_township(people, personas):
    from django.test import Client

    issue = register(people)
    membership = Membership.objects.get(user=personas.b_cadre, unit=personas.b_branch)
    client = Client()
    client.force_login(people.dispatcher)
    response = client.post(f"/lists/issues/{issue.pk}/transitions/dispatch/", {"membership": membership.pk})
    assert response.status_code == 400
    issue.refresh_from_db()
    assert (issue.state, issue.handler) == ("reported", None)
    assert membership not in response.context["handler_choices"]
