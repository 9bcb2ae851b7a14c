"""Every Excel export writes user text as text, never as a formula (API.md)."""

import io

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from lists.models import ResponsibilityItem
from organization.models import Unit, User
from pledges.models import Pledge
from tests.lists.pages_helpers import *  # noqa: F403  (fixtures)
from tests.lists.pages_helpers import build_list
from tests.pledges.pledge_helpers import make_pledge
from tests.reports.helpers import build_quarter
from workflows.spreadsheet import append_row

pytestmark = pytest.mark.django_db

HOSTILE = [
    "=1+1",
    "+cmd",
    "-2+3",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
    '=HYPERLINK("http://evil.example/","点击查看")',
    "=cmd|' /C calc'!A0",
]
Q3 = {"year": 2026, "quarter": 3}


def readable(text: str) -> str:
    # XML turns a bare carriage return into a line feed; the text is otherwise kept as written.
    return text.replace("\r", "\n")


def cells_of(content: bytes) -> list:
    workbook = load_workbook(io.BytesIO(content))
    return [cell for ws in workbook.worksheets for row in ws.iter_rows() for cell in row]


def assert_written_as_text(content: bytes, expected: list[str]) -> None:
    cells = cells_of(content)
    formulas = [(cell.coordinate, cell.value) for cell in cells if cell.data_type == "f"]
    assert formulas == []
    texts = {readable(cell.value) for cell in cells if isinstance(cell.value, str)}
    missing = [text for text in expected if not any(readable(text) in value for value in texts)]
    assert missing == []
    risky = [cell for cell in cells if isinstance(cell.value, str) and cell.value.startswith(("=", "+", "-", "@"))]
    assert risky and all(cell.data_type == "s" and cell.quotePrefix for cell in risky)


def hostile_people(personas):
    """Names that look like formulas, on the people and units every export shows."""
    User.objects.filter(pk=personas.cadre.pk).update(display_name="=1+1")
    User.objects.filter(pk=personas.colleague.pk).update(display_name="@SUM(A1)")
    Unit.objects.filter(pk=personas.branch.pk).update(name="-2+3")
    personas.branch.refresh_from_db()


def test_append_row_keeps_numbers_dates_and_empty_cells():
    import datetime as dt

    workbook = Workbook()
    append_row(workbook.active, [1, 2.5, dt.date(2026, 12, 1), None, "=1+1", "plain", "bell\x07"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    row = next(load_workbook(io.BytesIO(buffer.getvalue())).active.iter_rows())
    assert [cell.data_type for cell in row] == ["n", "n", "d", "n", "s", "s", "s"]
    assert [cell.value for cell in row][4:] == ["=1+1", "plain", "bell"]
    assert (row[4].quotePrefix, row[5].quotePrefix) == (True, False)


def test_list_export_writes_titles_and_standards_as_text(personas, client_as):
    lst = build_list(personas, items=len(HOSTILE) // 2)
    items = list(ResponsibilityItem.objects.filter(list=lst).order_by("pk"))
    for index, item in enumerate(items):
        ResponsibilityItem.objects.filter(pk=item.pk).update(
            title=HOSTILE[2 * index], standard=HOSTILE[2 * index + 1], assignee=personas.cadre
        )
    hostile_people(personas)
    response = client_as(personas.commissioner).get(reverse("lists:list-export", args=[lst.pk]))
    assert response.status_code == 200
    assert_written_as_text(response.content, [*HOSTILE, "=1+1"])
    numbers = [row[0].value for row in load_workbook(io.BytesIO(response.content)).active.iter_rows(min_row=2)]
    assert numbers == list(range(1, len(items) + 1))


def test_pledge_board_export_writes_pledges_and_evidence_as_text(personas, client_as):
    fulfilled = make_pledge(personas.cadre, personas.leader, "fulfilled")
    unfulfilled = make_pledge(personas.colleague, personas.leader, "unfulfilled")
    Pledge.objects.filter(pk=fulfilled.pk).update(text=HOSTILE[6], evidence_text=HOSTILE[7])
    Pledge.objects.filter(pk=unfulfilled.pk).update(text=HOSTILE[0], unfulfilled_reason=HOSTILE[4])
    hostile_people(personas)
    response = client_as(personas.colleague).get(reverse("pledges:pledge-board-export", args=[personas.branch.pk]))
    assert response.status_code == 200
    assert_written_as_text(response.content, [HOSTILE[0], HOSTILE[4], HOSTILE[6], HOSTILE[7], "-2+3"])


def test_dashboard_workbook_writes_titles_and_names_as_text(personas, client_as):
    quarter = build_quarter(personas)
    ResponsibilityItem.objects.filter(pk=quarter.late.pk).update(title=HOSTILE[6])
    hostile_people(personas)
    response = client_as(personas.commissioner).get(reverse("reports:dashboard-xlsx"), Q3)
    assert response.status_code == 200
    assert_written_as_text(response.content, [HOSTILE[6], "-2+3", "@SUM(A1)"])


def test_quarterly_workbook_writes_names_as_text(personas, api_as):
    build_quarter(personas)
    hostile_people(personas)
    response = api_as(personas.secretary).get("/api/v1/reports/quarterly.xlsx", Q3)
    assert response.status_code == 200
    assert_written_as_text(response.content, ["=1+1", "@SUM(A1)", "-2+3"])
    rates = [cell for cell in cells_of(response.content) if cell.number_format == "0.0%" and cell.value is not None]
    assert rates and all(cell.data_type == "n" for cell in rates)


def test_import_template_is_text(personas, client_as):
    content = client_as(personas.leader).get(reverse("lists:list-import-template")).content
    assert all(cell.data_type != "f" for cell in cells_of(content))
