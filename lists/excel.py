"""Excel import and export of monthly lists (openpyxl).

Import is all-or-nothing: every row is checked first and every bad row is reported with its
row number and reason; only a file without a single bad row is imported, in one transaction.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass, field
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils.exceptions import InvalidFileException

from organization.models import Unit, User
from organization.scoping import leaders_of
from workflows.bounds import check
from workflows.calendar import local_minute
from workflows.spreadsheet import append_row

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


class ExcelImportError(Exception):
    """The file cannot be imported; ``errors`` lists every reason (with row numbers)."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


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


def _not_a_workbook() -> ExcelImportError:
    return ExcelImportError([_("The file is not an Excel workbook (.xlsx).")])


def _open_workbook(file):
    """The workbook, read-only; ExcelImportError when the file is not one we are willing to read.

    The unpacked size is checked against the sizes the archive declares before anything is
    unpacked (zipfile never unpacks a member past its declared size), so a zip bomb is refused
    without being inflated. XML entities and DTDs are refused by defusedxml, which openpyxl uses
    when it is installed.
    """
    try:
        with zipfile.ZipFile(file) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
        file.seek(0)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise _not_a_workbook() from exc
    if unpacked > MAX_UNPACKED_BYTES:
        raise ExcelImportError(
            [_("The file is larger than %(limit)d MB once unpacked.") % {"limit": MAX_UNPACKED_BYTES // 2**20}]
        )
    try:
        return load_workbook(file, read_only=True, data_only=True)
    except (InvalidFileException, ParseError, zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        # openpyxl wraps what went wrong in a sheet in "ValueError: Unable to read workbook".
        if _caused_by(exc, DefusedXmlException):
            raise _entities_refused() from exc
        if _caused_by(exc, ParseError):
            raise _damaged(_caused_by(exc, ParseError)) from exc
        raise _not_a_workbook() from exc


def _caused_by(exc: BaseException | None, kind: type) -> BaseException | None:
    """``exc`` or the first exception of type ``kind`` in the chain that led to it."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, kind):
            return exc
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return None


def _entities_refused() -> ExcelImportError:
    return ExcelImportError([_("The file declares XML entities (a DTD), which are not accepted.")])


def _damaged(exc: Exception) -> ExcelImportError:
    return ExcelImportError([_("The file is damaged: %(reason)s.") % {"reason": exc}])


def read_rows(file) -> list[tuple[int, dict]]:
    """Rows of the first sheet as dicts keyed by column key.

    ExcelImportError when the file is not a readable workbook, has no worksheet, lacks a required
    column or goes past row ``MAX_ROWS + 1``.
    """
    workbook = _open_workbook(file)
    try:
        return _sheet_rows(workbook)
    except (ParseError, zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError) as exc:
        # The read-only sheet is parsed while its rows are read, so a broken sheet shows up here.
        if _caused_by(exc, DefusedXmlException):
            raise _entities_refused() from exc
        raise _damaged(exc) from exc
    finally:
        workbook.close()


def _sheet_rows(workbook) -> list[tuple[int, dict]]:
    if not workbook.worksheets:
        raise ExcelImportError([_("The file has no worksheet.")])
    sheet = workbook.worksheets[0]
    # Read the rows the sheet holds, not the size it claims: a declared A1:XFD1048576 would
    # otherwise pad every row and add a million empty ones.
    sheet.reset_dimensions()
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None)
    if header is None:
        raise ExcelImportError([_("The workbook is empty.")])
    lookup = {alias.lower(): key for key, aliases in COLUMNS.items() for alias in aliases}
    columns = {}
    for index, text in enumerate(header):
        key = lookup.get(str(text or "").strip().lower())
        if key:
            columns[key] = index
    missing = [COLUMNS[key][0] for key in REQUIRED if key not in columns]
    if missing:
        raise ExcelImportError([_("Row 1: missing columns: %(columns)s.") % {"columns": "、".join(missing)}])
    result = []
    for number, values in enumerate(rows, start=2):
        if number > MAX_ROWS + 1:
            # Counted in sheet rows, empty or not: a row number far down the sheet is reached
            # through every row before it, so this also bounds the time spent.
            raise ExcelImportError(
                [
                    _("Row %(row)d: the sheet goes past row %(last)d; a file holds at most %(limit)d items.")
                    % {"row": number, "last": MAX_ROWS + 1, "limit": MAX_ROWS}
                ]
            )
        cells = {key: (values[i] if i < len(values) else None) for key, i in columns.items()}
        if all(v is None or str(v).strip() == "" for v in cells.values()):
            continue
        result.append((number, cells))
    return result


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
