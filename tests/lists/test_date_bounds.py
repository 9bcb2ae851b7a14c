"""Dates without bounds (issue 19 §2): every deadline, due date and month a person enters is
checked by its model, in every entry path, and the database refuses what lies outside 2000–2100."""

import datetime as dt
import io
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone, translation

from issues.models import LivelihoodIssue
from lists import services
from lists.excel import ExcelImportError, import_list
from lists.models import ExtensionRequest, ResponsibilityItem, ResponsibilityList
from pledges.models import Pledge
from tests.issues.issue_fixtures import issue_in_state, people_fixture  # noqa: F401  (fixture)
from tests.lists.pages_helpers import *  # noqa: F403  (fixtures)
from tests.pledges.pledge_helpers import make_pledge
from workflows.bounds import check

from .pages_helpers import build_list
from .test_excel import XLSX, good_rows, workbook_bytes

YEAR_ONE = "0001-01-01T01:00"


def raw_update(table: str, column: str, pk: int, value: str) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {column} = %s WHERE id = %s", [value, pk])


# -- the database ---------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["0001-01-01 01:00:00+08:00", "9999-12-31 23:00:00+00:00"])
def test_database_refuses_an_item_deadline_outside_the_range(personas, item, value):
    if connection.vendor == "sqlite":
        value = value[:19]
    with pytest.raises(IntegrityError):
        raw_update(ResponsibilityItem._meta.db_table, "due_at", item.pk, value)


def test_database_refuses_a_list_month_of_year_one(personas, published_list):
    with pytest.raises(IntegrityError):
        raw_update(ResponsibilityList._meta.db_table, "month", published_list.pk, "0001-01-01")


def test_database_refuses_a_pledge_due_date_of_year_one(personas):
    pledge = make_pledge(personas.cadre, personas.leader)
    with pytest.raises(IntegrityError):
        raw_update(Pledge._meta.db_table, "due_date", pledge.pk, "0001-01-02")


def test_database_refuses_an_extension_to_year_9999(personas, item):
    extension = services.extension_request(
        item=item, actor=personas.cadre, new_due_at=item.due_at + dt.timedelta(days=3), reason="材料未到"
    )
    value = "9999-12-31 23:00:00" if connection.vendor == "sqlite" else "9999-12-31 23:00:00+00:00"
    with pytest.raises(IntegrityError):
        raw_update(ExtensionRequest._meta.db_table, "new_due_at", extension.pk, value)


# -- the model's rule -----------------------------------------------------------------------------


def test_a_new_deadline_in_the_past_is_refused_by_the_model(personas, published_list):
    probe = ResponsibilityItem(list=published_list, due_at=timezone.now() - dt.timedelta(hours=1))
    assert list(check(probe, "due_at")) == ["due_at"]


def test_a_kept_deadline_that_has_passed_is_not_an_error(personas, item):
    ResponsibilityItem.objects.filter(pk=item.pk).update(due_at=timezone.now() - dt.timedelta(days=2))
    item.refresh_from_db()
    assert check(item, "due_at") == {}


def test_a_deadline_more_than_400_days_ahead_is_refused(personas, published_list):
    probe = ResponsibilityItem(list=published_list, due_at=timezone.now() + dt.timedelta(days=401))
    assert "due_at" in check(probe, "due_at")


# -- the entry paths ------------------------------------------------------------------------------


def test_item_form_refuses_year_one_and_stores_nothing(personas, client_as):
    lst = build_list(personas, items=0, publish=False)
    response = client_as(personas.leader).post(
        reverse("lists:item-create", args=[lst.pk]),
        {
            "title": "年份错误",
            "standard": "按时完成",
            "assignee": personas.cadre.pk,
            "lead_leader": personas.leader.pk,
            "due_at": YEAR_ONE,
        },
    )
    assert response.status_code == 200
    assert "due_at" in response.context["form"].errors
    assert not lst.items.exists()


def test_extension_form_refuses_year_9999(personas, client_as, item):
    response = client_as(personas.cadre).post(
        reverse("lists:item-extension", args=[item.pk]),
        {"ext-new_due_at": "9999-12-31T23:00", "ext-reason": "材料未到"},
    )
    assert response.status_code in (200, 400)
    assert not ExtensionRequest.objects.exists()


def test_list_form_refuses_month_of_year_one(personas, client_as):
    response = client_as(personas.leader).post(
        reverse("lists:list-create"), {"unit": personas.branch.pk, "month": "0001-01", "title": "x"}
    )
    assert response.status_code in (200, 400)
    assert not ResponsibilityList.objects.exists()


def test_api_refuses_year_one_deadline(personas, api_as):
    lst = build_list(personas, items=0, publish=False)
    response = api_as(personas.leader).post(
        "/api/v1/items/",
        {
            "list": lst.pk,
            "title": "年份错误",
            "standard": "按时完成",
            "assignee": personas.cadre.pk,
            "lead_leader": personas.leader.pk,
            "due_at": "0001-01-01T01:00:00+08:00",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "due_at" in response.json()
    assert not lst.items.exists()


def test_import_names_the_row_with_a_year_one_date_and_imports_nothing(personas):
    rows = good_rows(personas, n=3)
    rows[1][4] = "0001-01-01"  # spreadsheet row 3
    with pytest.raises(ExcelImportError) as caught, translation.override("en"):
        import_list(file=io.BytesIO(workbook_bytes(rows)), unit=personas.branch, month=dt.date(2026, 12, 1), actor=None)
    (error,) = caught.value.errors
    assert error.startswith("Row 3") and "0001-01-01" in error
    assert not ResponsibilityItem.objects.exists()


def test_import_page_names_a_date_401_days_ahead(personas, client_as):
    lst = build_list(personas, items=0, publish=False)
    rows = good_rows(personas, n=2)
    rows[0][4] = timezone.localdate() + dt.timedelta(days=401)
    upload = SimpleUploadedFile("list.xlsx", workbook_bytes(rows), content_type=XLSX)
    response = client_as(personas.leader).post(reverse("lists:list-import", args=[lst.pk]), {"file": upload})
    assert response.status_code in (200, 400)
    body = response.content.decode()
    assert "Row 2:" in body or "第2行" in body
    assert not lst.items.exists()


def test_staged_resolution_refuses_a_rest_date_of_year_one(people, api_as):
    issue = issue_in_state(people, "in_progress")
    response = api_as(people.handler).post(
        f"/api/v1/livelihood-issues/{issue.pk}/transitions/resolve/",
        {
            "result": "部分完成",
            "resolution": "staged",
            "remaining_plan": "下月完成",
            "remaining_due_date": "0001-01-02",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "remaining_due_date" in response.json()
    assert LivelihoodIssue.objects.get(pk=issue.pk).state == "in_progress"


@pytest.mark.parametrize("month", ["0001-01", "1999-12", "2101-01", "0000-01"])
def test_generate_monthly_lists_says_why_a_month_is_refused(personas, month):
    with pytest.raises(CommandError, match="--month"):
        call_command("generate_monthly_lists", month=month, stdout=io.StringIO())
    assert not ResponsibilityList.objects.exists()


def test_import_command_refuses_a_month_of_year_one(personas, tmp_path):
    path = tmp_path / "list.xlsx"
    path.write_bytes(workbook_bytes(good_rows(personas, n=1)))
    with pytest.raises(CommandError, match="--month"):
        call_command("import_list", str(path), unit=personas.branch.pk, month="0001-01", stdout=io.StringIO())
    assert not ResponsibilityList.objects.exists()


# -- a deadline far in the past (stored before these bounds) ---------------------------------------


def test_overdue_queue_counts_a_deadline_decades_ago_quickly(personas, client_as, item):
    ResponsibilityItem.objects.filter(pk=item.pk).update(due_at=dt.datetime(2000, 1, 3, 18, tzinfo=dt.UTC))
    started = time.monotonic()
    response = client_as(personas.commissioner).get(reverse("supervision:queue"))
    assert response.status_code == 200
    assert time.monotonic() - started < 5
