"""What the fuzzer found in the API: fixed, and kept fixed."""

from rest_framework.test import APIClient

from organization.tokens import token_issue

TOKEN = "/api/v1/auth/token/"


def test_token_endpoint_ignores_a_stale_token_header(township):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token 0000000000000000000000000000000000000000")
    response = client.post(TOKEN, {"username": "leader01", "password": "dutyflow-demo"}, format="json")
    assert response.status_code == 200


def schema(client):
    return client.get("/api/schema/?format=json").json()


def test_schema_documents_the_token_endpoint_answers(admin_client):
    responses = schema(admin_client)["paths"][TOKEN]["post"]["responses"]
    assert set(responses) == {"200", "400", "429"}


def test_schema_documents_authentication_errors(admin_client):
    responses = schema(admin_client)["paths"]["/api/v1/me/"]["get"]["responses"]
    assert {"200", "401", "403"} <= set(responses)


def test_schema_marks_the_token_endpoint_as_open(admin_client):
    assert "security" not in schema(admin_client)["paths"][TOKEN]["post"]


def test_schema_is_refused_to_anonymous_callers(db, client):
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_schema_is_served_for_a_token(personas):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_issue(user=personas.observer).key}")
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    assert TOKEN in response.json()["paths"]


def test_schema_is_served_for_a_session(personas, client):
    client.force_login(personas.cadre)
    assert client.get("/api/schema/?format=json").status_code == 200


def test_document_is_valid_openapi_without_generator_warnings():
    from drf_spectacular.drainage import GENERATOR_STATS
    from openapi_spec_validator import validate

    from tests.openapi_contract import document

    document.cache_clear()
    GENERATOR_STATS.reset()
    GENERATOR_STATS.silent = True
    try:
        validate(document())
        problems = [*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache]
    finally:
        GENERATOR_STATS.silent = False
    assert problems == []


def test_each_transition_is_an_operation_with_its_own_body(admin_client):
    paths = schema(admin_client)["paths"]
    assert not [path for path in paths if "{name}" in path]
    submit = paths["/api/v1/items/{id}/transitions/submit/"]["post"]
    assert submit["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/SubmitInputRequest")
    assert {"200", "400", "401", "403", "404", "409"} <= set(submit["responses"])
    follow_up = paths["/api/v1/livelihood-issues/{id}/transitions/follow_up/"]["post"]
    assert follow_up["requestBody"]["required"] is True


def test_states_are_enums_with_their_labels(admin_client):
    schemas = schema(admin_client)["components"]["schemas"]
    items = schemas["ItemStateEnum"]
    assert "returned" in items["enum"]
    assert "`returned` - 已退回" in items["description"]
