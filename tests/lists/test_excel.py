import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from lists.models import ResponsibilityItem, ResponsibilityList, TaskCategory
from tests.lists.pages_helpers import *  # noqa: F403  (fixtures)

from .pages_helpers import build_list

HEADER = ["标题", "完成标准", "责任人", "分管领导", "截止日期", "类别"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook_bytes(rows, header=HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def good_rows(personas, n=8):
    TaskCategory.objects.get_or_create(code="party-building", defaults={"name": "党建"})
    return [
        [
            f"任务{i}",
            "按时完成",
            personas.cadre.username if i % 2 else personas.colleague.display_name,
            "leader01",
            dt.date(2026, 12, 10 + i),
            "党建",
        ]
        for i in range(1, n + 1)
    ]


@pytest.fixture
def good_file(personas, tmp_path):
    path = tmp_path / "good.xlsx"
    path.write_bytes(workbook_bytes(good_rows(personas)))
    return path


def test_import_command_creates_the_list_and_items(personas, good_file):
    call_command("import_list", str(good_file), unit=personas.branch.pk, month="2026-12", stdout=io.StringIO())
    lst = ResponsibilityList.objects.get(unit=personas.branch, month=dt.date(2026, 12, 1))
    assert lst.items.count() == 8
    assert lst.items.filter(assignee=personas.colleague).count() == 4


def test_import_command_reports_row_7_and_imports_nothing(personas, tmp_path):
    rows = good_rows(personas)
    rows[5][2] = "nobody"  # the sixth data row is spreadsheet row 7
    path = tmp_path / "bad.xlsx"
    path.write_bytes(workbook_bytes(rows))
    with pytest.raises(CommandError) as excinfo:
        call_command("import_list", str(path), unit=personas.branch.pk, month="2026-12", stdout=io.StringIO())
    assert "Row 7" in str(excinfo.value) or "第7行" in str(excinfo.value)
    assert "nobody" in str(excinfo.value)
    assert not ResponsibilityItem.objects.exists() and not ResponsibilityList.objects.exists()


def test_import_command_refuses_a_non_excel_file(personas, tmp_path):
    path = tmp_path / "notes.xlsx"
    path.write_text("this is not a workbook")
    with pytest.raises(CommandError) as excinfo:
        call_command("import_list", str(path), unit=personas.branch.pk, month="2026-12", stdout=io.StringIO())
    assert "Excel" in str(excinfo.value)
    assert not ResponsibilityList.objects.exists()


def test_import_reports_every_bad_row(personas, tmp_path):
    rows = good_rows(personas)
    rows[0][4] = "someday"
    rows[2][3] = personas.cadre.username  # not a leader of the unit
    rows[3][0] = ""
    path = tmp_path / "bad.xlsx"
    path.write_bytes(workbook_bytes(rows))
    with pytest.raises(CommandError) as excinfo:
        call_command("import_list", str(path), unit=personas.branch.pk, month="2026-12", stdout=io.StringIO())
    message = str(excinfo.value)
    assert all(f"Row {n}" in message or f"第{n}行" in message for n in (2, 4, 5))


def test_import_refuses_a_cadre_of_another_unit(personas, tmp_path):
    rows = good_rows(personas, n=1)
    rows[0][2] = personas.other_cadre.username
    path = tmp_path / "bad.xlsx"
    path.write_bytes(workbook_bytes(rows))
    with pytest.raises(CommandError):
        call_command("import_list", str(path), unit=personas.branch.pk, month="2026-12", stdout=io.StringIO())
    assert not ResponsibilityItem.objects.exists()


def test_upload_page_imports_a_good_file(personas, client_as):
    lst = build_list(personas, items=0, publish=False)
    upload = SimpleUploadedFile("list.xlsx", workbook_bytes(good_rows(personas)), content_type=XLSX)
    response = client_as(personas.leader).post(reverse("lists:list-import", args=[lst.pk]), {"file": upload})
    assert response.status_code == 302
    assert lst.items.count() == 8


def test_upload_page_names_row_7_and_imports_nothing(personas, client_as):
    lst = build_list(personas, items=0, publish=False)
    rows = good_rows(personas)
    rows[5][2] = "nobody"
    upload = SimpleUploadedFile("list.xlsx", workbook_bytes(rows), content_type=XLSX)
    response = client_as(personas.leader).post(reverse("lists:list-import", args=[lst.pk]), {"file": upload})
    assert response.status_code == 200
    assert any("7" in error and "nobody" in error for error in response.context["import_errors"])
    assert not lst.items.exists()


def test_upload_page_refuses_a_non_excel_file(personas, client_as):
    lst = build_list(personas, items=0, publish=False)
    upload = SimpleUploadedFile("list.xlsx", b"%PDF-1.4 not excel", content_type=XLSX)
    response = client_as(personas.leader).post(reverse("lists:list-import", args=[lst.pk]), {"file": upload})
    assert response.status_code == 200 and response.context["import_errors"]
    assert not lst.items.exists()


@pytest.mark.parametrize("who", ["cadre", "commissioner", "observer"])
def test_only_leaders_import(who, personas, client_as):
    lst = build_list(personas, items=0, publish=False)
    response = client_as(getattr(personas, who)).get(reverse("lists:list-import", args=[lst.pk]))
    assert response.status_code == 403


def test_export_has_chinese_headers_and_frozen_panes(personas, client_as):
    lst = build_list(personas, items=3)
    response = client_as(personas.commissioner).get(reverse("lists:list-export", args=[lst.pk]))
    assert response["Content-Type"] == XLSX and "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [cell.value for cell in sheet[1]][:3] == ["序号", "标题", "完成标准"]
    assert sheet.freeze_panes == "C2" and sheet["A1"].font.bold
    assert sheet.max_row == 4


def test_export_outside_scope_is_404(personas, client_as):
    lst = build_list(personas, items=1)
    response = client_as(personas.other_cadre).get(reverse("lists:list-export", args=[lst.pk]))
    assert response.status_code == 404


def test_the_import_template_imports_cleanly(personas, client_as, tmp_path):
    content = client_as(personas.leader).get(reverse("lists:list-import-template")).content
    TaskCategory.objects.get_or_create(code="party-building", defaults={"name": "党建"})
    path = tmp_path / "template.xlsx"
    path.write_bytes(content)
    call_command("import_list", str(path), unit=personas.branch.pk, month="2026-12", stdout=io.StringIO())
    assert ResponsibilityItem.objects.get().assignee == personas.cadre
