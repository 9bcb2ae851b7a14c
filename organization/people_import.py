"""Bulk import of people and their roles from an Excel workbook (the township office).

All or nothing, like ``lists.excel.import_list``: every row is checked first and every bad row
is reported with its number and reason; only a file without a bad row is imported, in one
transaction, with one ``AdministrativeChange`` row. A row whose username is new creates the
account (with a one-time password shown once); a row naming someone who already holds a role
in the township adds the role. Nobody of another township can be touched from here.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from workflows.spreadsheet import ExcelImportError, append_row, read_sheet, write_text

from . import office
from .models import Membership, Unit, User

MAX_ROWS = 1000
MAX_UNPACKED_BYTES = 10 * 2**20

COLUMNS = {
    "username": ("用户名", "username"),
    "display_name": ("姓名", "name", "display_name"),
    "phone": ("电话", "phone"),
    "unit": ("单位", "unit"),
    "role": ("角色", "role"),
    "title": ("职务", "post", "title"),
}
REQUIRED = ("username", "display_name", "unit", "role")
USERNAME_RE = re.compile(r"^[A-Za-z0-9_.-]{3,40}$")
PHONE_RE = re.compile(r"^[0-9+\- ]{5,20}$")


@dataclass
class ImportResult:
    created: list[tuple[User, str]]  # new accounts and their one-time passwords
    roles_added: int


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _roles() -> dict[str, str]:
    lookup = {}
    for value, label in Membership.Role.choices:
        lookup[value.lower()] = value
        lookup[str(label).lower()] = value
    return lookup


def _check_rows(township: Unit, rows) -> tuple[list[dict], list[str]]:
    units = {}
    for unit in Unit.objects.filter(path__startswith=township.path):
        units.setdefault(unit.name, []).append(unit)
        units.setdefault(unit.code, []).append(unit)
    roles = _roles()
    usernames = [_text(cells.get("username")) for _number, cells in rows]
    existing = {u.username.lower(): u for u in User.objects.filter(username__in=[n for n in usernames if n])}
    own = set(office.people_of(township).filter(pk__in=[u.pk for u in existing.values()]).values_list("pk", flat=True))
    held = set(Membership.objects.filter(user__in=existing.values()).values_list("user__username", "unit_id", "role"))
    parsed, errors, seen = [], [], {}
    for number, cells in rows:
        reasons, values = [], {key: _text(cells.get(key)) for key in COLUMNS}
        username = values["username"]
        if not USERNAME_RE.match(username):
            reasons.append(
                _("username “%(value)s” must be 3–40 letters, digits, dots, dashes or underscores")
                % {"value": username}
            )
        person = existing.get(username.lower())
        if person is not None and (person.pk not in own or person.is_superuser):
            reasons.append(_("username “%(value)s” is taken by someone outside this township") % {"value": username})
        if not values["display_name"] or len(values["display_name"]) > 50:
            reasons.append(_("the name is required (at most 50 characters)"))
        if values["phone"] and not PHONE_RE.match(values["phone"]):
            reasons.append(_("phone “%(value)s” is not a phone number") % {"value": values["phone"]})
        matches = units.get(values["unit"], [])
        if len(matches) != 1:
            reasons.append(
                (
                    _("unit “%(value)s” is not a unit of %(township)s")
                    if not matches
                    else _("unit “%(value)s” is ambiguous; use its code")
                )
                % {"value": values["unit"], "township": township.name}
            )
        role = roles.get(values["role"].lower())
        if role is None:
            reasons.append(_("role “%(value)s” is not a role") % {"value": values["role"]})
        if len(values["title"]) > 100:
            reasons.append(_("the post is longer than 100 characters"))
        if matches and len(matches) == 1 and role:
            key = (username.lower(), matches[0].pk, role)
            if key in seen:
                reasons.append(_("the same role as row %(row)d") % {"row": seen[key]})
            elif person is not None and (person.username, matches[0].pk, role) in held:
                reasons.append(_("%(person)s already holds this role in this unit") % {"person": person})
            seen[key] = number
        if reasons:
            errors.append(_("Row %(row)d: %(reasons)s.") % {"row": number, "reasons": "; ".join(reasons)})
        else:
            parsed.append({**values, "unit": matches[0], "role": role, "person": person})
    if not rows:
        errors.append(_("The file has no people."))
    return parsed, errors


def import_people(*, township: Unit, actor: User, file, reason: str) -> ImportResult:
    """Import the workbook's people and roles into ``township``; ExcelImportError lists every bad row."""
    reason = office.require_reason(reason)
    rows = read_sheet(file, COLUMNS, REQUIRED, max_rows=MAX_ROWS, max_unpacked_bytes=MAX_UNPACKED_BYTES)
    parsed, errors = _check_rows(township, rows)
    if errors:
        raise ExcelImportError(errors)
    created, people = [], {}
    with transaction.atomic():
        for row in parsed:
            person = row["person"] or people.get(row["username"].lower())
            if person is None:
                password = office.temporary_password()
                person = User(username=row["username"], display_name=row["display_name"], phone=row["phone"])
                person.set_password(password)
                person.save()
                created.append((person, password))
            people[row["username"].lower()] = person
            Membership.objects.create(user=person, unit=row["unit"], role=row["role"], title=row["title"])
        office.record(
            township,
            actor,
            "people_import",
            _("%(people)d new accounts, %(roles)d roles") % {"people": len(created), "roles": len(parsed)},
            reason,
            rows=[[r["username"], r["unit"].name, r["role"]] for r in parsed],
        )
    return ImportResult(created=created, roles_added=len(parsed))


def import_template() -> bytes:
    """An empty workbook with the import columns and one example row."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "人员"
    append_row(sheet, [aliases[0] for aliases in COLUMNS.values()])
    append_row(sheet, ["zhangsan", "张三", "13800000000", "党政办公室党支部", "干部", "组织委员"])
    for index in range(1, len(COLUMNS) + 1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="B7282E")
        sheet.column_dimensions[cell.column_letter].width = 18
    roles = "、".join(str(label) for _value, label in Membership.Role.choices)
    write_text(sheet.cell(row=1, column=len(COLUMNS) + 2), _("Roles: %(roles)s") % {"roles": roles})
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
