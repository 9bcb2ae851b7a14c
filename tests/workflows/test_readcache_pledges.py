"""Read cache and pledges (承诺践诺): a pledge's steps are the business of its branch's township and
of the member's units' townships only. Other townships keep their kept answers; the pledge's own
township's answers (the dashboard's pledge figures, the pledge overdue queue) are never stale.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from organization.models import Jurisdiction, Membership
from responsibilities import pledge_flows, services
from responsibilities.models import Pledge
from tests.responsibilities.pledge_helpers import make_pledge
from tests.workflows.test_readcache import assert_fresh, assert_fresh_page, browser, token_client
from tests.workflows.test_readcache_trees import counter_values, queries_of
from workflows import readcache

pytestmark = pytest.mark.django_db


def moved_by(action, *keys) -> list[int]:
    start = counter_values(*keys)
    action()
    return [b - a for a, b in zip(start, counter_values(*keys), strict=True)]


def far_keys(personas, far):
    return (
        readcache.GENERATION_KEY,
        readcache.tree_key(readcache.root_of(far.branch.path)),
        readcache.tree_key(readcache.root_of(personas.branch.path)),
    )


STEPS = {
    # name: (the state it starts from, the step)
    "create": (None, lambda p, far: make_pledge(far.cadre, far.leader)),
    "update": (
        "draft",
        lambda p, far: services.pledge_update(
            pledge=p, actor=far.cadre, text="每月走访三户。", due_date=p.due_date, category=p.category
        ),
    ),
    "submit": ("draft", lambda p, far: pledge_flows.flow_submit(pledge=p, actor=far.cadre)),
    "approve": ("submitted", lambda p, far: pledge_flows.flow_review(pledge=p, actor=far.leader, approve=True)),
    "return": (
        "submitted",
        lambda p, far: pledge_flows.flow_review(pledge=p, actor=far.leader, approve=False, reason="不够具体"),
    ),
    "claim": ("approved", lambda p, far: pledge_flows.flow_claim(pledge=p, actor=far.cadre, evidence_text="走访记录")),
    "confirm": ("claimed", lambda p, far: pledge_flows.flow_confirmation(pledge=p, actor=far.leader, confirm=True)),
    "reject claim": (
        "claimed",
        lambda p, far: pledge_flows.flow_confirmation(pledge=p, actor=far.leader, confirm=False, reason="还差一户"),
    ),
    "mark unfulfilled": (
        "approved",
        lambda p, far: pledge_flows.flow_close(
            pledge=p, actor=far.leader, method="pledge_mark_unfulfilled", reason="资金未到位"
        ),
    ),
    "withdraw": (
        "draft",
        lambda p, far: pledge_flows.flow_close(pledge=p, actor=far.cadre, method="pledge_withdraw"),
    ),
    "record a check": (
        "approved",
        lambda p, far: services.pledge_record_check(pledge=p, actor=far.cadre, kind="self_monthly", note="推进中"),
    ),
    "evaluate": (
        "fulfilled",
        lambda p, far: services.pledge_evaluate(pledge=p, actor=far.leader, rater="organisation", rating="excellent"),
    ),
}


@pytest.mark.parametrize("name", STEPS)
def test_a_pledges_steps_are_its_townships_business_only(personas, far, name):
    state, step = STEPS[name]
    pledge = make_pledge(far.cadre, far.leader, state) if state else None
    if pledge is not None:
        pledge = Pledge.objects.get(pk=pledge.pk)
    assert moved_by(lambda: step(pledge, far), *far_keys(personas, far)) == [0, 1, 0]


def test_a_member_of_two_townships_moves_both(personas, far):
    pledge = Pledge.objects.get(pk=make_pledge(far.cadre, far.leader, "submitted").pk)
    Membership.objects.create(user=far.cadre, unit=personas.branch, role=Membership.Role.CADRE)
    moved = moved_by(
        lambda: pledge_flows.flow_review(pledge=pledge, actor=far.leader, approve=True), *far_keys(personas, far)
    )
    assert moved == [0, 1, 1]


def test_another_townships_pledges_keep_the_kept_answers(personas, near, far, django_assert_max_num_queries):
    cadre = token_client(personas.cadre)
    url = "/api/v1/items/?assignee=me"
    cadre.get(url)
    pledge = make_pledge(far.cadre, far.leader, "submitted")
    pledge_flows.flow_review(pledge=pledge, actor=far.leader, approve=True)
    with django_assert_max_num_queries(0):
        assert cadre.get(url).status_code == 200


def test_the_dashboard_shows_its_townships_pledges_at_once(personas, near):
    secretary = browser(personas.secretary)
    secretary.get("/reports/")
    pledge = make_pledge(personas.cadre, personas.leader, "approved")
    assert_fresh_page(secretary, "/reports/")
    pledge_flows.flow_claim(pledge=pledge, actor=personas.cadre, evidence_text="走访记录")
    pledge_flows.flow_confirmation(pledge=Pledge.objects.get(pk=pledge.pk), actor=personas.leader, confirm=True)
    assert_fresh_page(secretary, "/reports/")


def test_with_shared_figures_the_dashboard_follows_its_townships_pledges(personas, near, far, shared_report_figures):
    secretary = browser(personas.secretary)
    assert secretary.get("/reports/").status_code == 200
    make_pledge(far.cadre, far.leader, "approved")
    assert queries_of(secretary, "/reports/") <= 2  # kept: another township's pledge
    make_pledge(personas.cadre, personas.leader, "approved")
    assert queries_of(secretary, "/reports/") > 2  # computed again: its own township's


def test_the_pledge_overdue_queue_shows_its_townships_pledges_at_once(personas, far):
    # the demo commissioner's jurisdiction also covers the far township's branch
    Jurisdiction.objects.get(unit=personas.unit("district1")).covers.add(far.branch)
    client = token_client(personas.commissioner)
    url = "/api/v1/supervision/overdue/?subject_type=pledge"
    pledge = make_pledge(far.cadre, far.leader, "approved")
    Pledge.objects.filter(pk=pledge.pk).update(due_at=timezone.now() - dt.timedelta(days=3))
    before = assert_fresh(client, url).json()["count"]
    assert before >= 1
    pledge_flows.flow_claim(pledge=Pledge.objects.get(pk=pledge.pk), actor=far.cadre, evidence_text="走访记录")
    assert assert_fresh(client, url).json()["count"] == before - 1  # claimed: its clock stops
