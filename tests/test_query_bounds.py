"""Every page and API endpoint that reads data stays within a fixed number of queries.

One world is built with 3 rows of everything (items, comments, progress reports, history,
evidence, extension requests, supervision cases and actions, pledges, checks, work orders,
photos, notifications), every read is measured, then the world grows to 30 rows of everything
and every read is measured again: the count must not change (no N+1) and must stay within the
read's bound, and a list or detail read must show more than before (a read that showed nothing
more would prove nothing). ``test_every_read_url_is_measured`` keeps the table complete: a new GET URL in
``tests/matrix.py`` must get a row in ``READS`` or a reason in ``NOT_MEASURED``.

A bound is the count measured when the row was written plus a little headroom; raising one
needs a reason (a new feature's query), never a loop over rows.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from tests.matrix import MATRIX
from tests.read_world import World

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Read:
    """A GET of URL ``name`` by ``persona``, within ``bound`` queries."""

    name: str
    persona: str
    bound: int
    kwargs: Callable[[World], dict] = lambda w: {}
    query: str = ""
    api: bool = False
    grows: bool = True  # False: the body does not depend on the number of rows (a form, one object, counts)

    @property
    def label(self) -> str:
        return f"{self.name}?{self.query} as {self.persona}" if self.query else f"{self.name} as {self.persona}"


def pk(name: str) -> Callable[[World], dict]:
    return lambda w: {"pk": getattr(w, name).pk}


Q3 = "year=2026&quarter=3"
ISSUES = "issues:issue-"


def _template(world: World):
    from lists.models import RecurringItemTemplate

    return RecurringItemTemplate.objects.get_or_create(unit=world.p.branch, title="每月主题党日", standard="有记录")[0]


def _jurisdiction(world: World):
    return world.p.commissioner.memberships.get(role="commissioner").unit.jurisdiction


READS: list[Read] = [
    # organization
    Read("healthz", "anonymous", 3, grows=False),
    Read("home", "cadre", 8, grows=False),
    Read("home", "leader", 11, grows=False),
    Read("login", "anonymous", 2, grows=False),
    Read("api-me", "cadre", 3, api=True, grows=False),
    # lists and items: pages
    Read("lists:list-index", "leader", 10),
    Read("lists:list-detail", "leader", 9, pk("list")),  # +1: the menu's badges (one COUNT)
    Read("lists:list-export", "leader", 8, pk("list")),
    Read("lists:list-import-template", "leader", 4, grows=False),
    Read("lists:item-detail", "leader", 13, pk("item")),
    Read("lists:item-detail", "cadre", 13, pk("item")),
    Read("lists:my-tasks", "cadre", 8),
    Read("lists:verification-queue", "leader", 8),  # +1: the evidence thumbnails (one prefetch)
    Read("lists:extension-queue", "leader", 7),
    Read("lists:evidence-download", "cadre", 6, pk("evidence"), grows=False),
    # the inbox: one or two queries per kind of subject with steps for the caller (activities:
    # check in and record, make-ups; findings for commissioners; +1 on pages: the menu's badges;
    # +1: whom the caller stands in for, 代理)
    Read("lists:inbox", "cadre", 12),
    Read("lists:inbox", "leader", 16),
    # 已办: a count, a page of log rows, one union for their subjects' titles (+1: the menu's badges)
    Read("lists:inbox-done", "cadre", 9),
    Read("lists:inbox-done", "leader", 9),
    # lists and items: API
    Read("api-inbox", "cadre", 6, api=True),
    Read("api-inbox", "leader", 10, api=True),
    Read("api-inbox-done", "cadre", 4, api=True),
    Read("api-inbox-done", "leader", 4, api=True),
    Read("api-list-list", "leader", 4, api=True),
    Read("api-list-detail", "leader", 3, pk("list"), api=True, grows=False),
    Read("api-list-history", "leader", 4, pk("list"), api=True, grows=False),
    Read("api-list-transitions", "leader", 3, pk("list"), api=True, grows=False),
    Read("api-item-list", "cadre", 4, query="assignee=me", api=True),
    Read("api-item-list", "leader", 4, query="state=in_progress", api=True),
    Read("api-item-list", "commissioner", 4, query="overdue=true", api=True),
    Read("api-item-detail", "cadre", 3, pk("item"), api=True, grows=False),
    Read("api-item-history", "leader", 3, pk("item"), api=True),
    Read("api-item-transitions", "cadre", 2, pk("item"), api=True, grows=False),
    Read("api-extension-list", "leader", 4, api=True),
    Read("api-extension-detail", "leader", 3, pk("extension"), api=True, grows=False),
    Read("api-extension-history", "leader", 4, pk("extension"), api=True, grows=False),
    Read("api-extension-transitions", "leader", 3, pk("extension"), api=True, grows=False),
    # pledges
    Read("pledges:pledge-mine", "cadre", 8),
    Read("pledges:pledge-review", "leader", 10),
    Read("pledges:pledge-boards", "cadre", 7, grows=False),
    Read("pledges:pledge-board", "cadre", 9, lambda w: {"unit_pk": w.p.branch.pk}),
    Read("pledges:pledge-board-export", "cadre", 7, lambda w: {"unit_pk": w.p.branch.pk}),
    Read("pledges:pledge-detail", "leader", 10, pk("pledge")),
    Read("pledge-list", "leader", 4, api=True),
    Read("pledge-detail", "leader", 3, pk("pledge"), api=True, grows=False),
    Read("pledge-checks", "leader", 4, pk("pledge"), api=True),
    Read("pledge-evaluations", "leader", 4, pk("pledge"), api=True, grows=False),
    Read("pledge-history", "leader", 4, pk("pledge"), api=True, grows=False),
    Read("pledge-transitions", "leader", 3, pk("pledge"), api=True, grows=False),
    # livelihood issues (dispatcher leader01, handler cadre006)
    Read(ISSUES + "list", "leader", 8),
    Read(ISSUES + "register", "cadre", 7, grows=False),
    Read(ISSUES + "dispatch-board", "leader", 8),
    Read(ISSUES + "mine", "other_cadre", 7),
    Read(ISSUES + "follow-ups", "leader", 8),
    Read(ISSUES + "places", "leader", 10, grows=False),
    Read(ISSUES + "detail", "other_cadre", 13, pk("issue")),
    Read(ISSUES + "photo", "other_cadre", 8, pk("photo"), grows=False),
    Read("livelihood-issue-list", "leader", 4, api=True),
    Read("livelihood-issue-list", "other_cadre", 4, api=True),
    Read("livelihood-issue-detail", "other_cadre", 5, pk("issue"), api=True),
    Read("livelihood-issue-history", "other_cadre", 4, pk("issue"), api=True),
    Read("livelihood-issue-transitions", "other_cadre", 3, pk("issue"), api=True, grows=False),
    Read("livelihood-issue-photos", "other_cadre", 4, pk("issue"), api=True),
    # supervision
    Read("supervision:queue", "commissioner", 12),
    Read("supervision:overview", "commissioner", 8, grows=False),
    Read("supervision:overview", "leader", 7, grows=False),
    Read("supervision:case-list", "commissioner", 9),
    Read("supervision:case-detail", "commissioner", 11, pk("case")),
    Read(
        "supervision:case-open",
        "commissioner",
        8,
        lambda w: {"subject_type": "item", "subject_id": w.plain_item.pk},
        grows=False,
    ),
    Read("api-overdue-queue", "commissioner", 6, api=True),
    Read("supervision-case-list", "commissioner", 6, api=True),
    Read("supervision-case-detail", "commissioner", 5, pk("case"), api=True),
    Read("supervision-case-history", "commissioner", 6, pk("case"), api=True),
    Read("supervision-case-transitions", "commissioner", 5, pk("case"), api=True, grows=False),
    # notifications
    Read("notifications:inbox", "cadre", 8),
    Read("notifications:preferences", "cadre", 8, grows=False),  # +1: the work-notice channels that reach them
    Read("api-notifications", "cadre", 4, api=True),
    # search and printing
    # (the world's rows are not named after the query: the answer's size does not follow them)
    Read("search", "leader", 13, query="q=%E4%BB%BB%E5%8A%A1", grows=False),
    Read("api-search", "leader", 8, query="q=%E4%BB%BB%E5%8A%A1", api=True, grows=False),
    Read("lists:list-print", "leader", 9, pk("list")),
    Read(ISSUES + "print", "other_cadre", 9, pk("issue"), grows=False),  # one object
    Read("supervision:case-print", "commissioner", 10, pk("case"), grows=False),  # one object
    # the township office (the world grows business rows, not people or pairings)
    Read("office_home", "office", 12, grows=False),
    Read("office_people", "office", 13, grows=False),
    Read("office_person", "office", 13, lambda w: {"pk": w.p.cadre.pk}, grows=False),
    Read("office_pairings", "office", 11, grows=False),
    Read("office_changes", "office", 9, grows=False),
    Read("connect:office", "office", 12, grows=False),
    Read("connect:me", "cadre", 9, grows=False),
    Read("office_units", "office", 12, grows=False),
    Read("office_unit", "office", 12, lambda w: {"pk": w.p.unit("district1").pk}, grows=False),
    Read("office_templates", "office", 13, grows=False),
    Read("office_template", "office", 14, lambda w: {"pk": _template(w).pk}, grows=False),
    Read("office_calendar", "office", 11, grows=False),
    Read("office_jurisdictions", "office", 12, grows=False),
    Read("office_jurisdiction", "office", 12, lambda w: {"pk": _jurisdiction(w).pk}, grows=False),
    Read("office_import", "office", 8, grows=False),
    Read("office_import_template", "office", 6, grows=False),
    Read("office_policies", "office", 10, grows=False),
    Read("office_policy_edit", "office", 10, grows=False),
    # reports (Party building's figures: required parts, activities held, visits, pairings; +1: the menu's badges)
    # Party building in the score: 三会一课 obligations, findings accepted, honours, each township's scheme;
    # +1: leaders' late verifications, +1 when some leader verified late: their memberships.
    Read("reports:dashboard", "secretary", 34, query=Q3),
    Read("reports:dashboard", "leader", 34, query=Q3),
    Read("reports:dashboard", "commissioner", 35, query=Q3),
    Read("reports:dashboard-xlsx", "secretary", 10, query=Q3),
    Read("reports-quarterly", "secretary", 24, query=Q3, api=True),
    Read("reports-quarterly-xlsx", "secretary", 24, query=Q3, api=True),
    # Party life
    # + the photos of the upcoming and the recent activities (one prefetch each).
    Read("partylife:activity-index", "cadre", 16),
    Read("partylife:activity-new", "leader", 6, grows=False),
    Read("partylife:activity-detail", "leader", 12, pk("activity"), grows=False),
    Read("partylife:activity-record", "leader", 12, pk("open_activity"), grows=False),
    Read("partylife:visit-index", "cadre", 9),
    Read("partylife:showcase", "cadre", 13),
    Read("partylife:obligation-index", "leader", 6),
    Read("partylife:worker-index", "office", 8, grows=False),  # one row per worker, not per business row
    Read("partylife:worker-detail", "office", 10, lambda w: {"pk": w.p.party_worker.pk}),
    Read("activity-obligation-list", "leader", 2, api=True),
    Read("activity-obligation-detail", "leader", 1, pk("obligation"), api=True, grows=False),
    Read("showcase-post-list", "cadre", 3, api=True),
    Read("showcase-post-detail", "cadre", 2, pk("showcase_post"), api=True, grows=False),
    Read("showcase-post-history", "cadre", 3, pk("showcase_post"), api=True, grows=False),
    Read("showcase-post-transitions", "cadre", 2, pk("showcase_post"), api=True, grows=False),
    Read("honour-list", "cadre", 2, api=True),
    Read("honour-detail", "cadre", 1, pk("honour"), api=True, grows=False),
    Read("brand-list", "cadre", 3, api=True),
    Read("brand-detail", "cadre", 2, pk("brand"), api=True),
    Read("office_scoring", "office", 9, grows=False),
    Read("partylife:visit-coverage", "leader", 8, query="month=2026-07", grows=False),
    Read("partylife:finding-index", "observer", 7),
    Read("partylife:finding-detail", "commissioner", 8, pk("finding"), grows=False),
    Read("activity-list", "cadre", 6, api=True),
    Read("activity-detail", "cadre", 5, pk("activity"), api=True, grows=False),
    Read("activity-transitions", "leader", 5, pk("open_activity"), api=True, grows=False),
    Read("activity-history", "leader", 5, pk("activity"), api=True, grows=False),
    Read("visit-list", "cadre", 3, api=True),
    Read("visit-detail", "cadre", 2, pk("visit"), api=True, grows=False),
    Read("finding-list", "observer", 3, api=True),
    Read("finding-detail", "commissioner", 2, pk("finding"), api=True, grows=False),
    Read("finding-transitions", "commissioner", 2, pk("finding"), api=True, grows=False),
    Read("finding-history", "commissioner", 3, pk("finding"), api=True, grows=False),
    Read("reports-visits", "leader", 4, query="month=2026-07", api=True, grows=False),
    # stand-ins (代理) and the office's hand-over (交接)
    Read("delegations:index", "cadre", 10),
    Read("delegations:detail", "cadre", 8, pk("delegation"), grows=False),
    Read("delegation-list", "cadre", 3, api=True),
    Read("delegation-detail", "cadre", 2, pk("delegation"), api=True, grows=False),
    Read("delegation-transitions", "cadre", 2, pk("delegation"), api=True, grows=False),
    Read("delegation-history", "cadre", 3, pk("delegation"), api=True, grows=False),
    Read("office_handover", "office", 15, lambda w: {"pk": w.p.cadre.pk}),
]

NOT_MEASURED = {
    "connect:start": "a redirect to the platform's sign-in page: one application row, never a list",
    "connect:callback": "the sign-in callback: one session state, one link (tests/connect against the fake)",
    "delegations:act": "a redirect: it only marks the session as acting for the person",
    "logout": "a POST; its GET answers 405 without reading anything",
    "admin:index": "Django admin: staff only, Django's own pages",
    "api-schema": "the OpenAPI document: generated from code, reads no rows",
    "api-token": "a POST (login by password); its GET answers 405",
    "lists:list-create": "an empty form (the units one leads)",
    "lists:list-import": "an upload form on a draft list (no rows shown)",
    "lists:item-create": "an empty form on a draft list (the unit's people)",
    "lists:item-edit": "a form on a draft item (the unit's people)",
    "pledges:pledge-edit": "a form on one draft pledge",
    "lists:item-extension": "a POST (the request form is on the item page); its GET answers 405",
    "lists:extension-decide": "a POST (approve or reject); its GET answers 405",
}


def _client(user, api: bool):
    if api:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user=user)
        return client
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _measure(world: World) -> dict[Read, tuple[int, int, int]]:
    """(queries, status, body size) of every read."""
    result = {}
    for read in READS:
        user = None if read.persona == "anonymous" else getattr(world.p, read.persona)
        client = _client(user, read.api)
        url = reverse(read.name, kwargs=read.kwargs(world) or None)
        if read.query:
            url = f"{url}?{read.query}"
        client.get(url)  # warm the per-process caches (content types, policies)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
            body = b"".join(response.streaming_content) if response.streaming else response.content
        result[read] = (len(queries.captured_queries), response.status_code, len(body))
    return result


def test_every_read_stays_within_a_bound_that_does_not_grow_with_rows(personas):
    world = World(personas)
    world.grow(3)
    few = _measure(world)
    world.grow(30)
    many = _measure(world)
    problems = []
    for read in READS:
        (n_few, status_few, size_few), (n_many, status_many, size_many) = few[read], many[read]
        if status_few != 200 or status_many != 200:
            problems.append(f"{read.label}: status {status_few} / {status_many}")
        elif read.grows and size_many <= size_few:
            problems.append(f"{read.label}: shows no more with 30 rows than with 3 (is it reading the rows?)")
        elif n_many != n_few:
            problems.append(f"{read.label}: {n_few} queries with 3 rows, {n_many} with 30")
        elif n_many > read.bound:
            problems.append(f"{read.label}: {n_many} queries, bound {read.bound}")
    if os.environ.get("SHOW_QUERY_COUNTS"):  # to set a new row's bound: the counts, (3 rows) / (30 rows)
        print("\n".join(f"{read.label}: {few[read]} / {many[read]} (bound {read.bound})" for read in READS))
    assert not problems, "\n".join(problems)


def test_every_read_url_is_measured():
    gets = {name for name, cases in MATRIX.items() if any(case.method == "get" for case in cases)}
    measured = {read.name for read in READS}
    assert (gets - measured - set(NOT_MEASURED), (measured | set(NOT_MEASURED)) - gets) == (set(), set())
