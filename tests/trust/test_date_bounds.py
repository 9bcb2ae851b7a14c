"""Property: no out-of-range date reaches the database through any write path (issue 19 §2).

Dates of year 1, 0001-01-02, 9999-12-31, the far and near past, more than 400 days ahead and,
for pledges, outside the pledge year go to every path a person writes a deadline through: the
API (items, extensions of items and work orders, pledges, a staged resolution), the pages'
forms and the Excel import. Every answer is a refusal (400 or the form redisplayed), never a
500, and nothing is stored. One township seed per path; hypothesis varies only the date.
"""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from issues.models import LivelihoodIssue
from lists.models import ExtensionRequest, ResponsibilityItem
from pledges.models import Pledge
from tests.issues.issue_fixtures import IssuePeople, issue_in_state
from tests.lists.pages_helpers import build_list
from tests.lists.test_excel import XLSX, good_rows, workbook_bytes
from tests.pledges.pledge_helpers import TEXT, make_pledge

MAX_EXAMPLES = 12  # besides the fixed dates, each tried on every path
REFUSED = (200, 400)  # pages redisplay their form (200) or answer 400; the API answers 400


# Tried on every path before the generated ones; a pledge's path also tries next New Year's Day
# (within 400 days, outside the pledge year).
FIXED_DATES = [dt.date(1, 1, 1), dt.date(1, 1, 2), dt.date(9999, 12, 31), dt.date(1999, 12, 31), dt.date(2101, 1, 1)]


def bad_dates(*, pledge: bool = False) -> st.SearchStrategy[dt.date]:
    today = timezone.localdate()
    return st.one_of(
        st.dates(min_value=dt.date(1, 1, 1), max_value=today - dt.timedelta(days=1)),
        st.dates(min_value=today + dt.timedelta(days=401), max_value=dt.date(9999, 12, 31)),
    )


def moment_text(day: dt.date) -> str:
    """A deadline on ``day`` as a person types it: 01:00 local time (year 1 shifts before year 1 in UTC)."""
    return dt.datetime.combine(day, dt.time(1, 0)).isoformat(timespec="minutes")


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=user)
    return client


def page(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def item_fields(personas, due_at: str) -> dict:
    return {
        "title": "年份检查",
        "standard": "按时完成",
        "assignee": personas.cadre.pk,
        "lead_leader": personas.leader.pk,
        "due_at": due_at,
    }


# Each path: setup(personas) → context; write(personas, context, date) → response;
# stored(context) → whether anything of the write reached the database.


def _draft_list(personas):
    return {"list": build_list(personas, items=0, publish=False)}


def _draft_item(personas):
    lst = build_list(personas, items=1, publish=False)
    item = lst.items.get()
    return {"list": lst, "item": item, "due_at": item.due_at}


def _assigned_item(personas):
    return {"item": build_list(personas, items=1).items.get()}


def _issue(personas):
    people = IssuePeople(personas)
    return {"people": people, "issue": issue_in_state(people, "in_progress")}


def _draft_pledge(personas):
    pledge = make_pledge(personas.cadre, personas.leader)
    return {"pledge": pledge, "due_date": pledge.due_date}


def _nothing(personas):
    return {}


def _import_page(personas, ctx, day):
    rows = good_rows(personas, n=2)
    rows[1][4] = day if day.year >= 1900 else day.isoformat()  # Excel holds no date before 1900
    upload = SimpleUploadedFile("list.xlsx", workbook_bytes(rows), content_type=XLSX)
    return page(personas.leader).post(reverse("lists:list-import", args=[ctx["list"].pk]), {"file": upload})


PATHS = {
    "api item create": (
        _draft_list,
        lambda p, c, d: api(p.leader).post("/api/v1/items/", {"list": c["list"].pk, **item_fields(p, moment_text(d))}),
        lambda c: c["list"].items.exists(),
        False,
    ),
    "api item patch": (
        _draft_item,
        lambda p, c, d: api(p.leader).patch(f"/api/v1/items/{c['item'].pk}/", {"due_at": moment_text(d)}),
        lambda c: ResponsibilityItem.objects.get(pk=c["item"].pk).due_at != c["due_at"],
        False,
    ),
    "api item extension": (
        _assigned_item,
        lambda p, c, d: api(p.cadre).post(
            "/api/v1/extensions/", {"item": c["item"].pk, "new_due_at": moment_text(d), "reason": "材料未到"}
        ),
        lambda c: ExtensionRequest.objects.exists(),
        False,
    ),
    "api issue extension": (
        _issue,
        lambda p, c, d: api(c["people"].handler).post(
            "/api/v1/extensions/", {"issue": c["issue"].pk, "new_due_at": moment_text(d), "reason": "材料未到"}
        ),
        lambda c: ExtensionRequest.objects.exists(),
        False,
    ),
    "api staged resolution": (
        _issue,
        lambda p, c, d: api(c["people"].handler).post(
            f"/api/v1/livelihood-issues/{c['issue'].pk}/transitions/resolve/",
            {"result": "部分完成", "resolution": "staged", "remaining_plan": "下月完成", "remaining_due_date": d},
        ),
        lambda c: LivelihoodIssue.objects.get(pk=c["issue"].pk).state != "in_progress",
        False,
    ),
    "api pledge create": (
        _nothing,
        lambda p, c, d: api(p.cadre).post(
            "/api/v1/pledges/", {"text": TEXT, "due_date": d, "category": "people_needs"}
        ),
        lambda c: Pledge.objects.exists(),
        True,
    ),
    "api pledge patch": (
        _draft_pledge,
        lambda p, c, d: api(p.cadre).patch(f"/api/v1/pledges/{c['pledge'].pk}/", {"due_date": d}),
        lambda c: Pledge.objects.get(pk=c["pledge"].pk).due_date != c["due_date"],
        True,
    ),
    "page item create": (
        _draft_list,
        lambda p, c, d: page(p.leader).post(
            reverse("lists:item-create", args=[c["list"].pk]), item_fields(p, moment_text(d))
        ),
        lambda c: c["list"].items.exists(),
        False,
    ),
    "page item edit": (
        _draft_item,
        lambda p, c, d: page(p.leader).post(
            reverse("lists:item-edit", args=[c["item"].pk]), item_fields(p, moment_text(d))
        ),
        lambda c: ResponsibilityItem.objects.get(pk=c["item"].pk).due_at != c["due_at"],
        False,
    ),
    "page item extension": (
        _assigned_item,
        lambda p, c, d: page(p.cadre).post(
            reverse("lists:item-extension", args=[c["item"].pk]),
            {"ext-new_due_at": moment_text(d), "ext-reason": "材料未到"},
        ),
        lambda c: ExtensionRequest.objects.exists(),
        False,
    ),
    "page staged resolution": (
        _issue,
        lambda p, c, d: page(c["people"].handler).post(
            reverse("issues:issue-transition", args=[c["issue"].pk, "resolve"]),
            {"result": "部分完成", "resolution": "staged", "remaining_plan": "下月完成", "remaining_due_date": d},
        ),
        lambda c: LivelihoodIssue.objects.get(pk=c["issue"].pk).state != "in_progress",
        False,
    ),
    "page pledge create": (
        _nothing,
        lambda p, c, d: page(p.cadre).post(
            reverse("pledges:pledge-mine"), {"text": TEXT, "due_date": d, "category": "people_needs"}
        ),
        lambda c: Pledge.objects.exists(),
        True,
    ),
    "page pledge edit": (
        _draft_pledge,
        lambda p, c, d: page(p.cadre).post(
            reverse("pledges:pledge-edit", args=[c["pledge"].pk]),
            {"text": TEXT, "due_date": d, "category": "people_needs"},
        ),
        lambda c: Pledge.objects.get(pk=c["pledge"].pk).due_date != c["due_date"],
        True,
    ),
    "page excel import": (
        _draft_list,
        _import_page,
        lambda c: c["list"].items.exists(),
        False,
    ),
}


@pytest.mark.parametrize("path", PATHS)
def test_out_of_range_dates_are_refused_and_never_stored(path, township):
    setup, write, stored, pledge = PATHS[path]
    context = setup(township)

    @given(day=bad_dates(pledge=pledge))
    @settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    def refused(day):
        response = write(township, context, day)
        assert response.status_code in REFUSED, (day, response.status_code)
        assert not stored(context), day

    for day in FIXED_DATES + ([dt.date(timezone.localdate().year + 1, 1, 1)] if pledge else []):
        refused.hypothesis.inner_test(day)
    refused()
