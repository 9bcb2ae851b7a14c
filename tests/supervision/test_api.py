"""The supervision API of API.md against every persona."""

import pytest

from supervision.models import SupervisionAction, SupervisionCase

QUEUE = "/api/v1/supervision/overdue/"
CASES = "/api/v1/supervision-cases/"


def case_url(case, suffix=""):
    return f"{CASES}{case.pk}/{suffix}"


# -- the overdue queue --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("commissioner", True),
        ("township_commissioner", True),
        ("observer", True),
        ("admin", True),
        ("other_commissioner", False),
    ],
)
def test_queue_shows_overdue_items_of_the_callers_jurisdiction_only(
    api_as, personas, overdue_item, now_overdue, persona, sees
):
    response = api_as(getattr(personas, persona)).get(QUEUE)
    assert response.status_code == 200
    ids = [row["id"] for row in response.json()["results"]]
    assert (overdue_item.pk in ids) is sees


@pytest.mark.parametrize("persona", ["leader", "other_leader", "cadre", "other_cadre", "secretary"])
def test_queue_is_forbidden_to_leaders_and_cadres(api_as, personas, overdue_item, persona):
    assert api_as(getattr(personas, persona)).get(QUEUE).status_code == 403


def test_queue_is_forbidden_to_outsiders(api_as, personas):
    assert api_as(personas.outsider()).get(QUEUE).status_code == 403


def test_queue_needs_authentication(api, db):
    assert api.get(QUEUE).status_code == 401


def test_queue_row_describes_the_overdue_item(api_as, personas, overdue_item, now_overdue):
    (row,) = api_as(personas.commissioner).get(QUEUE).json()["results"]
    assert row["subject_type"] == "item"
    assert (row["warning_level"], row["escalation_level"], row["days_overdue"]) == ("red", 1, 3)
    assert row["unit"]["id"] == personas.branch.pk
    assert row["open_case"] == SupervisionCase.objects.get().pk


def test_queue_lists_most_escalated_first_then_oldest(api_as, personas, overdue_item, late_item, now_overdue):
    ids = [row["id"] for row in api_as(personas.commissioner).get(QUEUE).json()["results"]]
    assert ids == [overdue_item.pk, late_item.pk]


def test_queue_does_not_list_suspended_items(api_as, personas, overdue_item, now_overdue):
    from lists import services

    services.item_suspend(item=overdue_item, actor=personas.leader, reason="暂停")
    assert api_as(personas.commissioner).get(QUEUE).json()["count"] == 0


def test_queue_filters_by_days_overdue(api_as, personas, overdue_item, late_item, now_overdue):
    response = api_as(personas.commissioner).get(QUEUE, {"days_overdue": 2})
    assert [row["id"] for row in response.json()["results"]] == [overdue_item.pk]


def test_queue_filters_by_unit(api_as, personas, overdue_item, now_overdue):
    client = api_as(personas.commissioner)
    assert client.get(QUEUE, {"unit": personas.branch.pk}).json()["count"] == 1
    assert client.get(QUEUE, {"unit": personas.other_branch.pk}).json()["count"] == 0


def test_queue_filters_by_lead_leader(api_as, personas, overdue_item, now_overdue):
    client = api_as(personas.commissioner)
    assert client.get(QUEUE, {"lead_leader": personas.leader.pk}).json()["count"] == 1
    assert client.get(QUEUE, {"lead_leader": personas.other_leader.pk}).json()["count"] == 0


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"days_overdue": "many"}, "days_overdue"),
        ({"days_overdue": -1}, "days_overdue"),
        ({"unit": 999999}, "unit"),
        ({"lead_leader": "x"}, "lead_leader"),
        ({"subject_type": "spaceship"}, "subject_type"),
    ],
)
def test_queue_rejects_bad_filters(api_as, personas, params, field):
    response = api_as(personas.commissioner).get(QUEUE, params)
    assert response.status_code == 400 and field in response.json()


def test_queue_query_count_does_not_grow_with_rows(
    api_as, personas, make_item, overdue_item, now_overdue, django_assert_max_num_queries
):
    from tests.supervision.conftest import ASSIGNED, DUE

    for n in range(10):
        make_item(assigned_at=ASSIGNED, due_at=DUE, title=f"事项{n}")
    client = api_as(personas.commissioner)
    with django_assert_max_num_queries(8):
        response = client.get(QUEUE)
    assert response.json()["count"] == 11


# -- creating a case ----------------------------------------------------------------------------


def test_commissioner_opens_a_case_on_an_item_in_the_jurisdiction(api_as, personas, late_item):
    response = api_as(personas.commissioner).post(
        CASES, {"subject_type": "item", "subject_id": late_item.pk, "reason": "群众反映进度慢"}
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["state"], body["source"], body["opened_by"]["username"]) == ("open", "commissioner", "commissioner02")


def test_commissioner_cannot_open_a_case_outside_the_jurisdiction(api_as, personas, late_item):
    response = api_as(personas.other_commissioner).post(
        CASES, {"subject_type": "item", "subject_id": late_item.pk, "reason": "x"}
    )
    assert response.status_code == 400 and "subject_id" in response.json()


@pytest.mark.parametrize("persona", ["observer", "leader", "secretary", "cadre", "admin"])
def test_only_commissioners_open_cases(api_as, personas, late_item, persona):
    response = api_as(getattr(personas, persona)).post(
        CASES, {"subject_type": "item", "subject_id": late_item.pk, "reason": "x"}
    )
    assert response.status_code == 403


def test_opening_a_case_needs_authentication(api, late_item):
    assert api.post(CASES, {"subject_type": "item", "subject_id": late_item.pk, "reason": "x"}).status_code == 401


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"subject_type": "item", "reason": "x"}, "subject_id"),
        ({"subject_type": "spaceship", "subject_id": 1, "reason": "x"}, "subject_type"),
        ({"subject_type": "item", "subject_id": "abc", "reason": "x"}, "subject_id"),
        ({"subject_type": "item", "subject_id": 1}, "reason"),
        ({"subject_type": "item", "subject_id": 999999, "reason": "x"}, "subject_id"),
    ],
)
def test_opening_a_case_rejects_a_bad_body(api_as, personas, late_item, body, field):
    response = api_as(personas.commissioner).post(CASES, body)
    assert response.status_code == 400 and field in response.json()


def test_second_active_case_on_a_subject_is_a_conflict(api_as, personas, overdue_item):
    response = api_as(personas.commissioner).post(
        CASES, {"subject_type": "item", "subject_id": overdue_item.pk, "reason": "再次督办"}
    )
    assert response.status_code == 409


# -- reading cases ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("commissioner", True),
        ("township_commissioner", True),
        ("observer", True),
        ("admin", True),
        ("leader", True),
        ("secretary", True),
        ("other_commissioner", False),
        ("other_leader", False),
        ("cadre", False),
        ("other_cadre", False),
    ],
)
def test_case_list_is_scoped(api_as, personas, case, persona, sees):
    ids = [c["id"] for c in api_as(getattr(personas, persona)).get(CASES).json()["results"]]
    assert (case.pk in ids) is sees


@pytest.mark.parametrize(("persona", "status"), [("commissioner", 200), ("other_commissioner", 404), ("cadre", 404)])
def test_case_detail_is_scoped(api_as, personas, case, persona, status):
    assert api_as(getattr(personas, persona)).get(case_url(case)).status_code == status


def test_case_list_query_count_is_bounded(api_as, personas, case, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        assert api_as(personas.commissioner).get(CASES).status_code == 200


def test_case_history_lists_the_opening(api_as, personas, case):
    (entry,) = api_as(personas.observer).get(case_url(case, "history/")).json()
    assert entry["transition"] == "open"


# -- transitions --------------------------------------------------------------------------------


def test_commissioner_records_an_action(api_as, personas, case):
    response = api_as(personas.commissioner).post(
        case_url(case, "transitions/act/"), {"action": "yellow_card", "note": "书面提醒"}
    )
    assert response.status_code == 200
    assert response.json()["state"] == "acting"
    action = SupervisionAction.objects.get()
    assert (action.action, action.level, action.actor, action.note) == (
        "yellow_card",
        2,
        personas.commissioner,
        "书面提醒",
    )


def test_township_commissioner_may_act_too(api_as, personas, case):
    response = api_as(personas.township_commissioner).post(
        case_url(case, "transitions/act/"), {"action": "reminder", "note": "提醒"}
    )
    assert response.status_code == 200


@pytest.mark.parametrize("persona", ["observer", "leader", "secretary", "admin"])
def test_readers_may_not_act(api_as, personas, case, persona):
    response = api_as(getattr(personas, persona)).post(
        case_url(case, "transitions/act/"), {"action": "reminder", "note": "x"}
    )
    assert response.status_code == 403


@pytest.mark.parametrize("persona", ["other_commissioner", "cadre", "other_leader"])
def test_case_outside_scope_is_not_found(api_as, personas, case, persona):
    response = api_as(getattr(personas, persona)).post(
        case_url(case, "transitions/act/"), {"action": "reminder", "note": "x"}
    )
    assert response.status_code == 404


def test_transition_needs_authentication(api, case):
    assert api.post(case_url(case, "transitions/act/"), {"action": "reminder", "note": "x"}).status_code == 401


@pytest.mark.parametrize(
    ("body", "field"),
    [({"note": "x"}, "action"), ({"action": "slap", "note": "x"}, "action"), ({"action": "talk"}, "note")],
)
def test_act_rejects_a_bad_body(api_as, personas, case, body, field):
    response = api_as(personas.commissioner).post(case_url(case, "transitions/act/"), body)
    assert response.status_code == 400 and field in response.json()


def test_closing_needs_a_conclusion(api_as, personas, case):
    response = api_as(personas.commissioner).post(case_url(case, "transitions/close/"), {"conclusion": ""})
    assert response.status_code == 400 and "conclusion" in response.json()


def test_commissioner_closes_with_a_conclusion(api_as, personas, case):
    response = api_as(personas.commissioner).post(case_url(case, "transitions/close/"), {"conclusion": "已整改到位"})
    assert response.status_code == 200
    body = response.json()
    assert (body["state"], body["conclusion"], body["closed_by"]["username"]) == (
        "closed",
        "已整改到位",
        "commissioner02",
    )


def test_acting_on_a_closed_case_is_a_conflict(api_as, personas, case):
    client = api_as(personas.commissioner)
    client.post(case_url(case, "transitions/close/"), {"conclusion": "结案"})
    response = client.post(case_url(case, "transitions/act/"), {"action": "reminder", "note": "x"})
    assert response.status_code == 409


def test_unknown_transition_is_not_found(api_as, personas, case):
    assert api_as(personas.commissioner).post(case_url(case, "transitions/approve/"), {}).status_code == 404


def test_available_transitions_for_the_commissioner(api_as, personas, case):
    names = {t["name"] for t in api_as(personas.commissioner).get(case_url(case, "transitions/")).json()}
    assert names == {"act", "close"}


def test_observer_has_no_transitions(api_as, personas, case):
    assert api_as(personas.observer).get(case_url(case, "transitions/")).json() == []


# -- commissioners read items, never change them -----------------------------------------------


def test_commissioner_reads_an_item_of_the_jurisdiction(client, personas, overdue_item):
    client.force_login(personas.commissioner)
    assert client.get(f"/lists/items/{overdue_item.pk}/").status_code == 200


def test_commissioner_may_not_take_item_transitions(personas, overdue_item):
    from workflows.engine import available_transitions

    assert available_transitions(overdue_item, personas.commissioner) == []


def test_overdue_queue_filter_by_another_townships_unit_is_400(personas, api_as):
    response = api_as(personas.b_commissioner).get("/api/v1/supervision/overdue/", {"unit": personas.branch.pk})
    assert response.status_code == 400 and "unit" in response.json()
    assert (
        api_as(personas.b_commissioner).get("/api/v1/supervision/overdue/", {"unit": personas.b_branch.pk}).status_code
        == 200
    )
