"""API tokens end: on a new password, on deactivation, after idle hours, and when revoked."""

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from organization.tokens import token_issue

ME = "/api/v1/me/"
TOKEN = "/api/v1/auth/token/"
REVOKE = "/api/v1/auth/token/revoke/"
NEW_PASSWORD = "Qingshan-river-2027"


def with_token(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def obtain(username: str, password: str = "dutyflow-demo") -> str:
    response = APIClient().post(TOKEN, {"username": username, "password": password}, format="json")
    assert response.status_code == 200, response.content
    return response.json()["token"]


def test_token_answer_says_when_it_expires_unless_used(township):
    response = APIClient().post(TOKEN, {"username": "cadre001", "password": "dutyflow-demo"}, format="json")
    expiry = dt.datetime.fromisoformat(response.json()["expiry"])
    idle = dt.timedelta(hours=settings.API_TOKEN_IDLE_HOURS)
    assert abs(expiry - (timezone.now() + idle)) < dt.timedelta(minutes=1)


def test_token_is_stored_only_as_a_hash(personas):
    key = obtain("cadre001")
    stored = AuthToken.objects.get(user=personas.cadre)
    assert key not in (stored.digest, stored.token_key)
    assert not AuthToken.objects.filter(digest__contains=key).exists()


def test_new_password_ends_the_users_tokens(personas):
    key = token_issue(user=personas.cadre).key
    assert with_token(key).get(ME).status_code == 200
    personas.cadre.set_password(NEW_PASSWORD)
    personas.cadre.save()
    response = with_token(key).get(ME)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert with_token(obtain("cadre001", NEW_PASSWORD)).get(ME).status_code == 200


def test_password_set_in_the_admin_ends_the_users_tokens(personas, client):
    key = token_issue(user=personas.cadre).key
    client.force_login(personas.admin)
    url = reverse("admin:auth_user_password_change", args=[personas.cadre.pk])
    response = client.post(url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    assert with_token(key).get(ME).status_code == 401


def test_other_changes_to_the_user_keep_the_tokens(personas):
    key = token_issue(user=personas.cadre).key
    personas.cadre.display_name = "改名的干部"
    personas.cadre.save()
    personas.cadre.last_login = timezone.now()
    personas.cadre.save(update_fields=["last_login"])
    assert with_token(key).get(ME).status_code == 200


def test_new_password_of_another_user_keeps_the_tokens(personas):
    key = token_issue(user=personas.cadre).key
    personas.colleague.set_password(NEW_PASSWORD)
    personas.colleague.save()
    assert with_token(key).get(ME).status_code == 200


def test_deactivated_users_tokens_stop_and_stay_stopped(personas):
    key = token_issue(user=personas.cadre).key
    personas.cadre.is_active = False
    personas.cadre.save()
    assert with_token(key).get(ME).status_code == 401
    personas.cadre.is_active = True
    personas.cadre.save()
    assert with_token(key).get(ME).status_code == 401


def test_unused_token_expires_after_the_idle_hours(personas):
    key = token_issue(user=personas.cadre).key
    idle = dt.timedelta(hours=settings.API_TOKEN_IDLE_HOURS)
    with time_machine.travel(timezone.now() + idle + dt.timedelta(minutes=1)):
        assert with_token(key).get(ME).status_code == 401
    assert not AuthToken.objects.filter(user=personas.cadre).exists()


def test_each_use_moves_the_expiry_on(personas):
    key = token_issue(user=personas.cadre).key
    idle = dt.timedelta(hours=settings.API_TOKEN_IDLE_HOURS)
    start = timezone.now()
    with time_machine.travel(start + idle - dt.timedelta(hours=1)):
        assert with_token(key).get(ME).status_code == 200
    with time_machine.travel(start + 2 * idle - dt.timedelta(hours=2)):
        assert with_token(key).get(ME).status_code == 200


def test_idle_hours_come_from_the_setting(personas, settings):
    settings.REST_KNOX = {**settings.REST_KNOX, "TOKEN_TTL": dt.timedelta(hours=2)}
    key = token_issue(user=personas.cadre).key
    with time_machine.travel(timezone.now() + dt.timedelta(hours=3)):
        assert with_token(key).get(ME).status_code == 401


def test_revoke_ends_only_the_token_it_is_sent_with(personas):
    revoked = token_issue(user=personas.cadre).key
    kept = token_issue(user=personas.cadre).key
    assert with_token(revoked).post(REVOKE).status_code == 204
    assert with_token(revoked).get(ME).status_code == 401
    assert with_token(kept).get(ME).status_code == 200


def test_revoke_without_a_token_is_401(personas, client):
    response = APIClient().post(REVOKE)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    client.force_login(personas.cadre)
    assert client.post(REVOKE).status_code == 401


@pytest.mark.parametrize("header", ["Token", "Token a b", "Token " + "0" * 64, "Token \u00e9\u00e9"])
def test_malformed_or_unknown_token_is_401(township, header):
    response = APIClient().get(ME, HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
