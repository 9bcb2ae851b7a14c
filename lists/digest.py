"""The items part of the daily digest (registered with notifications in apps.ready())."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from organization.scoping import scope_for
from workflows.calendar import local_minute

from .models import ExtensionRequest, ResponsibilityItem
from .selectors import extensions_awaiting_decision, items_awaiting_verification

Item = ResponsibilityItem
LISTED = 10  # the digest names this many objects per section, then counts the rest


def _section(heading: str, rows: list[str], total: int) -> list[str]:
    lines = [f"{heading} ({total})"]
    lines += [f"  · {row}" for row in rows]
    if total > len(rows):
        lines.append("  " + _("… and %(count)d more") % {"count": total - len(rows)})
    return lines


def items_digest(user, as_of: dt.datetime) -> list[str]:
    """Overdue open items in units the user leads or oversees, items awaiting their
    verification, and extension requests awaiting their decision."""
    scope = scope_for(user)
    lines: list[str] = []
    if scope.led_paths or scope.overseen_paths:
        q = scope.overseen_units_q("list__unit__path")
        if scope.led_paths:
            q |= scope.led_units_q("list__unit__path")
        overdue = (
            Item.objects.filter(q, state__in=Item.OPEN_STATES, due_at__lt=as_of)
            .exclude(state=Item.State.SUSPENDED)
            .select_related("list__unit")
            .order_by("due_at", "pk")
        )
        total = overdue.count()
        if total:
            rows = [f"{i.title} — {i.list.unit.name}, {_('due')} {local_minute(i.due_at)}" for i in overdue[:LISTED]]
            lines += _section(_("Overdue items"), rows, total)
    waiting = items_awaiting_verification(user)
    total = waiting.count()
    if total:
        rows = [f"{i.title} — {i.list.unit.name}" for i in waiting[:LISTED]]
        lines += _section(_("Items awaiting your verification"), rows, total)
    extensions = extensions_awaiting_decision(user).filter(state=ExtensionRequest.State.PENDING)
    total = extensions.count()
    if total:
        rows = [
            f"{e.item.title} — {timezone.localtime(e.new_due_at):%Y-%m-%d}" for e in extensions.order_by("pk")[:LISTED]
        ]
        lines += _section(_("Extension requests awaiting your decision"), rows, total)
    return lines
