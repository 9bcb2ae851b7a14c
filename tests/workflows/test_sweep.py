"""The deadline sweep through each step of DESIGN.md's table, with explicit ``as_of``."""

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lists import services
from lists.models import ResponsibilityItem
from tests.workflows.conftest import at
from workflows.models import DeadlinePolicy, EscalationEvent
from workflows.sweep import sweep_deadlines

# Assigned Monday 30 Nov 09:00, due Friday 11 Dec 17:00 (2026: no holiday in between).
ASSIGNED = at(2026, 11, 30, 9)
DUE = at(2026, 12, 11, 17)


@pytest.fixture
def item(make_item):
    return make_item(assigned_at=ASSIGNED, due_at=DUE)


def sweep(when):
    with time_machine.travel(when, tick=False):
        return sweep_deadlines(as_of=when)


def reload(item):
    return ResponsibilityItem.objects.get(pk=item.pk)


def accept(item, personas):
    with time_machine.travel(at(2026, 12, 1, 8), tick=False):
        return services.item_accept(item=item, actor=personas.cadre)


def test_fresh_item_stays_green(item):
    sweep(at(2026, 11, 30, 18))
    assert reload(item).warning_level == "green"


def test_not_accepted_after_one_working_day_turns_yellow(item, events_seen):
    sweep(at(2026, 12, 1, 9))
    assert reload(item).warning_level == "yellow"
    (event,) = [e for e in events_seen if e.name == "sweep.warning"]
    assert event.key == "warning:yellow" and event.recipients == (item.assignee_id,)


def test_not_accepted_just_before_one_working_day_stays_green(item):
    sweep(at(2026, 12, 1, 8, 59))
    assert reload(item).warning_level == "green"


def test_accepted_item_is_not_yellow(item, personas):
    accept(item, personas)
    sweep(at(2026, 12, 2, 9))
    assert reload(item).warning_level == "green"


def test_two_working_days_before_due_turns_blue(item, personas, events_seen):
    accept(item, personas)
    sweep(at(2026, 12, 9, 17))
    assert reload(item).warning_level == "blue"
    assert [e.key for e in events_seen if e.name == "sweep.warning"] == ["warning:blue"]


def test_three_working_days_before_due_stays_green_with_the_share_rule_off(item, personas):
    DeadlinePolicy.objects.filter(kind="item").update(blue_at_percent_time_used=0)
    accept(item, personas)
    sweep(at(2026, 12, 8, 17))
    assert reload(item).warning_level == "green"


def test_seventy_percent_of_the_time_used_turns_blue(item, personas):
    # 272 hours from assignment to deadline; 73 % used on 8 Dec 17:00, 3 working days before due.
    accept(item, personas)
    sweep(at(2026, 12, 8, 17))
    assert reload(item).warning_level == "blue"


def test_less_than_seventy_percent_used_stays_green(item, personas):
    # 65 % used on 7 Dec 17:00.
    accept(item, personas)
    sweep(at(2026, 12, 7, 17))
    assert reload(item).warning_level == "green"


def test_the_share_is_policy_data(item, personas):
    DeadlinePolicy.objects.filter(kind="item").update(blue_at_percent_time_used=50)
    accept(item, personas)
    sweep(at(2026, 12, 6, 10))  # 52 % used, a Sunday five working days before due
    assert reload(item).warning_level == "blue"


def test_due_passed_turns_red_and_tells_assignee_and_lead_leader(item, personas, events_seen):
    accept(item, personas)
    sweep(at(2026, 12, 11, 17))
    assert reload(item).warning_level == "red"
    (event,) = [e for e in events_seen if e.name == "sweep.warning"]
    assert event.key == "warning:red" and set(event.recipients) == {personas.cadre.pk, personas.leader.pk}


def test_two_overdue_working_days_do_not_escalate(item, personas):
    accept(item, personas)
    sweep(at(2026, 12, 15, 17))
    assert reload(item).escalation_level == 0


def test_three_overdue_working_days_escalate_to_the_commissioners(item, personas, events_seen):
    accept(item, personas)
    sweep(at(2026, 12, 16, 17))
    item = reload(item)
    assert (item.warning_level, item.escalation_level) == ("red", 1)
    (event,) = [e for e in events_seen if e.name == "sweep.escalated"]
    assert personas.commissioner.pk in event.recipients
    assert personas.other_commissioner.pk not in event.recipients
    assert EscalationEvent.objects.filter(object_id=item.pk, level=1).count() == 1


def test_weekend_days_do_not_count_as_overdue(item, personas):
    accept(item, personas)
    sweep(at(2026, 12, 14, 17))  # Monday: only one working day overdue
    assert reload(item).escalation_level == 0


def test_running_twice_changes_nothing_and_emits_nothing_twice(item, personas, events_seen):
    accept(item, personas)
    first = sweep(at(2026, 12, 16, 17))
    emitted = len(events_seen)
    second = sweep(at(2026, 12, 16, 17))
    assert len(first.changes) == 1 and second.changes == []
    assert len(events_seen) == emitted


def test_each_step_is_announced_once_across_a_month_of_sweeps(item, personas, events_seen):
    accept(item, personas)
    day = at(2026, 12, 1, 9)
    while day < at(2026, 12, 31):
        sweep(day)
        day += dt.timedelta(hours=6)
    keys = [e.key for e in events_seen]
    assert keys.count("warning:blue") == 1
    assert keys.count("warning:red") == 1
    assert keys.count("escalation:1") == 1
    assert EscalationEvent.objects.filter(object_id=item.pk).count() == 3  # levels 1, 2 and 3


def test_suspended_item_is_neither_warned_nor_escalated(item, personas, events_seen):
    accept(item, personas)
    with time_machine.travel(at(2026, 12, 2, 9), tick=False):
        services.item_suspend(item=item, actor=personas.leader, reason="等待上级文件")
    sweep(at(2026, 12, 20, 17))
    item = reload(item)
    assert (item.warning_level, item.escalation_level) == ("green", 0)
    assert not [e for e in events_seen if e.name.startswith("sweep.")]


def test_pending_extension_holds_escalation_but_not_red(item, personas):
    accept(item, personas)
    with time_machine.travel(at(2026, 12, 10, 9), tick=False):
        services.extension_request(item=item, actor=personas.cadre, new_due_at=at(2026, 12, 31, 17), reason="等材料")
    sweep(at(2026, 12, 17, 17))
    item = reload(item)
    assert (item.warning_level, item.escalation_level) == ("red", 0)


def test_rejected_extension_releases_the_escalation(item, personas):
    accept(item, personas)
    with time_machine.travel(at(2026, 12, 10, 9), tick=False):
        extension = services.extension_request(
            item=item, actor=personas.cadre, new_due_at=at(2026, 12, 31, 17), reason="等材料"
        )
        services.extension_reject(extension=extension, actor=personas.leader, reason="不同意")
    sweep(at(2026, 12, 17, 17))
    assert reload(item).escalation_level == 1


def test_approved_extension_brings_the_colour_back_down(item, personas):
    accept(item, personas)
    sweep(at(2026, 12, 11, 18))
    with time_machine.travel(at(2026, 12, 11, 19), tick=False):
        extension = services.extension_request(
            item=item, actor=personas.cadre, new_due_at=at(2026, 12, 31, 17), reason="等材料"
        )
        services.extension_approve(extension=extension, actor=personas.leader)
    sweep(at(2026, 12, 14, 9))
    assert reload(item).warning_level == "green"


def test_completed_item_is_left_alone(item, personas):
    accept(item, personas)
    with time_machine.travel(at(2026, 12, 3, 9), tick=False):
        services.item_report_progress(item=item, actor=personas.cadre, text="进行中")
        services.item_submit(item=item, actor=personas.cadre, result="完成")
        services.item_verify(item=item, actor=personas.leader)
    sweep(at(2026, 12, 20, 9))
    assert reload(item).warning_level == "green"


def test_urgent_items_follow_the_urgent_policy(make_item, personas):
    item = make_item(assigned_at=at(2026, 12, 1, 9), due_at=at(2026, 12, 4, 17), urgent=True)
    sweep(at(2026, 12, 1, 11, 30))  # two and a half hours, not accepted
    assert reload(item).warning_level == "yellow"


def test_category_policy_overrides_the_default(make_item, personas):
    from lists.models import TaskCategory

    category = TaskCategory.objects.create(code="safety", name="安全生产")
    DeadlinePolicy.objects.create(kind="item", category_code="safety", escalate_after_overdue_working_days=1)
    item = make_item(assigned_at=ASSIGNED, due_at=DUE)
    ResponsibilityItem.objects.filter(pk=item.pk).update(category=category)
    other = make_item(assigned_at=ASSIGNED, due_at=DUE, title="其他")
    sweep(at(2026, 12, 14, 17))
    assert reload(item).escalation_level == 1
    assert reload(other).escalation_level == 0


def test_query_count_does_not_grow_with_unchanged_rows(make_item, personas):
    def count_queries():
        with CaptureQueriesContext(connection) as ctx:
            sweep(at(2026, 11, 30, 12))
        return len(ctx.captured_queries)

    make_item(assigned_at=ASSIGNED, due_at=DUE)
    few = count_queries()
    for n in range(15):
        make_item(assigned_at=ASSIGNED, due_at=DUE, title=f"事项{n}")
    assert count_queries() == few


def test_a_step_already_taken_is_never_taken_again(item, personas, events_seen):
    """The unique constraint is the last guard against a concurrent sweep escalating twice."""
    from django.contrib.contenttypes.models import ContentType

    accept(item, personas)
    EscalationEvent.objects.create(
        content_type=ContentType.objects.get_for_model(ResponsibilityItem), object_id=item.pk, level=1, as_of=DUE
    )
    sweep(at(2026, 12, 16, 17))
    assert reload(item).escalation_level == 1
    assert not [e for e in events_seen if e.name == "sweep.escalated"]
    assert EscalationEvent.objects.filter(object_id=item.pk).count() == 1


# -- the command --------------------------------------------------------------------------------


def test_command_prints_what_it_changed(item):
    out = io.StringIO()
    call_command("sweep_deadlines", "--as-of", "2026-12-01T09:00:00+08:00", stdout=out)
    assert f"item #{item.pk}" in out.getvalue() and "green → yellow" in out.getvalue()


def test_command_second_run_reports_no_change(item):
    call_command("sweep_deadlines", "--as-of", "2026-12-01T09:00:00+08:00", stdout=io.StringIO())
    out = io.StringIO()
    call_command("sweep_deadlines", "--as-of", "2026-12-01T09:00:00+08:00", stdout=out)
    assert "0 changed" in out.getvalue()


@pytest.mark.parametrize("value", ["yesterday", "2026-13-01T09:00:00+08:00", "2026-12-01T09:00:00"])
def test_command_rejects_a_bad_as_of(db, value):
    with pytest.raises(CommandError, match="--as-of"):
        call_command("sweep_deadlines", "--as-of", value, stdout=io.StringIO())


def test_beat_task_sweeps_as_of_now(item, eager_celery):
    from workflows.tasks import sweep_deadlines as task

    with time_machine.travel(at(2026, 12, 1, 10), tick=False):
        result = task.delay().get()
    assert result["changed"] == 1 and reload(item).warning_level == "yellow"


def test_unit_calendar_override_counts_in_the_sweep(make_item, personas):
    """Branch 01 works on Saturday 12 December: its item is three working days overdue a day earlier."""
    from workflows.models import CalendarOverride

    CalendarOverride.objects.create(date=dt.date(2026, 12, 12), unit=personas.branch, is_working_day=True)
    ours = make_item(assigned_at=ASSIGNED, due_at=DUE)
    theirs = make_item(
        assigned_at=ASSIGNED,
        due_at=DUE,
        unit=personas.other_branch,
        assignee=personas.other_cadre,
        leader=personas.other_leader,
    )
    sweep(at(2026, 12, 15, 17))
    assert reload(ours).escalation_level == 1
    assert reload(theirs).escalation_level == 0
