import io

from django.core.management import call_command

from issues.models import LivelihoodIssue
from partylife.models import Visit


def test_seed_demo_creates_issues_in_various_states(db):
    call_command("seed_demo", stdout=io.StringIO())
    states = set(LivelihoodIssue.objects.values_list("state", flat=True))
    assert {"reported", "dispatched", "accepted", "in_progress", "resolved", "closed"} <= states


def test_seed_demo_twice_adds_no_issues(db):
    call_command("seed_demo", stdout=io.StringIO())
    count = LivelihoodIssue.objects.count()
    call_command("seed_demo", stdout=io.StringIO())
    # 10 of 青山镇, 2 of 白水镇, and one raised on a Party-life visit (千名干部联村企) in each
    assert LivelihoodIssue.objects.count() == count == 14


def test_seed_demo_gives_baishui_its_own_orders_dispatched_by_its_own_dispatcher(db):
    call_command("seed_demo", stdout=io.StringIO())
    raised_on_visits = [pk for ids in Visit.objects.values_list("issue_ids", flat=True) for pk in ids]
    baishui = LivelihoodIssue.objects.filter(place_unit__code__startswith="bs-").exclude(pk__in=raised_on_visits)
    assert baishui.count() == 2
    assert set(baishui.exclude(unit=None).values_list("unit__code", "dispatched_by__username")) == {
        ("bs-branch01", "bleader01")
    }
