"""What the fuzzer found in the API: fixed, and kept fixed."""

from rest_framework.test import APIClient

TOKEN = "/api/v1/auth/token/"


def test_token_endpoint_ignores_a_stale_token_header(township):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token 0000000000000000000000000000000000000000")
    response = client.post(TOKEN, {"username": "leader01", "password": "dutyflow-demo"}, format="json")
    assert response.status_code == 200


def schema(client):
    return client.get("/api/schema/?format=json").json()


def test_schema_documents_the_token_endpoint_answers(db, client):
    responses = schema(client)["paths"][TOKEN]["post"]["responses"]
    assert set(responses) == {"200", "400", "429"}


def test_schema_documents_authentication_errors(db, client):
    responses = schema(client)["paths"]["/api/v1/me/"]["get"]["responses"]
    assert {"200", "401", "403"} <= set(responses)


def test_schema_marks_the_token_endpoint_as_open(db, client):
    assert "security" not in schema(client)["paths"][TOKEN]["post"]
