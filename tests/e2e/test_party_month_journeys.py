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
import importlib

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.embedded import Journey

pytestmark = pytest.mark.e2e


@pytest.fixture
def trip(browser, live_server, e2e_township):
    """Journeys (``trip(name, size)``) on the live server, over the demo township with the default
    parts of each kind of activity (a migration's data, which the transactional tests flush)."""
    from django.apps import apps

    importlib.import_module("partylife.migrations.0002_default_parts").add_defaults(apps, None)
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


def test_a_member_checks_in_on_a_phone_within_the_window(trip, e2e_township):
    from partylife.models import Attendance

    later = theme_day(e2e_township, starts_in=dt.timedelta(days=2))  # its window is not open yet
    activity = theme_day(e2e_township)  # starts in half an hour: the window is open
    journey = trip("check-in", "phone")
    page = journey.login("cadre001")
    page.goto(reverse("partylife:activity-detail", args=[later.pk]))
    expect(page.get_by_role("button", name="签到")).to_be_disabled()
    journey.check("not-yet")
    page.goto(reverse("lists:inbox"))
    journey.check("inbox")
    journey.press(page.locator(f"main a[href='{reverse('partylife:activity-detail', args=[activity.pk])}']").first)
    journey.press(page.get_by_role("button", name="签到"), "checked-in")
    journey.expect_message("签到成功")
    expect(page.locator("main")).to_contain_text("您已签到")
    journey.finish()
    assert list(Attendance.objects.values_list("activity", "user")) == [(activity.pk, e2e_township.cadre.pk)]


def test_the_organiser_records_the_minutes_with_the_discipline_lesson_and_an_absentee(trip, e2e_township):
    from partylife import services
    from partylife.models import Absence, Activity

    p = e2e_township
    activity = theme_day(p, starts_in=dt.timedelta(minutes=-90))
    services.activity_check_in(activity=activity, actor=p.cadre)
    journey = trip("record", "desktop")
    page = journey.login("leader01")
    page.goto(reverse("partylife:activity-detail", args=[activity.pk]))
    journey.press(page.get_by_role("link", name="记录活动"), "record-form")
    page.fill("[name=minutes]", "重温入党誓词；集中学习党纪处分条例；交纳党费；议定村道修缮事项。")
    page.get_by_label("党纪教育一刻钟").uncheck()
    absent = page.locator(".pl-member", has_text=p.colleague.display_name or p.colleague.username)
    absent.locator("input[type=checkbox]").check()
    absent.locator("input[type=text]").fill("病假")
    journey.press(page.get_by_role("button", name="记录", exact=True), "refused-without-the-lesson")
    expect(page.locator(".pl-errors").first).to_contain_text("党纪教育一刻钟")
    assert Activity.objects.get(pk=activity.pk).state == "scheduled"
    # the refusal is the page's answer (400), which Chromium also reports on the console
    journey.problems = [x for x in journey.problems if "status of 400" not in x]
    page.get_by_label("党纪教育一刻钟").check()
    journey.press(page.get_by_role("button", name="记录", exact=True), "recorded")
    journey.expect_message("活动已记录")
    expect(page.locator("main")).to_contain_text("病假")
    journey.finish()
    activity.refresh_from_db()
    assert activity.state == "recorded" and "discipline_lesson" in activity.parts
    assert list(Absence.objects.values_list("user", "reason")) == [(p.colleague.pk, "病假")]


def test_the_absentee_makes_up_from_the_inbox_on_a_phone(trip, e2e_township):
    from partylife import services
    from partylife.models import Absence, RequiredPart

    p = e2e_township
    activity = theme_day(p, starts_in=dt.timedelta(hours=-3))
    parts = list(RequiredPart.objects.filter(kind="theme_party_day").values_list("part__code", flat=True))
    services.activity_record(
        activity=activity,
        actor=p.leader,
        minutes="学习党纪处分条例。",
        parts=parts,
        absentees=[{"user": p.colleague, "reason": "公差"}],
    )
    journey = trip("make-up", "phone")
    page = journey.login("cadre002")
    page.goto(reverse("lists:inbox"))
    row = page.locator("main li, main tr", has_text="补学").filter(has_text=activity.title).first
    expect(row).to_be_visible()
    journey.check("inbox")
    journey.press(row.get_by_role("link", name=activity.title), "activity")
    page.fill("[name=note]", "自学《中国共产党纪律处分条例》第三章并写学习心得。")
    journey.press(page.get_by_role("button", name="登记补学"), "made-up")
    expect(page.locator("main")).not_to_contain_text("登记补学")
    journey.finish()
    assert Absence.objects.get(activity=activity, user=p.colleague).makeup_done_at is not None


def test_a_cadre_logs_a_visit_to_a_paired_village_raising_an_issue_on_the_spot(trip, e2e_township):
    from issues.models import LivelihoodIssue
    from organization.models import Pairing
    from partylife.models import Visit

    p = e2e_township
    village = Pairing.objects.filter(branch=p.branch).select_related("partner").first().partner
    journey = trip("visit", "phone")
    page = journey.login("cadre001")
    page.goto(reverse("partylife:visit-index"))
    journey.check("visits")
    page.select_option("[name=unit]", str(village.pk))
    page.fill("[name=companions]", "村支书")
    page.fill("[name=notes]", "走访困难户3户，了解冬季取暖情况。")
    page.get_by_text("现场登记民生问题").click()
    page.fill("[name=issue_title]", "村口路灯损坏，夜间出行不便")
    page.fill("[name=issue_description]", "村口至小学路段3盏路灯不亮。")
    journey.check("filled-in")
    journey.press(page.get_by_role("button", name="登记走访"), "logged")
    journey.expect_message("走访已登记")
    expect(page.locator("main")).to_contain_text(village.name)
    visit = Visit.objects.get()
    (issue,) = LivelihoodIssue.objects.filter(pk__in=visit.issue_ids)
    page.goto(reverse("issues:issue-detail", args=[issue.pk]))
    expect(page.locator("h1")).to_contain_text("村口路灯损坏")
    journey.check("the-issue")
    journey.finish()
    assert (visit.unit, visit.visitor, visit.branch) == (village, p.cadre, p.branch)
    assert (issue.source, issue.registered_by) == ("visit", p.cadre)


def test_an_observers_finding_becomes_a_supervision_case(trip, e2e_township):
    from partylife.models import Finding
    from supervision.models import SupervisionCase

    p = e2e_township
    journey = trip("finding", "desktop")
    page = journey.login("observer01")
    page.goto(reverse("partylife:finding-index"))
    journey.check("findings")
    page.select_option("[name=unit]", str(p.other_branch.pk))
    page.fill("[name=title]", "便民服务窗口工作时间无人值守")
    page.fill("[name=description]", "12月3日上午10时，便民服务窗口无人，群众等候40分钟。")
    journey.press(page.get_by_role("button", name="提交"), "filed")
    finding = Finding.objects.get()
    page = journey.login("commissioner02")  # district 1: branch 02 is theirs
    page.goto(reverse("lists:inbox"))
    journey.check("inbox")
    journey.press(page.locator("main").get_by_role("link", name=finding.title).first, "finding")
    journey.press(page.get_by_role("button", name="受理并立案督办"), "accepted")
    journey.press(page.get_by_role("link", name="已立案的督办案件"), "case")
    expect(page.locator("h1")).to_contain_text("便民服务窗口工作时间无人值守")
    expect(page.locator("main")).to_contain_text(p.other_branch.name)
    journey.finish()
    finding.refresh_from_db()
    assert finding.state == "accepted"
    assert SupervisionCase.objects.get(pk=finding.case_id).unit == p.other_branch
