"""The township office sets up WeCom / DingTalk and links accounts: its own township only, every
change recorded, the secret write-only. Every persona of both townships against the pages."""

import pytest
from django.test import Client
from django.urls import reverse

from connect.models import AccountLink, VendorApp
from organization.models import AdministrativeChange, User

from .conftest import configure

SECRET = "s3cret-Value-Never-Shown"


def login(username):
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def _save(client, provider="wecom", **fields):
    data = {
        "provider": provider,
        f"{provider}-enabled": "on",
        f"{provider}-corp_id": "ww123",
        f"{provider}-agent_id": "1000002",
        f"{provider}-secret": SECRET,
        f"{provider}-reason": "开通企业微信",
    }
    data.update({f"{provider}-{k}": v for k, v in fields.items()})
    return client.post(reverse("connect:office"), data)


def test_the_office_sets_up_wecom_and_the_secret_is_never_shown_again(township, qingshan):
    office = login("office01")
    response = _save(office)
    assert response.status_code == 302
    app = VendorApp.objects.get(township=qingshan, provider="wecom")
    assert (app.corp_id, app.agent_id, app.secret, app.is_configured) == ("ww123", "1000002", SECRET, True)
    page = office.get(reverse("connect:office")).content.decode()
    assert "ww123" in page and SECRET not in page
    change = AdministrativeChange.objects.get(action="vendor_app_save")
    assert change.township == qingshan and change.reason == "开通企业微信"
    assert change.details["secret_replaced"] is True and SECRET not in str(change.details)


def test_an_empty_secret_keeps_the_stored_one(township, qingshan):
    office = login("office01")
    _save(office)
    VendorApp.objects.filter(provider="wecom").update(access_token="tok")
    assert _save(office, secret="", agent_id="1000003").status_code == 302
    app = VendorApp.objects.get(provider="wecom")
    assert (app.secret, app.agent_id, app.access_token) == (SECRET, "1000003", "tok")
    assert _save(office, secret="another-secret").status_code == 302
    app.refresh_from_db()
    assert (app.secret, app.access_token) == ("another-secret", "")  # a new secret drops the token


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"agent_id": "abc"}, "agent_id"),
        ({"corp_id": ""}, "corp_id"),
        ({"corp_id": "ww 1;drop"}, "corp_id"),
        ({"reason": ""}, "reason"),
    ],
)
def test_bad_input_says_what_is_wrong_and_saves_nothing(township, fields, field):
    response = _save(login("office01"), **fields)
    assert response.status_code == 400
    assert field in response.context["panels"][0][2].errors
    assert not VendorApp.objects.exists()


def test_a_first_setup_needs_a_secret(township):
    response = _save(login("office01"), secret="")
    assert response.status_code == 400 and "secret" in response.context["panels"][0][2].errors


def test_dingtalk_needs_its_app_key(township):
    response = _save(login("office01"), provider="dingtalk")
    assert response.status_code == 400
    assert "app_key" in response.context["panels"][1][2].errors
    assert _save(login("office01"), provider="dingtalk", app_key="dingkey").status_code == 302


def test_an_unknown_platform_is_refused(township):
    assert login("office01").post(reverse("connect:office"), {"provider": "qq"}).status_code == 400


def test_each_office_sees_and_changes_only_its_own_township(township, qingshan, baishui):
    configure(qingshan, "wecom", corp_id="ww-qingshan")
    page = login("boffice01").get(reverse("connect:office")).content.decode()
    assert "ww-qingshan" not in page
    assert login("boffice01").get(reverse("connect:office") + f"?township={qingshan.pk}").status_code == 404
    _save(login("boffice01"), corp_id="ww-baishui")
    assert VendorApp.objects.get(township=baishui).corp_id == "ww-baishui"
    assert VendorApp.objects.get(township=qingshan).corp_id == "ww-qingshan"


def _link(client, person, external_id="zhangsan", provider="wecom", reason="对应企业微信账号"):
    return client.post(
        reverse("connect:office-link"),
        {"person": person.pk, "provider": provider, "external_id": external_id, "reason": reason},
    )


def test_the_office_links_and_unlinks_a_person(township, qingshan):
    office = login("office01")
    assert _link(office, township.cadre).status_code == 302
    link = AccountLink.objects.get(user=township.cadre)
    assert (link.township, link.external_id, link.linked_by) == (qingshan, "zhangsan", township.office)
    assert _link(office, township.cadre, external_id="zhangsan2").status_code == 302  # replaces it
    assert AccountLink.objects.get(user=township.cadre).external_id == "zhangsan2"
    assert "zhangsan2" in office.get(reverse("connect:office")).content.decode()
    url = reverse("connect:office-unlink", kwargs={"pk": link.pk})
    assert office.post(url, {"reason": ""}).status_code == 400
    assert office.post(url, {"reason": "调离"}).status_code == 302
    assert not AccountLink.objects.exists()
    assert list(AdministrativeChange.objects.order_by("pk").values_list("action", flat=True)) == [
        "account_link",
        "account_link",
        "account_unlink",
    ]


def test_one_id_cannot_be_linked_to_two_people(township):
    office = login("office01")
    _link(office, township.cadre)
    response = _link(office, township.colleague)
    assert response.status_code == 400 and "external_id" in response.context["link_form"].errors
    assert AccountLink.objects.count() == 1


def test_the_office_cannot_link_a_person_of_the_other_township(township):
    response = _link(login("office01"), township.b_cadre)
    assert response.status_code == 400 and "person" in response.context["link_form"].errors
    assert not AccountLink.objects.exists()


def test_the_office_cannot_unlink_in_the_other_township(township, baishui):
    link = AccountLink.objects.create(
        user=township.b_cadre, township=baishui, provider="wecom", external_id="b1", linked_by=township.b_office
    )
    response = login("office01").post(reverse("connect:office-unlink", kwargs={"pk": link.pk}), {"reason": "x"})
    assert response.status_code == 404 and AccountLink.objects.filter(pk=link.pk).exists()


def test_the_admin_shows_no_secret(township, qingshan):
    configure(qingshan, "wecom", secret=SECRET)
    app = VendorApp.objects.get()
    admin = login("admin")
    page = admin.get(reverse("admin:connect_vendorapp_change", args=[app.pk])).content.decode()
    assert "ww-fake-corp" in page and SECRET not in page


@pytest.mark.parametrize("username", ["office01", "boffice01", "admin"])
def test_office_holders_and_admins_open_the_page(township, username):
    assert login(username).get(reverse("connect:office")).status_code == 200


@pytest.mark.parametrize("username", ["leader01", "cadre001", "commissioner02", "observer01", "bleader01", "bcadre001"])
def test_no_other_role_opens_the_office_page(township, username):
    assert login(username).get(reverse("connect:office")).status_code == 403
    assert login(username).post(reverse("connect:office-link"), {}).status_code == 403
