"""One inbox (DESIGN.md principle 9): every step waiting on a user, across subjects, from one
selector shared by ``GET /api/v1/inbox/`` and the 我的待办 page, inside the user's township."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from issues import services as issue_services
from lists import services
from organization.models import User
from pledges import services as pledge_services
from supervision import services as supervision_services
from tests.issues.issue_fixtures import issue_in_state, people_fixture  # noqa: F401
from tests.pledges.pledge_helpers import make_pledge
from tests.supervision.conftest import case, make_item, overdue_item  # noqa: F401  (fixtures)
from workflows.inbox import inbox_for

from .lists_builders import add_item, draft_list, item_in_state

URL = "/api/v1/inbox/"
TOWNSHIP_B = ("b_secretary", "b_leader", "b_cadre", "b_commissioner")


def fresh(user):
    """The user as a new request loads them (no scope cached on the object)."""
    return type(user).objects.get(pk=user.pk)


def steps(user, subject_type=None):
    return [(r["subject_type"], r["subject_id"], r["action"]) for r in inbox_for(fresh(user), subject_type)]


def assert_only(personas, subject, acting: list[str], others: list[str]):
    """The named personas see ``subject``; the others (with 白水镇's people) do not."""
    for name in acting:
        assert subject in steps(getattr(personas, name)), name
    for name in [*others, *TOWNSHIP_B]:
        assert subject not in steps(getattr(personas, name)), name


# -- each subject: who acts sees it, nobody else; gone once taken --------------------------------


def test_an_assigned_item_waits_on_its_assignee_until_accepted(personas):
    item = item_in_state(personas, "assigned")
    assert_only(personas, ("item", item.pk, "accept"), ["cadre"], ["leader", "other_leader", "colleague"])
    services.item_accept(item=item, actor=personas.cadre)
    assert ("item", item.pk, "accept") not in steps(personas.cadre)
    assert ("item", item.pk, "work") in steps(personas.cadre)


def test_a_submitted_item_waits_on_its_lead_leader_until_verified(personas):
    item = item_in_state(personas, "submitted")
    assert_only(personas, ("item", item.pk, "verify"), ["leader"], ["cadre", "other_leader", "commissioner"])
    services.item_verify(item=item, actor=personas.leader)
    assert [s for s in steps(personas.leader) if s[:2] == ("item", item.pk)] == []


def test_a_draft_list_waits_on_its_leader_to_publish(personas):
    lst = draft_list(personas)
    add_item(personas, lst)
    assert_only(personas, ("list", lst.pk, "publish"), ["leader"], ["cadre", "other_leader"])
    services.list_publish(lst=lst, actor=personas.leader)
    assert ("list", lst.pk, "publish") not in steps(personas.leader)
    assert ("list", lst.pk, "close") in steps(personas.leader)


def test_an_extension_request_waits_on_the_leader_who_decides_it(personas):
    item = item_in_state(personas, "accepted")
    ext = services.extension_request(
        item=item, actor=personas.cadre, new_due_at=item.due_at + dt.timedelta(days=5), reason="材料未到"
    )
    subject = ("extension", ext.pk, "decide_extension")
    assert_only(personas, subject, ["leader"], ["cadre", "other_leader", "other_cadre"])
    services.extension_approve(extension=ext, actor=personas.leader)
    assert subject not in steps(personas.leader)


def test_a_work_orders_extension_request_waits_on_the_dispatchers(personas, people):
    issue = issue_in_state(people, "accepted")
    ext = issue_services.issue_extension_request(
        issue=issue, actor=people.handler, new_due_at=issue.due_at + dt.timedelta(days=3), reason="等配件"
    )
    subject = ("extension", ext.pk, "decide_extension")
    assert_only(personas, subject, ["leader"], ["other_cadre", "other_leader", "cadre"])
    services.extension_reject(extension=ext, actor=people.dispatcher, reason="可先临时处置")
    assert subject not in steps(personas.leader)


def test_pledge_steps_wait_on_the_branch_leader_then_on_the_member(personas):
    pledge = make_pledge(personas.cadre, personas.leader, "submitted")
    assert_only(personas, ("pledge", pledge.pk, "review_pledge"), ["leader"], ["cadre", "other_leader"])
    pledge = pledge_services.pledge_approve(pledge=pledge, actor=personas.leader)
    assert ("pledge", pledge.pk, "review_pledge") not in steps(personas.leader)
    assert_only(personas, ("pledge", pledge.pk, "fulfil_pledge"), ["cadre"], ["leader", "colleague"])


def test_work_order_steps_wait_on_dispatchers_then_the_handler(personas, people):
    issue = issue_in_state(people, "reported")
    assert_only(personas, ("livelihood_issue", issue.pk, "dispatch"), ["leader"], ["cadre", "other_cadre"])
    issue = issue_services.issue_dispatch(
        issue=issue, actor=people.dispatcher, handler=people.handler, unit=people.unit
    )
    assert ("livelihood_issue", issue.pk, "dispatch") not in steps(personas.leader)
    assert_only(personas, ("livelihood_issue", issue.pk, "accept_order"), ["other_cadre"], ["leader", "cadre"])


def test_a_resolved_work_order_waits_on_the_follow_up_call(personas, people):
    issue = issue_in_state(people, "resolved")
    subject = ("livelihood_issue", issue.pk, "follow_up")
    assert_only(personas, subject, ["leader"], ["other_cadre", "cadre"])
    issue_services.issue_follow_up(issue=issue, actor=people.dispatcher, satisfaction="satisfied")
    assert subject not in steps(personas.leader)


def test_an_open_case_waits_on_the_commissioners_of_its_jurisdiction(personas, case):  # noqa: F811
    subject = ("supervision_case", case.pk, "act_on_case")
    assert_only(personas, subject, ["commissioner", "township_commissioner"], ["other_commissioner", "leader", "cadre"])
    supervision_services.case_close(case=case, actor=personas.commissioner, conclusion="已整改")
    assert subject not in steps(personas.commissioner)


# -- order, filter, the API's contract -------------------------------------------------------------


def test_rows_come_soonest_deadline_first_and_undated_last(personas):
    lst = draft_list(personas, month=dt.date(2027, 1, 1))
    late = add_item(personas, lst, title="晚", due_at=timezone.now() + dt.timedelta(days=20))
    soon = add_item(personas, lst, title="早", due_at=timezone.now() + dt.timedelta(days=2))
    services.list_publish(lst=lst, actor=personas.leader)
    other = draft_list(personas, month=dt.date(2027, 2, 1))
    rows = [(r["subject_type"], r["subject_id"]) for r in inbox_for(fresh(personas.cadre))]
    assert rows == [("item", soon.pk), ("item", late.pk)]
    rows = [(r["subject_type"], r["subject_id"]) for r in inbox_for(fresh(personas.leader))]
    assert rows[-2:] == [("list", lst.pk), ("list", other.pk)] or rows[-2:] == [("list", other.pk), ("list", lst.pk)]


def test_api_answers_the_contract_paginated(personas, api_as):
    item = item_in_state(personas, "assigned")
    body = api_as(personas.cadre).get(URL).json()
    assert body["count"] == 1
    assert body["results"] == [
        {
            "subject_type": "item",
            "subject_id": item.pk,
            "title": item.title,
            "action": "accept",
            "due_at": body["results"][0]["due_at"],
            "url": reverse("lists:item-detail", args=[item.pk]),
            "on_behalf_of": None,
            "on_behalf_of_name": None,
        }
    ]
    assert body["results"][0]["due_at"] is not None


def test_api_filters_by_subject_type(personas, api_as):
    item_in_state(personas, "submitted")
    make_pledge(personas.cadre, personas.leader, "submitted")
    client = api_as(personas.leader)
    assert {r["subject_type"] for r in client.get(URL).json()["results"]} == {"item", "list", "pledge"}
    assert {r["subject_type"] for r in client.get(URL, {"subject_type": "pledge"}).json()["results"]} == {"pledge"}
    assert client.get(URL, {"subject_type": "supervision_case"}).json()["count"] == 0


def test_api_refuses_an_unknown_subject_type(personas, api_as):
    response = api_as(personas.leader).get(URL, {"subject_type": "meeting"})
    assert response.status_code == 400
    assert "subject_type" in response.json()


@pytest.mark.parametrize("name", TOWNSHIP_B)
def test_api_of_the_other_township_shows_none_of_these_steps(personas, api_as, name):
    item_in_state(personas, "submitted")
    make_pledge(personas.cadre, personas.leader, "submitted")
    assert api_as(getattr(personas, name)).get(URL).json()["count"] == 0


# -- bounded queries -------------------------------------------------------------------------------


def test_many_waiting_steps_cost_a_fixed_number_of_queries(personas, people, api_as, django_assert_max_num_queries):
    """leader01 leads branch 01, dispatches and verifies: every provider has rows for them."""
    for month in range(1, 4):
        lst = draft_list(personas, month=dt.date(2027, month, 1))
        for n in range(3):
            add_item(personas, lst, title=f"t{n}")
    item_in_state(personas, "submitted")
    for username in ("cadre001", "cadre002", "cadre003"):  # one active pledge per member and year
        issue_in_state(people, "reported")
        issue_in_state(people, "resolved")
        make_pledge(User.objects.get(username=username), personas.leader, "submitted")
    client = api_as(personas.leader)
    # + Party life: activities (check in, record, make-ups: the leader organises its branch's)
    with django_assert_max_num_queries(11):
        body = client.get(URL).json()
    kinds = {r["subject_type"] for r in body["results"]}
    assert kinds == {"item", "list", "pledge", "livelihood_issue"}
    assert body["count"] == 3 + 1 + 3 + 6 + 1  # lists, the item to verify, pledges, orders, its list


# -- the page ---------------------------------------------------------------------------------------


def test_the_page_shows_the_same_rows_with_links(personas, client):
    item = item_in_state(personas, "assigned")
    pledge = make_pledge(personas.cadre, personas.leader, "approved")
    client.force_login(personas.cadre)
    page = client.get(reverse("lists:inbox")).content.decode()
    assert reverse("lists:item-detail", args=[item.pk]) in page
    assert reverse("pledges:pledge-detail", args=[pledge.pk]) in page
    assert "我的待办" in page
    assert 'data-subject="item"' in page and 'data-subject="pledge"' in page


def test_the_page_shows_a_commissioner_the_case(personas, client, case):  # noqa: F811
    client.force_login(personas.commissioner)
    page = client.get(reverse("lists:inbox")).content.decode()
    assert reverse("supervision:case-detail", args=[case.pk]) in page
    assert 'data-subject="supervision_case"' in page


def test_the_page_of_the_other_township_is_empty(personas, client):
    item = item_in_state(personas, "assigned")
    client.force_login(personas.b_cadre)
    page = client.get(reverse("lists:inbox")).content.decode()
    assert reverse("lists:item-detail", args=[item.pk]) not in page
