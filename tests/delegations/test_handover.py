"""交接: the township office hands a leaving person's open work to a successor in one audited step."""

import pytest
from django.test import Client
from django.urls import reverse
from viewflow.workflow.models import Task

from delegations import handover
from lists.models import ResponsibilityItem
from organization.models import AdministrativeChange, Membership, User
from workflows.audit import verify_chains
from workflows.flowdrive import OPEN_TASK_STATUSES
from workflows.models import TransitionLog

from ..lists.lists_builders import add_item, draft_list, item_in_state
from ..matrix import dispatched_issue, submitted_pledge, theme_party_day


def office_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(person, township=None):
    return reverse("office_handover", args=[person.pk]) + (f"?township={township.pk}" if township else "")


@pytest.fixture
def work(personas):
    """cadre001 holds two items and a work order; leader01 leads the items and organises an activity."""
    from lists import services

    lst = draft_list(personas)
    items = {
        state: add_item(personas, lst, title=f"事项 {state}") for state in ("assigned", "in_progress", "completed")
    }
    services.list_publish(lst=lst, actor=personas.leader)
    for state in ("in_progress", "completed"):
        item = ResponsibilityItem.objects.get(pk=items[state].pk)
        services.item_accept(item=item, actor=personas.cadre)
        services.item_report_progress(item=item, actor=personas.cadre, text="开工")
    done = ResponsibilityItem.objects.get(pk=items["completed"].pk)
    services.item_submit(item=done, actor=personas.cadre, result="完成")
    services.item_verify(item=done, actor=personas.leader)
    refreshed = {state: ResponsibilityItem.objects.get(pk=item.pk) for state, item in items.items()}
    return {**refreshed, "issue": dispatched_issue(personas), "activity": theme_party_day(personas)}


@pytest.mark.django_db
def test_the_preview_lists_what_moves(personas, work):
    page = office_client(personas.office).get(url(personas.cadre))
    assert page.status_code == 200
    content = page.content.decode()
    assert content.count(reverse("lists:item-detail", args=[work["assigned"].pk])) == 1
    assert reverse("lists:item-detail", args=[work["in_progress"].pk]) in content
    assert reverse("lists:item-detail", args=[work["completed"].pk]) not in content  # closed: stays
    assert reverse("issues:issue-detail", args=[work["issue"].pk]) in content
    preview = handover.preview(township=_township(personas), person=personas.cadre)
    assert preview["objects"] == 3 and preview["tasks"] >= 2


@pytest.mark.django_db
def test_the_office_hands_a_cadres_open_work_to_a_successor(personas, work):
    cadre, successor = personas.cadre, personas.colleague
    waiting = Task.objects.filter(owner=cadre, status__in=OPEN_TASK_STATUSES).count()
    assert waiting >= 2
    response = office_client(personas.office).post(
        url(cadre), {"successor": successor.pk, "reason": "调往县委组织部", "copy_roles": "on", "deactivate": "on"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    for key in ("assigned", "in_progress"):
        item = work[key]
        item.refresh_from_db()
        assert item.assignee == successor
        last = TransitionLog.objects.for_object(item).last()
        assert (last.transition, last.actor, last.payload["from_user"], last.payload["to_user"]) == (
            "reassign",
            personas.office,
            cadre.pk,
            successor.pk,
        )
    work["completed"].refresh_from_db()
    assert work["completed"].assignee == cadre
    issue = work["issue"]
    issue.refresh_from_db()
    assert issue.handler == successor
    assert TransitionLog.objects.for_object(issue).last().transition == "hand_over"
    assert not Task.objects.filter(owner=cadre, status__in=OPEN_TASK_STATUSES).exists()
    change = AdministrativeChange.objects.get(action="hand_over")
    assert (change.actor, change.reason) == (personas.office, "调往县委组织部")
    assert change.details["item_assignee"] == sorted([work["assigned"].pk, work["in_progress"].pk])
    assert Membership.objects.filter(user=successor, unit=personas.branch, role="cadre").exists()
    cadre.refresh_from_db()
    assert not cadre.is_active
    assert AdministrativeChange.objects.filter(action="person_deactivate", target=cadre.username).exists()
    assert verify_chains() == []


@pytest.mark.django_db
def test_a_leaders_items_activities_and_reviews_move(personas, work):
    pledge = submitted_pledge(personas)
    successor = personas.other_leader
    handover.person_hand_over(
        township=_township(personas),
        actor=personas.office,
        person=personas.leader,
        successor=successor,
        reason="换届",
        copy_roles=True,
        deactivate=False,
    )
    for key in ("assigned", "in_progress"):
        work[key].refresh_from_db()
        assert work[key].lead_leader == successor
        assert TransitionLog.objects.for_object(work[key]).last().transition == "hand_over"
    work["activity"].refresh_from_db()
    assert work["activity"].organiser == successor
    # a pledge waiting on branch 01's leaders reaches the successor with the role
    from pledges.models import Pledge

    assert Membership.objects.filter(user=successor, unit=personas.branch, role="leader").exists()
    successor = User.objects.get(pk=successor.pk)
    assert pledge.state == Pledge.State.SUBMITTED
    from workflows.inbox import inbox_for

    assert any(r["subject_type"] == "pledge" and r["subject_id"] == pledge.pk for r in inbox_for(successor))
    assert User.objects.get(pk=personas.leader.pk).is_active


def _township(personas):
    from organization.models import township_of

    return township_of(personas.branch)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"reason": "无继任"}, "successor"),
        ({"successor": "self", "reason": "自己"}, "successor"),
        ({"successor": "b_cadre", "reason": "外镇"}, "successor"),
        ({"successor": "colleague", "reason": ""}, "reason"),
    ],
)
def test_a_bad_hand_over_comes_back_with_its_message(personas, work, data, field):
    data = dict(data)
    who = data.pop("successor", None)
    if who:
        data["successor"] = {"self": personas.cadre, "b_cadre": personas.b_cadre, "colleague": personas.colleague}[
            who
        ].pk
    response = office_client(personas.office).post(url(personas.cadre), data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not AdministrativeChange.objects.filter(action="hand_over").exists()
    work["assigned"].refresh_from_db()
    assert work["assigned"].assignee == personas.cadre


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("leader", 403),
        ("cadre", 403),
        ("secretary", 403),
        ("commissioner", 403),
        ("observer", 403),
        ("b_office", 404),
        ("b_leader", 403),
        ("office", 200),
        ("admin", 200),
    ],
)
def test_only_the_townships_office_hands_over(personas, persona, status):
    assert office_client(getattr(personas, persona)).get(url(personas.colleague)).status_code == status


@pytest.mark.django_db
def test_the_other_townships_office_hands_over_its_own_people(personas):
    item = item_in_state(personas, "assigned")
    assert office_client(personas.b_office).get(url(personas.b_cadre)).status_code == 200
    response = office_client(personas.b_office).post(
        url(personas.b_cadre), {"successor": personas.b_organiser.pk, "reason": "调动"}
    )
    assert response.status_code == 302
    assert User.objects.get(pk=personas.b_cadre.pk).is_active  # not asked to deactivate
    item.refresh_from_db()
    assert item.assignee == personas.cadre  # 青山镇's work is not touched
