"""The engine's side of issue 19 §2: the shared bounds, a sweep that survives one bad row, and
working-day counting that does not walk two thousand years."""

import contextlib
import datetime as dt
import io
import logging
import time

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction

from lists.models import ResponsibilityItem
from tests.workflows.conftest import at
from workflows.bounds import deadline_errors, in_range
from workflows.calendar import MAX_SCAN_DAYS, WorkingCalendar
from workflows.models import CalendarOverride
from workflows.sweep import sweep_deadlines

ASSIGNED = at(2026, 11, 30, 9)
DUE = at(2026, 12, 11, 17)
AS_OF = at(2026, 12, 14, 9)  # one working day after DUE: the good items turn red

ITEMS = ResponsibilityItem._meta.db_table


@contextlib.contextmanager
def check_constraint_off(name: str):
    """Store what the constraint refuses (as rows written before it existed were): SQLite ignores
    CHECK constraints on request; on PostgreSQL the constraint is dropped inside the test's
    transaction, which puts it back when it rolls back."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA ignore_check_constraints = ON")
            try:
                yield cursor
            finally:
                cursor.execute("PRAGMA ignore_check_constraints = OFF")
        else:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending foreign-key checks before ALTER
            cursor.execute(f"ALTER TABLE {ITEMS} DROP CONSTRAINT {name}")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            yield cursor


def store_due_at(item, *, sqlite: str, postgresql: str, warning: str | None = None) -> None:
    with check_constraint_off("item_due_at_in_range") as cursor:
        value = sqlite if connection.vendor == "sqlite" else postgresql
        cursor.execute(f"UPDATE {ITEMS} SET due_at = %s WHERE id = %s", [value, item.pk])
        if warning:
            cursor.execute(f"UPDATE {ITEMS} SET warning_level = %s WHERE id = %s", [warning, item.pk])


@pytest.fixture
def three_items(make_item):
    return [make_item(assigned_at=ASSIGNED, due_at=DUE, title=f"任务{n}") for n in range(3)]


def sweep(when=AS_OF):
    with time_machine.travel(when, tick=False):
        return sweep_deadlines(as_of=when)


def warned(seen) -> set[int]:
    return {event.subject.pk for event in seen if event.name == "sweep.warning"}


def test_the_bounds_are_2000_to_2100():
    assert in_range(dt.date(2000, 1, 1)) and in_range(dt.date(2100, 12, 31))
    assert not in_range(dt.date(1999, 12, 31)) and not in_range(dt.date(2101, 1, 1))
    assert not in_range(dt.datetime(1, 1, 1, 1, tzinfo=dt.UTC))
    assert not in_range(dt.datetime(9999, 12, 31, tzinfo=dt.UTC))


def test_a_deadline_400_days_ahead_is_the_last_one_allowed():
    now = at(2026, 12, 4, 9)
    assert deadline_errors(now + dt.timedelta(days=400), now=now) == []
    assert deadline_errors(now + dt.timedelta(days=400, seconds=1), now=now)
    assert deadline_errors(now, now=now)


def test_sweep_survives_an_unreadable_deadline_and_warns_the_others(three_items, events_seen, caplog):
    good, bad, other = three_items
    # 0001-01-01 01:00 in Shanghai: before year 1 in UTC; Python cannot represent it.
    store_due_at(bad, sqlite="0000-12-31 17:00:00", postgresql="0001-01-01 01:00:00+08:00")
    with caplog.at_level(logging.ERROR, logger="workflows.sweep"):
        report = sweep()
    assert warned(events_seen) == {good.pk, other.pk}
    assert {change.pk for change in report.changes} == {good.pk, other.pk}
    assert ResponsibilityItem.objects.get(pk=good.pk).warning_level == "red"
    assert ResponsibilityItem.objects.get(pk=other.pk).warning_level == "red"
    assert ResponsibilityItem.objects.filter(pk=bad.pk).values_list("warning_level", flat=True).get() == "green"
    assert [r for r in caplog.records if r.exc_info and f"#{bad.pk} " in r.getMessage()]


def test_sweep_survives_a_deadline_its_message_cannot_show(three_items, events_seen, caplog):
    good, bad, other = three_items
    # 9999-12-31 20:00 UTC is readable, but in Shanghai it is past year 9999: the message fails.
    store_due_at(bad, sqlite="9999-12-31 20:00:00", postgresql="9999-12-31 20:00:00+00:00", warning="red")
    with caplog.at_level(logging.ERROR, logger="workflows.sweep"):
        sweep()
    assert warned(events_seen) == {good.pk, other.pk}
    assert ResponsibilityItem.objects.get(pk=bad.pk).warning_level == "red"  # left as it was
    assert [r for r in caplog.records if r.exc_info and f"#{bad.pk} " in r.getMessage()]


def test_a_second_sweep_after_a_bad_row_changes_nothing_more(three_items, events_seen):
    _good, bad, _other = three_items
    store_due_at(bad, sqlite="0000-12-31 17:00:00", postgresql="0001-01-01 01:00:00+08:00")
    sweep()
    seen = len(events_seen)
    assert sweep().changes == []
    assert len(events_seen) == seen


# -- working days far back ------------------------------------------------------------------------


def test_working_days_since_year_two_is_capped_and_quick(db):
    calendar = WorkingCalendar()
    end = dt.date(2026, 12, 4)
    started = time.monotonic()
    days = calendar.working_days_since([dt.date(1, 1, 2), dt.date(2026, 12, 1)], end)
    assert time.monotonic() - started < 2
    assert days[dt.date(2026, 12, 1)] == 3
    assert days[dt.date(1, 1, 2)] == calendar.working_days_between(end - dt.timedelta(days=MAX_SCAN_DAYS), end)


def test_working_days_between_year_one_and_now_is_capped(db):
    calendar = WorkingCalendar()
    end = dt.date(2026, 12, 4)
    started = time.monotonic()
    far = calendar.working_days_between(dt.date(1, 1, 1), end)
    assert time.monotonic() - started < 2
    assert far == calendar.working_days_between(end - dt.timedelta(days=MAX_SCAN_DAYS), end) > 2000
    assert calendar.working_days_between(end, dt.date(1, 1, 1)) == -far


# -- commands and calendar overrides --------------------------------------------------------------


@pytest.mark.parametrize("as_of", ["0001-01-01T00:00:00+08:00", "9999-12-31T00:00:00+00:00", "1999-06-01T09:00+08:00"])
def test_sweep_command_refuses_an_as_of_outside_the_range(db, as_of):
    with pytest.raises(CommandError, match="--as-of"):
        call_command("sweep_deadlines", as_of=as_of, stdout=io.StringIO())


def test_calendar_override_of_year_one_is_refused_by_model_and_database(db):
    override = CalendarOverride(date=dt.date(1, 1, 1), is_working_day=False)
    with pytest.raises(Exception) as caught:
        override.full_clean()
    assert "date" in caught.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        CalendarOverride.objects.create(date=dt.date(1, 1, 1), is_working_day=False)
