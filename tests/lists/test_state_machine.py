"""Property test: random sequences of item actions by random roles.

Whatever is tried, the item only moves along the edges DESIGN.md allows, each refusal leaves
it untouched, the flow's open task always matches the state, and the transition log replays
from ``draft`` to the final state.
"""

import datetime as dt
import itertools

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from viewflow.workflow import STATUS

from lists import services
from lists.models import ItemProcess, ResponsibilityItem
from workflows.engine import TransitionConflict, TransitionForbidden
from workflows.models import TransitionLog

# DESIGN.md, "ResponsibilityItem": (source, action) → target
EDGES = {
    ("draft", "assign"): "assigned",
    ("assigned", "accept"): "accepted",
    **{(s, "report_progress"): "in_progress" for s in ("accepted", "in_progress", "returned")},
    ("in_progress", "submit"): "submitted",
    ("submitted", "verify"): "completed",
    ("submitted", "return"): "returned",
    **{(s, "suspend"): "suspended" for s in ("accepted", "in_progress", "returned")},
    ("suspended", "resume"): "in_progress",
    **{
        (s, "cancel"): "cancelled"
        for s in ("draft", "assigned", "accepted", "in_progress", "submitted", "returned", "suspended")
    },
    **{
        (s, "close_list"): decision
        for s in ("assigned", "accepted", "in_progress", "submitted", "returned", "suspended")
        for decision in ("carried_over", "unfinished")
    },
}
ASSIGNEE_ACTIONS = {"accept", "report_progress", "submit"}
LOG_NAMES = {"close_list": {"carry_over", "mark_unfinished"}}
ROLES = ["leader", "secretary", "cadre", "colleague", "commissioner", "observer", "other_leader", "other_cadre"]
LEADS = {"leader", "secretary"}
ACTIONS = ["accept", "report_progress", "submit", "verify", "return", "suspend", "resume", "cancel", "close_list"]
# The open human task each state leaves in the item's flow.
OPEN_TASK = {
    "assigned": ["accept"],
    "accepted": ["work"],
    "in_progress": ["work"],
    "returned": ["work"],
    "suspended": ["work"],
    "submitted": ["verify"],
}

_months = itertools.count()


def run(action, item, actor, decision):
    if action == "close_list":
        return services.list_close(lst=item.list, actor=actor, decisions={item.pk: decision})
    kwargs = {
        "report_progress": {"text": "progress", "percent": 50},
        "submit": {"result": "done"},
        "return": {"reason": "redo"},
        "suspend": {"reason": "wait"},
        "cancel": {"reason": "drop"},
    }.get(action, {})
    return getattr(services, f"item_{action}")(item=item, actor=actor, **kwargs)


def expected(state, action, role):
    target = EDGES.get((state, action))
    if action == "close_list":
        return target if role in LEADS and target else None
    if target is None:
        return None
    allowed = role == "cadre" if action in ASSIGNEE_ACTIONS else role in LEADS
    return target if allowed else None


def fresh_item(personas):
    n = next(_months)
    # A month of its own for each list, odd months only: closing one carries over into the next.
    month = dt.date(2030 + (n // 6) % 70, 1 + 2 * (n % 6), 1)
    lst = services.list_create(unit=personas.branch, month=month, title=f"list {n}", actor=personas.leader)
    item = services.item_create(
        lst=lst,
        actor=personas.leader,
        title="task",
        standard="standard",
        assignee=personas.cadre,
        lead_leader=personas.leader,
        due_at=timezone.now() + dt.timedelta(days=10),
    )
    services.list_publish(lst=lst, actor=personas.leader)
    return ResponsibilityItem.objects.get(pk=item.pk)


def open_tasks(item):
    process = ItemProcess.objects.filter(item=item).get()
    return sorted(
        t.flow_task.name for t in process.task_set.filter(status__in=[STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED])
    )


def draw_step(data, state):
    """Half the time any action by anyone; half the time one the design allows from ``state``
    (by a role that may take it), so that deep states are reached too."""
    decision = data.draw(st.sampled_from(["carry_over", "unfinished"]))
    possible = sorted({a for (s, a) in EDGES if s == state and a != "assign"})
    if possible and data.draw(st.booleans()):
        action = data.draw(st.sampled_from(possible))
        role = data.draw(st.sampled_from(["cadre"] if action in ASSIGNEE_ACTIONS else sorted(LEADS)))
    else:
        action, role = data.draw(st.sampled_from(ACTIONS)), data.draw(st.sampled_from(ROLES))
    return action, role, decision


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), length=st.integers(min_value=0, max_value=16))
def test_random_actions_never_leave_the_designed_state_machine(personas, data, length):
    item = fresh_item(personas)
    actors = {role: getattr(personas, role) for role in ROLES}
    for _ in range(length):
        state = item.state
        action, role, decision = draw_step(data, state)
        want = expected(state, action, role)
        if want in ("carried_over", "unfinished"):
            want = "carried_over" if decision == "carry_over" else "unfinished"
        log_count = TransitionLog.objects.for_object(item).count()
        try:
            run(action, item, actors[role], decision)
            refused = False
        except (TransitionConflict, TransitionForbidden):
            refused = True
        item = ResponsibilityItem.objects.get(pk=item.pk)
        if action != "close_list":  # closing acts on the list: it may succeed leaving a closed item alone
            assert refused == (want is None), (state, action, role)
        if want is None:
            assert item.state == state, (state, action, role)
            assert TransitionLog.objects.for_object(item).count() == log_count
        else:
            assert item.state == want, (state, action, role)
            assert (state, action) in EDGES
            last = TransitionLog.objects.for_object(item).last()
            assert last.transition in LOG_NAMES.get(action, {action})
            assert last.actor == actors[role]
            assert TransitionLog.objects.for_object(item).count() == log_count + 1
        assert open_tasks(item) == OPEN_TASK.get(item.state, [])

    replayed = "draft"
    for entry in TransitionLog.objects.for_object(item):
        assert entry.source == replayed
        replayed = entry.target
    assert replayed == item.state
