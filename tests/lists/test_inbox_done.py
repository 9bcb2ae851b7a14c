"""已办 (done) beside 我的待办: what the user did — their transitions across subjects, newest
first, paged, inside their township — on the page and at ``GET /api/v1/inbox/done/``."""

import pytest
from django.db import transaction
from django.urls import reverse

from issues import services as issue_services
from issues.models import LivelihoodIssue
from lists import services
from organization.models import Unit, User
from tests.lists.lists_builders import add_item, draft_list, item_in_state
from tests.pledges.pledge_helpers import make_pledge
from workflows.engine import record_change
from workflows.inbox import done_for

DONE = "/api/v1/inbox/done/"


def done(user) -> list[tuple[str, int, str]]:
    return [(r["subject_type"], r["subject_id"], r["transition"]) for r in done_for(user)[:50]]


def test_done_lists_the_users_own_transitions_newest_first(personas):
    item = item_in_state(personas, "submitted")
    services.item_verify(item=item, actor=personas.leader)
    pledge = make_pledge(personas.cadre, personas.leader, "approved")
    assert done(personas.cadre) == [
        ("pledge", pledge.pk, "submit"),
        ("item", item.pk, "submit"),
        ("item", item.pk, "report_progress"),
        ("item", item.pk, "accept"),
    ]
    assert done(personas.leader)[:3] == [
        ("pledge", pledge.pk, "approve"),
        ("item", item.pk, "verify"),
        ("item", item.pk, "assign"),
    ]
    assert ("list", item.list_id, "publish") in done(personas.leader)
    assert done(personas.other_leader) == []


def test_a_done_row_names_its_subject_and_links_to_it(personas):
    item = item_in_state(personas, "accepted")
    extension = services.extension_request(
        item=item, actor=personas.cadre, new_due_at=item.due_at.replace(year=item.due_at.year + 1), reason="等材料"
    )
    services.extension_reject(extension=extension, actor=personas.leader, reason="理由不足")
    row = done_for(personas.leader)[0]
    assert (row["subject_type"], row["subject_id"], row["transition"], row["title"]) == (
        "extension",
        extension.pk,
        "reject",
        item.title,
    )
    assert row["url"] == reverse("lists:item-detail", args=[item.pk])
    requested, accepted = done_for(personas.cadre)[:2]
    assert (requested["subject_type"], requested["transition"]) == ("extension", "request")
    assert (accepted["title"], accepted["transition"]) == (item.title, "accept") and accepted["transition_label"]


def test_done_is_paged_on_the_api(personas, api_as):
    lst = draft_list(personas)
    for i in range(3):
        add_item(personas, lst, title=f"事项{i}")
    services.list_publish(lst=lst, actor=personas.leader)
    client = api_as(personas.leader)
    body = client.get(DONE).json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 4 and [r["transition"] for r in body["results"]] == [
        "assign",
        "assign",
        "assign",
        "publish",
    ]
    waiting = client.get("/api/v1/inbox/").json()
    assert {r["action"] for r in waiting["results"]} == {"close"}  # the inbox itself is unchanged


def _baishui_issue(personas) -> LivelihoodIssue:
    return issue_services.issue_register(
        actor=User.objects.get(username="bcadre002"),
        title="白水村路灯不亮",
        place_unit=Unit.objects.get(code="bs-village1"),
        category=LivelihoodIssue.Category.ROADS,
    )


@pytest.mark.parametrize("home", ["qingshan", "baishui"])
def test_done_shows_each_township_only_its_own(home, personas, api_as, client):
    """白水镇's people see what they did in 白水镇, 青山镇's what they did in 青山镇; a log row of
    one's own on the other township's subject (a person who moved) is not shown."""
    own_issue = _baishui_issue(personas)
    own_issue = issue_services.issue_dispatch(
        issue=own_issue, actor=personas.b_secretary, handler=personas.b_cadre, unit=personas.b_branch
    )
    item = item_in_state(personas, "accepted")
    if home == "baishui":
        user, own, foreign = personas.b_secretary, ("livelihood_issue", own_issue.pk, "dispatch"), item
    else:
        user, own, foreign = personas.leader, ("item", item.pk, "assign"), own_issue
    with transaction.atomic():
        record_change(foreign, transition="note", source=foreign.state, target=foreign.state, actor=user)
    rows = done(user)
    assert own in rows
    assert [row for row in rows if row[2] == "note"] == []
    api_rows = api_as(user).get(DONE).json()["results"]
    assert [(r["subject_type"], r["subject_id"], r["transition"]) for r in api_rows] == rows
    client.force_login(user)
    page = client.get(reverse("lists:inbox-done"))
    assert page.status_code == 200
    assert (own_issue.title if home == "baishui" else item.title) in page.content.decode()
    assert (item.title if home == "baishui" else own_issue.title) not in page.content.decode()


def test_the_inbox_page_links_to_done_beside_it(personas, client):
    client.force_login(personas.cadre)
    page = client.get(reverse("lists:inbox")).content.decode()
    assert reverse("lists:inbox-done") in page
