"""The township office (党政办): its pages, scoped to its own township, every change logged."""

import pytest
from django.test import Client
from django.urls import reverse

from organization.models import AdministrativeChange, Membership, Pairing, Unit, User

NOT_OFFICE = [
    "secretary",
    "leader01",
    "cadre001",
    "commissioner01",
    "commissioner02",
    "observer01",
    "bsecretary",
    "bleader01",
    "bcadre001",
    "bcommissioner01",
]
OFFICE_PAGES = ["office_home", "office_people", "office_pairings", "office_changes"]


def login(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


@pytest.fixture
def office(township):
    return login("office01")


@pytest.mark.django_db
def test_office_accounts_are_seeded_for_both_townships(township):
    assert Membership.objects.get(user__username="office01", role="office").unit.code == "township"
    assert Membership.objects.get(user__username="boffice01", role="office").unit.code == "bs-township"


@pytest.mark.django_db
def test_me_lists_the_office_role(township):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(User.objects.get(username="office01"))
    me = api.get("/api/v1/me/").json()
    assert me["roles"] == ["office"]
    assert me["units"][0]["role"] == "office"


@pytest.mark.django_db
@pytest.mark.parametrize("name", OFFICE_PAGES)
@pytest.mark.parametrize("username", ["office01", "boffice01", "admin"])
def test_office_and_admin_open_every_office_page(township, name, username):
    response = login(username).get(reverse(name))
    assert response.status_code == 200
    assert "党政办" in response.content.decode() or "变更" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("name", OFFICE_PAGES)
@pytest.mark.parametrize("username", NOT_OFFICE)
def test_no_other_role_opens_an_office_page(township, name, username):
    assert login(username).get(reverse(name)).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("name", OFFICE_PAGES)
def test_office_pages_ask_anonymous_to_sign_in(township, client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.django_db
def test_people_page_lists_only_the_own_township(township, office):
    body = office.get(reverse("office_people") + "?q=cadre").content.decode()
    assert "cadre001" in body
    assert "bcadre001" not in body
    body = login("boffice01").get(reverse("office_people") + "?q=cadre").content.decode()
    assert "bcadre001" in body
    assert "cadre006" not in body


@pytest.mark.django_db
def test_office_cannot_open_or_change_a_person_of_the_other_township(township, office):
    other = User.objects.get(username="bcadre001")
    assert office.get(reverse("office_person", args=[other.pk])).status_code == 404
    response = office.post(reverse("office_person_action", args=[other.pk, "deactivate"]), {"reason": "离职"})
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.is_active
    membership = Membership.objects.get(user=other)
    assert office.post(reverse("office_membership_remove", args=[membership.pk]), {"reason": "x"}).status_code == 404
    assert Membership.objects.filter(pk=membership.pk).exists()


@pytest.mark.django_db
def test_office_cannot_pick_the_other_township_by_parameter(township, office):
    other = Unit.objects.get(code="bs-township")
    assert office.get(reverse("office_people") + f"?township={other.pk}").status_code == 404


@pytest.mark.django_db
def test_office_creates_a_person_with_a_role_and_a_one_time_password(township, office):
    branch = Unit.objects.get(code="branch03")
    response = office.post(
        reverse("office_people"),
        {
            "username": "cadre900",
            "display_name": "新干部",
            "phone": "13800000000",
            "unit": branch.pk,
            "role": "cadre",
            "title": "党员干部",
            "reason": "新招录",
        },
    )
    assert response.status_code == 200
    password = response.context["password"]
    person = User.objects.get(username="cadre900")
    assert person.check_password(password)
    assert Membership.objects.filter(user=person, unit=branch, role="cadre").exists()
    change = AdministrativeChange.objects.get(action="person_create")
    assert (change.actor.username, change.reason, change.township.code) == ("office01", "新招录", "township")
    assert Client().login(username="cadre900", password=password)


@pytest.mark.django_db
def test_creating_a_person_in_a_unit_of_the_other_township_is_refused(township, office):
    response = office.post(
        reverse("office_people"),
        {
            "username": "cadre901",
            "display_name": "越界",
            "unit": Unit.objects.get(code="bs-branch01").pk,
            "role": "cadre",
            "reason": "试试",
        },
    )
    assert response.status_code == 400
    assert "unit" in response.context["form"].errors
    assert not User.objects.filter(username="cadre901").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data, field",
    [
        ({"username": "a b", "display_name": "x", "role": "cadre", "reason": "r"}, "username"),
        ({"username": "cadre001", "display_name": "x", "role": "cadre", "reason": "r"}, "username"),
        ({"username": "newone", "display_name": "", "role": "cadre", "reason": "r"}, "display_name"),
        ({"username": "newone", "display_name": "x", "role": "king", "reason": "r"}, "role"),
        ({"username": "newone", "display_name": "x", "role": "cadre", "reason": ""}, "reason"),
        ({"username": "newone", "display_name": "x", "role": "cadre", "reason": "r", "phone": "abc"}, "phone"),
    ],
)
def test_bad_person_forms_say_what_is_wrong_and_create_nothing(township, office, data, field):
    before = User.objects.count()
    response = office.post(reverse("office_people"), {"unit": Unit.objects.get(code="branch01").pk, **data})
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert User.objects.count() == before
    assert not AdministrativeChange.objects.exists()


@pytest.mark.django_db
def test_deactivating_signs_the_person_out_and_is_logged(township, office):
    cadre = User.objects.get(username="cadre002")
    cadre_client = login("cadre002")
    response = office.post(reverse("office_person_action", args=[cadre.pk, "deactivate"]), {"reason": "调离本镇"})
    assert response.status_code == 302
    cadre.refresh_from_db()
    assert not cadre.is_active
    assert cadre_client.get("/").status_code == 302  # the session no longer signs them in
    assert AdministrativeChange.objects.filter(action="person_deactivate", reason="调离本镇").exists()
    office.post(reverse("office_person_action", args=[cadre.pk, "reactivate"]), {"reason": "返回"})
    cadre.refresh_from_db()
    assert cadre.is_active


@pytest.mark.django_db
def test_an_action_without_a_reason_changes_nothing(township, office):
    cadre = User.objects.get(username="cadre002")
    office.post(reverse("office_person_action", args=[cadre.pk, "deactivate"]), {"reason": " "})
    cadre.refresh_from_db()
    assert cadre.is_active
    assert not AdministrativeChange.objects.exists()


@pytest.mark.django_db
def test_unknown_person_action_is_404(township, office):
    cadre = User.objects.get(username="cadre002")
    assert office.post(reverse("office_person_action", args=[cadre.pk, "promote"]), {"reason": "x"}).status_code == 404


@pytest.mark.django_db
def test_office_cannot_deactivate_itself_or_an_admin(township, office):
    me = User.objects.get(username="office01")
    office.post(reverse("office_person_action", args=[me.pk, "deactivate"]), {"reason": "x"})
    me.refresh_from_db()
    assert me.is_active
    admin = User.objects.get(username="admin")
    assert office.get(reverse("office_person", args=[admin.pk])).status_code == 404


@pytest.mark.django_db
def test_password_reset_shows_a_new_password_once_and_old_one_stops(township, office):
    cadre = User.objects.get(username="cadre003")
    response = office.post(reverse("office_person_action", args=[cadre.pk, "reset_password"]), {"reason": "忘记密码"})
    assert response.status_code == 200
    cadre.refresh_from_db()
    assert cadre.check_password(response.context["password"])
    assert not cadre.check_password("dutyflow-demo")
    assert AdministrativeChange.objects.filter(action="password_reset").count() == 1


@pytest.mark.django_db
def test_moving_a_cadre_is_a_role_added_and_a_role_removed(township, office):
    cadre = User.objects.get(username="cadre004")
    old = Membership.objects.get(user=cadre, role="cadre")
    new_branch = Unit.objects.get(code="branch05")
    response = office.post(
        reverse("office_person", args=[cadre.pk]),
        {"action": "add_membership", "unit": new_branch.pk, "role": "cadre", "reason": "轮岗"},
    )
    assert response.status_code == 302
    office.post(reverse("office_membership_remove", args=[old.pk]), {"reason": "轮岗"})
    assert list(Membership.objects.filter(user=cadre, role="cadre").values_list("unit__code", flat=True)) == [
        "branch05"
    ]
    actions = list(AdministrativeChange.objects.order_by("pk").values_list("action", flat=True))
    assert actions == ["membership_add", "membership_remove"]


@pytest.mark.django_db
def test_adding_the_same_role_twice_is_a_field_error(township, office):
    cadre = User.objects.get(username="cadre004")
    response = office.post(
        reverse("office_person", args=[cadre.pk]),
        {"action": "add_membership", "unit": Unit.objects.get(code="branch01").pk, "role": "cadre", "reason": "x"},
    )
    assert response.status_code == 400
    assert response.context["membership_form"].errors["role"]


@pytest.mark.django_db
def test_pairings_added_and_ended_within_the_township(township, office):
    branch = Unit.objects.get(code="branch13")
    partner = Unit.objects.filter(path__startswith=Unit.objects.get(code="township").path, kind="village").first()
    Pairing.objects.filter(branch=branch, partner=partner).delete()
    response = office.post(reverse("office_pairings"), {"branch": branch.pk, "partner": partner.pk, "reason": "新结对"})
    assert response.status_code == 302
    pairing = Pairing.objects.get(branch=branch, partner=partner)
    office.post(reverse("office_pairing_remove", args=[pairing.pk]), {"reason": "调整"})
    assert not Pairing.objects.filter(pk=pairing.pk).exists()
    b_pairing = Pairing.objects.filter(branch__code__startswith="bs-").first()
    assert office.post(reverse("office_pairing_remove", args=[b_pairing.pk]), {"reason": "x"}).status_code == 404
    response = office.post(
        reverse("office_pairings"),
        {"branch": Unit.objects.get(code="bs-branch01").pk, "partner": partner.pk, "reason": "越界"},
    )
    assert response.status_code == 400


@pytest.mark.django_db
def test_change_history_shows_who_what_and_why_for_the_own_township_only(township, office):
    cadre = User.objects.get(username="cadre002")
    office.post(reverse("office_person_action", args=[cadre.pk, "deactivate"]), {"reason": "调离本镇"})
    body = office.get(reverse("office_changes")).content.decode()
    assert "调离本镇" in body and "cadre002" in body
    assert "调离本镇" not in login("boffice01").get(reverse("office_changes")).content.decode()


@pytest.mark.django_db
def test_office_pages_stay_within_their_query_budget(township, office, django_assert_max_num_queries):
    with django_assert_max_num_queries(14):
        assert office.get(reverse("office_people")).status_code == 200
