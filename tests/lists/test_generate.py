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
