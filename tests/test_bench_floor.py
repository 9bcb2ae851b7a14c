"""bench/floor.py: the benchmark's "floor" transitions stay valid against the current schema.

They are not part of the application, but load.py compares the real transition with them, so
they must keep working, leave the item as it was and keep its log chain verifiable."""

import pytest

from lists import services
from notifications.models import OutboxMessage
from organization.tokens import token_issue
from tests.lists.lists_builders import add_item, draft_list
from workflows.audit import verify_object
from workflows.models import TransitionLog

pytestmark = pytest.mark.urls("bench.urls")


@pytest.fixture
def accepted_item(personas):
    lst = draft_list(personas)
    item = add_item(personas, lst)
    services.list_publish(lst=lst, actor=personas.leader)
    return services.item_accept(item=item, actor=personas.cadre)


@pytest.mark.parametrize("kind", ["orm", "sql"])
def test_floor_transition_logs_and_outboxes_without_changing_the_item(kind, personas, accepted_item, api):
    token = token_issue(user=personas.cadre).key
    before = TransitionLog.objects.for_object(accepted_item).count()

    answer = api.post(
        f"/bench/floor/{kind}/{accepted_item.pk}/", {}, format="json", HTTP_AUTHORIZATION=f"Token {token}"
    )

    assert answer.status_code == 200, answer.content
    assert answer.json() == {"id": accepted_item.pk, "state": "accepted", "seq": before + 1}
    accepted_item.refresh_from_db()
    assert accepted_item.state == "accepted"
    assert TransitionLog.objects.for_object(accepted_item).count() == before + 1
    assert verify_object(accepted_item) == []
    floor_rows = OutboxMessage.objects.filter(event="bench.floor", subject_id=accepted_item.pk)
    assert list(floor_rows.values_list("state", "recipient")) == [("sent", personas.cadre.pk)]


def test_floor_refuses_anonymous_callers(accepted_item, api):
    assert api.post(f"/bench/floor/orm/{accepted_item.pk}/", {}, format="json").status_code == 401


@pytest.mark.urls("config.urls")
def test_the_application_does_not_serve_the_floor(personas, accepted_item, api):
    token = token_issue(user=personas.cadre).key
    answer = api.post(f"/bench/floor/orm/{accepted_item.pk}/", {}, format="json", HTTP_AUTHORIZATION=f"Token {token}")
    assert answer.status_code == 404


@pytest.mark.urls("config.urls")
def test_bench_tokens_authenticate_and_replace_earlier_ones(personas, api):
    from bench.benchlib import api_tokens

    earlier = token_issue(user=personas.cadre).key
    tokens = api_tokens([personas.cadre.pk, personas.leader.pk])
    assert (
        api.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {tokens[personas.cadre.pk]}").json()["username"] == "cadre001"
    )
    assert api.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {tokens[personas.leader.pk]}").status_code == 200
    assert api.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {earlier}").status_code == 401
