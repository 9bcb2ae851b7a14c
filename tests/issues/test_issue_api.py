import datetime as dt

import pytest

from issues.models import LivelihoodIssue
from workflows.models import TransitionLog

from .issue_fixtures import issue_in_state, people_fixture, register  # noqa: F401

URL = "/api/v1/livelihood-issues/"
PERSONAS = ["dispatcher", "handler", "colleague", "other_cadre", "reporter", "commissioner", "observer", "anonymous"]

# transition → (state it is taken from, body, persona → expected status)
BEFORE_DISPATCH = {"handler": 404, "colleague": 404, "other_cadre": 404, "commissioner": 403, "observer": 403, "anonymous": 401}  # fmt: skip
AFTER_DISPATCH = {"dispatcher": 403, "handler": 403, "colleague": 403, "other_cadre": 404, "reporter": 403, "commissioner": 403, "observer": 403, "anonymous": 401}  # fmt: skip
TABLE = {
    "answer": ("reported", {"result": "当场答复"}, {**BEFORE_DISPATCH, "dispatcher": 200, "reporter": 200}),
    "dispatch": ("reported", None, {**BEFORE_DISPATCH, "dispatcher": 200, "reporter": 403}),
    "accept": ("dispatched", {}, {**AFTER_DISPATCH, "handler": 200}),
    "reject": ("dispatched", {"reason": "不属于本单位职责"}, {**AFTER_DISPATCH, "handler": 200}),
    "report_progress": ("accepted", {"text": "已现场查看"}, {**AFTER_DISPATCH, "handler": 200}),
    "resolve": ("in_progress", {"result": "已修复", "resolution": "substantive"}, {**AFTER_DISPATCH, "handler": 200}),
    "follow_up": ("resolved", {"satisfaction": "satisfied"}, {**AFTER_DISPATCH, "dispatcher": 200}),
    "reopen": ("resolved", {}, {**AFTER_DISPATCH, "dispatcher": 200}),
    "close": ("resolved", {"reason": "已尽力，群众诉求超出政策"}, {**AFTER_DISPATCH, "dispatcher": 200}),
    "cancel": ("dispatched", {"reason": "重复工单"}, {**AFTER_DISPATCH, "dispatcher": 200}),
}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("transition", list(TABLE))
def test_transition_by_persona(transition, persona, people, api_as):
    state, body, expected = TABLE[transition]
    issue = issue_in_state(people, state)
    if body is None:
        body = {"handler": people.handler.pk, "unit": people.unit.pk}
    response = api_as(people.get(persona)).post(f"{URL}{issue.pk}/transitions/{transition}/", body, format="json")
    assert response.status_code == expected[persona], response.content
    if expected[persona] == 200:
        assert TransitionLog.objects.for_object(issue).filter(transition=transition).exists()


def test_create_registers_a_reported_issue(people, api_as):
    body = {"title": "桃源村水渠堵塞", "description": "灌溉受影响", "source": "pairing", "place": str(people.village.pk), "category": "water", "urgency": "urgent", "reporter_phone": "0571-88886666"}  # fmt: skip
    response = api_as(people.reporter).post(URL, body, format="json")
    assert response.status_code == 201, response.content
    issue = LivelihoodIssue.objects.get(pk=response.json()["id"])
    assert (issue.state, issue.place_unit, issue.urgency) == ("reported", people.village, "urgent")


def test_create_with_free_text_place(people, api_as):
    body = {"title": "老街排水", "source": "hotline", "place": "老街菜市场", "category": "water", "urgency": "normal"}
    response = api_as(people.reporter).post(URL, body, format="json")
    assert response.status_code == 201 and response.json()["place_name"] == "老街菜市场"


@pytest.mark.parametrize(
    "bad",
    [
        {"title": ""},
        {"source": "rumour"},
        {"category": "nonsense"},
        {"urgency": "now"},
        {"reporter_phone": "12345"},
        {"reporter_phone": "23812341234"},
        {"place": "999999"},
    ],
)
def test_create_rejects_bad_input(bad, people, api_as):
    body = {"title": "路灯", "source": "visit", "place": "东山村", "category": "roads", "urgency": "normal", **bad}
    response = api_as(people.reporter).post(URL, body, format="json")
    assert response.status_code == 400 and set(bad) & set(response.json())


def test_observer_cannot_register(people, api_as):
    body = {"title": "路灯", "source": "visit", "place": "东山村", "category": "roads", "urgency": "normal"}
    assert api_as(people.observer).post(URL, body, format="json").status_code == 403


def test_anonymous_list_is_401(api):
    assert api.get(URL).status_code == 401


@pytest.mark.parametrize(
    ("persona", "phone"),
    [
        ("dispatcher", "13812341234"),
        ("handler", "13812341234"),
        ("colleague", "138****1234"),
        ("reporter", "138****1234"),
        ("commissioner", "138****1234"),
        ("observer", "138****1234"),
    ],
)
def test_phone_is_masked_except_for_dispatcher_and_handler(persona, phone, people, api_as):
    issue = issue_in_state(people, "dispatched")
    response = api_as(people.get(persona)).get(f"{URL}{issue.pk}/")
    assert response.json()["reporter_phone"] == phone


def test_phone_is_masked_in_the_list(people, api_as):
    issue_in_state(people, "dispatched")
    response = api_as(people.colleague).get(URL)
    assert response.json()["results"][0]["reporter_phone"] == "138****1234"


def test_detail_shows_possible_duplicates(people, api_as):
    first = register(people, title="东山村三组路灯不亮")
    second = register(people, title="东山村三组路灯坏了不亮")
    response = api_as(people.dispatcher).get(f"{URL}{second.pk}/")
    assert [d["id"] for d in response.json()["possible_duplicates"]] == [first.pk]


def test_other_category_is_not_a_duplicate(people, api_as):
    register(people, title="东山村三组路灯不亮", category="safety")
    second = register(people, title="东山村三组路灯不亮")
    assert api_as(people.dispatcher).get(f"{URL}{second.pk}/").json()["possible_duplicates"] == []


def test_closed_issue_is_not_a_duplicate(people, api_as):
    issue_in_state(people, "closed", title="东山村三组路灯不亮")
    second = register(people, title="东山村三组路灯不亮")
    assert api_as(people.dispatcher).get(f"{URL}{second.pk}/").json()["possible_duplicates"] == []


def test_reject_returns_the_order_to_the_dispatch_queue(people, api_as):
    issue = issue_in_state(people, "dispatched")
    api_as(people.handler).post(f"{URL}{issue.pk}/transitions/reject/", {"reason": "应由城管处理"}, format="json")
    issue.refresh_from_db()
    log = list(TransitionLog.objects.for_object(issue).values_list("source", "target"))
    assert (issue.state, issue.handler, issue.last_rejection_reason) == ("reported", None, "应由城管处理")
    assert ("dispatched", "rejected") in log and ("rejected", "reported") in log


def test_redispatch_after_reject(people, api_as):
    issue = issue_in_state(people, "dispatched")
    api_as(people.handler).post(f"{URL}{issue.pk}/transitions/reject/", {"reason": "错派"}, format="json")
    body = {"handler": people.p.cadre.pk, "unit": people.p.branch.pk}
    response = api_as(people.dispatcher).post(f"{URL}{issue.pk}/transitions/dispatch/", body, format="json")
    assert response.status_code == 200 and response.json()["handler"]["username"] == "cadre001"


def test_reject_without_reason_is_400(people, api_as):
    issue = issue_in_state(people, "dispatched")
    response = api_as(people.handler).post(f"{URL}{issue.pk}/transitions/reject/", {}, format="json")
    assert response.status_code == 400 and "reason" in response.json()


def test_reject_after_two_working_days_is_409(people, api_as, time_machine):
    time_machine.move_to(dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC))  # a Monday
    issue = issue_in_state(people, "dispatched")
    time_machine.move_to(dt.datetime(2026, 12, 10, 9, 0, tzinfo=dt.UTC))
    response = api_as(people.handler).post(f"{URL}{issue.pk}/transitions/reject/", {"reason": "错派"}, format="json")
    assert response.status_code == 409


def test_dispatch_to_a_handler_outside_the_unit_is_400(people, api_as):
    issue = issue_in_state(people, "reported")
    body = {"handler": people.handler.pk, "unit": people.p.branch.pk}
    response = api_as(people.dispatcher).post(f"{URL}{issue.pk}/transitions/dispatch/", body, format="json")
    assert response.status_code == 400 and "handler" in response.json()


@pytest.mark.parametrize("missing", ["remaining_plan", "remaining_due_date"])
def test_staged_resolution_needs_plan_and_date(missing, people, api_as):
    issue = issue_in_state(people, "in_progress")
    body = {"result": "已修两盏", "resolution": "staged", "remaining_plan": "下月修其余四盏", "remaining_due_date": "2027-01-15"}  # fmt: skip
    del body[missing]
    response = api_as(people.handler).post(f"{URL}{issue.pk}/transitions/resolve/", body, format="json")
    assert response.status_code == 400 and missing in response.json()


def test_staged_resolution_keeps_plan_and_date(people, api_as):
    issue = issue_in_state(people, "in_progress")
    body = {"result": "已修两盏", "resolution": "staged", "remaining_plan": "下月修其余四盏", "remaining_due_date": "2027-01-15"}  # fmt: skip
    data = api_as(people.handler).post(f"{URL}{issue.pk}/transitions/resolve/", body, format="json").json()
    assert (data["state"], data["resolution"], data["remaining_due_date"]) == ("resolved", "staged", "2027-01-15")


@pytest.mark.parametrize(
    ("satisfaction", "state"),
    [("satisfied", "closed"), ("basically_satisfied", "closed"), ("unsatisfied", "resolved")],
)
def test_follow_up_outcome(satisfaction, state, people, api_as):
    issue = issue_in_state(people, "resolved")
    body = {"satisfaction": satisfaction}
    data = api_as(people.dispatcher).post(f"{URL}{issue.pk}/transitions/follow_up/", body, format="json").json()
    assert (data["state"], data["satisfaction"]) == (state, satisfaction)


def test_unsatisfied_then_reopen_goes_back_to_the_handler(people, api_as):
    issue = issue_in_state(people, "resolved")
    client = api_as(people.dispatcher)
    client.post(f"{URL}{issue.pk}/transitions/follow_up/", {"satisfaction": "unsatisfied"}, format="json")
    assert client.post(f"{URL}{issue.pk}/transitions/reopen/", {}, format="json").json()["state"] == "in_progress"


def test_follow_up_with_bad_satisfaction_is_400(people, api_as):
    issue = issue_in_state(people, "resolved")
    body = {"satisfaction": "meh"}
    response = api_as(people.dispatcher).post(f"{URL}{issue.pk}/transitions/follow_up/", body, format="json")
    assert response.status_code == 400


def test_accept_twice_is_409(people, api_as):
    issue = issue_in_state(people, "accepted")
    assert api_as(people.handler).post(f"{URL}{issue.pk}/transitions/accept/", {}, format="json").status_code == 409


def test_transitions_lists_what_the_handler_may_do(people, api_as):
    issue = issue_in_state(people, "dispatched")
    names = {t["name"] for t in api_as(people.handler).get(f"{URL}{issue.pk}/transitions/").json()}
    assert names == {"accept", "reject"}


def test_history_shows_the_journey(people, api_as):
    issue = issue_in_state(people, "resolved")
    entries = api_as(people.dispatcher).get(f"{URL}{issue.pk}/history/").json()
    assert [e["transition"] for e in entries] == ["report", "dispatch", "accept", "report_progress", "resolve"]


def test_handler_filter_me(people, api_as):
    issue_in_state(people, "dispatched")
    register(people, title="另一件事")
    data = api_as(people.handler).get(URL + "?handler=me").json()
    assert data["count"] == 1


def test_list_query_count(people, api_as, django_assert_max_num_queries):
    for n in range(5):
        issue_in_state(people, "dispatched", title=f"问题{n}")
    client = api_as(people.dispatcher)
    with django_assert_max_num_queries(6):
        response = client.get(URL)
    assert response.json()["count"] == 5


def test_list_query_count_for_a_colleague(people, api_as, django_assert_max_num_queries):
    for n in range(5):
        issue_in_state(people, "dispatched", title=f"问题{n}")
    client = api_as(people.colleague)
    with django_assert_max_num_queries(8):
        response = client.get(URL)
    assert response.json()["count"] == 5


def test_co_handling_unit_sees_the_order(people, api_as):
    issue = issue_in_state(people, "reported")
    body = {"handler": people.handler.pk, "unit": people.unit.pk, "co_units": [people.p.branch.pk]}
    api_as(people.dispatcher).post(f"{URL}{issue.pk}/transitions/dispatch/", body, format="json")
    response = api_as(people.p.colleague).get(f"{URL}{issue.pk}/")
    assert response.status_code == 200 and response.json()["co_units"] == [people.p.branch.pk]


def test_handling_unit_cannot_also_co_handle(people, api_as):
    issue = issue_in_state(people, "reported")
    body = {"handler": people.handler.pk, "unit": people.unit.pk, "co_units": [people.unit.pk]}
    response = api_as(people.dispatcher).post(f"{URL}{issue.pk}/transitions/dispatch/", body, format="json")
    assert response.status_code == 400 and "co_units" in response.json()


def test_follow_up_is_offered_to_the_dispatcher_with_its_usual_target(people, api_as):
    issue = issue_in_state(people, "resolved")
    options = api_as(people.dispatcher).get(f"{URL}{issue.pk}/transitions/").json()
    assert {"name": "follow_up", "target": "closed"} in [{"name": o["name"], "target": o["target"]} for o in options]
