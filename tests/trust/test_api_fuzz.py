"""Property-based fuzzing of the whole API from its OpenAPI schema (schemathesis).

Every operation of ``/api/schema/`` is called through WSGI with generated requests, as a
leader of a branch (token authentication). No answer may be a server error or contradict
the schema (status codes, content types, bodies, headers). Deterministic and bounded.
"""

import json

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings

from organization.tokens import token_issue

MAX_EXAMPLES = 20
# A body can match the schema and still be refused with 400 for a reason the schema cannot
# express (a wrong password, an object outside the caller's scope, a deadline in the past):
# API.md requires that 400. Every other check runs: no 5xx, documented statuses, content
# types, response bodies and headers, rejection of schema-invalid data, authentication.
SEMANTIC_REFUSALS = [schemathesis.checks.positive_data_acceptance]


@pytest.fixture
def same_connection():
    """Requests go through the real WSGI handler: keep it from closing the test's connection
    (inside the test transaction), as Django's test client does."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def leader_token(township, same_connection):
    return token_issue(user=township.leader).key


# Built at collection, as /api/schema/ serves it to a signed-in caller (needs no database).
schema = schemathesis.openapi.from_dict(
    json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))
)
schema.app = get_wsgi_application()


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_answers_within_its_schema(case, leader_token):
    case.call_and_validate(headers={"Authorization": f"Token {leader_token}"}, excluded_checks=SEMANTIC_REFUSALS)


@pytest.mark.parametrize("page", ["", "abc", "0"])
def test_a_page_that_is_not_a_page_number_is_refused(client, township, page):
    """``?page=`` empty, not a number or below 1: 404 "Invalid page.", never silently page 1."""
    client.force_login(township.leader)
    response = client.get("/api/v1/notifications/", {"page": page})
    assert response.status_code == 404
    assert client.get("/api/v1/notifications/", {"page": "1"}).status_code == 200
