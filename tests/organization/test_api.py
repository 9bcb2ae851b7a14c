import pytest


@pytest.mark.django_db
def test_token_for_good_credentials(township, api):
    response = api.post("/api/v1/auth/token/", {"username": "cadre001", "password": "dutyflow-demo"}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    me = api.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token}")
    assert me.status_code == 200
    assert me.json()["username"] == "cadre001"


@pytest.mark.django_db
def test_bad_password_is_400_with_a_message(township, api):
    response = api.post("/api/v1/auth/token/", {"username": "cadre001", "password": "wrong"}, format="json")
    assert response.status_code == 400
    assert response.json()["non_field_errors"]


@pytest.mark.django_db
def test_missing_fields_are_400_with_field_errors(township, api):
    response = api.post("/api/v1/auth/token/", {}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"username", "password"}


@pytest.mark.django_db
def test_no_token_is_401(township, api):
    response = api.get("/api/v1/me/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Token")


@pytest.mark.django_db
def test_bad_token_is_401(township, api):
    assert api.get("/api/v1/me/", HTTP_AUTHORIZATION="Token nope").status_code == 401


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("username", "roles", "unit_kinds"),
    [
        ("secretary", ["leader"], {("township", "leader"), ("committee", "leader")}),
        ("leader01", ["leader"], {("branch", "leader")}),
        ("cadre001", ["cadre"], {("branch", "cadre")}),
        ("commissioner01", ["commissioner"], {("township", "commissioner")}),
        ("commissioner02", ["commissioner"], {("district", "commissioner")}),
        ("observer01", ["observer"], {("township", "observer")}),
        ("admin", ["admin"], set()),
    ],
)
def test_me_for_each_demo_role(township, api_as, username, roles, unit_kinds):
    from organization.models import User

    data = api_as(User.objects.get(username=username)).get("/api/v1/me/").json()
    assert set(data) == {"id", "username", "display_name", "roles", "units"}
    assert data["roles"] == roles
    assert {(u["kind"], u["role"]) for u in data["units"]} == unit_kinds
    assert all(set(u) == {"id", "name", "kind", "role"} for u in data["units"])
    assert data["display_name"]


@pytest.mark.django_db
def test_schema_is_served(township, api):
    assert api.get("/api/schema/").status_code == 401
    response = api.post("/api/v1/auth/token/", {"username": "cadre001", "password": "dutyflow-demo"}, format="json")
    response = api.get("/api/schema/", HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert response.status_code == 200
    assert b"/api/v1/me/" in response.content


@pytest.mark.django_db
def test_unknown_api_url_is_json_404(township, api_as):
    from organization.models import User

    response = api_as(User.objects.get(username="leader01")).get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
