"""Read cache and livelihood work orders (民生工单): once dispatched, an order's steps are the
business of the townships of its handling unit, co-units and handler only. Other townships keep
their kept answers; the order's own townships' answers (the dashboard, the overdue queue) are
never stale. An order not dispatched yet names no township: its writes drop every answer.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from organization.models import Jurisdiction, Membership
from responsibilities import services
from responsibilities.models import LivelihoodIssue
from tests.responsibilities.issue_fixtures import (
    people_fixture,  # noqa: F401 (the people fixture)
    register,
)
from tests.workflows.test_readcache import assert_fresh, browser, token_client
from tests.workflows.test_readcache_pledges import far_keys, moved_by
from tests.workflows.test_readcache_trees import queries_of

pytestmark = pytest.mark.django_db

Issue = LivelihoodIssue


def dispatched_far(people, far) -> Issue:
    issue = register(people)
    return services.issue_dispatch(issue=issue, actor=people.dispatcher, handler=far.cadre, unit=far.branch)


def fresh(issue: Issue) -> Issue:
    return Issue.objects.get(pk=issue.pk)


def in_progress(people, far) -> Issue:
    issue = services.issue_accept(issue=dispatched_far(people, far), actor=far.cadre)
    return services.issue_report_progress(issue=issue, actor=far.cadre, text="已联系供电所")


def resolved(people, far) -> Issue:
    return services.issue_resolve(
        issue=in_progress(people, far), actor=far.cadre, result="已更换", resolution="substantive"
    )


def later(issue: Issue) -> dt.datetime:
    return issue.due_at + dt.timedelta(days=2)


STEPS = {
    "accept": (dispatched_far, lambda i, p, far: services.issue_accept(issue=i, actor=far.cadre)),
    "reject": (dispatched_far, lambda i, p, far: services.issue_reject(issue=i, actor=far.cadre, reason="不归我们")),
    "report progress": (
        lambda p, far: services.issue_accept(issue=dispatched_far(p, far), actor=far.cadre),
        lambda i, p, far: services.issue_report_progress(issue=i, actor=far.cadre, text="已联系"),
    ),
    "resolve": (
        in_progress,
        lambda i, p, far: services.issue_resolve(issue=i, actor=far.cadre, result="已更换", resolution="substantive"),
    ),
    "follow up": (
        resolved,
        lambda i, p, far: services.issue_follow_up(issue=i, actor=p.dispatcher, satisfaction="satisfied"),
    ),
    "reopen": (
        resolved,
        lambda i, p, far: services.issue_reopen(
            issue=services.issue_follow_up(issue=i, actor=p.dispatcher, satisfaction="unsatisfied"),
            actor=p.dispatcher,
            comment="群众不满意",
        ),
    ),
    "close": (resolved, lambda i, p, far: services.issue_close(issue=i, actor=p.dispatcher, reason="已尽力")),
    "cancel": (dispatched_far, lambda i, p, far: services.issue_cancel(issue=i, actor=p.dispatcher, reason="重复")),
    "ask for an extension": (
        in_progress,
        lambda i, p, far: services.issue_extension_request(
            issue=i, actor=far.cadre, new_due_at=later(i), reason="等材料"
        ),
    ),
    "approve an extension": (
        lambda p, far: services.issue_extension_request(
            issue=(i := in_progress(p, far)), actor=far.cadre, new_due_at=later(i), reason="等材料"
        ),
        lambda e, p, far: services.issue_extension_approve(extension=e, actor=p.dispatcher),
    ),
    "reject an extension": (
        lambda p, far: services.issue_extension_request(
            issue=(i := in_progress(p, far)), actor=far.cadre, new_due_at=later(i), reason="等材料"
        ),
        lambda e, p, far: services.issue_extension_reject(extension=e, actor=p.dispatcher, reason="理由不足"),
    ),
}


@pytest.mark.parametrize("name", STEPS)
def test_a_dispatched_orders_steps_are_its_townships_business_only(personas, people, far, name):
    build, step = STEPS[name]
    subject = build(people, far)
    if isinstance(subject, Issue):
        subject = fresh(subject)
    assert moved_by(lambda: step(subject, people, far), *far_keys(personas, far)) == [0, 1, 0]


def dispatch(people, issue, handler, unit, co_units=()):
    return lambda: services.issue_dispatch(
        issue=fresh(issue), actor=people.dispatcher, handler=handler, unit=unit, co_units=co_units
    )


def test_dispatching_is_the_business_of_where_the_order_goes(personas, people, far):
    issue = register(people)
    keys = far_keys(personas, far)
    assert moved_by(dispatch(people, issue, far.cadre, far.branch), *keys) == [0, 1, 0]
    # rejected there and dispatched here: each step moves the township it leaves or enters
    assert moved_by(lambda: services.issue_reject(issue=fresh(issue), actor=far.cadre, reason="不退"), *keys) == [
        0,
        1,
        0,
    ]
    assert moved_by(dispatch(people, issue, people.handler, people.unit), *keys) == [0, 0, 1]


def test_co_units_and_the_handlers_units_are_moved_too(personas, people, far):
    issue = register(people)
    keys = far_keys(personas, far)
    assert moved_by(dispatch(people, issue, far.cadre, far.branch, [people.unit]), *keys) == [0, 1, 1]
    Membership.objects.create(user=people.handler, unit=far.branch, role=Membership.Role.CADRE)
    other = dispatch(people, register(people), people.handler, people.unit)()
    assert moved_by(lambda: services.issue_accept(issue=fresh(other), actor=people.handler), *keys) == [0, 1, 1]


def test_an_order_not_dispatched_is_everyones_business(personas, people, far):
    keys = far_keys(personas, far)
    assert moved_by(lambda: register(people), *keys)[0] == 1
    issue = register(people)
    assert (
        moved_by(lambda: services.issue_answer(issue=fresh(issue), actor=people.dispatcher, result="已解释"), *keys)[0]
        == 1
    )


def test_with_shared_figures_the_dashboard_follows_its_townships_orders(
    personas, people, near, far, shared_report_figures
):
    secretary = browser(personas.secretary)
    assert secretary.get("/reports/").status_code == 200
    far_issue = dispatched_far(people, far)
    here = services.issue_dispatch(
        issue=register(people), actor=people.dispatcher, handler=people.handler, unit=people.unit
    )
    assert queries_of(secretary, "/reports/") > 2  # the second dispatch is the demo township's
    services.issue_accept(issue=fresh(far_issue), actor=far.cadre)
    assert queries_of(secretary, "/reports/") <= 2  # kept: another township's order
    services.issue_accept(issue=fresh(here), actor=people.handler)
    assert queries_of(secretary, "/reports/") > 2  # computed again: its own township's


def test_the_order_overdue_queue_shows_its_townships_orders_at_once(personas, people, far):
    Jurisdiction.objects.get(unit=personas.unit("district1")).covers.add(far.branch)
    client = token_client(personas.commissioner)
    url = "/api/v1/supervision/overdue/?subject_type=issue"
    issue = in_progress(people, far)
    Issue.objects.filter(pk=issue.pk).update(due_at=timezone.now() - dt.timedelta(days=3))
    before = assert_fresh(client, url).json()["count"]
    assert before >= 1
    services.issue_resolve(issue=fresh(issue), actor=far.cadre, result="已更换", resolution="substantive")
    assert assert_fresh(client, url).json()["count"] == before - 1
