"""Work orders go through the same sweep and ladder as items."""

import datetime as dt

import pytest

from supervision.models import SupervisionCase
from workflows import events
from workflows.sweep import sweep_deadlines

from .issue_fixtures import issue_in_state, people_fixture  # noqa: F401


@pytest.fixture
def seen():
    received = []
    events.subscribe(received.append)
    yield received
    events.unsubscribe(received.append)


def test_dispatched_order_not_accepted_turns_yellow_for_the_handler(people, seen):
    issue = issue_in_state(people, "dispatched")
    sweep_deadlines(as_of=issue.dispatched_at + dt.timedelta(days=4))
    issue.refresh_from_db()
    assert issue.warning_level in ("yellow", "red")
    assert any(e.name == "sweep.warning" and people.handler.pk in e.recipients for e in seen)


def test_overdue_order_escalates_once_and_opens_a_case(people):
    issue = issue_in_state(people, "in_progress")
    later = issue.due_at + dt.timedelta(days=15)
    sweep_deadlines(as_of=later)
    sweep_deadlines(as_of=later)
    issue.refresh_from_db()
    assert issue.warning_level == "red"
    assert issue.escalation_level >= 1
    assert SupervisionCase.objects.filter(subject_type="issue", object_id=issue.pk).count() == 1


def test_closed_order_is_not_swept(people):
    issue = issue_in_state(people, "closed")
    sweep_deadlines(as_of=issue.reported_at + dt.timedelta(days=60))
    issue.refresh_from_db()
    assert (issue.warning_level, issue.escalation_level) == ("green", 0)
