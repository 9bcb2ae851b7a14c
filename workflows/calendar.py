"""The working-day calendar: mainland China statutory holidays and adjusted working days (调休)
from ``chinesecalendar``, corrected by admin-edited ``CalendarOverride`` rows (township-wide or
per unit). For years the library does not cover (it raises ``NotImplementedError``) the
calendar falls back to Monday–Friday plus overrides, and ``calendar_warnings()`` tells admins.

Deadlines are computed once, when they are set, and stored as datetimes: editing the calendar
later never moves them. Adding working days keeps the time of day.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import chinese_calendar
from django.utils import timezone
from django.utils.translation import gettext as _

MAX_SCAN_DAYS = 3660  # guards against a calendar with no working day at all


@lru_cache(maxsize=4096)
def _library_workday(day: dt.date) -> bool | None:
    """The library's answer, or None for a year it does not cover."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return None


def library_covers(year: int) -> bool:
    return _library_workday(dt.date(year, 6, 1)) is not None


class WorkingCalendar:
    """A calendar for one unit (or the township when ``unit`` is None); loads overrides once.

    Unit overrides win over township-wide ones, which win over the library, which wins over
    the Monday–Friday fallback.
    """

    def __init__(self, unit=None):
        self.unit = unit
        self._overrides: dict[dt.date, bool] | None = None

    @property
    def overrides(self) -> dict[dt.date, bool]:
        if self._overrides is None:
            from .models import CalendarOverride

            rows = CalendarOverride.objects.filter(unit__isnull=True).values_list("date", "is_working_day")
            result = dict(rows)
            if self.unit is not None:
                ancestors = [int(seg) for seg in self.unit.path.strip("/").split("/") if seg] or [self.unit.pk]
                unit_rows = (
                    CalendarOverride.objects.filter(unit_id__in=ancestors)
                    .order_by("unit__path")
                    .values_list("date", "is_working_day")
                )
                result.update(dict(unit_rows))
            self._overrides = result
        return self._overrides

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        library = _library_workday(day)
        if library is not None:
            return library
        return day.weekday() < 5

    def _step(self, day: dt.date, n: int, direction: int) -> dt.date:
        remaining, scanned = n, 0
        while remaining > 0:
            day += dt.timedelta(days=direction)
            scanned += 1
            if scanned > MAX_SCAN_DAYS:
                raise ValueError("No working day found within ten years.")
            if self.is_working_day(day):
                remaining -= 1
        return day

    def add_working_days(self, start: dt.datetime, n: int) -> dt.datetime:
        """The same time of day on the ``n``-th working day after ``start``'s date (n may be negative)."""
        if n == 0:
            return start
        local = timezone.localtime(start) if timezone.is_aware(start) else start
        day = self._step(local.date(), abs(n), 1 if n > 0 else -1)
        return local.replace(year=day.year, month=day.month, day=day.day)

    def subtract_working_days(self, start: dt.datetime, n: int) -> dt.datetime:
        return self.add_working_days(start, -n)

    def add_working_hours(self, start: dt.datetime, hours: int) -> dt.datetime:
        """``start`` plus ``hours`` counted only on working days (whole days count, nights
        included: urgent limits are short and meant to run around the clock); may be negative."""
        local = timezone.localtime(start) if timezone.is_aware(start) else start
        remaining = dt.timedelta(hours=abs(hours))
        t = local
        for _step in range(MAX_SCAN_DAYS):
            if hours >= 0:
                day = t.date()
                edge = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=t.tzinfo)
                available = edge - t
            else:
                day = (t - dt.timedelta(microseconds=1)).date()
                edge = dt.datetime.combine(day, dt.time(), tzinfo=t.tzinfo)
                available = t - edge
            if self.is_working_day(day):
                if remaining <= available:
                    return t + remaining if hours >= 0 else t - remaining
                remaining -= available
            t = edge
        raise ValueError("No working day found within ten years.")

    def working_days_between(self, start: dt.datetime | dt.date, end: dt.datetime | dt.date) -> int:
        """Working days ``d`` with ``start < d <= end`` (by local date); negative when end < start.
        Counts at most ``MAX_SCAN_DAYS`` back from the later date: a deadline years away (a
        bad row) is "more than ten years", not a walk over two thousand."""
        a, b = local_date(start), local_date(end)
        if b < a:
            return -self.working_days_between(end, start)
        a = max(a, _scan_floor(b))
        count, day = 0, a
        while day < b:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return count

    def working_days_since(self, starts, end: dt.datetime | dt.date) -> dict[dt.date, int]:
        """``working_days_between(start, end)`` for many starts at once, keyed by their local
        dates: one walk over the days from the earliest start to ``end``, not one per start."""
        b = local_date(end)
        dates = {local_date(start) for start in starts}
        result = {a: self.working_days_between(a, b) for a in dates if a > b}  # negative: not yet due
        count, day, floor = 0, b, _scan_floor(b)
        for a in sorted((a for a in dates if a <= b), reverse=True):
            while day > max(a, floor):
                if self.is_working_day(day):
                    count += 1
                day -= dt.timedelta(days=1)
            result[a] = count
        return result


def _scan_floor(day: dt.date) -> dt.date:
    """The earliest date counted back from ``day``: ``MAX_SCAN_DAYS`` before it (or year 1)."""
    return day - dt.timedelta(days=min(MAX_SCAN_DAYS, (day - dt.date.min).days))


def local_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return (timezone.localtime(value) if timezone.is_aware(value) else value).date()
    return value


def local_minute(value: dt.datetime | None) -> str:
    """A moment as the pages, exports and messages show it: ``2026-12-02 00:30`` in the current
    time zone (``|date:"Y-m-d H:i"``); ``""`` for none."""
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def is_working_day(day: dt.date, unit=None) -> bool:
    return WorkingCalendar(unit).is_working_day(day)


def add_working_days(start: dt.datetime, n: int, unit=None) -> dt.datetime:
    return WorkingCalendar(unit).add_working_days(start, n)


def add_working_hours(start: dt.datetime, hours: int, unit=None) -> dt.datetime:
    return WorkingCalendar(unit).add_working_hours(start, hours)


def working_days_between(start, end, unit=None) -> int:
    return WorkingCalendar(unit).working_days_between(start, end)


def uncovered_years(today: dt.date | None = None, ahead: int = 1) -> list[int]:
    """Years from this one to ``ahead`` years on that the library does not cover."""
    today = today or timezone.localdate()
    return [year for year in range(today.year, today.year + ahead + 1) if not library_covers(year)]


def calendar_warnings(today: dt.date | None = None) -> list[str]:
    """Messages for admins: years computed with the Monday–Friday fallback."""
    from .models import CalendarOverride

    messages = []
    for year in uncovered_years(today):
        count = CalendarOverride.objects.filter(date__year=year, unit__isnull=True).count()
        messages.append(
            _(
                "The holiday calendar does not cover %(year)s: working days fall back to Monday–Friday "
                "plus %(count)s override(s). Enter that year's statutory holidays and adjusted working "
                "days as calendar overrides."
            )
            % {"year": year, "count": count}
        )
    return messages
