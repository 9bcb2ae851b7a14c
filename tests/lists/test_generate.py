import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command

from lists.models import RecurringItemTemplate, ResponsibilityItem, ResponsibilityList
from lists.tasks import generate_monthly_lists
from organization.models import Unit


@pytest.fixture
def templates(personas):
    RecurringItemTemplate.objects.create(
        unit=personas.branch, title="每月主题党日", standard="有方案有记录", default_assignee=personas.cadre, due_day=20
    )
    RecurringItemTemplate.objects.create(unit=personas.branch, title="15分钟纪律微课", standard="讲稿归档", due_day=31)


def test_generate_twice_creates_the_lists_once(templates):
    call_command("generate_monthly_lists", month="2026-12", stdout=io.StringIO())
    call_command("generate_monthly_lists", month="2026-12", stdout=io.StringIO())
    branches = Unit.objects.filter(kind=Unit.Kind.BRANCH).count()
    assert ResponsibilityList.objects.filter(month=dt.date(2026, 12, 1)).count() == branches
    assert ResponsibilityItem.objects.count() == 2


def test_generated_items_are_drafts_with_template_fields(templates, personas):
    call_command("generate_monthly_lists", month="2026-02", stdout=io.StringIO())
    lst = ResponsibilityList.objects.get(unit=personas.branch, month=dt.date(2026, 2, 1))
    micro = lst.items.get(title="15分钟纪律微课")
    party_day = lst.items.get(title="每月主题党日")
    assert lst.state == "draft" and micro.state == "draft"
    assert micro.due_at.day == 28 and micro.lead_leader == personas.leader
    assert party_day.assignee == personas.cadre


def test_generate_adds_recurring_items_to_an_existing_draft(templates, personas):
    ResponsibilityList.objects.create(unit=personas.branch, month=dt.date(2026, 12, 1), title="已有")
    call_command("generate_monthly_lists", month="2026-12", stdout=io.StringIO())
    assert ResponsibilityList.objects.get(unit=personas.branch, month=dt.date(2026, 12, 1)).items.count() == 2


def test_task_defaults_to_next_month(templates, personas):
    with time_machine.travel(dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)):
        result = generate_monthly_lists()
    assert result["month"] == "2026-12"
    assert ResponsibilityList.objects.filter(unit=personas.branch, month=dt.date(2026, 12, 1)).exists()


def test_seed_demo_content_is_idempotent(personas):
    from lists.demo import seed_lists

    seed_lists()
    counts = (ResponsibilityList.objects.count(), ResponsibilityItem.objects.count())
    seed_lists()
    assert (ResponsibilityList.objects.count(), ResponsibilityItem.objects.count()) == counts
    assert ResponsibilityItem.objects.filter(state="completed").exists()


def test_beat_task_name_runs_through_celery(templates, personas, eager_celery):
    from config.celery import app

    task = app.tasks["lists.tasks.generate_monthly_lists"]
    task.delay(month="2027-03")
    assert (
        ResponsibilityList.objects.filter(month=dt.date(2027, 3, 1)).count()
        == Unit.objects.filter(kind=Unit.Kind.BRANCH).count()
    )


@pytest.fixture
def cadences(personas):
    common = {"unit": personas.branch, "standard": "按要求完成", "due_day": 31}
    return {
        "monthly": RecurringItemTemplate.objects.create(title="每月主题党日", **common),
        "quarterly": RecurringItemTemplate.objects.create(
            title="季度党课", cadence="quarterly", period_month=2, **common
        ),
        "annual": RecurringItemTemplate.objects.create(title="年度述职", cadence="annual", period_month=12, **common),
        "once": RecurringItemTemplate.objects.create(
            title="换届选举筹备", cadence="once", once_month=dt.date(2027, 1, 1), **common
        ),
    }


def _generated_titles(personas, today: dt.datetime) -> set[str]:
    """Run the beat task on ``today`` (it fills next month's list) and return that list's titles."""
    with time_machine.travel(today):
        result = generate_monthly_lists()
    month = dt.date.fromisoformat(result["month"] + "-01")
    lst = ResponsibilityList.objects.get(unit=personas.branch, month=month)
    return set(lst.items.values_list("title", flat=True))


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        # December 2026's list: the annual item (month 12); November is a quarter's 2nd month.
        (dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC), {"每月主题党日", "年度述职"}),
        (dt.datetime(2026, 10, 25, 9, 0, tzinfo=dt.UTC), {"每月主题党日", "季度党课"}),
        (dt.datetime(2026, 12, 25, 9, 0, tzinfo=dt.UTC), {"每月主题党日", "换届选举筹备"}),
        (dt.datetime(2027, 1, 25, 9, 0, tzinfo=dt.UTC), {"每月主题党日", "季度党课"}),
        (dt.datetime(2027, 2, 25, 9, 0, tzinfo=dt.UTC), {"每月主题党日"}),
    ],
)
def test_generation_follows_each_templates_cadence(cadences, personas, today, expected):
    assert _generated_titles(personas, today) == expected


def test_a_one_off_item_comes_once_and_the_next_year_brings_no_copy(cadences, personas):
    assert "换届选举筹备" in _generated_titles(personas, dt.datetime(2026, 12, 25, 9, 0, tzinfo=dt.UTC))
    assert "换届选举筹备" not in _generated_titles(personas, dt.datetime(2027, 12, 25, 9, 0, tzinfo=dt.UTC))
    assert ResponsibilityItem.objects.filter(title="换届选举筹备").count() == 1


def test_quarterly_item_is_due_on_its_day_in_the_quarters_month(cadences, personas):
    call_command("generate_monthly_lists", month="2027-02", stdout=io.StringIO())
    item = ResponsibilityItem.objects.get(title="季度党课")
    assert item.due_at.date() == dt.date(2027, 2, 28)


def test_existing_templates_are_monthly(templates):
    assert set(RecurringItemTemplate.objects.values_list("cadence", flat=True)) == {"monthly"}


def test_the_database_refuses_a_cadence_without_its_month(personas):
    from django.db import IntegrityError, transaction

    for fields in ({"cadence": "quarterly", "period_month": 4}, {"cadence": "once"}, {"cadence": "annual"}):
        with pytest.raises(IntegrityError), transaction.atomic():
            RecurringItemTemplate.objects.create(unit=personas.branch, title="x", standard="y", **fields)
