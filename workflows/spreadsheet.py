"""Writing rows of an openpyxl worksheet so that user text stays text.

openpyxl stores any ``str`` that starts with ``=`` as a formula, and Excel or WPS evaluate a
text that starts with ``=``, ``+``, ``-`` or ``@`` (or with a tab or a carriage return before
one of them) when a user edits the cell: a pledge that reads ``=HYPERLINK(...)`` would open a
link, an evidence text ``=cmd|' /C calc'!A0`` would ask to run a program. Every export writes
its rows through :func:`append_row`, never through ``ws.append`` or ``cell.value =``.
"""

from __future__ import annotations

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell

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
