"""Overdue pledges go through the same sweep and ladder as items (督诺)."""

import datetime as dt

import pytest
from django.utils import timezone

from supervision.models import SupervisionCase
from workflows import events
from workflows.sweep import sweep_deadlines

from .pledge_helpers import make_pledge


@pytest.fixture
def seen():
    received = []
    events.subscribe(received.append)
    yield received
    events.unsubscribe(received.append)


def test_overdue_pledge_turns_red_and_tells_member_and_leaders(personas, seen):
    pledge = make_pledge(personas.cadre, personas.leader, "approved")
    sweep_deadlines(as_of=pledge.due_at + dt.timedelta(hours=1))
    pledge.refresh_from_db()
    assert pledge.warning_level == "red"
    red = [e for e in seen if e.name == "sweep.warning" and e.context.get("level") == "red"]
    assert len(red) == 1
    assert {personas.cadre.pk, personas.leader.pk} <= set(red[0].recipients)


def test_pledge_overdue_for_weeks_escalates_once_and_opens_a_case(personas):
    pledge = make_pledge(personas.cadre, personas.leader, "claimed")
    later = pledge.due_at + dt.timedelta(days=15)
    sweep_deadlines(as_of=later)
    sweep_deadlines(as_of=later)
    pledge.refresh_from_db()
    assert pledge.escalation_level >= 1
    assert SupervisionCase.objects.filter(subject_type="pledge", object_id=pledge.pk).count() == 1


def test_fulfilled_pledge_is_not_swept(personas):
    pledge = make_pledge(personas.cadre, personas.leader, "fulfilled")
    sweep_deadlines(as_of=timezone.now() + dt.timedelta(days=60))
    pledge.refresh_from_db()
    assert (pledge.warning_level, pledge.escalation_level) == ("green", 0)
