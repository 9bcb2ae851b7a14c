"""Excel export of a branch's pledge board (公示), with Chinese headers."""

from __future__ import annotations

from io import BytesIO

from django.utils import timezone, translation
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from workflows.spreadsheet import append_row

from .models import Pledge

HEADERS = ["序号", "党员", "所在支部", "承诺类别", "承诺内容", "承诺年度", "完成时限", "状态", "践诺情况", "未兑现说明"]


def board_workbook(unit, pledges) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "承诺公示"
    append_row(ws, [f"{unit.name} 党员一句话承诺公示"])
    ws["A1"].font = Font(bold=True, size=14)
    append_row(ws, HEADERS)
    for cell in ws[2]:
        cell.font = Font(bold=True)
    states = dict(Pledge.State.choices)
    categories = dict(Pledge.Category.choices)
    with timezone.override("Asia/Shanghai"):
        with translation.override("zh-hans"):
            for n, pledge in enumerate(pledges, start=1):
                append_row(
                    ws,
                    [
                        n,
                        pledge.member.name,
                        pledge.unit.name,
                        str(categories.get(pledge.category, pledge.category)),
                        pledge.text,
                        pledge.year,
                        pledge.due_date.isoformat(),
                        str(states.get(pledge.state, pledge.state)),
                        pledge.evidence_text if pledge.state == Pledge.State.FULFILLED else "",
                        pledge.unfulfilled_reason,
                    ],
                )
    for column, width in zip("ABCDEFGHIJ", (6, 10, 16, 12, 50, 8, 12, 8, 30, 30), strict=True):
        ws.column_dimensions[column].width = width
    for row in ws.iter_rows(min_row=3):
        row[4].alignment = Alignment(wrap_text=True)
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
