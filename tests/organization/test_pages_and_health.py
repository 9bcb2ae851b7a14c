import pytest
from django.test import Client


@pytest.mark.django_db
def test_healthz_reports_database_and_broker(settings, client):
    settings.REDIS_URL = ""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


@pytest.mark.django_db
def test_healthz_with_redis_up(settings, client, redis_url):
    settings.REDIS_URL = redis_url
    assert client.get("/healthz").json()["broker"] == "ok"


@pytest.mark.django_db
def test_healthz_with_a_wrong_redis_url_is_still_200(settings, client):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "unavailable"}


@pytest.mark.django_db
def test_login_page_is_chinese_by_default(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert "登录" in response.content.decode()


@pytest.mark.django_db
def test_login_page_in_english(client):
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Log in to Dutyflow" in response.content.decode()


@pytest.mark.django_db
def test_secretary_logs_in_and_sees_home(township):
    client = Client()
    response = client.post("/accounts/login/", {"username": "secretary", "password": "dutyflow-demo"}, follow=True)
    assert response.status_code == 200
    assert response.context["user"].username == "secretary"
    assert "青山镇" in response.content.decode()


@pytest.mark.django_db
def test_wrong_password_shows_error_and_keeps_username(township, client):
    response = client.post("/accounts/login/", {"username": "secretary", "password": "bad"})
    assert response.status_code == 200
    assert 'value="secretary"' in response.content.decode()
    assert response.context["form"].errors


@pytest.mark.django_db
def test_home_requires_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["secretary", "leader01", "cadre001", "commissioner02", "observer01", "admin"])
def test_home_for_each_role(township, client, username):
    from organization.models import User

    client.force_login(User.objects.get(username=username))
    assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_admin_is_for_staff_only(township, client):
    from organization.models import User

    client.force_login(User.objects.get(username="leader01"))
    assert client.get("/admin/").status_code == 302
    client.force_login(User.objects.get(username="admin"))
    assert client.get("/admin/organization/unit/").status_code == 200
