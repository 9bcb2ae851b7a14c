"""Signing in with WeCom and DingTalk through the local fake of their APIs and sign-in pages."""

import re

import pytest
import requests
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from connect.models import AccountLink, Provider
from organization.models import AdministrativeChange

from .conftest import configure


def _start(client, provider, township, **params):
    response = client.get(reverse("connect:start", kwargs={"provider": provider, "township": township.pk}), params)
    assert response.status_code == 302
    return response["Location"]


def _confirm_as(page_url: str, member: str) -> str:
    """Open the fake's sign-in page and follow the member's confirm link: the callback URL."""
    page = requests.get(page_url, timeout=5)
    assert page.status_code == 200, page.text
    [link] = re.findall(rf'href="([^"]+)">扫码确认：{re.escape(member)}<', page.text)
    return link.replace("&amp;", "&")


def _callback(client, url: str):
    path = url.split("://", 1)[1].split("/", 1)[1]
    return client.get("/" + path)


def _user_id(client):
    return client.session.get("_auth_user_id")


def test_login_page_shows_buttons_only_for_configured_townships(configured, qingshan, baishui):
    page = Client().get(reverse("login")).content.decode()
    assert "企业微信" in page or "WeCom" in page
    assert page.count("/connect/") == 2  # WeCom and DingTalk of 青山镇
    assert f"/connect/wecom/{qingshan.pk}/start/" in page
    assert "/start/" in page and f"/{baishui.pk}/start/" not in page


def test_login_page_has_no_buttons_when_nothing_is_configured(township):
    assert "/connect/" not in Client().get(reverse("login")).content.decode()


def test_wecom_qr_sign_in_of_a_linked_user(configured, qingshan, fake):
    client = Client()
    page = _start(client, Provider.WECOM, qingshan, next="/notifications/")
    assert page.startswith(f"{fake.url}/wwlogin/sso/login?")
    assert "login_type=CorpApp" in page and f"appid={fake.WECOM_CORP_ID}" in page
    response = _callback(client, _confirm_as(page, "zhangsan"))
    assert response.status_code == 302 and response["Location"] == "/notifications/"
    assert _user_id(client) == str(configured.cadre.pk)
    assert ("GET", "/cgi-bin/auth/getuserinfo") in fake.calls


def test_wecom_web_authorisation_inside_the_wecom_client(configured, qingshan, fake):
    client = Client(HTTP_USER_AGENT="Mozilla/5.0 wxwork/4.1.0 MicroMessenger/7.0.1")
    page = _start(client, Provider.WECOM, qingshan)
    assert page.startswith(f"{fake.url}/connect/oauth2/authorize?") and page.endswith("#wechat_redirect")
    answer = requests.get(page.split("#")[0], allow_redirects=False, timeout=5)
    response = _callback(client, answer.headers["Location"])
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert _user_id(client) == str(configured.cadre.pk)


def test_dingtalk_sign_in_of_a_linked_user(configured, qingshan, fake):
    client = Client()
    page = _start(client, Provider.DINGTALK, qingshan)
    assert page.startswith(f"{fake.url}/oauth2/auth?") and f"client_id={fake.DINGTALK_APP_KEY}" in page
    response = _callback(client, _confirm_as(page, "union-zhangsan"))
    assert response.status_code == 302
    assert _user_id(client) == str(configured.cadre.pk)
    assert [call for call in fake.calls if "oauth2" in call[1] or "users/me" in call[1]] == [
        ("POST", "/v1.0/oauth2/userAccessToken"),
        ("GET", "/v1.0/contact/users/me"),
    ]


@pytest.mark.parametrize(("provider", "member"), [(Provider.WECOM, "lisi"), (Provider.DINGTALK, "union-lisi")])
def test_an_unlinked_member_is_refused_and_no_account_is_made(configured, qingshan, provider, member):
    users = get_user_model().objects.count()
    client = Client()
    response = _callback(client, _confirm_as(_start(client, provider, qingshan), member))
    assert response.status_code == 403
    assert "not linked" in response.content.decode() or "未关联" in response.content.decode()
    assert _user_id(client) is None
    assert get_user_model().objects.count() == users


@pytest.mark.parametrize(("provider", "member"), [(Provider.WECOM, "stranger"), (Provider.DINGTALK, "union-stranger")])
def test_someone_outside_the_corp_is_refused(configured, qingshan, provider, member):
    client = Client()
    response = _callback(client, _confirm_as(_start(client, provider, qingshan), member))
    assert response.status_code == 403 and _user_id(client) is None


def test_a_tampered_state_is_refused_before_anything_is_called(configured, qingshan, fake):
    client = Client()
    url = _confirm_as(_start(client, Provider.WECOM, qingshan), "zhangsan")
    tampered = re.sub(r"state=[^&]+", "state=forged-by-an-attacker", url)
    calls = len(fake.calls)
    response = _callback(client, tampered)
    assert response.status_code == 400 and _user_id(client) is None
    assert len(fake.calls) == calls


def test_a_state_from_another_browser_is_refused(configured, qingshan):
    url = _confirm_as(_start(Client(), Provider.WECOM, qingshan), "zhangsan")
    victim = Client()
    assert _callback(victim, url).status_code == 400 and _user_id(victim) is None


def test_a_state_is_good_for_one_callback_only(configured, qingshan):
    client = Client()
    url = _confirm_as(_start(client, Provider.WECOM, qingshan), "zhangsan")
    assert _callback(client, url).status_code == 302
    client.logout()
    assert _callback(client, url).status_code == 400


def test_a_callback_without_a_code_is_refused(configured, qingshan):
    client = Client()
    url = _confirm_as(_start(client, Provider.WECOM, qingshan), "zhangsan")
    response = _callback(client, re.sub(r"code=[^&]+&?", "", url))
    assert response.status_code == 400 and _user_id(client) is None


def test_nothing_is_called_for_a_township_without_the_vendor(configured, baishui, fake):
    url = reverse("connect:start", kwargs={"provider": "wecom", "township": baishui.pk})
    assert Client().get(url).status_code == 404
    assert Client().get(reverse("connect:start", kwargs={"provider": "qq", "township": baishui.pk})).status_code == 404
    assert fake.calls == []


def test_a_disabled_application_offers_no_sign_in(township, qingshan, fake):
    configure(qingshan, Provider.WECOM, enabled=False)
    assert (
        Client().get(reverse("connect:start", kwargs={"provider": "wecom", "township": qingshan.pk})).status_code == 404
    )
    assert "/connect/" not in Client().get(reverse("login")).content.decode()


def test_a_deactivated_account_cannot_sign_in(configured, qingshan):
    configured.cadre.is_active = False
    configured.cadre.save()
    client = Client()
    response = _callback(client, _confirm_as(_start(client, Provider.WECOM, qingshan), "zhangsan"))
    assert response.status_code == 403 and _user_id(client) is None


def test_a_vendor_outage_during_sign_in_is_a_clear_page(configured, qingshan, fake):
    client = Client()
    url = _confirm_as(_start(client, Provider.WECOM, qingshan), "zhangsan")
    fake.fail("/cgi-bin/gettoken", status=502)
    response = _callback(client, url)
    assert response.status_code == 502 and _user_id(client) is None


def test_a_person_links_their_own_account_after_a_password_sign_in(configured, qingshan, fake):
    colleague = configured.colleague
    client = Client()
    client.force_login(colleague)
    page = _start(client, Provider.WECOM, qingshan, intent="link")
    response = _callback(client, _confirm_as(page, "lisi"))
    assert response.status_code == 302 and response["Location"] == reverse("connect:me")
    link = AccountLink.objects.get(user=colleague, provider="wecom")
    assert (link.external_id, link.township, link.linked_by) == ("lisi", qingshan, colleague)
    change = AdministrativeChange.objects.get(action="account_link")
    assert change.township == qingshan and "lisi" in change.target
    # From now on lisi signs in as the colleague.
    other = Client()
    _callback(other, _confirm_as(_start(other, Provider.WECOM, qingshan), "lisi"))
    assert _user_id(other) == str(colleague.pk)


def test_a_person_cannot_take_an_id_linked_to_someone_else(configured, qingshan):
    client = Client()
    client.force_login(configured.colleague)
    response = _callback(client, _confirm_as(_start(client, Provider.WECOM, qingshan, intent="link"), "zhangsan"))
    assert response.status_code == 409
    assert AccountLink.objects.get(provider="wecom", external_id="zhangsan").user == configured.cadre


def test_linking_needs_a_password_sign_in_first(configured, qingshan):
    response = Client().get(
        reverse("connect:start", kwargs={"provider": "wecom", "township": qingshan.pk}), {"intent": "link"}
    )
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_password_sign_in_and_its_lockout_stay(configured, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "cadre001", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "cadre001", "password": "dutyflow-demo"})
    assert response.status_code == 429


def test_my_links_page_lists_the_townships_applications(configured):
    client = Client()
    client.force_login(configured.cadre)
    page = client.get(reverse("connect:me")).content.decode()
    assert "zhangsan" in page and "dt-zhangsan" in page and "intent=link" in page
