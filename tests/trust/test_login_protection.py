"""Repeated wrong passwords lock a username for the IP they came from, on the page and the API."""

import pytest
from django.conf import settings
from django.test import Client

LOGIN = "/accounts/login/"
TOKEN = "/api/v1/auth/token/"
WRONG = {"username": "leader01", "password": "not-the-password"}
RIGHT = {"username": "leader01", "password": "dutyflow-demo"}


def fail_login(client, times, **extra):
    return [client.post(LOGIN, WRONG, **extra).status_code for _ in range(times)]


def test_five_wrong_passwords_only_show_the_form_error(township, client):
    assert fail_login(client, 5) == [200] * 5
    response = client.post(LOGIN, RIGHT)
    assert response.status_code == 302


def test_sixth_wrong_password_locks_the_account(township, client):
    fail_login(client, 5)
    response = client.post(LOGIN, WRONG)
    assert response.status_code == 429


def test_locked_account_refuses_the_right_password(township, client):
    fail_login(client, 6)
    response = client.post(LOGIN, RIGHT)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_lockout_page_explains_in_chinese(township, client):
    fail_login(client, 6)
    page = client.post(LOGIN, RIGHT).content.decode()
    assert "登录失败次数过多" in page
    assert "30 分钟" in page


def test_lockout_page_in_english(township, client):
    fail_login(client, 6, HTTP_ACCEPT_LANGUAGE="en")
    page = client.post(LOGIN, RIGHT, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Too many failed login attempts" in page


def test_lockout_is_per_ip(township, client):
    fail_login(client, 6)
    elsewhere = Client(REMOTE_ADDR="10.20.30.40")
    assert elsewhere.post(LOGIN, RIGHT).status_code == 302


def test_lockout_is_per_username(township, client):
    fail_login(client, 6)
    response = client.post(LOGIN, {"username": "leader02", "password": "dutyflow-demo"})
    assert response.status_code == 302


def test_success_resets_the_count(township, client):
    fail_login(client, 5)
    client.post(LOGIN, RIGHT)
    client.logout()
    assert fail_login(client, 5) == [200] * 5


def test_token_endpoint_locks_after_six_wrong_passwords(township, api):
    statuses = [api.post(TOKEN, WRONG, format="json").status_code for _ in range(6)]
    assert statuses == [400] * 5 + [429]


def test_locked_token_endpoint_refuses_the_right_password(township, api):
    for _ in range(6):
        api.post(TOKEN, WRONG, format="json")
    response = api.post(TOKEN, RIGHT, format="json")
    assert response.status_code == 429
    assert "token" not in response.json()
    assert "登录失败次数过多" in response.json()["detail"]


def test_page_failures_lock_the_token_endpoint_too(township, client, api):
    fail_login(client, 6)
    assert api.post(TOKEN, RIGHT, format="json").status_code == 429


def test_token_endpoint_still_works_with_the_right_password(township, api):
    response = api.post(TOKEN, RIGHT, format="json")
    assert response.status_code == 200
    assert response.json()["token"]


def test_session_cookie_is_http_only_and_same_site(township, client):
    response = client.post(LOGIN, RIGHT)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


@pytest.mark.parametrize("password", ["short1x", "12345678901", "password123", "leader01leader"])
def test_weak_passwords_are_rejected(township, password):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    from organization.models import User

    with pytest.raises(ValidationError):
        validate_password(password, user=User.objects.get(username="leader01"))


def test_behind_a_proxy_the_lockout_is_per_forwarded_client(township, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    attacker = Client(HTTP_X_FORWARDED_FOR="203.0.113.9", **proxy)
    fail_login(attacker, 6)
    colleague = Client(HTTP_X_FORWARDED_FOR="198.51.100.7", **proxy)
    assert colleague.post(LOGIN, RIGHT).status_code == 302
    assert attacker.post(LOGIN, RIGHT).status_code == 429


def test_a_spoofed_forwarded_entry_is_ignored(township, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    for spoofed in ["1.1.1.1", "2.2.2.2", "3.3.3.3", "4.4.4.4", "5.5.5.5", "6.6.6.6"]:
        Client(HTTP_X_FORWARDED_FOR=f"{spoofed}, 203.0.113.9", **proxy).post(LOGIN, WRONG)
    again = Client(HTTP_X_FORWARDED_FOR="7.7.7.7, 203.0.113.9", **proxy)
    assert again.post(LOGIN, RIGHT).status_code == 429
