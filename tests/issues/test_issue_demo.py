import io

from django.core.management import call_command

from issues.models import LivelihoodIssue


def test_seed_demo_creates_issues_in_various_states(db):
    call_command("seed_demo", stdout=io.StringIO())
    states = set(LivelihoodIssue.objects.values_list("state", flat=True))
    assert {"reported", "dispatched", "accepted", "in_progress", "resolved", "closed"} <= states


def test_seed_demo_twice_adds_no_issues(db):
    call_command("seed_demo", stdout=io.StringIO())
    count = LivelihoodIssue.objects.count()
    call_command("seed_demo", stdout=io.StringIO())
    assert LivelihoodIssue.objects.count() == count == 12  # 10 of 青山镇, 2 of 白水镇


def test_seed_demo_gives_baishui_its_own_orders_dispatched_by_its_own_dispatcher(db):
    call_command("seed_demo", stdout=io.StringIO())
    baishui = LivelihoodIssue.objects.filter(place_unit__code__startswith="bs-")
    assert baishui.count() == 2
    assert set(baishui.exclude(unit=None).values_list("unit__code", "dispatched_by__username")) == {
        ("bs-branch01", "bleader01")
    }
