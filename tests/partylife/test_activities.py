"""Activities of organisational life through the API: schedule, check in, record, cancel, make up."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from partylife.models import Absence, Activity, Attendance
from workflows.engine import history

URL = "/api/v1/activities/"
ALL_PARTS = ["oath", "study", "discipline_lesson", "dues", "deliberation"]


def schedule(api_as, who, unit, *, kind="theme_party_day", at=None, title="12月主题党日"):
    at = at or timezone.now() + dt.timedelta(minutes=30)
    return api_as(who).post(
        URL, {"unit": unit.pk, "kind": kind, "title": title, "scheduled_at": at.isoformat(), "place": "三楼会议室"}
    )


@pytest.fixture
def activity(personas, api_as):
    response = schedule(api_as, personas.leader, personas.branch)
    assert response.status_code == 201, response.json()
    return Activity.objects.get(pk=response.json()["id"])


def test_leader_schedules_theme_party_day_with_its_required_parts(personas, api_as):
    response = schedule(api_as, personas.leader, personas.branch)
    assert response.status_code == 201
    body = response.json()
    assert body["state"] == "scheduled"
    assert "discipline_lesson" in body["required_parts"]
    assert body["attendance"] == [] and body["absentees"] == []


@pytest.mark.parametrize("who", ["organiser", "party_worker"])
def test_branch_committee_member_and_party_worker_schedule(personas, api_as, who):
    assert schedule(api_as, getattr(personas, who), personas.branch).status_code == 201


@pytest.mark.parametrize("who", ["cadre", "observer", "commissioner", "other_leader"])
def test_others_of_the_township_may_not_schedule(personas, api_as, who):
    assert schedule(api_as, getattr(personas, who), personas.branch).status_code == 403


@pytest.mark.parametrize("who", ["b_secretary", "b_leader", "b_cadre", "b_organiser", "b_commissioner"])
def test_other_township_cannot_schedule_in_qingshan(personas, api_as, who):
    response = schedule(api_as, getattr(personas, who), personas.branch)
    assert response.status_code == 400
    assert "unit" in response.json()


def test_baishui_organiser_schedules_for_own_branch(personas, api_as):
    assert schedule(api_as, personas.b_organiser, personas.b_branch).status_code == 201


def test_bad_input_is_400_with_field_messages(personas, api_as):
    response = api_as(personas.leader).post(URL, {"unit": personas.branch.pk, "kind": "picnic", "title": " "})
    assert response.status_code == 400
    assert {"kind", "title", "scheduled_at"} <= set(response.json())
    village = personas.unit("east-village1")
    response = schedule(api_as, personas.leader, village)
    assert response.status_code == 400 and "unit" in response.json()


def test_member_checks_in_within_the_window(personas, api_as, activity):
    response = api_as(personas.cadre).post(f"{URL}{activity.pk}/transitions/check_in/", {})
    assert response.status_code == 200
    assert [a["user"] for a in response.json()["attendance"]] == [personas.cadre.pk]
    # twice changes nothing
    assert api_as(personas.cadre).post(f"{URL}{activity.pk}/transitions/check_in/", {}).status_code == 200
    assert Attendance.objects.filter(activity=activity).count() == 1
    assert [h.transition for h in history(activity)] == ["schedule", "check_in"]


def test_check_in_too_early_is_409(personas, api_as):
    response = schedule(api_as, personas.leader, personas.branch, at=timezone.now() + dt.timedelta(hours=3))
    pk = response.json()["id"]
    assert api_as(personas.cadre).post(f"{URL}{pk}/transitions/check_in/", {}).status_code == 409
    with time_machine.travel(timezone.now() + dt.timedelta(hours=2, minutes=5)):
        assert api_as(personas.cadre).post(f"{URL}{pk}/transitions/check_in/", {}).status_code == 200


@pytest.mark.parametrize("who", ["other_cadre", "commissioner", "observer"])
def test_non_members_cannot_check_in(personas, api_as, activity, who):
    assert api_as(getattr(personas, who)).post(f"{URL}{activity.pk}/transitions/check_in/", {}).status_code in (
        403,
        404,
    )


@pytest.mark.parametrize("who", ["b_secretary", "b_leader", "b_cadre", "b_commissioner"])
def test_other_township_gets_404(personas, api_as, activity, who):
    client = api_as(getattr(personas, who))
    assert client.get(f"{URL}{activity.pk}/").status_code == 404
    assert client.post(f"{URL}{activity.pk}/transitions/check_in/", {}).status_code == 404
    assert activity.pk not in [a["id"] for a in client.get(URL).json()["results"]]


def test_record_without_the_discipline_lesson_is_400_naming_it(personas, api_as, activity):
    body = {"minutes": "学习了党章", "parts": ["oath", "study", "dues", "deliberation"], "absentees": []}
    response = api_as(personas.leader).post(f"{URL}{activity.pk}/transitions/record/", body, format="json")
    assert response.status_code == 400
    assert "discipline_lesson" in str(response.json()["parts"])
    assert "党纪教育一刻钟" in str(response.json()["parts"]) or "discipline_lesson" in str(response.json()["parts"])


def test_record_with_absentees_gives_them_a_makeup_task(personas, api_as, activity):
    api_as(personas.cadre).post(f"{URL}{activity.pk}/transitions/check_in/", {})
    body = {
        "minutes": "重温入党誓词，学习党纪处分条例。",
        "parts": ALL_PARTS,
        "absentees": [{"user": personas.colleague.pk, "reason": "病假"}],
    }
    response = api_as(personas.organiser).post(f"{URL}{activity.pk}/transitions/record/", body, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == "recorded"
    assert response.json()["absentees"][0]["reason"] == "病假"
    rows = api_as(personas.colleague).get("/api/v1/inbox/?subject_type=activity").json()["results"]
    assert [(r["subject_id"], r["action"]) for r in rows] == [(activity.pk, "make_up")]
    response = api_as(personas.colleague).post(f"{URL}{activity.pk}/makeup/", {"note": "自学党纪处分条例"})
    assert response.status_code == 200
    assert Absence.objects.get(activity=activity).makeup_done_at is not None
    assert api_as(personas.colleague).get("/api/v1/inbox/?subject_type=activity").json()["results"] == []
    # check-in ends with the record
    assert api_as(personas.colleague).post(f"{URL}{activity.pk}/transitions/check_in/", {}).status_code == 409


def test_absentee_who_checked_in_or_is_no_member_is_400(personas, api_as, activity):
    api_as(personas.cadre).post(f"{URL}{activity.pk}/transitions/check_in/", {})
    for user in (personas.cadre, personas.other_cadre):
        body = {"minutes": "m", "parts": ALL_PARTS, "absentees": [{"user": user.pk, "reason": "公差"}]}
        response = api_as(personas.leader).post(f"{URL}{activity.pk}/transitions/record/", body, format="json")
        assert response.status_code == 400 and "absentees" in response.json()


def test_unknown_part_is_400(personas, api_as, activity):
    body = {"minutes": "m", "parts": [*ALL_PARTS, "karaoke"]}
    response = api_as(personas.leader).post(f"{URL}{activity.pk}/transitions/record/", body, format="json")
    assert response.status_code == 400 and "karaoke" in str(response.json())


def test_member_may_not_record_and_reader_sees_403(personas, api_as, activity):
    body = {"minutes": "m", "parts": ALL_PARTS}
    assert (
        api_as(personas.cadre).post(f"{URL}{activity.pk}/transitions/record/", body, format="json").status_code == 403
    )
    assert (
        api_as(personas.observer).post(f"{URL}{activity.pk}/transitions/record/", body, format="json").status_code
        == 403
    )


def test_cancel_needs_a_reason_then_is_final(personas, api_as, activity):
    client = api_as(personas.leader)
    assert client.post(f"{URL}{activity.pk}/transitions/cancel/", {}).status_code == 400
    assert client.post(f"{URL}{activity.pk}/transitions/cancel/", {"reason": "防汛值班"}).json()["state"] == "cancelled"
    assert client.post(f"{URL}{activity.pk}/transitions/cancel/", {"reason": "again"}).status_code == 409
    hist = client.get(f"{URL}{activity.pk}/history/").json()
    assert [h["transition"] for h in hist] == ["schedule", "cancel"]


def test_transitions_list_what_the_caller_may_take(personas, api_as, activity):
    names = {t["name"] for t in api_as(personas.cadre).get(f"{URL}{activity.pk}/transitions/").json()}
    assert names == {"check_in"}
    names = {t["name"] for t in api_as(personas.leader).get(f"{URL}{activity.pk}/transitions/").json()}
    assert {"record", "cancel", "check_in"} <= names


def test_organiser_inbox_asks_to_record_once_started(personas, api_as, activity):
    with time_machine.travel(activity.scheduled_at + dt.timedelta(minutes=5)):
        rows = api_as(personas.organiser).get("/api/v1/inbox/?subject_type=activity").json()["results"]
    assert ("record" in {r["action"] for r in rows}) and ("check_in" in {r["action"] for r in rows})
    rows = api_as(personas.cadre).get("/api/v1/inbox/?subject_type=activity").json()["results"]
    assert [r["action"] for r in rows] == ["check_in"]
    assert api_as(personas.b_cadre).get("/api/v1/inbox/?subject_type=activity").json()["results"] == []


def test_list_query_count_is_bounded(personas, api_as, django_assert_max_num_queries):
    for n in range(5):
        schedule(api_as, personas.leader, personas.branch, title=f"学习{n}", kind="study")
    client = api_as(personas.cadre)
    with django_assert_max_num_queries(25):
        response = client.get(URL)
    assert response.json()["count"] == 5


def test_member_pages(personas, client, activity):
    client.force_login(personas.cadre)
    assert client.get("/party/").status_code == 200
    page = client.get(f"/party/activities/{activity.pk}/")
    assert page.status_code == 200 and "pl-checkin" in page.content.decode()
    assert client.post(f"/party/activities/{activity.pk}/check-in/").status_code == 302
    assert Attendance.objects.filter(activity=activity, user=personas.cadre).exists()
    assert client.get(f"/party/activities/{activity.pk}/record/").status_code == 403
    client.force_login(personas.b_cadre)
    assert client.get(f"/party/activities/{activity.pk}/").status_code == 404


def test_record_page_refuses_missing_part_then_records(personas, client, activity):
    client.force_login(personas.leader)
    assert client.get(f"/party/activities/{activity.pk}/record/").status_code == 200
    page = client.post(f"/party/activities/{activity.pk}/record/", {"minutes": "m", "parts": ["oath"]})
    assert page.status_code == 400 and "党纪教育一刻钟" in page.content.decode()
    data = {"minutes": "会议纪要", "parts": ALL_PARTS, f"absent_{personas.colleague.pk}": "1"}
    data[f"reason_{personas.colleague.pk}"] = "公差"
    assert client.post(f"/party/activities/{activity.pk}/record/", data).status_code == 302
    activity.refresh_from_db()
    assert activity.state == "recorded"
    assert Absence.objects.get(activity=activity).user == personas.colleague
