"""三会一课 minimum frequencies: every branch's obligations of the period, met by a recorded
activity, warned and escalated by the sweep like a late item (both townships)."""

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from partylife import services
from partylife.models import Activity, ActivityFrequency, FrequencyObligation
from partylife.obligations import obligations_open
from supervision.models import SupervisionCase
from workflows import events
from workflows.engine import history
from workflows.sweep import sweep_deadlines

TZ = timezone.get_fixed_timezone(480)
DEC_5 = dt.datetime(2026, 12, 5, 9, 0, tzinfo=TZ)
AFTER_DECEMBER = dt.datetime(
    2027, 1, 7, 9, 0, tzinfo=TZ
)  # past the ladder's first rung (3 working days), before its second


@pytest.fixture
def seen():
    received = []
    events.subscribe(received.append)
    yield received
    events.unsubscribe(received.append)


@pytest.fixture
def opened(personas):
    obligations_open(as_of=DEC_5)
    return personas


def committee_meeting_of(unit, start=dt.date(2026, 12, 1)):
    return FrequencyObligation.objects.get(unit=unit, kind="committee_meeting", period_start=start)


def test_every_branch_of_both_townships_owes_each_minimum_frequency(opened):
    rules = ActivityFrequency.objects.count()
    assert rules >= 4
    for branch in (opened.branch, opened.b_branch):
        assert FrequencyObligation.objects.filter(unit=branch).count() == rules
    monthly = committee_meeting_of(opened.branch)
    assert (monthly.period_start, monthly.period_end) == (dt.date(2026, 12, 1), dt.date(2027, 1, 1))
    quarterly = FrequencyObligation.objects.get(unit=opened.branch, kind="party_lecture")
    assert quarterly.period_start == dt.date(2026, 10, 1)
    assert monthly.state == "open" and history(monthly)[0].transition == "open"


def test_opening_twice_changes_nothing(opened):
    count = FrequencyObligation.objects.count()
    assert obligations_open(as_of=DEC_5 + dt.timedelta(hours=3)).opened == 0
    assert FrequencyObligation.objects.count() == count


def test_the_command_opens_them(personas, capsys):
    call_command("open_party_obligations", "--as-of", "2026-12-05T09:00:00+08:00")
    assert "obligations opened" in capsys.readouterr().out
    assert FrequencyObligation.objects.filter(unit=personas.branch).exists()


def record(personas, unit, organiser, kind, at):
    with time_machine.travel(at - dt.timedelta(minutes=30), tick=False):
        activity = services.activity_create(
            actor=organiser, unit=unit, kind=kind, title=f"{kind} {at:%m-%d}", scheduled_at=at
        )
        return services.activity_record(activity=activity, actor=organiser, minutes="议事", parts=[], absentees=[])


@pytest.mark.parametrize("town", ["qingshan", "baishui"])
def test_a_recorded_committee_meeting_meets_the_months_obligation(opened, town):
    unit, organiser = (opened.branch, opened.organiser) if town == "qingshan" else (opened.b_branch, opened.b_organiser)
    activity = record(opened, unit, organiser, "committee_meeting", DEC_5 + dt.timedelta(days=3))
    obligation = committee_meeting_of(unit)
    assert obligation.state == "met" and obligation.activity == activity
    assert [row.transition for row in history(obligation)] == ["open", "meet"]
    sweep_deadlines(as_of=AFTER_DECEMBER)
    obligation.refresh_from_db()
    assert (obligation.warning_level, obligation.escalation_level) == ("green", 0)


def test_an_activity_recorded_before_the_obligation_existed_meets_it(personas):
    activity = record(personas, personas.branch, personas.organiser, "committee_meeting", DEC_5)
    obligations_open(as_of=DEC_5 + dt.timedelta(days=1))
    assert committee_meeting_of(personas.branch).activity == activity


def test_a_cancelled_activity_does_not_meet_it(opened):
    with time_machine.travel(DEC_5, tick=False):
        activity = services.activity_create(
            actor=opened.organiser, unit=opened.branch, kind="committee_meeting", title="支委会", scheduled_at=DEC_5
        )
        services.activity_cancel(activity=activity, actor=opened.organiser, reason="改期")
    assert committee_meeting_of(opened.branch).state == "open"


def test_near_the_periods_end_the_organisers_are_warned(opened, seen):
    sweep_deadlines(as_of=dt.datetime(2026, 12, 28, 9, 0, tzinfo=TZ))
    obligation = committee_meeting_of(opened.branch)
    assert obligation.warning_level == "blue"
    told = {pk for e in seen if e.name == "sweep.warning" and e.subject == obligation for pk in e.recipients}
    assert {opened.leader.pk, opened.organiser.pk, opened.party_worker.pk} <= told
    assert opened.cadre.pk not in told


@pytest.mark.parametrize("town", ["qingshan", "baishui"])
def test_a_missed_minimum_escalates_to_the_branchs_commissioners_once(opened, seen, town):
    unit, commissioner, other = (
        (opened.branch, opened.commissioner, opened.b_commissioner)
        if town == "qingshan"
        else (opened.b_branch, opened.b_commissioner, opened.commissioner)
    )
    sweep_deadlines(as_of=AFTER_DECEMBER)
    sweep_deadlines(as_of=AFTER_DECEMBER)
    obligation = committee_meeting_of(unit)
    assert (obligation.warning_level, obligation.escalation_level) == ("red", 1)
    cases = SupervisionCase.objects.filter(subject_type="activity_frequency", object_id=obligation.pk)
    assert cases.count() == 1 and cases.get().unit_id == unit.pk
    escalated = [e for e in seen if e.name == "sweep.escalated" and e.subject == obligation]
    assert len(escalated) == 1
    assert commissioner.pk in escalated[0].recipients and other.pk not in escalated[0].recipients


def test_the_branch_members_read_their_obligations_and_the_other_township_none(opened, api_as):
    url = "/api/v1/activity-obligations/"
    mine = api_as(opened.cadre).get(url, {"unit": opened.branch.pk, "kind": "committee_meeting"})
    assert mine.status_code == 200 and mine.json()["count"] == 1
    assert mine.json()["results"][0]["state"] == "open"
    theirs = api_as(opened.b_cadre).get(url, {"unit": opened.branch.pk})
    assert theirs.status_code == 200 and theirs.json()["count"] == 0
    obligation = committee_meeting_of(opened.branch)
    assert api_as(opened.b_leader).get(f"{url}{obligation.pk}/").status_code == 404
    assert api_as(opened.commissioner).get(f"{url}{obligation.pk}/").status_code == 200


def test_the_obligation_page_shows_what_is_not_yet_held(opened, client):
    sweep_deadlines(as_of=AFTER_DECEMBER)
    client.force_login(opened.organiser)
    page = client.get("/party/obligations/", {"unit": opened.branch.pk})
    assert page.status_code == 200
    body = page.content.decode()
    assert opened.branch.name in body and "warning-red" in body
    assert body.count('<li class="warning-') == ActivityFrequency.objects.count()
    client.force_login(opened.b_organiser)
    theirs = client.get("/party/obligations/", {"unit": opened.branch.pk}).content.decode()
    assert '<li class="warning-' not in theirs


def test_activities_are_not_swept_as_obligations(opened):
    assert not Activity.objects.exists()
    assert FrequencyObligation.objects.filter(warning_level="green").count() == FrequencyObligation.objects.count()


def test_the_commissioner_sees_the_missed_minimum_in_the_overdue_queue(opened, api_as, client):
    sweep_deadlines(as_of=AFTER_DECEMBER)
    obligation = committee_meeting_of(opened.branch)
    with time_machine.travel(AFTER_DECEMBER, tick=False):
        body = (
            api_as(opened.commissioner)
            .get("/api/v1/supervision/overdue/", {"subject_type": "activity_frequency"})
            .json()
        )
        client.force_login(opened.commissioner)
        page = client.get("/supervision/", {"subject_type": "activity_frequency"})
    rows = body["results"] if isinstance(body, dict) else body
    assert obligation.title in [row["title"] for row in rows]
    assert page.status_code == 200
