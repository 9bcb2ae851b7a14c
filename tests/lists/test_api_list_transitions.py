"""Every list transition from every list state by every persona, through the API (table-driven)."""

import pytest

from lists import services
from lists.models import ResponsibilityList
from workflows.models import TransitionLog

from .lists_builders import add_item, draft_list

# transition → (source state, target)
TRANSITIONS = {"publish": ("draft", "published"), "close": ("published", "closed")}
# persona → (sees branch 01's lists, leads branch 01)
PERSONAS = {
    "anonymous": (False, False),
    "leader": (True, True),
    "secretary": (True, True),
    "admin": (True, True),
    "cadre": (True, False),
    "commissioner": (True, False),
    "observer": (True, False),
    "other_leader": (False, False),
    "other_cadre": (False, False),
    "other_commissioner": (False, False),
}


def list_in_state(personas, state):
    lst = draft_list(personas)
    item = add_item(personas, lst)
    if state in ("published", "closed"):
        services.list_publish(lst=lst, actor=personas.leader)
    if state == "closed":
        services.list_close(lst=lst, actor=personas.leader, decisions={item.pk: "unfinished"})
    return lst, item


def expected_status(persona, transition, state):
    sees, leads = PERSONAS[persona]
    if persona == "anonymous":
        return 401
    if not sees:
        return 404
    if not leads:
        return 403  # never theirs to take, whatever the state
    return 200 if state == TRANSITIONS[transition][0] else 409


@pytest.mark.parametrize("state", ["draft", "published", "closed"])
@pytest.mark.parametrize("transition", list(TRANSITIONS))
def test_list_transition_by_every_persona(personas, api_as, transition, state):
    lst, item = list_in_state(personas, state)
    url = f"/api/v1/lists/{lst.pk}/transitions/{transition}/"
    body = {"decisions": {str(item.pk): "unfinished"}} if transition == "close" else {}
    logs = TransitionLog.objects.count()
    allowed = [p for p in PERSONAS if expected_status(p, transition, state) == 200]
    for persona in [p for p in PERSONAS if p not in allowed]:
        client = api_as(None if persona == "anonymous" else getattr(personas, persona))
        response = client.post(url, body, format="json")
        assert response.status_code == expected_status(persona, transition, state), (persona, response.content)
        assert ResponsibilityList.objects.get(pk=lst.pk).state == state
        assert TransitionLog.objects.count() == logs
    if allowed:
        response = api_as(getattr(personas, allowed[0])).post(url, body, format="json")
        assert response.status_code == 200, response.content
        assert response.json()["state"] == TRANSITIONS[transition][1]
        entry = TransitionLog.objects.for_object(ResponsibilityList.objects.get(pk=lst.pk)).last()
        assert (entry.transition, entry.source, entry.target) == (transition, state, TRANSITIONS[transition][1])
