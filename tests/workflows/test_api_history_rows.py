"""The history endpoint reads plain log rows; ``HistoryEntrySerializer`` stays the source of its JSON."""

import json

from organization.tokens import token_issue
from tests.lists.lists_builders import item_in_state
from workflows.api import HistoryEntrySerializer
from workflows.audit import append_log
from workflows.engine import history


def test_history_rows_are_byte_equal_to_the_serializer(personas, api):
    item = item_in_state(personas, "returned")
    append_log(item, transition="sweep", source="returned", target="returned", actor=None, payload={"level": 2})
    token = token_issue(user=personas.cadre).key

    answer = api.get(f"/api/v1/items/{item.pk}/history/", HTTP_AUTHORIZATION=f"Token {token}")

    assert answer.status_code == 200
    expected = json.dumps(HistoryEntrySerializer(history(item), many=True).data)
    assert json.dumps(answer.json()) == json.dumps(json.loads(expected))
    assert [row["actor"] for row in answer.json()][-1] is None
    assert len(answer.json()) >= 6
