"""The working-day calendar: statutory holidays, adjusted working days, overrides, the fallback."""

import datetime as dt

import pytest

from tests.workflows.conftest import at
from workflows.calendar import (
    WorkingCalendar,
    add_working_days,
    add_working_hours,
    calendar_warnings,
    is_working_day,
    working_days_between,
)
from workflows.models import CalendarOverride


def test_national_day_is_a_holiday(db):
    assert is_working_day(dt.date(2026, 10, 1)) is False


def test_adjusted_working_saturday_is_a_working_day(db):
    """调休: Saturday 14 February 2026 is worked before the Spring Festival."""
    assert is_working_day(dt.date(2026, 2, 14)) is True


def test_ordinary_sunday_is_not_a_working_day(db):
    assert is_working_day(dt.date(2026, 11, 29)) is False


def test_adding_working_days_skips_the_national_day_holiday(db):
    assert add_working_days(at(2026, 9, 30, 10), 1) == at(2026, 10, 8, 10)


def test_adding_working_days_keeps_the_time_of_day(db):
    assert add_working_days(at(2026, 12, 4, 17, 30), 1) == at(2026, 12, 7, 17, 30)


def test_subtracting_working_days_crosses_the_weekend(db):
    assert add_working_days(at(2026, 12, 7, 9), -1) == at(2026, 12, 4, 9)


def test_working_days_between_counts_days_after_start_up_to_end(db):
    assert working_days_between(at(2026, 12, 4, 17), at(2026, 12, 9, 17)) == 3


def test_working_days_between_is_negative_backwards(db):
    assert working_days_between(at(2026, 12, 9), at(2026, 12, 4)) == -3


def test_working_hours_skip_the_weekend(db):
    assert add_working_hours(at(2026, 12, 4, 23), 2) == at(2026, 12, 7, 1)


def test_working_hours_backwards_skip_the_weekend(db):
    assert add_working_hours(at(2026, 12, 7, 1), -2) == at(2026, 12, 4, 23)


def test_township_override_turns_a_workday_into_a_day_off(db):
    CalendarOverride.objects.create(date=dt.date(2026, 12, 8), is_working_day=False, note="防汛")
    assert add_working_days(at(2026, 12, 7, 9), 1) == at(2026, 12, 9, 9)


def test_unit_override_applies_to_that_unit_only(personas):
    CalendarOverride.objects.create(date=dt.date(2026, 12, 12), unit=personas.branch, is_working_day=True)
    assert is_working_day(dt.date(2026, 12, 12), unit=personas.branch) is True
    assert is_working_day(dt.date(2026, 12, 12), unit=personas.other_branch) is False
    assert is_working_day(dt.date(2026, 12, 12)) is False


def test_unit_override_beats_township_override(personas):
    CalendarOverride.objects.create(date=dt.date(2026, 12, 8), is_working_day=False)
    CalendarOverride.objects.create(date=dt.date(2026, 12, 8), unit=personas.branch, is_working_day=True)
    assert is_working_day(dt.date(2026, 12, 8), unit=personas.branch) is True


def test_2027_falls_back_to_monday_to_friday(db):
    assert is_working_day(dt.date(2027, 1, 4)) is True  # a Monday
    assert is_working_day(dt.date(2027, 1, 9)) is False  # a Saturday


def test_deadline_in_2027_is_computed_with_the_fallback(db):
    """Friday 1 January 2027 counts as a working day until an admin enters 元旦."""
    assert add_working_days(at(2026, 12, 31, 9), 1) == at(2027, 1, 1, 9)


def test_override_corrects_the_2027_fallback(db):
    CalendarOverride.objects.create(date=dt.date(2027, 1, 1), is_working_day=False, note="元旦")
    assert add_working_days(at(2026, 12, 31, 9), 1) == at(2027, 1, 4, 9)
    assert is_working_day(dt.date(2027, 1, 1)) is False


def test_admins_are_warned_about_years_the_library_does_not_cover(db):
    (warning,) = calendar_warnings(today=dt.date(2026, 11, 29))
    assert "2027" in warning


def test_no_warning_for_covered_years(db):
    assert calendar_warnings(today=dt.date(2024, 6, 1)) == []


def test_calendar_edits_never_move_a_stored_deadline(make_item):
    item = make_item(assigned_at=at(2026, 11, 30, 9), due_at=add_working_days(at(2026, 11, 30, 9), 5))
    CalendarOverride.objects.create(date=dt.date(2026, 12, 2), is_working_day=False)
    item.refresh_from_db()
    assert item.due_at == at(2026, 12, 7, 9)


def test_overrides_are_loaded_once_per_calendar(db, django_assert_num_queries):
    calendar = WorkingCalendar()
    with django_assert_num_queries(1):
        calendar.add_working_days(at(2026, 12, 1, 9), 30)
        calendar.working_days_between(at(2026, 12, 1), at(2027, 3, 1))


def test_admin_sees_the_calendar_warning(client, personas):
    client.force_login(personas.admin)
    response = client.get("/admin/workflows/calendaroverride/", follow=True)
    assert response.status_code == 200
    assert "2027" in response.content.decode()


@pytest.mark.parametrize("url", ["/admin/workflows/deadlinepolicy/", "/admin/workflows/escalationevent/"])
def test_admin_pages_of_the_engine_open(client, personas, url):
    client.force_login(personas.admin)
    assert client.get(url).status_code == 200


def test_adjusted_working_saturday_counts_when_adding_days(db):
    """Saturday 10 October 2026 is worked after the National Day holiday."""
    assert add_working_days(at(2026, 10, 9, 10), 1) == at(2026, 10, 10, 10)


def test_working_days_since_many_starts_agrees_with_one_by_one(db):
    calendar = WorkingCalendar()
    end = at(2026, 12, 16, 17)
    starts = [at(2026, 9, 20, 8) + dt.timedelta(hours=19 * n) for n in range(120)]
    starts.append(at(2026, 12, 20, 9))  # after the end: negative, as working_days_between says
    days = calendar.working_days_since(starts, end)
    assert {start.date(): calendar.working_days_between(start, end) for start in starts} == days
