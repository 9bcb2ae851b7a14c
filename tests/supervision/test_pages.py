"""Supervision pages against every persona."""

import pytest
from django.urls import reverse

from supervision.models import SupervisionAction, SupervisionCase

ALL = [
    "secretary",
    "leader",
    "other_leader",
    "cadre",
    "other_cadre",
    "commissioner",
    "township_commissioner",
    "other_commissioner",
    "observer",
    "admin",
]


def login(client, user):
    client.force_login(user)
    return client


@pytest.mark.parametrize("name", ["supervision:queue", "supervision:overview", "supervision:case-list"])
def test_anonymous_is_sent_to_login(client, db, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and "login" in response["Location"]


QUEUE_STATUS = {
    "commissioner": 200,
    "township_commissioner": 200,
    "other_commissioner": 200,
    "observer": 200,
    "admin": 200,
    "secretary": 403,
    "leader": 403,
    "other_leader": 403,
    "cadre": 403,
    "other_cadre": 403,
}


@pytest.mark.parametrize("persona", ALL)
def test_queue_page_by_persona(client, personas, overdue_item, now_overdue, persona):
    response = login(client, getattr(personas, persona)).get(reverse("supervision:queue"))
    assert response.status_code == QUEUE_STATUS[persona]
    if response.status_code == 200:
        shown = overdue_item.title in response.content.decode()
        assert shown is (persona != "other_commissioner")


def test_queue_page_offers_commissioners_to_open_a_case(client, personas, late_item, now_overdue):
    body = login(client, personas.commissioner).get(reverse("supervision:queue")).content.decode()
    assert reverse("supervision:case-open", args=["item", late_item.pk]) in body


def test_queue_page_offers_observers_no_case_opening(client, personas, late_item, now_overdue):
    body = login(client, personas.observer).get(reverse("supervision:queue")).content.decode()
    assert reverse("supervision:case-open", args=["item", late_item.pk]) not in body


def test_queue_page_keeps_a_bad_filter_and_shows_the_error(client, personas, overdue_item, now_overdue):
    response = login(client, personas.commissioner).get(reverse("supervision:queue"), {"days_overdue": "many"})
    assert response.status_code == 200
    assert 'value="many"' in response.content.decode() and "errors" in response.content.decode()


def test_queue_page_query_count_is_bounded(
    client, personas, make_item, overdue_item, now_overdue, django_assert_max_num_queries
):
    from tests.supervision.conftest import ASSIGNED, DUE

    for n in range(10):
        make_item(assigned_at=ASSIGNED, due_at=DUE, title=f"事项{n}")
    login(client, personas.commissioner)
    with django_assert_max_num_queries(15):
        assert client.get(reverse("supervision:queue")).status_code == 200


OVERVIEW_SEES = {
    "secretary": True,
    "leader": True,
    "other_leader": False,
    "commissioner": True,
    "township_commissioner": True,
    "other_commissioner": False,
    "observer": True,
    "admin": True,
}


@pytest.mark.parametrize("persona", ALL)
def test_overview_page_by_persona(client, personas, overdue_item, persona):
    response = login(client, getattr(personas, persona)).get(reverse("supervision:overview"))
    if persona in ("cadre", "other_cadre"):
        assert response.status_code == 403
        return
    assert response.status_code == 200
    assert (personas.branch.name in response.content.decode()) is OVERVIEW_SEES[persona]


def test_overview_counts_open_items_by_colour(client, personas, overdue_item, late_item):
    from supervision.selectors import warning_overview
    from workflows.sweep import get_target

    (row,) = warning_overview(personas.leader, get_target("item"))
    assert row.counts == {"green": 0, "blue": 0, "yellow": 0, "red": 2}


def test_overview_warns_admins_about_the_calendar(client, personas, db):
    body = login(client, personas.admin).get(reverse("supervision:overview")).content.decode()
    assert "2027" in body


CASE_SEES = {
    "secretary": True,
    "leader": True,
    "other_leader": False,
    "cadre": False,
    "other_cadre": False,
    "commissioner": True,
    "township_commissioner": True,
    "other_commissioner": False,
    "observer": True,
    "admin": True,
}


@pytest.mark.parametrize("persona", ALL)
def test_case_list_page_by_persona(client, personas, case, persona):
    response = login(client, getattr(personas, persona)).get(reverse("supervision:case-list"))
    assert response.status_code == 200
    assert (reverse("supervision:case-detail", args=[case.pk]) in response.content.decode()) is CASE_SEES[persona]


@pytest.mark.parametrize("persona", ALL)
def test_case_detail_page_by_persona(client, personas, case, persona):
    response = login(client, getattr(personas, persona)).get(reverse("supervision:case-detail", args=[case.pk]))
    assert response.status_code == (200 if CASE_SEES[persona] else 404)
    if response.status_code == 200:
        shows_forms = reverse("supervision:case-act", args=[case.pk]) in response.content.decode()
        assert shows_forms is (persona in ("commissioner", "township_commissioner"))


def test_commissioner_records_an_action_on_the_page(client, personas, case):
    response = login(client, personas.commissioner).post(
        reverse("supervision:case-act", args=[case.pk]), {"action": "talk", "note": "约谈支部书记"}
    )
    assert response.status_code == 302
    assert SupervisionAction.objects.get().action == "talk"


def test_bad_action_form_is_redisplayed_with_the_input(client, personas, case):
    response = login(client, personas.commissioner).post(
        reverse("supervision:case-act", args=[case.pk]), {"action": "talk", "note": ""}
    )
    assert response.status_code == 400
    assert 'value="talk" selected' in response.content.decode()
    assert not SupervisionAction.objects.exists()


def test_close_without_conclusion_is_redisplayed(client, personas, case):
    response = login(client, personas.commissioner).post(
        reverse("supervision:case-close", args=[case.pk]), {"conclusion": "  "}
    )
    assert response.status_code == 400
    assert SupervisionCase.objects.get().state == "open"


def test_commissioner_closes_the_case_on_the_page(client, personas, case):
    login(client, personas.commissioner).post(
        reverse("supervision:case-close", args=[case.pk]), {"conclusion": "已整改"}
    )
    assert SupervisionCase.objects.get().state == "closed"


@pytest.mark.parametrize("persona", ["observer", "leader", "secretary"])
def test_readers_cannot_post_actions_on_the_page(client, personas, case, persona):
    response = login(client, getattr(personas, persona)).post(
        reverse("supervision:case-act", args=[case.pk]), {"action": "talk", "note": "x"}
    )
    assert response.status_code == 403


@pytest.mark.parametrize("persona", ["other_commissioner", "cadre"])
def test_outsiders_cannot_post_actions_on_the_page(client, personas, case, persona):
    response = login(client, getattr(personas, persona)).post(
        reverse("supervision:case-act", args=[case.pk]), {"action": "talk", "note": "x"}
    )
    assert response.status_code == 404


def test_acting_on_a_closed_case_page_says_so(client, personas, case):
    login(client, personas.commissioner)
    client.post(reverse("supervision:case-close", args=[case.pk]), {"conclusion": "结案"})
    response = client.post(reverse("supervision:case-act", args=[case.pk]), {"action": "talk", "note": "x"})
    assert response.status_code == 302 and not SupervisionAction.objects.exists()


OPEN_STATUS = {
    "commissioner": 200,
    "township_commissioner": 200,
    "other_commissioner": 404,
    "observer": 403,
    "admin": 403,
    "secretary": 403,
    "leader": 403,
    "other_leader": 404,  # the item is out of their sight
    "cadre": 403,
    "other_cadre": 404,
}


@pytest.mark.parametrize("persona", ALL)
def test_open_case_page_by_persona(client, personas, late_item, persona):
    url = reverse("supervision:case-open", args=["item", late_item.pk])
    assert login(client, getattr(personas, persona)).get(url).status_code == OPEN_STATUS[persona]


def test_commissioner_opens_a_case_on_the_page(client, personas, late_item):
    response = login(client, personas.commissioner).post(
        reverse("supervision:case-open", args=["item", late_item.pk]), {"reason": "群众反映"}
    )
    case = SupervisionCase.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("supervision:case-detail", args=[case.pk])


def test_open_case_page_without_reason_is_redisplayed(client, personas, late_item):
    response = login(client, personas.commissioner).post(
        reverse("supervision:case-open", args=["item", late_item.pk]), {"reason": ""}
    )
    assert response.status_code == 400 and not SupervisionCase.objects.exists()


def test_open_case_page_refuses_a_second_active_case(client, personas, case):
    response = login(client, personas.commissioner).post(
        reverse("supervision:case-open", args=["item", case.object_id]), {"reason": "再次"}
    )
    assert response.status_code == 400 and SupervisionCase.objects.count() == 1


def test_unknown_subject_type_page_is_not_found(client, personas):
    response = login(client, personas.commissioner).get(reverse("supervision:case-open", args=["spaceship", 1]))
    assert response.status_code == 404


def test_nav_links_for_commissioners(client, personas):
    body = login(client, personas.commissioner).get("/").content.decode()
    assert reverse("supervision:queue") in body and reverse("supervision:overview") in body


def test_nav_has_no_supervision_for_cadres(client, personas):
    body = login(client, personas.cadre).get("/").content.decode()
    assert reverse("supervision:queue") not in body and reverse("supervision:overview") not in body


def test_pages_speak_chinese_by_default(client, personas, overdue_item, now_overdue):
    body = login(client, personas.commissioner).get(reverse("supervision:queue")).content.decode()
    assert "逾期待审" in body and "逾期工作日" in body


def test_home_page_warns_admins_about_the_calendar(client, personas):
    assert "2027" in login(client, personas.admin).get("/").content.decode()


def test_home_page_has_no_calendar_warning_for_commissioners(client, personas):
    assert "2027" not in login(client, personas.commissioner).get("/").content.decode()


def test_case_history_reads_in_words_not_state_names(client, personas, case):
    login(client, personas.commissioner).post(
        reverse("supervision:case-act", args=[case.pk]), {"action": "talk", "note": "约谈支部书记"}
    )
    page = client.get(reverse("supervision:case-detail", args=[case.pk])).content.decode()
    history = page.split('<ul class="timeline">')[-1].split("</ul>")[0]
    assert "采取措施" in history and "已立案 → 督办中" in history, history
    assert "(open → acting)" not in history
