"""Reading uploaded workbooks safely, and writing rows of an openpyxl worksheet so that user
text stays text.

Reading (:func:`read_sheet`): the unpacked size is bounded before anything is inflated, XML
entities are refused, the sheet's rows are bounded, and every failure is an ``ExcelImportError``
with messages for the user. Writing:

openpyxl stores any ``str`` that starts with ``=`` as a formula, and Excel or WPS evaluate a
text that starts with ``=``, ``+``, ``-`` or ``@`` (or with a tab or a carriage return before
one of them) when a user edits the cell: a pledge that reads ``=HYPERLINK(...)`` would open a
link, an evidence text ``=cmd|' /C calc'!A0`` would ask to run a program. Every export writes
its rows through :func:`append_row`, never through ``ws.append`` or ``cell.value =``.
"""

from __future__ import annotations

import zipfile
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.utils.exceptions import InvalidFileException

# A cell whose text starts with one of these may be taken for a formula by a spreadsheet.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def write_text(cell, text: str):
    """Put ``text`` in ``cell`` as a string cell, never as a formula.

    The cell's type is set to string (``t="s"``), so openpyxl writes the text itself instead of
    a ``<f>`` element; a text that starts with a formula trigger also gets the cell style's
    *quote prefix* (``quotePrefix="1"``), which is how Excel and WPS store a typed leading
    apostrophe: the cell shows the text exactly as written (no visible ``'``, nothing added to
    the value) and stays text when a user edits it and presses Enter. Prefixing the value with
    ``'`` instead would put the apostrophe into the text of every reader that is not Excel.
    Control characters that an .xlsx cannot hold (all but tab, line feed and carriage return)
    are dropped rather than failing the whole export.
    """
    text = ILLEGAL_CHARACTERS_RE.sub("", text)
    cell.value = text
    cell.data_type = "s"
    if text.startswith(FORMULA_TRIGGERS):
        cell.quotePrefix = True
    return cell


def append_row(ws, values) -> None:
    """Append ``values`` as the next row of ``ws``: text through :func:`write_text`, numbers,
    dates and empty cells (``None``) as they are."""
    ws.append([write_text(Cell(ws), value) if isinstance(value, str) else value for value in values])


# -- reading ----------------------------------------------------------------------------------


class ExcelImportError(Exception):
    """The file cannot be imported; ``errors`` lists every reason (with row numbers)."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


def _not_a_workbook() -> ExcelImportError:
    return ExcelImportError([_("The file is not an Excel workbook (.xlsx).")])


def _open_workbook(file, max_unpacked_bytes: int):
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
    if unpacked > max_unpacked_bytes:
        raise ExcelImportError(
            [_("The file is larger than %(limit)d MB once unpacked.") % {"limit": max_unpacked_bytes // 2**20}]
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


def read_sheet(
    file, columns: dict, required: tuple, *, max_rows: int, max_unpacked_bytes: int
) -> list[tuple[int, dict]]:
    """Rows of the first sheet as dicts keyed by column key (``columns``: key → accepted header texts).

    ExcelImportError when the file is not a readable workbook, has no worksheet, lacks a ``required``
    column or goes past row ``max_rows + 1``.
    """
    workbook = _open_workbook(file, max_unpacked_bytes)
    try:
        return _sheet_rows(workbook, columns, required, max_rows)
    except (ParseError, zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError) as exc:
        # The read-only sheet is parsed while its rows are read, so a broken sheet shows up here.
        if _caused_by(exc, DefusedXmlException):
            raise _entities_refused() from exc
        raise _damaged(exc) from exc
    finally:
        workbook.close()


def _sheet_rows(workbook, columns_by_key: dict, required: tuple, max_rows: int) -> list[tuple[int, dict]]:
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
    lookup = {alias.lower(): key for key, aliases in columns_by_key.items() for alias in aliases}
    columns = {}
    for index, text in enumerate(header):
        key = lookup.get(str(text or "").strip().lower())
        if key:
            columns[key] = index
    missing = [columns_by_key[key][0] for key in required if key not in columns]
    if missing:
        raise ExcelImportError([_("Row 1: missing columns: %(columns)s.") % {"columns": "、".join(missing)}])
    result = []
    for number, values in enumerate(rows, start=2):
        if number > max_rows + 1:
            # Counted in sheet rows, empty or not: a row number far down the sheet is reached
            # through every row before it, so this also bounds the time spent.
            raise ExcelImportError(
                [
                    _("Row %(row)d: the sheet goes past row %(last)d; a file holds at most %(limit)d items.")
                    % {"row": number, "last": max_rows + 1, "limit": max_rows}
                ]
            )
        cells = {key: (values[i] if i < len(values) else None) for key, i in columns.items()}
        if all(v is None or str(v).strip() == "" for v in cells.values()):
            continue
        result.append((number, cells))
    return result
