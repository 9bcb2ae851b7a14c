import datetime as dt

import pytest
import time_machine
from django.conf import settings
from viewflow.workflow.status import STATUS

from organization.models import User
from pledges import flows as pledge_flows
from pledges import services
from pledges.models import Pledge, PledgeCheck, PledgeProcess, end_of_day
from pledges.selectors import pledge_checks_due, pledge_fulfilment_rate
from pledges.tasks import remind_pledge_self_checks
from workflows import events

from .pledge_helpers import make_pledge


def test_submit_starts_a_process_with_a_review_task(personas):
    pledge = make_pledge(personas.cadre, personas.leader, "submitted")
    process = PledgeProcess.objects.get(artifact_object_id=pledge.pk)
    assert process.status == STATUS.NEW
    assert pledge_flows.open_task(pledge, pledge_flows.PledgeFlow.review) is not None


def test_review_task_is_in_the_branch_leaders_inbox(personas):
    pledge = make_pledge(personas.cadre, personas.leader, "submitted")
    tasks = pledge_flows.pledge_inbox(personas.leader)
    assert [t.process.artifact_object_id for t in tasks] == [pledge.pk]
    assert pledge_flows.pledge_inbox(personas.other_leader) == []


def test_return_puts_a_revise_task_in_the_members_inbox(personas):
    pledge = make_pledge(personas.cadre, personas.leader, "submitted")
    pledge_flows.flow_review(pledge=pledge, actor=personas.leader, approve=False, reason="不具体")
    assert [t.flow_task for t in pledge_flows.pledge_inbox(personas.cadre)] == [pledge_flows.PledgeFlow.revise]


def test_resubmission_continues_the_same_process(personas):
    pledge = make_pledge(personas.cadre, personas.leader, "submitted")
    pledge = pledge_flows.flow_review(pledge=pledge, actor=personas.leader, approve=False, reason="不具体")
    pledge_flows.flow_submit(pledge=pledge, actor=personas.cadre)
    assert PledgeProcess.objects.filter(artifact_object_id=pledge.pk).count() == 1


def test_claim_creates_a_confirmation_task(personas):
    pledge = make_pledge(personas.cadre, personas.leader, "claimed")
    assert pledge_flows.open_task(pledge, pledge_flows.PledgeFlow.confirmation) is not None


def test_confirmation_finishes_the_process(personas):
    pledge = make_pledge(personas.cadre, personas.leader, "fulfilled")
    assert PledgeProcess.objects.get(artifact_object_id=pledge.pk).status == STATUS.DONE


def test_withdrawal_cancels_the_process(personas):
    pledge = make_pledge(personas.cadre, personas.leader, "submitted")
    pledge_flows.flow_close(pledge=pledge, actor=personas.cadre, method="pledge_withdraw")
    assert PledgeProcess.objects.get(artifact_object_id=pledge.pk).status == STATUS.CANCELED
    assert pledge_flows.pledge_inbox(personas.leader) == []


def test_flow_has_a_lock():
    assert pledge_flows.PledgeFlow.lock_impl is not None
    assert type(pledge_flows.PledgeFlow.lock_impl).__name__ == "SelectForUpdateLock"


def test_due_at_is_end_of_due_date_in_shanghai(personas):
    pledge = make_pledge(personas.cadre, personas.leader)
    assert pledge.due_at == end_of_day(pledge.due_date)
    assert pledge.due_at.utcoffset() == dt.timedelta(hours=8)


def test_open_states_are_what_the_sweep_watches(personas):
    assert Pledge.OPEN_STATES == ("approved", "claimed")


@pytest.fixture
def captured():
    seen = []
    events.subscribe(seen.append)
    yield seen
    events.unsubscribe(seen.append)


def test_monthly_reminder_goes_to_members_without_a_self_check(personas, captured):
    checked = make_pledge(personas.cadre, personas.leader, "approved")
    make_pledge(personas.colleague, personas.leader, "claimed")
    make_pledge(User.objects.get(username="cadre003"), personas.leader, "draft")
    services.pledge_record_check(pledge=checked, actor=personas.cadre, kind="self_monthly", note="推进中")
    captured.clear()
    assert remind_pledge_self_checks() == 1
    assert [(e.name, e.recipients) for e in captured] == [("pledge.self_check_due", (personas.colleague.pk,))]


def test_reminder_event_key_is_the_month(personas, captured):
    make_pledge(personas.cadre, personas.leader, "approved")
    captured.clear()
    remind_pledge_self_checks(as_of="2026-12-01")
    assert captured[0].key == "2026-12"


def test_reminder_is_on_the_beat_schedule():
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "pledges.tasks.remind_pledge_self_checks" in tasks


def test_quarterly_check_is_due_until_recorded(personas):
    pledge = make_pledge(personas.cadre, personas.leader, "approved")
    today = dt.date.today()
    assert list(pledge_checks_due(personas.leader, kind="group_quarterly", as_of=today)) == [pledge]
    services.pledge_record_check(pledge=pledge, actor=personas.leader, kind="group_quarterly", note="检查", as_of=today)
    assert list(pledge_checks_due(personas.leader, kind="group_quarterly", as_of=today)) == []


def test_check_period_labels():
    day = dt.date(2026, 11, 29)
    assert PledgeCheck.period_for("self_monthly", day) == "2026-11"
    assert PledgeCheck.period_for("group_quarterly", day) == "2026-Q4"
    assert PledgeCheck.period_for("branch_half_yearly", day) == "2026-H2"


def test_fulfilment_rate_per_quarter(personas):
    with time_machine.travel(dt.datetime(2026, 11, 1, 9, tzinfo=dt.UTC)):
        make_pledge(personas.cadre, personas.leader, "fulfilled")
        make_pledge(personas.colleague, personas.leader, "unfulfilled")
        make_pledge(User.objects.get(username="cadre003"), personas.leader, "approved")
        make_pledge(User.objects.get(username="cadre004"), personas.leader, "submitted")
    rate = pledge_fulfilment_rate(personas.branch, year=2026, quarter=4)
    assert (rate.due, rate.fulfilled, rate.unfulfilled, rate.rate) == (3, 1, 1, 0.3333)


def test_fulfilment_rate_of_an_empty_quarter_is_none(personas):
    assert pledge_fulfilment_rate(personas.branch, year=2026, quarter=1).rate is None


def test_demo_seeds_pledges_in_every_state_and_is_idempotent(personas):
    from pledges.demo import seed_pledges

    assert seed_pledges() == 65 + 5  # every cadre of 青山镇 and of 白水镇's branch 01
    assert seed_pledges() == 0
    states = set(Pledge.objects.values_list("state", flat=True))
    assert states == {"draft", "submitted", "approved", "claimed", "fulfilled", "unfulfilled"}


def test_reminder_task_runs_through_celery(personas, eager_celery, captured):
    make_pledge(personas.cadre, personas.leader, "approved")
    captured.clear()
    assert remind_pledge_self_checks.delay(as_of="2026-12-01").get() == 1


def test_quarter_start_asks_branch_leaders_for_group_check(personas, captured):
    pledge = make_pledge(personas.cadre, personas.leader, "approved")
    captured.clear()
    services.pledge_remind_leader_checks(as_of=dt.date(2026, 10, 1))
    assert [e.name for e in captured] == ["pledge.check_due"]
    assert personas.leader.pk in captured[0].recipients and pledge.member_id not in captured[0].recipients


def test_half_year_start_also_asks_for_branch_check(personas, captured):
    make_pledge(personas.cadre, personas.leader, "approved")
    captured.clear()
    services.pledge_remind_leader_checks(as_of=dt.date(2026, 7, 1))
    assert sorted(e.key for e in captured) == ["branch_half_yearly:2026-H2", "group_quarterly:2026-Q3"]


def test_evaluation_queue_lists_closed_pledges_without_organisation_rating(personas):
    from pledges.selectors import pledges_awaiting_evaluation

    pledge = make_pledge(personas.cadre, personas.leader, "fulfilled")
    assert list(pledges_awaiting_evaluation(personas.leader)) == [pledge]
    services.pledge_evaluate(pledge=pledge, actor=personas.leader, rater="organisation", rating="excellent")
    assert list(pledges_awaiting_evaluation(personas.leader)) == []
