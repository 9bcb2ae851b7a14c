"""Deadline policies: which rule applies to an object of a kind, category and urgency.

The numbers are data (``DeadlinePolicy`` rows, edited in the admin); the defaults a domain app
registers for its kinds (``register_defaults``) only fill in when no row exists at all.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .calendar import WorkingCalendar
from .models import DeadlinePolicy

MAX_ESCALATION_LEVEL = 3


@dataclass(frozen=True)
class Policy:
    accept_within_working_days: int = 1
    accept_within_hours: int | None = None
    blue_before_due_working_days: int = 2
    blue_at_percent_time_used: int = 70
    red_after_due_working_days: int = 0
    escalate_after_overdue_working_days: int = 3
    escalation_step_working_days: int = 5
    resolve_within_working_days: int = 5
    return_within_working_days: int = 2
    max_extension_working_days: int = 10

    @classmethod
    def from_row(cls, row: DeadlinePolicy) -> Policy:
        return cls(**{name: getattr(row, name) for name in cls.__dataclass_fields__})

    # -- cutoffs: an object reaches a step when its timestamp is at or before the cutoff ------
    def accept_cutoff(self, calendar: WorkingCalendar, as_of: dt.datetime) -> dt.datetime:
        """Latest assignment time that is overdue for acceptance at ``as_of``."""
        if self.accept_within_hours is not None:
            return calendar.add_working_hours(as_of, -self.accept_within_hours)
        return calendar.subtract_working_days(as_of, self.accept_within_working_days)

    def blue_cutoff(self, calendar: WorkingCalendar, as_of: dt.datetime) -> dt.datetime:
        """Latest deadline that is within the blue window at ``as_of``."""
        return calendar.add_working_days(as_of, self.blue_before_due_working_days)

    def red_cutoff(self, calendar: WorkingCalendar, as_of: dt.datetime) -> dt.datetime:
        return calendar.subtract_working_days(as_of, self.red_after_due_working_days)

    def escalation_cutoffs(self, calendar: WorkingCalendar, as_of: dt.datetime) -> dict[int, dt.datetime]:
        """Escalation level → latest deadline that has reached it at ``as_of``."""
        return {
            level: calendar.subtract_working_days(
                as_of, self.escalate_after_overdue_working_days + (level - 1) * self.escalation_step_working_days
            )
            for level in range(1, MAX_ESCALATION_LEVEL + 1)
        }


#: (kind, urgent) → the built-in policy of a kind, registered by the app that owns the kind.
DEFAULTS: dict[tuple[str, bool], Policy] = {}


def register_defaults(kind: str, *, normal: Policy, urgent: Policy | None = None) -> None:
    """The policies of ``kind`` when it has no ``DeadlinePolicy`` row (urgent work falls back to
    ``normal`` when no urgent default is given)."""
    DEFAULTS[(kind, False)] = normal
    if urgent is not None:
        DEFAULTS[(kind, True)] = urgent


class PolicyBook:
    """All policy rows of one kind, loaded once; ``resolve`` picks the most specific."""

    def __init__(self, kind: str):
        self.kind = kind
        self.rows = {(row.category_code, row.urgent): row for row in DeadlinePolicy.objects.filter(kind=kind)}

    @property
    def category_codes(self) -> list[str]:
        """Categories with a policy of their own."""
        return sorted({code for code, _ in self.rows if code})

    def resolve(self, category_code: str = "", urgent: bool = False) -> Policy:
        for key in ((category_code, urgent), ("", urgent), (category_code, False), ("", False)):
            row = self.rows.get(key)
            if row is not None:
                return Policy.from_row(row)
        return DEFAULTS.get((self.kind, urgent)) or DEFAULTS.get((self.kind, False)) or Policy()


def policy_for(kind: str, category_code: str = "", urgent: bool = False) -> Policy:
    return PolicyBook(kind).resolve(category_code or "", urgent)
