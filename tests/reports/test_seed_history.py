import datetime as dt

import pytest
from django.core.management import call_command

from lists.models import ResponsibilityList
from reports.management.commands.seed_history import past_quarters
from reports.selectors import quarterly_assessment

pytestmark = pytest.mark.django_db


def test_past_quarters_are_the_complete_ones_before_today():
    assert past_quarters(2, dt.date(2026, 2, 10)) == [(2025, 3), (2025, 4)]


def test_seed_history_fills_a_past_quarter(township, time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 29, 9, tzinfo=dt.UTC))
    call_command("seed_history", quarters=1, items=1)
    assessment = quarterly_assessment(year=2026, quarter=3)
    township_row = next(r for r in assessment.units if r.unit.name == "青山镇")
    # 青山镇's 13 branches and 白水镇's one branch with a leader and cadres, three months each
    assert (ResponsibilityList.objects.count(), township_row.counts["items_due"] >= 30) == (42, True)
    assert ResponsibilityList.objects.filter(unit__code__startswith="bs-").count() == 3


def test_seed_history_leaves_a_verifiable_checkpointed_log(township, time_machine):
    """Its back-dated rows are covered by a checkpoint at once, and every state matches its log."""
    time_machine.move_to(dt.datetime(2026, 11, 29, 9, tzinfo=dt.UTC))
    call_command("seed_history", quarters=1, items=1)
    time_machine.move_to(dt.datetime(2026, 12, 5, 9, tzinfo=dt.UTC))
    call_command("verify_audit")


def test_seed_history_twice_adds_nothing(township, time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 29, 9, tzinfo=dt.UTC))
    call_command("seed_history", quarters=1, items=1)
    call_command("seed_history", quarters=1, items=1)
    assert ResponsibilityList.objects.count() == 42
