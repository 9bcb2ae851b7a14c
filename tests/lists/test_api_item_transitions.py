"""Every item transition from every state by every persona, through the API (table-driven).

Allowed → 200, the new state and one new log row; otherwise 401/404/403/409 and nothing changed.
"""

import pytest

from lists.models import ResponsibilityItem
from workflows.models import TransitionLog

from .lists_builders import item_in_state

STATES = [
    "draft",
    "assigned",
    "accepted",
    "in_progress",
    "submitted",
    "returned",
    "suspended",
    "completed",
    "cancelled",
    "unfinished",
    "carried_over",
]

OPEN = {"assigned", "accepted", "in_progress", "submitted", "returned", "suspended"}

# transition → (states it leaves from, target, who may take it, body)
TRANSITIONS = {
    "accept": ({"assigned"}, "accepted", "assignee", {}),
    "report_progress": (
        {"accepted", "in_progress", "returned"},
        "in_progress",
        "assignee",
        {"text": "half done", "percent": 50},
    ),
    "submit": ({"in_progress"}, "submitted", "assignee", {"result": "all done"}),
    "verify": ({"submitted"}, "completed", "leader", {}),
    "return": ({"submitted"}, "returned", "leader", {"reason": "photos missing"}),
    "suspend": ({"accepted", "in_progress", "returned"}, "suspended", "leader", {"reason": "flood season"}),
    "resume": ({"suspended"}, "in_progress", "leader", {}),
    "cancel": ({"draft", *OPEN}, "cancelled", "leader", {"reason": "merged with another item"}),
}

# persona → (sees branch 01's items, is the assignee, leads branch 01)
PERSONAS = {
    "anonymous": (False, False, False),
    "leader": (True, False, True),
    "secretary": (True, False, True),
    "admin": (True, False, True),
    "cadre": (True, True, False),
    "colleague": (True, False, False),
    "other_leader": (False, False, False),
    "other_cadre": (False, False, False),
    "commissioner": (True, False, False),
    "other_commissioner": (False, False, False),
    "observer": (True, False, False),
}


def expected_status(persona: str, transition: str, state: str) -> int:
    sources, _target, who, _body = TRANSITIONS[transition]
    sees, is_assignee, leads = PERSONAS[persona]
    if persona == "anonymous":
        return 401
    if not sees:
        return 404
    allowed = is_assignee if who == "assignee" else leads
    if not allowed:
        return 403  # never theirs to take, whatever the state
    return 200 if state in sources else 409


def client_for(personas, api_as, persona):
    return api_as(None if persona == "anonymous" else getattr(personas, persona))


def snapshot(item):
    item = ResponsibilityItem.objects.get(pk=item.pk)
    return item.state, item.due_at, TransitionLog.objects.for_object(item).count()


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("transition", list(TRANSITIONS))
def test_item_transition_by_every_persona(personas, api_as, transition, state):
    item = item_in_state(personas, state)
    _sources, target, _who, body = TRANSITIONS[transition]
    url = f"/api/v1/items/{item.pk}/transitions/{transition}/"
    refused = [p for p in PERSONAS if expected_status(p, transition, state) != 200]
    allowed = [p for p in PERSONAS if expected_status(p, transition, state) == 200]
    before = snapshot(item)
    for persona in refused:
        response = client_for(personas, api_as, persona).post(url, body, format="json")
        assert response.status_code == expected_status(persona, transition, state), (persona, response.content)
        assert snapshot(item) == before, persona
    for persona in allowed[1:]:
        listed = client_for(personas, api_as, persona).get(f"/api/v1/items/{item.pk}/transitions/").json()
        assert transition in {t["name"] for t in listed}, persona
    if allowed:
        response = client_for(personas, api_as, allowed[0]).post(url, body, format="json")
        assert response.status_code == 200, response.content
        assert response.json()["state"] == target
        last = TransitionLog.objects.for_object(item).last()
        assert (last.transition, last.source, last.target) == (transition, state, target)
        assert last.actor == getattr(personas, allowed[0])
        assert TransitionLog.objects.for_object(item).count() == before[2] + 1
