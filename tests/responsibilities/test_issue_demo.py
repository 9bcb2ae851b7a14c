import io

from django.core.management import call_command

from responsibilities.models import LivelihoodIssue


def test_seed_demo_creates_issues_in_various_states(db):
    call_command("seed_demo", stdout=io.StringIO())
    states = set(LivelihoodIssue.objects.values_list("state", flat=True))
    assert {"reported", "dispatched", "accepted", "in_progress", "resolved", "closed"} <= states


def test_seed_demo_twice_adds_no_issues(db):
    call_command("seed_demo", stdout=io.StringIO())
    count = LivelihoodIssue.objects.count()
    call_command("seed_demo", stdout=io.StringIO())
    assert LivelihoodIssue.objects.count() == count == 10
