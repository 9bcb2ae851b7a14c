"""延期审批 lists the work orders' extension requests beside the items' (for whoever decides them)."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from issues import services
from issues.models import LivelihoodIssue
from lists.models import ExtensionRequest
from organization.models import Unit, User

from .issue_fixtures import issue_in_state, people_fixture  # noqa: F401

QUEUE = reverse("lists:extension-queue")


def page_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def queue_of(user) -> list[ExtensionRequest]:
    return list(page_for(user).get(QUEUE).context["extensions"])


def request_extension(issue: LivelihoodIssue, handler: User) -> ExtensionRequest:
    return services.issue_extension_request(
        issue=issue, actor=handler, new_due_at=issue.due_at + dt.timedelta(days=3), reason="需协调水利站"
    )


@pytest.fixture
def extension(people):
    return request_extension(issue_in_state(people, "in_progress"), people.handler)


@pytest.fixture
def b_extension(personas):
    """白水镇's own work order, dispatched by its dispatcher to one of its cadres."""
    issue = services.issue_register(
        actor=personas.b_cadre,
        title="白水村饮水管网老化",
        description="水压不足",
        source=LivelihoodIssue.Source.VISIT,
        place_unit=Unit.objects.get(code="bs-village1"),
        category=LivelihoodIssue.Category.WATER,
        urgency=LivelihoodIssue.Urgency.NORMAL,
    )
    handler = personas.b_organiser
    issue = services.issue_dispatch(issue=issue, actor=personas.b_leader, handler=handler, unit=personas.b_branch)
    issue = services.issue_accept(issue=issue, actor=handler)
    return request_extension(issue, handler)


def test_the_dispatcher_finds_a_work_order_extension_and_its_order(people, extension):
    response = page_for(people.dispatcher).get(QUEUE)
    assert list(response.context["extensions"]) == [extension]
    body = response.content.decode()
    assert reverse("issues:issue-detail", args=[extension.issue_id]) in body and "民生工单" in body


def test_the_leader_of_the_handling_unit_finds_it_too(personas, extension):
    assert queue_of(personas.other_leader) == [extension]  # leader02 leads branch02, the handling unit


@pytest.mark.parametrize("name", ["handler", "colleague", "reporter", "commissioner", "observer"])
def test_those_who_do_not_decide_do_not_find_it(people, extension, name):
    assert queue_of(people.get(name)) == []


def test_the_other_townships_dispatcher_does_not_find_it(personas, extension):
    assert queue_of(personas.b_leader) == []


def test_baishui_decides_its_own_work_orders_extensions(personas, b_extension, extension):
    assert queue_of(personas.b_leader) == [b_extension]
    assert b_extension not in queue_of(personas.leader)


def test_approved_from_the_queue_it_leaves_the_queue(people, extension):
    client = page_for(people.dispatcher)
    url = reverse("lists:extension-decide", args=[extension.pk, "approve"])
    response = client.post(url, {"next": QUEUE})
    assert response.status_code == 302 and response["Location"] == QUEUE
    assert list(client.get(QUEUE).context["extensions"]) == []
    assert LivelihoodIssue.objects.get(pk=extension.issue_id).due_at == extension.new_due_at


def test_the_home_page_counts_it_for_the_dispatcher(people, extension):
    from lists.selectors.pages import work_summary

    assert work_summary(people.dispatcher)["extensions"] == 1


def test_the_queue_reads_a_bounded_number_of_queries(people, extension, django_assert_max_num_queries):
    for n in range(3):
        request_extension(issue_in_state(people, "in_progress", title=f"路灯{n}"), people.handler)
    client = page_for(people.dispatcher)
    client.get(QUEUE)
    with django_assert_max_num_queries(14):
        assert len(client.get(QUEUE).context["extensions"]) == 4
