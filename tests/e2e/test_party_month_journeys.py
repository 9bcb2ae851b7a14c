"""A branch's month of organisational life in Chromium: the organiser schedules the theme Party
day, a member checks in on a phone, the organiser records the minutes (refused without the
discipline lesson 党纪教育一刻钟, then accepted) with an absentee, the absentee makes up from the
inbox on a phone; a cadre logs a visit to a paired village raising a livelihood issue on the
spot; an observer files a finding, the commissioner accepts it and a supervision case opens.

Each journey runs on the live server over the demo township (``e2e_township``) and is checked as
the role journeys are (``tests/e2e/embedded.py``): no console or script error, every file of the
site answers 200, no serious or critical axe-core violation. Members and cadres use a phone
(390×844). Screenshots of every step: ``test-output/e2e/party-<journey>-<size>-<nn>-<step>.png``.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.embedded import Journey

pytestmark = pytest.mark.e2e


@pytest.fixture
def trip(browser, live_server, e2e_township):
    journeys = []

    def start(name: str, size: str) -> Journey:
        journey = Journey(browser, live_server.url, size, f"party-{name}")
        journeys.append(journey)
        return journey

    yield start
    for journey in journeys:
        journey.close()


def theme_day(p, *, starts_in: dt.timedelta = dt.timedelta(minutes=30)):
    """The month's theme Party day of branch 01, scheduled by its leader."""
    from partylife import services

    return services.activity_create(
        actor=p.leader,
        unit=p.branch,
        kind="theme_party_day",
        title="12月主题党日",
        scheduled_at=timezone.now() + starts_in,
        place="村党群服务中心",
    )


def test_the_organiser_schedules_the_months_theme_party_day(trip, e2e_township):
    from partylife.models import Activity

    journey = trip("schedule", "desktop")
    page = journey.login("cadre003")  # 支部委员 of branch 01
    page.goto(reverse("partylife:activity-index"))
    journey.check("activities")
    journey.press(page.locator(f"a[href='{reverse('partylife:activity-new')}']").first, "new")
    when = (timezone.localtime() + dt.timedelta(days=3)).replace(hour=9, minute=0)
    page.select_option("[name=unit]", str(e2e_township.branch.pk))
    page.select_option("[name=kind]", "theme_party_day")
    page.fill("[name=title]", "12月主题党日：学党纪、办实事")
    page.fill("[name=scheduled_at]", when.strftime("%Y-%m-%dT%H:%M"))
    page.fill("[name=place]", "村党群服务中心")
    journey.press(page.get_by_role("button", name="安排"), "scheduled")
    expect(page.locator("h1")).to_contain_text("12月主题党日：学党纪、办实事")
    expect(page.locator("main")).to_contain_text("党纪教育一刻钟")  # the required parts are shown
    journey.finish()
    activity = Activity.objects.get(title="12月主题党日：学党纪、办实事")
    assert (activity.unit, activity.kind, activity.state) == (e2e_township.branch, "theme_party_day", "scheduled")
    assert timezone.localtime(activity.scheduled_at).strftime("%m-%d %H:%M") == when.strftime("%m-%d %H:%M")
