import datetime as dt
import io

import openpyxl
import pytest
import time_machine
from django.urls import reverse

from organization.models import User
from pledges.models import Pledge

from .pledge_helpers import TEXT, due_date, make_pledge

PERSONAS = [
    "cadre",
    "leader",
    "colleague",
    "other_leader",
    "other_cadre",
    "commissioner",
    "other_commissioner",
    "observer",
]


@pytest.fixture
def login(client):
    def as_user(user):
        client.force_login(user)
        return client

    return as_user


def test_anonymous_page_redirects_to_login(client, personas):
    response = client.get(reverse("pledges:pledge-mine"))
    assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.parametrize("persona", PERSONAS)
def test_my_pledges_page_renders_for_every_persona(persona, personas, login):
    response = login(getattr(personas, persona)).get(reverse("pledges:pledge-mine"))
    assert response.status_code == 200


def test_member_creates_pledge_from_page(personas, login):
    body = {"category": "strengths", "text": TEXT, "due_date": due_date().isoformat()}
    response = login(personas.cadre).post(reverse("pledges:pledge-mine"), body)
    pledge = Pledge.objects.get()
    assert response.status_code == 302 and pledge.member == personas.cadre and pledge.state == "draft"


def test_bad_pledge_form_is_redisplayed_with_input_kept(personas, login):
    body = {"category": "strengths", "text": "第一句。第二句很长很长。", "due_date": due_date().isoformat()}
    response = login(personas.cadre).post(reverse("pledges:pledge-mine"), body)
    content = response.content.decode()
    assert response.status_code == 200 and "第一句。第二句很长很长。" in content
    assert 'class="errors"' in content and not Pledge.objects.exists()


def test_second_active_pledge_from_page_is_refused(personas, login):
    make_pledge(personas.cadre, personas.leader, "submitted")
    body = {"category": "strengths", "text": TEXT, "due_date": due_date().isoformat()}
    response = login(personas.cadre).post(reverse("pledges:pledge-mine"), body)
    assert response.status_code == 200 and Pledge.objects.count() == 1


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("cadre", 200),
        ("leader", 200),
        ("colleague", 404),
        ("other_leader", 404),
        ("other_cadre", 404),
        ("commissioner", 200),
        ("other_commissioner", 404),
        ("observer", 200),
    ],
)
def test_detail_of_a_submitted_pledge_by_persona(persona, status, personas, login):
    pledge = make_pledge(personas.cadre, personas.leader, "submitted")
    response = login(getattr(personas, persona)).get(reverse("pledges:pledge-detail", args=[pledge.pk]))
    assert response.status_code == status


def test_leader_approves_from_page(personas, login):
    pledge = make_pledge(personas.cadre, personas.leader, "submitted")
    url = reverse("pledges:pledge-transition", args=[pledge.pk, "approve"])
    assert login(personas.leader).post(url).status_code == 302
    pledge.refresh_from_db()
    assert pledge.state == "approved"


def test_member_cannot_approve_own_pledge_from_page(personas, login):
    pledge = make_pledge(personas.cadre, personas.leader, "submitted")
    url = reverse("pledges:pledge-transition", args=[pledge.pk, "approve"])
    assert login(personas.cadre).post(url).status_code == 403


def test_return_without_reason_redisplays_form(personas, login):
    pledge = make_pledge(personas.cadre, personas.leader, "submitted")
    url = reverse("pledges:pledge-transition", args=[pledge.pk, "return"])
    response = login(personas.leader).post(url, {"reason": ""})
    assert response.status_code == 400
    pledge.refresh_from_db()
    assert pledge.state == "submitted"


def test_member_returning_own_pledge_is_refused_before_the_form_is_read(personas, login):
    # The member may never return a pledge: 403, not the form's 400 for the missing reason.
    pledge = make_pledge(personas.cadre, personas.leader, "submitted")
    url = reverse("pledges:pledge-transition", args=[pledge.pk, "return"])
    assert login(personas.cadre).post(url, {"reason": ""}).status_code == 403
    pledge.refresh_from_db()
    assert pledge.state == "submitted"


def test_member_edits_draft_from_page(personas, login):
    pledge = make_pledge(personas.cadre, personas.leader, "draft")
    body = {"category": "strengths", "text": "每季度为村民开展一次免费法律咨询。", "due_date": due_date().isoformat()}
    response = login(personas.cadre).post(reverse("pledges:pledge-edit", args=[pledge.pk]), body)
    pledge.refresh_from_db()
    assert response.status_code == 302 and pledge.category == "strengths"


def test_leader_records_quarterly_check_from_page(personas, login):
    pledge = make_pledge(personas.cadre, personas.leader, "approved")
    url = reverse("pledges:pledge-check", args=[pledge.pk])
    login(personas.leader).post(url, {"kind": "group_quarterly", "note": "党小组检查，进展正常"})
    assert pledge.checks.get().kind == "group_quarterly"


def test_member_rates_self_from_page(personas, login):
    pledge = make_pledge(personas.cadre, personas.leader, "fulfilled")
    url = reverse("pledges:pledge-evaluate", args=[pledge.pk])
    login(personas.cadre).post(url, {"rater": "self", "rating": "qualified"})
    assert pledge.evaluations.get().rating == "qualified"


@pytest.mark.parametrize(
    ("persona", "status"),
    [("leader", 200), ("secretary", 200), ("cadre", 403), ("commissioner", 403), ("observer", 403)],
)
def test_review_page_is_for_leaders(persona, status, personas, login):
    response = login(getattr(personas, persona)).get(reverse("pledges:pledge-review"))
    assert response.status_code == status


def test_review_page_lists_submitted_pledges_but_not_own(personas, login):
    theirs = make_pledge(personas.cadre, personas.leader, "submitted", text="每月走访结对困难群众两户并帮办实事。")
    own = make_pledge(personas.leader, personas.secretary, "submitted", text="每季度到结对村讲一次专题党课。")
    content = login(personas.leader).get(reverse("pledges:pledge-review")).content.decode()
    assert theirs.text in content and own.text not in content


def test_review_page_query_count(personas, login, django_assert_max_num_queries):
    for n in range(1, 5):
        make_pledge(User.objects.get(username=f"cadre00{n}"), personas.leader, "approved")
    client = login(personas.leader)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("pledges:pledge-review")).status_code == 200


@pytest.mark.parametrize("persona", PERSONAS)
def test_board_is_readable_by_every_township_member(persona, personas, login):
    make_pledge(personas.cadre, personas.leader, "approved")
    response = login(getattr(personas, persona)).get(reverse("pledges:pledge-board", args=[personas.branch.pk]))
    assert response.status_code == 200 and TEXT in response.content.decode()


def test_board_is_not_for_outsiders(personas, login):
    response = login(personas.outsider()).get(reverse("pledges:pledge-board", args=[personas.branch.pk]))
    assert response.status_code == 404


@pytest.mark.parametrize("state", ["draft", "submitted", "withdrawn"])
def test_board_hides_unpublished_pledges(state, personas, login):
    make_pledge(personas.cadre, personas.leader, state)
    response = login(personas.colleague).get(reverse("pledges:pledge-board", args=[personas.branch.pk]))
    assert TEXT not in response.content.decode()


@pytest.mark.parametrize("state", ["approved", "claimed", "fulfilled", "unfulfilled"])
def test_board_shows_published_and_later_pledges(state, personas, login):
    make_pledge(personas.cadre, personas.leader, state)
    response = login(personas.other_cadre).get(reverse("pledges:pledge-board", args=[personas.branch.pk]))
    assert TEXT in response.content.decode()


def test_unfulfilled_explanation_is_public(personas, login):
    make_pledge(personas.cadre, personas.leader, "unfulfilled")
    response = login(personas.other_cadre).get(reverse("pledges:pledge-board", args=[personas.branch.pk]))
    assert "资金未到位" in response.content.decode()


def test_printable_board(personas, login):
    make_pledge(personas.cadre, personas.leader, "approved")
    url = reverse("pledges:pledge-board", args=[personas.branch.pk]) + "?print=1"
    content = login(personas.colleague).get(url).content.decode()
    assert "data-print" in content and TEXT in content  # static/js/dutyflow.js opens the print dialog


def test_board_query_count(personas, login, django_assert_max_num_queries):
    for n in range(1, 6):
        make_pledge(User.objects.get(username=f"cadre00{n}"), personas.leader, "approved")
    client = login(personas.colleague)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("pledges:pledge-board", args=[personas.branch.pk])).status_code == 200


def test_board_index_lists_branches(personas, login):
    make_pledge(personas.cadre, personas.leader, "approved")
    content = login(personas.observer).get(reverse("pledges:pledge-boards")).content.decode()
    assert personas.branch.name in content


def test_excel_export_has_chinese_headers_and_rows(personas, login):
    make_pledge(personas.cadre, personas.leader, "fulfilled")
    response = login(personas.colleague).get(reverse("pledges:pledge-board-export", args=[personas.branch.pk]))
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = workbook.active
    headers = [c.value for c in sheet[2]]
    assert headers[:5] == ["序号", "党员", "所在支部", "承诺类别", "承诺内容"]
    assert sheet.cell(row=3, column=5).value == TEXT
    assert sheet.cell(row=3, column=8).value == "已兑现"


@time_machine.travel(dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC))
def test_board_shows_quarter_fulfilment_rate(personas, login):
    make_pledge(personas.cadre, personas.leader, "fulfilled")
    response = login(personas.colleague).get(reverse("pledges:pledge-board", args=[personas.branch.pk]))
    assert response.context["fulfilment"].fulfilled == 1


def test_my_pledges_page_query_count(personas, login, django_assert_max_num_queries):
    make_pledge(personas.cadre, personas.leader, "withdrawn")
    make_pledge(personas.cadre, personas.leader, "approved")
    client = login(personas.cadre)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("pledges:pledge-mine")).status_code == 200


def test_board_index_query_count(personas, login, django_assert_max_num_queries):
    make_pledge(personas.cadre, personas.leader, "approved")
    client = login(personas.observer)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("pledges:pledge-boards")).status_code == 200


def test_detail_page_query_count(personas, login, django_assert_max_num_queries):
    pledge = make_pledge(personas.cadre, personas.leader, "fulfilled")
    client = login(personas.leader)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("pledges:pledge-detail", args=[pledge.pk])).status_code == 200
