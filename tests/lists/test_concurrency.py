"""Two leaders act on the same submitted item at once: exactly one wins, the other gets 409.

Real concurrency needs real row locks: these tests run on PostgreSQL (CI always does) with
separate connections per thread, in transactional test databases.
"""

import threading
import time

import pytest
from django.db import connection, connections
from rest_framework.test import APIClient

from lists import flows
from lists.models import ResponsibilityItem, ResponsibilityList
from tests.conftest import require_service
from workflows.models import TransitionLog

from .lists_builders import item_in_state

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def postgresql():
    if connection.vendor != "postgresql":
        require_service("PostgreSQL (DATABASE_URL)")


def post_as(user, url, body, results, barrier=None):
    """Run in a thread with its own database connection."""
    try:
        client = APIClient()
        client.force_authenticate(user=user)
        if barrier is not None:
            barrier.wait(timeout=10)
        response = client.post(url, body, format="json")
        results.append((user.username, url.rsplit("/", 2)[-2], response.status_code))
    finally:
        connections.close_all()


def wait_until_a_query_waits_for_a_lock(timeout: float = 10.0) -> None:
    """Poll pg_stat_activity until another connection is blocked on a row lock."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.01)
    raise AssertionError("no connection ever waited for the row lock")


def outcome(item, results):
    item = ResponsibilityItem.objects.get(pk=item.pk)
    statuses = sorted(status for *_, status in results)
    entries = TransitionLog.objects.for_object(item).filter(transition__in=["verify", "return"])
    return item, statuses, list(entries)


def test_simultaneous_verify_and_return_have_one_winner(personas):
    item = item_in_state(personas, "submitted")
    base = f"/api/v1/items/{item.pk}/transitions/"
    barrier, results = threading.Barrier(2), []
    threads = [
        threading.Thread(target=post_as, args=(personas.leader, base + "verify/", {}, results, barrier)),
        threading.Thread(
            target=post_as, args=(personas.secretary, base + "return/", {"reason": "photos missing"}, results, barrier)
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    item, statuses, entries = outcome(item, results)
    assert statuses == [200, 409]
    assert len(entries) == 1
    winner = next(kind for _user, kind, status in results if status == 200)
    assert (entries[0].transition, item.state) == (winner, "completed" if winner == "verify" else "returned")


def test_return_blocked_behind_a_verify_in_progress_gets_409(personas, monkeypatch):
    """Deterministic interleaving: the verify holds the row lock while the return queues behind it."""
    item = item_in_state(personas, "submitted")
    base = f"/api/v1/items/{item.pk}/transitions/"
    inside, release = threading.Event(), threading.Event()
    original = flows.item_task_done

    def held(item_, node_name, *, actor):
        if node_name == "verify" and actor.username == "leader01":
            inside.set()
            release.wait(timeout=20)
        return original(item_, node_name, actor=actor)

    monkeypatch.setattr(flows, "item_task_done", held)
    results = []
    verifier = threading.Thread(target=post_as, args=(personas.leader, base + "verify/", {}, results))
    verifier.start()
    assert inside.wait(timeout=20)
    returner = threading.Thread(
        target=post_as, args=(personas.secretary, base + "return/", {"reason": "redo"}, results)
    )
    returner.start()
    wait_until_a_query_waits_for_a_lock()
    release.set()
    verifier.join(timeout=30)
    returner.join(timeout=30)
    item, statuses, entries = outcome(item, results)
    assert sorted(results) == [("leader01", "verify", 200), ("secretary", "return", 409)]
    assert item.state == "completed" and [e.transition for e in entries] == ["verify"]


def race(requests):
    """Post every ``(user, url, body)`` at once, each from its own thread and connection."""
    barrier, results = threading.Barrier(len(requests)), []
    threads = [
        threading.Thread(target=post_as, args=(user, url, body, results, barrier)) for user, url, body in requests
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return sorted(status for *_, status in results)


def test_concurrent_creation_of_a_units_month_list_has_one_winner(personas):
    body = {"unit": personas.branch.pk, "month": "2026-12", "title": "十二月清单"}
    statuses = race(
        [(personas.leader, "/api/v1/lists/", body)] * 3 + [(personas.secretary, "/api/v1/lists/", body)] * 3
    )
    assert len(statuses) == 6 and statuses[0] == 201, statuses  # a request that raised has no status
    assert all(status in (400, 409) for status in statuses[1:]), statuses
    assert ResponsibilityList.objects.filter(unit=personas.branch).count() == 1


def test_concurrent_pledges_of_one_member_have_one_winner(personas):
    from pledges.models import Pledge
    from tests.pledges.pledge_helpers import TEXT, due_date

    body = {"text": TEXT, "due_date": due_date().isoformat(), "category": "people_needs"}
    statuses = race([(personas.cadre, "/api/v1/pledges/", body)] * 6)
    assert len(statuses) == 6 and statuses[0] == 201, statuses  # a request that raised has no status
    assert all(status in (400, 409) for status in statuses[1:]), statuses
    assert Pledge.objects.filter(member=personas.cadre).count() == 1
