"""An item transition through the API stays within a fixed number of queries, and answers the
object as a fresh read shows it.

The item is a realistic one: made, published and moved through the services, so it has its flow
process and open task, a log chain, co-handlers and earlier outbox rows. The client sends a token,
as integrations do. A bound is the count measured when the row was written (a transaction's
BEGIN and COMMIT count, here as the test's SAVEPOINT and RELEASE); raising one needs a reason.
"""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from lists import services
from organization.tokens import token_issue

from .lists_builders import PATHS, add_item, draft_list

pytestmark = pytest.mark.django_db

# transition, state it leaves, who takes it, body, bound
CASES = [
    ("accept", "assigned", "cadre", {}, 15),
    ("report_progress", "in_progress", "cadre", {"text": "half done", "percent": 50}, 11),
    ("submit", "in_progress", "cadre", {"result": "all done"}, 21),  # +2: the verification clock's deadline
    ("verify", "submitted", "leader", {}, 29),
    ("return", "submitted", "leader", {"reason": "photos missing"}, 23),
    ("suspend", "in_progress", "leader", {"reason": "flood season"}, 13),
    ("cancel", "assigned", "leader", {"reason": "merged with another item"}, 23),
]


def items_in_state(personas, state: str, count: int):
    """``count`` items of one list in ``state``, driven there through the services."""
    lst = draft_list(personas)
    items = [add_item(personas, lst, title=f"item {n}", co_handlers=[personas.colleague.pk]) for n in range(count)]
    services.list_publish(lst=lst, actor=personas.leader)
    for n, item in enumerate(items):
        item.refresh_from_db()
        for service, who, kwargs in PATHS[state]:
            item = getattr(services, service)(item=item, actor=getattr(personas, who), **kwargs)
        items[n] = item
    return items


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_issue(user=user).key}")
    return client


@pytest.mark.parametrize(("name", "state", "who", "body", "bound"), CASES, ids=[case[0] for case in CASES])
def test_item_transition_stays_within_its_query_bound(
    personas, django_assert_max_num_queries, name, state, who, body, bound
):
    warm, item = items_in_state(personas, state, 2)
    client = token_client(getattr(personas, who))
    # The first request fills the per-process caches (content types, URL patterns).
    assert client.post(f"/api/v1/items/{warm.pk}/transitions/{name}/", body, format="json").status_code == 200
    with django_assert_max_num_queries(bound):
        response = client.post(f"/api/v1/items/{item.pk}/transitions/{name}/", body, format="json")
    assert response.status_code == 200, response.content
    assert response.json() == client.get(f"/api/v1/items/{item.pk}/").json()
