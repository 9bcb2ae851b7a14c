"""Deadline policies: which rule applies to an object of a kind, category and urgency.

The numbers are data (``DeadlinePolicy`` rows, edited in the admin); the defaults a domain app
registers for its kinds (``register_defaults``) only fill in when no row exists at all.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .calendar import WorkingCalendar
from .models import DEFAULT_LADDER, DeadlinePolicy

MAX_ESCALATION_LEVEL = 3


@dataclass(frozen=True)
class Rung:
    """One level of the escalation ladder: after how many overdue working days, who is told
    (an ``EscalationAudience``) and what happens (an ``EscalationAction``)."""

    level: int
    after_overdue_working_days: int
    audience: str
    action: str

    @property
    def audience_label(self) -> str:
        from .models import EscalationAudience

        return str(EscalationAudience(self.audience).label)

    @property
    def action_label(self) -> str:
        from .models import EscalationAction

        return str(EscalationAction(self.action).label)


@dataclass(frozen=True)
class Policy:
    accept_within_working_days: int = 1
    accept_within_hours: int | None = None
    blue_before_due_working_days: int = 2
    blue_at_percent_time_used: int = 70
    red_after_due_working_days: int = 0
    escalate_after_overdue_working_days: int = DEFAULT_LADDER[0][0]
    level1_audience: str = DEFAULT_LADDER[0][1].value
    level1_action: str = DEFAULT_LADDER[0][2].value
    level2_after_overdue_working_days: int = DEFAULT_LADDER[1][0]
    level2_audience: str = DEFAULT_LADDER[1][1].value
    level2_action: str = DEFAULT_LADDER[1][2].value
    level3_after_overdue_working_days: int = DEFAULT_LADDER[2][0]
    level3_audience: str = DEFAULT_LADDER[2][1].value
    level3_action: str = DEFAULT_LADDER[2][2].value
    verify_within_working_days: int = 2
    resolve_within_working_days: int = 5
    return_within_working_days: int = 2
    max_extension_working_days: int = 10

    @classmethod
    def from_row(cls, row: DeadlinePolicy) -> Policy:
        return cls(**{name: getattr(row, name) for name in cls.__dataclass_fields__})

    @property
    def ladder(self) -> tuple[Rung, ...]:
        """The escalation ladder, level 1 first."""
        days = (
            self.escalate_after_overdue_working_days,
            self.level2_after_overdue_working_days,
            self.level3_after_overdue_working_days,
        )
        return tuple(
            Rung(level, days[level - 1], getattr(self, f"level{level}_audience"), getattr(self, f"level{level}_action"))
            for level in range(1, MAX_ESCALATION_LEVEL + 1)
        )

    def rung(self, level: int) -> Rung:
        return self.ladder[level - 1]

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
            rung.level: calendar.subtract_working_days(as_of, rung.after_overdue_working_days) for rung in self.ladder
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
        rows = DeadlinePolicy.objects.filter(kind=kind).select_related("township")
        self.rows = {(row.township_id, row.category_code, row.urgent): row for row in rows}
        #: township id → its unit path, for the townships with policies of their own
        self.township_paths = {row.township_id: row.township.path for row in rows if row.township_id}

    @property
    def category_codes(self) -> list[str]:
        """Categories with a policy of their own (in any township)."""
        return sorted({code for _township, code, _urgent in self.rows if code})

    def resolve(self, category_code: str = "", urgent: bool = False, township_id: int | None = None) -> Policy:
        keys = ((category_code, urgent), ("", urgent), (category_code, False), ("", False))
        for township in dict.fromkeys((township_id, None)):
            for code, urgency in keys:
                row = self.rows.get((township, code, urgency))
                if row is not None:
                    return Policy.from_row(row)
        return DEFAULTS.get((self.kind, urgent)) or DEFAULTS.get((self.kind, False)) or Policy()


def policy_for(kind: str, category_code: str = "", urgent: bool = False, *, unit=None) -> Policy:
    """The policy of an object of ``kind`` (in ``unit``'s township when given)."""
    township_id = None
    if unit is not None:
        from organization.models import township_of

        township = township_of(unit)
        township_id = township.pk if township else None
    return PolicyBook(kind).resolve(category_code or "", urgent, township_id)
