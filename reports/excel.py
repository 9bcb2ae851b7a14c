"""The quarterly assessment as an Excel workbook: one sheet per level, Chinese headers, frozen panes."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from workflows.calendar import local_minute
from workflows.spreadsheet import append_row

from .selectors import Assessment, weight_lines

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="B22222")


def _pct(value):
    return None if value is None else float(value)


def _unit_headers():
    return [
        _("Rank"), _("Unit"), _("Items due"), _("On-time acceptance rate"), _("On-time completion rate"),
        _("Overdue items"), _("Overdue working days"), _("Yellow cards"), _("Red cards"),
        _("Pledge fulfilment rate"), _("Issues resolved"), _("Issue resolution rate"), _("Satisfaction rate"),
        _("Bonus"), _("Deductions"), _("Score"), _("Veto"), _("Candidate"),
        _("Activities held"), _("Required parts complete"), _("Attendance rate"), _("Visit coverage"),
        _("三会一课 held as often as required"), _("Findings accepted"),
    ]  # fmt: skip


def _unit_line(row):
    c, r = row.counts, row.rates
    return [
        row.rank, row.unit.name, c["items_due"], _pct(r["on_time_acceptance_rate"]),
        _pct(r["on_time_completion_rate"]), c["overdue_items"], c["overdue_working_days"], c["yellow_cards"],
        c["red_cards"], _pct(r["pledge_fulfilment_rate"]), c["issues_resolved"], _pct(r["issue_resolution_rate"]),
        _pct(r["satisfaction_rate"]), float(row.bonus), float(row.deductions),
        None if row.score is None else float(row.score), "、".join(row.veto_reasons) if row.vetoed else "",
        _("yes") if row.candidate else "",
        c.get("activities_held", 0), _pct(r.get("required_parts_complete")), _pct(r.get("attendance_rate")),
        _pct(r.get("visit_coverage")), _pct(r.get("frequency_met")), c.get("findings_accepted", 0),
    ]  # fmt: skip


def _person_headers():
    return [
        _("Rank"), pgettext("person", "Name"), _("Account"), _("Unit"), _("Items due"), _("On-time completion rate"),
        _("Overdue items"), _("Cards"), _("Pledges fulfilled"), _("Base points"), _("Task points"),
        _("Reward points"), _("Points"), _("Grade"), _("Candidate"), _("Late verifications"),
    ]  # fmt: skip


def _person_line(row):
    c = row.counts
    return [
        row.rank, row.name, row.username, row.unit.name, c["items_due"], _pct(row.rates["on_time_completion_rate"]),
        c["overdue_items"], c["yellow_cards"] + c["red_cards"], c["pledges_fulfilled"], float(row.base_points),
        float(row.task_points), float(row.reward_points), float(row.points), str(row.grade_label),
        _("yes") if row.candidate else "", c["late_verifications"],
    ]  # fmt: skip


def _sheet(wb, title, headers, lines, rate_columns):
    ws = wb.create_sheet(title)
    append_row(ws, headers)
    for cell in ws[1]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for line in lines:
        append_row(ws, line)
    for col in rate_columns:
        for cell in ws.iter_rows(min_row=2, min_col=col, max_col=col):
            cell[0].number_format = "0.0%"
    for index, header in enumerate(headers, start=1):
        ws.column_dimensions[get_column_letter(index)].width = max(10, 2 * len(str(header)) + 2)
    ws.column_dimensions["B"].width = 28
    ws.freeze_panes = "C2"
    return ws


def assessment_workbook(assessment: Assessment) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    period = assessment.period
    suffix = f"{period.year}Q{period.quarter}"
    _sheet(
        wb,
        "{} {}".format(_("Branches"), suffix),
        _unit_headers(),
        [_unit_line(r) for r in sorted(assessment.unit_rows, key=lambda r: (r.rank or 10**6, r.unit.path))],
        (4, 5, 10, 20, 21, 22, 23),
    )
    _sheet(
        wb,
        "{} {}".format(_("Roll-up"), suffix),
        _unit_headers(),
        [_unit_line(r) for r in assessment.rollup_rows],
        (4, 5, 10, 20, 21, 22, 23),
    )
    _sheet(
        wb, "{} {}".format(_("Members"), suffix), _person_headers(), [_person_line(r) for r in assessment.persons], (6,)
    )
    _sheet(
        wb,
        "{} {}".format(_("Scoring weights"), suffix),
        [_("Figure"), _("Weight")],
        [[str(label), float(weight)] for label, weight in weight_lines(assessment.scheme)],
        (),
    )
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def dashboard_workbook(*, trend, warnings, supervision, top_overdue) -> bytes:
    """The dashboard's tables (trend, warning levels, supervision, longest overdue) as a workbook."""
    wb = Workbook()
    wb.remove(wb.active)
    _sheet(
        wb,
        _("On-time completion rate by month"),
        [_("Month"), _("Items due"), _("Completed on time"), _("On-time completion rate")],
        [[t["month"], t["due"], t["on_time"], None if t["rate"] is None else t["rate"] / 100] for t in trend],
        (4,),
    )
    _sheet(
        wb,
        _("Warning levels by unit"),
        [_("Unit"), _("green"), _("blue"), _("yellow"), _("red")],
        [[w["unit"], w["green"], w["blue"], w["yellow"], w["red"]] for w in warnings],
        (),
    )
    _sheet(
        wb,
        _("Supervision by unit"),
        [_("Unit"), _("Yellow cards"), _("Red cards"), _("Open cases"), _("Cases closed in the quarter")],
        [[s["unit"], s["yellow"], s["red"], s["open"], s["closed"]] for s in supervision],
        (),
    )
    _sheet(
        wb,
        _("Longest overdue items"),
        [_("Item"), _("Unit"), _("Responsible cadre"), _("Deadline")],
        [[i.title, i.list.unit.name, str(i.assignee or ""), local_minute(i.due_at)] for i in top_overdue],
        (),
    )
    for ws in wb.worksheets:
        ws.freeze_panes = "B2"
        ws.column_dimensions["A"].width = 28
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
