"""The sweep's escalation step opens a supervision case, exactly once."""

import threading

import pytest
from django.db import connection, connections

from supervision.models import SupervisionCase
from supervision.services import case_close
from tests.supervision.conftest import ESCALATION_DAY, sweep
from tests.workflows.conftest import at
from workflows.models import EscalationEvent


def test_escalation_opens_exactly_one_case(overdue_item):
    sweep(ESCALATION_DAY)
    sweep(at(2026, 12, 31, 17))  # further escalation levels do not open more cases
    cases = SupervisionCase.objects.filter(object_id=overdue_item.pk)
    assert cases.count() == 1
    case = cases.get()
    assert (case.state, case.source, case.subject_type, case.unit_id) == (
        "open",
        "escalation",
        "item",
        overdue_item.list.unit_id,
    )


def test_escalated_case_is_logged_without_actor(case):
    from workflows.engine import history

    (entry,) = history(case)
    assert (entry.transition, entry.target, entry.actor_id) == ("open", "open", None)


def test_escalation_after_a_closed_case_opens_a_new_one(case, personas):
    case_close(case=case, actor=personas.commissioner, conclusion="已整改")
    sweep(at(2026, 12, 31, 17))
    assert SupervisionCase.objects.filter(object_id=case.object_id, state="open").count() == 1


def test_case_opened_event_tells_the_people_supervised(make_item, personas):
    from tests.supervision.conftest import ASSIGNED, DUE
    from workflows import events

    seen = []
    events.subscribe(seen.append)
    try:
        make_item(assigned_at=ASSIGNED, due_at=DUE)
        sweep(ESCALATION_DAY)
    finally:
        events.unsubscribe(seen.append)
    (event,) = [e for e in seen if e.name == "case.opened"]
    assert set(event.recipients) == {personas.cadre.pk, personas.leader.pk}


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_sweeps_escalate_once(make_item, personas):
    """Two sweeps at the same moment, each on its own connection: one escalation, one case."""
    from tests.supervision.conftest import ASSIGNED, DUE

    items = [make_item(assigned_at=ASSIGNED, due_at=DUE, title=f"事项{n}") for n in range(5)]
    if connection.vendor != "postgresql":
        sweep(ESCALATION_DAY)
        sweep(ESCALATION_DAY)
    else:
        barrier = threading.Barrier(2)
        errors = []

        def run():
            try:
                barrier.wait()
                sweep(ESCALATION_DAY)
            except Exception as exc:  # noqa: BLE001 - reported by the assertion below
                errors.append(exc)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=run) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
    for item in items:
        assert EscalationEvent.objects.filter(object_id=item.pk, level=1).count() == 1
        assert SupervisionCase.objects.filter(object_id=item.pk).count() == 1
