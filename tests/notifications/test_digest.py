import datetime as dt

import pytest
import time_machine
from django.utils import timezone, translation

from lists import services as domain
from lists.digest import items_digest
from notifications import digest, services
from notifications.models import OutboxMessage

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
MONDAY = dt.datetime(2026, 12, 7, 8, 30, tzinfo=SHANGHAI)


@pytest.fixture
def overdue_item(personas):
    with time_machine.travel(dt.datetime(2026, 12, 1, 9, 0, tzinfo=SHANGHAI), tick=False):
        lst = domain.list_create(
            unit=personas.branch, month=dt.date(2026, 12, 1), title="12月清单", actor=personas.leader
        )
        domain.item_create(
            lst=lst,
            actor=personas.leader,
            title="整改台账",
            standard="完成",
            assignee=personas.cadre,
            lead_leader=personas.leader,
            due_at=dt.datetime(2026, 12, 4, 18, 0, tzinfo=SHANGHAI),
        )
        domain.list_publish(lst=lst, actor=personas.leader)
    return lst.items.get()


@pytest.fixture
def working_days():
    """Restore whatever working-day check was registered before the test."""
    saved = list(digest._working_day_check)
    yield
    digest._working_day_check[:] = saved


def test_leader_digest_lists_overdue_items_of_their_unit(overdue_item, personas):
    lines = items_digest(personas.leader, MONDAY)
    assert any("整改台账" in line for line in lines)


def test_commissioner_digest_lists_overdue_items_in_jurisdiction(overdue_item, personas):
    assert any("整改台账" in line for line in items_digest(personas.commissioner, MONDAY))


def test_other_commissioner_digest_omits_items_elsewhere(overdue_item, personas):
    assert items_digest(personas.other_commissioner, MONDAY) == []


def test_other_leader_digest_omits_items_of_other_units(overdue_item, personas):
    assert items_digest(personas.other_leader, MONDAY) == []


def test_item_not_yet_due_is_not_overdue(overdue_item, personas):
    assert items_digest(personas.leader, dt.datetime(2026, 12, 3, 8, 30, tzinfo=SHANGHAI)) == []


def test_digest_lists_items_awaiting_verification(overdue_item, personas):
    item = domain.item_accept(item=overdue_item, actor=personas.cadre)
    item = domain.item_report_progress(item=item, actor=personas.cadre, text="x")
    domain.item_submit(item=item, actor=personas.cadre, result="done")
    with translation.override("zh-hans"):
        lines = items_digest(personas.leader, MONDAY)
    assert "待您审核的事项 (1)" in lines


def test_digest_lists_pending_extension_requests(overdue_item, personas):
    domain.extension_request(
        item=overdue_item, actor=personas.cadre, new_due_at=MONDAY + dt.timedelta(days=5), reason="等待材料"
    )
    lines = items_digest(personas.leader, MONDAY)
    assert sum("整改台账" in line for line in lines) == 2


def test_send_daily_digests_writes_one_message_per_leader_and_commissioner(overdue_item, personas, working_days):
    digest.register_working_day_check(lambda day: True)
    # leader01 and the secretary lead the unit; commissioner02 (district 1) and 01 (township) oversee it.
    assert services.digest_send(as_of=MONDAY) == 4
    rows = OutboxMessage.objects.filter(event="digest.daily", channel="in_app")
    expected = {"leader01", "secretary", "commissioner02", "commissioner01"}
    assert set(rows.values_list("recipient__username", flat=True)) == expected
    assert "整改台账" in rows.get(recipient=personas.leader).text


def test_cadre_gets_no_digest(overdue_item, personas, working_days):
    digest.register_working_day_check(lambda day: True)
    services.digest_send(as_of=MONDAY)
    assert not OutboxMessage.objects.filter(event="digest.daily", recipient=personas.cadre).exists()


def test_digest_is_sent_once_per_day(overdue_item, personas, working_days):
    digest.register_working_day_check(lambda day: True)
    services.digest_send(as_of=MONDAY)
    services.digest_send(as_of=MONDAY + dt.timedelta(minutes=5))
    assert OutboxMessage.objects.filter(event="digest.daily", recipient=personas.leader, channel="in_app").count() == 1


def test_digest_skips_days_the_calendar_says_are_off(overdue_item, personas, working_days):
    digest.register_working_day_check(lambda day: day != MONDAY.date())
    assert services.digest_send(as_of=MONDAY) == 0
    assert not OutboxMessage.objects.filter(event="digest.daily").exists()


def test_digest_without_calendar_skips_weekends(overdue_item, working_days):
    digest._working_day_check.clear()
    assert services.digest_send(as_of=MONDAY - dt.timedelta(days=1)) == 0
    assert services.digest_send(as_of=MONDAY) > 0


def test_digest_task_takes_as_of(overdue_item, personas, working_days):
    from notifications.tasks import send_daily_digests

    digest.register_working_day_check(lambda day: True)
    assert send_daily_digests(as_of=MONDAY.isoformat()) == 4


def test_digest_text_is_delivered_to_inbox(
    overdue_item, personas, working_days, eager_celery, django_capture_on_commit_callbacks
):
    digest.register_working_day_check(lambda day: True)
    with time_machine.travel(MONDAY, tick=False), django_capture_on_commit_callbacks(execute=True):
        services.digest_send(as_of=timezone.now())
    notification = personas.leader.notifications.get(event="digest.daily")
    assert notification.text.startswith("2026-12-07 每日汇总")


def test_digest_is_written_in_the_site_language_whatever_is_active(overdue_item, personas, working_days):
    digest.register_working_day_check(lambda day: True)
    with translation.override("en"):
        services.digest_send(as_of=MONDAY)
    text = OutboxMessage.objects.get(event="digest.daily", recipient=personas.leader, channel="in_app").text
    assert "逾期事项 (1)" in text


def test_failing_calendar_falls_back_to_weekdays(overdue_item, working_days):
    def beyond_holiday_data(day):
        raise NotImplementedError("no data for this year")

    digest.register_working_day_check(beyond_holiday_data)
    assert services.digest_send(as_of=MONDAY - dt.timedelta(days=1)) == 0
    assert services.digest_send(as_of=MONDAY) > 0


def test_digest_goes_out_on_an_adjusted_working_weekend(overdue_item, personas, working_days, settings):
    """调休: a Saturday the calendar makes a working day gets its 08:30 digest; the beat entry
    fires every day and leaves the choice of days to the calendar."""
    saturday = MONDAY + dt.timedelta(days=5)
    digest.register_working_day_check(lambda day: day == saturday.date())
    schedule = settings.CELERY_BEAT_SCHEDULE["notifications-daily-digest"]["schedule"]
    assert schedule.day_of_week == set(range(7))
    assert services.digest_send(as_of=saturday) == 4
