"""Files that are not importable workbooks: a clear error from the page and the command, nothing imported."""

import io
import re
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from lists import excel
from lists.models import ResponsibilityList
from tests.lists.pages_helpers import *  # noqa: F403  (fixtures)

from .pages_helpers import build_list
from .test_excel import good_rows, workbook_bytes

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET = "xl/worksheets/sheet1.xml"
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
BOMB = (
    '<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">'
    '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
)
EXTERNAL = '<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY x SYSTEM "file:///etc/passwd">]>'


def text_row(number: int, *texts: str) -> str:
    cells = "".join(
        f'<c r="{chr(65 + i)}{number}" t="inlineStr"><is><t>{text}</t></is></c>' for i, text in enumerate(texts)
    )
    return f'<row r="{number}">{cells}</row>'


HEADER_ROW = text_row(1, "标题", "完成标准", "责任人", "分管领导", "截止日期")
GOOD_ROW = text_row(2, "任务", "按时完成", "cadre001", "leader01", "2026-12-20")


def sheet_xml(rows: str, prolog: str = "") -> bytes:
    return f"{prolog}<worksheet {NS}><sheetData>{rows}</sheetData></worksheet>".encode()


def with_part(name: str, content: bytes, personas) -> bytes:
    """A good workbook (as openpyxl writes it) with one part replaced by ``content``."""
    source = zipfile.ZipFile(io.BytesIO(workbook_bytes(good_rows(personas, n=1))))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            archive.writestr(info.filename, content if info.filename == name else source.read(info.filename))
    return buffer.getvalue()


def broken_sheet(p):
    return with_part(SHEET, sheet_xml(HEADER_ROW + '<row r="2"><c r="A2" t="inlineStr"><is><t>任务'), p)


def entity_bomb(p):
    return with_part(SHEET, sheet_xml(HEADER_ROW + GOOD_ROW.replace("任务", "&c;"), BOMB), p)


def external_entity(p):
    return with_part(SHEET, sheet_xml(HEADER_ROW + GOOD_ROW.replace("任务", "&x;"), EXTERNAL), p)


def zip_not_xlsx(p):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "这不是工作簿")
    return buffer.getvalue()


def no_worksheet(p):
    workbook = zipfile.ZipFile(io.BytesIO(workbook_bytes([]))).read("xl/workbook.xml").decode()
    return with_part("xl/workbook.xml", re.sub(r"<sheets>.*</sheets>", "<sheets></sheets>", workbook).encode(), p)


def empty_file(p):
    return b""


def too_many_rows(p):
    rows = "".join(text_row(n, f"任务{n}", "按时完成", "cadre001", "leader01", "2026-12-20") for n in range(2, 2003))
    return with_part(SHEET, sheet_xml(HEADER_ROW + rows), p)


def far_row(p):
    # One cell a billion rows down: reading up to it would take hours.
    return with_part(SHEET, sheet_xml(HEADER_ROW + GOOD_ROW + text_row(10**9, "任务")), p)


BAD_FILES = {
    "broken sheet XML": (broken_sheet, "damaged"),
    "entity bomb": (entity_bomb, "entities"),
    "external entity": (external_entity, "entities"),
    "zip that is not an xlsx": (zip_not_xlsx, "Excel"),
    "no worksheet": (no_worksheet, "no worksheet"),
    "empty file": (empty_file, "Excel"),
    "too many rows": (too_many_rows, "2001"),
    "a row a billion rows down": (far_row, "2001"),
}


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.mark.parametrize("name", BAD_FILES)
def test_import_command_refuses_the_file(name, personas, tmp_path):
    build, reason = BAD_FILES[name]
    path = tmp_path / "bad.xlsx"
    path.write_bytes(build(personas))
    with pytest.raises(CommandError) as excinfo:
        call_command("import_list", str(path), unit=personas.branch.pk, month="2026-12", stdout=io.StringIO())
    assert excinfo.value.returncode == 1
    assert str(excinfo.value).startswith(f"{path}: nothing imported.")
    assert reason in str(excinfo.value)
    assert not ResponsibilityList.objects.exists()


@pytest.mark.parametrize("name", BAD_FILES)
def test_upload_page_refuses_the_file(name, personas, client_as):
    build, reason = BAD_FILES[name]
    lst = build_list(personas, items=0, publish=False)
    upload = SimpleUploadedFile("list.xlsx", build(personas), content_type=XLSX)
    response = client_as(personas.leader).post(reverse("lists:list-import", args=[lst.pk]), {"file": upload})
    assert response.status_code == 200
    errors = response.context["import_errors"] + response.context["form"].errors.get("file", [])
    assert errors
    if name != "empty file":  # an empty upload is refused by the form's own field check
        assert any(reason in error for error in errors)
    assert not lst.items.exists()


def test_a_file_too_large_unpacked_is_refused_before_unpacking(personas, tmp_path, monkeypatch):
    monkeypatch.setattr(excel, "MAX_UNPACKED_BYTES", 2**20)
    padding = "<!--" + " " * 2**21 + "-->"
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(with_part(SHEET, sheet_xml(padding + HEADER_ROW + GOOD_ROW), personas))
    assert path.stat().st_size < 2**20
    with pytest.raises(CommandError) as excinfo:
        call_command("import_list", str(path), unit=personas.branch.pk, month="2026-12", stdout=io.StringIO())
    assert "larger than 1 MB" in str(excinfo.value)


def test_2000_rows_is_still_accepted_by_the_reader(personas):
    rows = "".join(text_row(n, f"任务{n}", "按时完成", "cadre001", "leader01", "2026-12-20") for n in range(2, 2002))
    read = excel.read_rows(io.BytesIO(with_part(SHEET, sheet_xml(HEADER_ROW + rows), personas)))
    assert (len(read), read[-1][0]) == (2000, 2001)


def test_openpyxl_parses_with_defusedxml():
    assert openpyxl.DEFUSEDXML is True
