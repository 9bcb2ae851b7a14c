"""Excel import and export of monthly lists (openpyxl).

Import is all-or-nothing: every row is checked first and every bad row is reported with its
row number and reason; only a file without a single bad row is imported, in one transaction.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from organization.models import Unit, User
from organization.scoping import leaders_of
from workflows.bounds import check
from workflows.calendar import local_minute
from workflows.spreadsheet import ExcelImportError, append_row, read_sheet

from . import services
from .models import ResponsibilityItem, ResponsibilityList, TaskCategory

DUE_TIME = dt.time(18, 0)
# Bounds on what an import reads: items (sheet rows after the header) and unpacked bytes.
MAX_ROWS = 2000
MAX_UNPACKED_BYTES = 20 * 2**20

# Column keys and the header texts accepted for them (Chinese first, as exported).
COLUMNS = {
    "title": ("标题", "任务", "title"),
    "standard": ("完成标准", "standard"),
    "assignee": ("责任人", "assignee"),
    "lead_leader": ("分管领导", "lead leader", "lead_leader"),
    "due": ("截止日期", "due date", "due_date", "due"),
    "category": ("类别", "category"),
    "co_handlers": ("协办人", "co-handlers", "co_handlers"),
}
REQUIRED = ("title", "standard", "assignee", "lead_leader", "due")


@dataclass
class ParsedRow:
    row: int
    fields: dict
    co_handlers: list = field(default_factory=list)


def month_from_text(text: str) -> dt.date:
    """``"2026-12"`` → 2026-12-01; ValueError otherwise."""
    year, month = str(text).strip().split("-")
    return dt.date(int(year), int(month), 1)


def list_month_from_text(text: str) -> dt.date:
    """``month_from_text`` held to ``ResponsibilityList.month``'s bounds; ValueError saying why not."""
    try:
        month = month_from_text(text)
    except ValueError as exc:
        raise ValueError(_("Enter the month as YYYY-MM, for example 2026-12.")) from exc
    errors = check(ResponsibilityList(month=month), "month")
    if errors:
        raise ValueError(" ".join(str(error) for error in errors["month"]))
    return month


def _people_index(users) -> dict[str, list[User]]:
    index: dict[str, list[User]] = {}
    for user in users:
        for key in {user.username, user.display_name}:
            if key:
                index.setdefault(key.strip(), []).append(user)
    return index


def _find_person(index, value, what: str) -> User:
    matches = index.get(str(value).strip(), [])
    if not matches:
        raise ValueError(_("%(what)s “%(value)s” is not a member of this unit") % {"what": what, "value": value})
    if len(matches) > 1:
        raise ValueError(_("%(what)s “%(value)s” is ambiguous; use the username") % {"what": what, "value": value})
    return matches[0]


def _due_at(value) -> dt.datetime:
    if isinstance(value, dt.datetime):
        moment = value if value.time() != dt.time(0, 0) else dt.datetime.combine(value.date(), DUE_TIME)
    elif isinstance(value, dt.date):
        moment = dt.datetime.combine(value, DUE_TIME)
    else:
        text = str(value).strip().replace("/", "-")
        try:
            moment = dt.datetime.combine(dt.date.fromisoformat(text), DUE_TIME)
        except ValueError:
            try:
                moment = dt.datetime.fromisoformat(text)
            except ValueError as exc:
                raise ValueError(_("due date “%(value)s” is not a date (YYYY-MM-DD)") % {"value": value}) from exc
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def read_rows(file) -> list[tuple[int, dict]]:
    """Rows of the first sheet as dicts keyed by column key (see ``workflows.spreadsheet.read_sheet``)."""
    return read_sheet(file, COLUMNS, REQUIRED, max_rows=MAX_ROWS, max_unpacked_bytes=MAX_UNPACKED_BYTES)


def parse_rows(rows, unit: Unit) -> tuple[list[ParsedRow], list[str]]:
    """Check every row against the unit; return parsed rows and the errors (row number, reason)."""
    members = _people_index(User.objects.filter(memberships__unit=unit).distinct())
    leaders = _people_index(leaders_of(unit))
    categories = {}
    for category in TaskCategory.objects.all():
        categories[category.code.lower()] = category
        categories[category.name.lower()] = category
    parsed, errors = [], []
    for number, cells in rows:
        reasons = []
        fields = {}
        for key in ("title", "standard"):
            value = str(cells.get(key) or "").strip()
            if not value:
                reasons.append(_("%(column)s is empty") % {"column": COLUMNS[key][0]})
            fields[key] = value
        if len(fields["title"]) > 200:
            reasons.append(_("the title is longer than 200 characters"))
        for key, index, what in (
            ("assignee", members, _("assignee")),
            ("lead_leader", leaders, _("lead leader")),
        ):
            value = cells.get(key)
            if value is None or str(value).strip() == "":
                reasons.append(_("%(column)s is empty") % {"column": COLUMNS[key][0]})
                continue
            try:
                fields[key] = _find_person(index, value, what)
            except ValueError as exc:
                reasons.append(str(exc))
        due = cells.get("due")
        if due is None or str(due).strip() == "":
            reasons.append(_("%(column)s is empty") % {"column": COLUMNS["due"][0]})
        else:
            try:
                fields["due_at"] = _due_at(due)
            except (ValueError, OverflowError) as exc:
                reasons.append(str(exc))
            else:
                for error in check(ResponsibilityItem(due_at=fields["due_at"]), "due_at").get("due_at", []):
                    reasons.append(_("due date “%(value)s”: %(error)s") % {"value": due, "error": error})
        category = str(cells.get("category") or "").strip()
        if category:
            if category.lower() in categories:
                fields["category"] = categories[category.lower()]
            else:
                reasons.append(_("unknown category “%(value)s”") % {"value": category})
        co_handlers = []
        for name in str(cells.get("co_handlers") or "").replace("，", ",").replace("、", ",").split(","):
            if name.strip():
                try:
                    co_handlers.append(_find_person(members, name, _("co-handler")))
                except ValueError as exc:
                    reasons.append(str(exc))
        if reasons:
            errors.append(_("Row %(row)d: %(reasons)s.") % {"row": number, "reasons": "; ".join(reasons)})
        else:
            parsed.append(ParsedRow(number, fields, co_handlers))
    if not rows:
        errors.append(_("The file has no items."))
    return parsed, errors


def import_list(*, file, unit: Unit, month: dt.date, actor: User | None) -> ResponsibilityList:
    """Import a workbook into the unit's list for ``month`` (created as a draft when missing).

    All or nothing: raises ExcelImportError listing every bad row, and then imports nothing.
    """
    parsed, errors = parse_rows(read_rows(file), unit)
    lst = ResponsibilityList.objects.filter(unit=unit, month=month.replace(day=1)).first()
    if lst is not None and lst.state == ResponsibilityList.State.CLOSED:
        errors.insert(0, _("The list for %(month)s is closed.") % {"month": lst.month_label})
    if errors:
        raise ExcelImportError(errors)
    with transaction.atomic():
        if lst is None:
            lst = services.list_create(unit=unit, month=month, title=default_title(unit, month), actor=actor)
        start = lst.items.count()
        for offset, row in enumerate(parsed, start=1):
            services.item_create(
                lst=lst, actor=actor, co_handlers=row.co_handlers, sort_order=start + offset, **row.fields
            )
    return lst


def default_title(unit: Unit, month: dt.date) -> str:
    return f"{unit.name} {month:%Y年%m月}责任清单"


EXPORT_HEADERS = [
    ("序号", 6),
    ("标题", 30),
    ("完成标准", 40),
    ("类别", 10),
    ("责任人", 12),
    ("协办人", 16),
    ("分管领导", 12),
    ("截止日期", 18),
    ("原截止日期", 18),
    ("状态", 10),
    ("进度(%)", 8),
    ("预警", 8),
    ("办结时间", 18),
    ("按时办结", 10),
]


def import_template() -> bytes:
    """An empty workbook with the import columns and one example row."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "清单"
    append_row(sheet, [aliases[0] for aliases in COLUMNS.values()])
    append_row(sheet, ["每月主题党日", "有方案、有签到、有记录", "cadre001", "leader01", "2026-12-20", "党建", ""])
    for index in range(1, len(COLUMNS) + 1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="B7282E")
        sheet.column_dimensions[cell.column_letter].width = 20
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_list(lst: ResponsibilityList, items) -> bytes:
    """The list as an .xlsx workbook: Chinese headers, a formatted header row, frozen panes."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = lst.month_label
    append_row(sheet, [header for header, _width in EXPORT_HEADERS])
    fill = PatternFill("solid", fgColor="B7282E")
    for index, (_header, width) in enumerate(EXPORT_HEADERS, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = fill
        cell.alignment = Alignment(horizontal="center", vertical="center")
        sheet.column_dimensions[cell.column_letter].width = width
    sheet.freeze_panes = "C2"
    on_time = {True: "是", False: "否", None: ""}
    for number, item in enumerate(items, start=1):
        append_row(
            sheet,
            [
                number,
                item.title,
                item.standard,
                item.category.name if item.category else "",
                str(item.assignee) if item.assignee else "",
                "、".join(str(user) for user in item.co_handlers.all()),
                str(item.lead_leader) if item.lead_leader else "",
                local_minute(item.due_at),
                local_minute(item.original_due_at),
                str(item.get_state_display()),
                item.progress_percent,
                str(item.get_warning_level_display()),
                local_minute(item.completed_at),
                on_time[item.on_time],
            ],
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
