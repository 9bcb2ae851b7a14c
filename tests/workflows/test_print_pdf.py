"""PDF downloads of the print pages (WeasyPrint, Debian's Pango and a CJK font): each PDF is
opened and its text read back, and the PDF is as private as the page."""

import io

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from organization.models import User
from tests.matrix import dispatched_issue, published_list, submitted_pledge, supervision_case


def pdf(username: str, url: str):
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client.get(url)


def pdf_text(response) -> str:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    reader = PdfReader(io.BytesIO(response.content))
    assert reader.pages[0].mediabox.width == pytest.approx(595, abs=1)  # A4: 210 mm = 595 pt
    return "\n".join(page.extract_text() for page in reader.pages)


def squeeze(text: str) -> str:
    """The text without the spaces and line breaks that the layout adds between glyphs."""
    return "".join(text.split())


@pytest.mark.django_db
def test_a_monthly_list_downloads_as_a_pdf_with_its_items_and_signature_lines(township):
    lst = published_list(township)
    item = lst.items.first()
    text = squeeze(pdf_text(pdf("leader01", reverse("lists:list-print", args=[lst.pk]) + "?pdf=1")))
    for expected in ("青山镇", lst.unit.name, item.title, item.standard, "分管领导", "签字"):
        assert squeeze(expected) in text, expected
    assert "下载PDF" not in text  # the print tools stay off the PDF


@pytest.mark.django_db
def test_the_pledge_board_downloads_as_a_pdf(township):
    from pledges import services

    pledge = submitted_pledge(township)
    services.pledge_approve(pledge=pledge, actor=township.leader)
    url = reverse("pledges:pledge-board", args=[township.branch.pk]) + "?print=1&pdf=1"
    text = squeeze(pdf_text(pdf("cadre002", url)))
    assert squeeze(pledge.text) in text and township.branch.name in text


@pytest.mark.django_db
def test_a_supervision_notice_downloads_as_a_pdf(township):
    case = supervision_case(township)
    text = squeeze(pdf_text(pdf("commissioner02", reverse("supervision:case-print", args=[case.pk]) + "?pdf=1")))
    for expected in ("督办通知书", case.subject_title, case.reason, case.unit.name):
        assert squeeze(expected) in text, expected


@pytest.mark.django_db
def test_a_work_order_receipt_downloads_as_a_pdf_with_the_readers_phone_masking(township):
    issue = dispatched_issue(township)
    url = reverse("issues:issue-print", args=[issue.pk]) + "?pdf=1"
    text = squeeze(pdf_text(pdf("cadre001", url)))
    assert "回执" in text and squeeze(issue.title) in text and "13812341234" in text
    assert "13812341234" not in squeeze(pdf_text(pdf("commissioner02", url)))


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["cadre006", "office01", "bleader01"])
def test_the_pdf_is_as_private_as_the_page(township, username):
    lst = published_list(township)
    assert pdf(username, reverse("lists:list-print", args=[lst.pk]) + "?pdf=1").status_code == 404


def test_pdf_rendering_loads_no_url_but_static_files():
    from workflows.pdf import html_to_pdf

    html = '<link rel="stylesheet" href="/static/css/print.css"><img src="http://example.invalid/x.png"><p>青山镇</p>'
    with pytest.raises(ValueError, match="only static files"):
        from workflows.pdf import _static_only_fetcher

        _static_only_fetcher().fetch("http://example.invalid/x.png")
    assert "青山镇" in PdfReader(io.BytesIO(html_to_pdf(html))).pages[0].extract_text()
