"""Print-ready A4 pages: a monthly list, a branch's pledge board, a case's 督办通知书, a work order's 回执."""

import pytest
from django.test import Client
from django.urls import reverse

from organization.models import User
from tests.matrix import dispatched_issue, published_list, submitted_pledge, supervision_case


def page(username: str, url: str):
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client.get(url)


def assert_print_page(response, *texts):
    assert response.status_code == 200
    body = response.content.decode()
    assert "css/print.css" in body  # A4 print styles, no menus
    assert 'class="mainnav"' not in body
    assert "print-signatures" in body
    for text in texts:
        assert text in body, text


@pytest.mark.django_db
def test_a_list_prints_with_its_unit_month_items_and_signature_lines(township):
    lst = published_list(township)
    item = lst.items.first()
    response = page("leader01", reverse("lists:list-print", args=[lst.pk]))
    assert_print_page(response, "青山镇", lst.unit.name, "2026-12", item.title, item.standard, "分管领导", "签字")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "username, status",
    [
        ("leader01", 200),
        ("cadre001", 200),
        ("commissioner02", 200),
        ("observer01", 200),
        ("leader02", 404),
        ("cadre006", 404),
        ("commissioner03", 404),
        ("office01", 404),
        ("bsecretary", 404),
        ("bleader01", 404),
        ("bcadre001", 404),
        ("bcommissioner01", 404),
    ],
)
def test_a_list_prints_only_for_its_readers(township, username, status):
    lst = published_list(township)
    assert page(username, reverse("lists:list-print", args=[lst.pk])).status_code == status


@pytest.mark.django_db
def test_the_pledge_board_prints(township):
    pledge = submitted_pledge(township)
    from pledges import services

    services.pledge_approve(pledge=pledge, actor=township.leader)
    response = page("cadre002", reverse("pledges:pledge-board", args=[township.branch.pk]) + "?print=1")
    assert_print_page(response, pledge.text, township.branch.name, "data-print")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "username, status", [("commissioner02", 200), ("leader01", 200), ("cadre006", 404), ("bcommissioner01", 404)]
)
def test_a_case_prints_as_a_supervision_notice(township, username, status):
    case = supervision_case(township)
    response = page(username, reverse("supervision:case-print", args=[case.pk]))
    assert response.status_code == status
    if status == 200:
        assert_print_page(response, "督办通知书", case.subject_title, case.reason, case.unit.name)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "username, status", [("leader01", 200), ("cadre001", 200), ("cadre006", 404), ("bleader01", 404)]
)
def test_a_work_order_prints_as_a_receipt(township, username, status):
    issue = dispatched_issue(township)
    response = page(username, reverse("issues:issue-print", args=[issue.pk]))
    assert response.status_code == status
    if status == 200:
        assert_print_page(response, "回执", issue.title, issue.place_text)


@pytest.mark.django_db
def test_the_receipt_masks_the_phone_for_readers_who_do_not_handle_the_order(township):
    issue = dispatched_issue(township)
    assert "13812341234" in page("cadre001", reverse("issues:issue-print", args=[issue.pk])).content.decode()
    body = page("commissioner02", reverse("issues:issue-print", args=[issue.pk])).content.decode()
    assert "13812341234" not in body
    assert "138****1234" in body


@pytest.mark.django_db
def test_print_pages_ask_anonymous_to_sign_in(township, client):
    lst = published_list(township)
    assert client.get(reverse("lists:list-print", args=[lst.pk])).status_code == 302
