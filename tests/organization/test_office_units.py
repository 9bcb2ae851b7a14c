"""The township office's units (§4 "units and people"): create a unit under one of its township's
units, rename it, move it with its subtree, delete one that holds nothing — for both townships'
office holders, scoped to their own township, every change logged with its reason."""

import pytest

from organization.models import AdministrativeChange, Unit
from tests.organization.test_office_setup import login, url

# (office holder, own township's code, own district, the other township's district)
OFFICES = [
    ("office01", "township", "district1", "bs-district1"),
    ("boffice01", "bs-township", "bs-district1", "district1"),
]
OTHER_ROLES = [
    "secretary",
    "leader01",
    "cadre001",
    "commissioner02",
    "observer01",
    "bsecretary",
    "bleader01",
    "bcadre001",
    "bcommissioner01",
]


def create(client, under: Unit, **extra):
    data = {"parent": under.pk, "name": "新建片区", "code": "new-district", "kind": "district", "reason": "区划调整"}
    return client.post(url("office_units"), {**data, **extra})


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["office01", "boffice01", "admin"])
def test_office_opens_the_units_pages(township, username):
    client = login(username)
    response = client.get(url("office_units"))
    assert response.status_code == 200
    own = response.context["township"]
    assert {u.pk for u in response.context["units"]} == set(
        Unit.objects.get(pk=own.pk).subtree().values_list("pk", flat=True)
    )
    assert client.get(url("office_unit", pk=own.pk)).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("username", OTHER_ROLES)
def test_no_other_role_opens_or_changes_units(township, username):
    client, branch = login(username), Unit.objects.get(code="branch01")
    assert client.get(url("office_units")).status_code == 403
    assert client.get(url("office_unit", pk=branch.pk)).status_code == 403
    assert create(client, branch).status_code == 403
    assert client.post(url("office_unit_delete", pk=branch.pk), {"reason": "x"}).status_code == 403
    assert not Unit.objects.filter(code="new-district").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("username", "township_code", "own", "other"), OFFICES)
def test_office_creates_renames_and_moves_a_unit_with_its_subtree(township, username, township_code, own, other):
    client, home = login(username), Unit.objects.get(code=township_code)
    assert create(client, home).status_code == 302
    new = Unit.objects.get(code="new-district")
    assert (new.parent, new.kind, new.path) == (home, "district", f"{home.path}{new.pk:06d}/")
    change = AdministrativeChange.objects.get(action="unit_create")
    assert change.township == home and change.reason == "区划调整"

    district = Unit.objects.get(code=own)
    below = list(district.subtree().exclude(pk=district.pk))
    assert below, "the demo district has villages under it"
    data = {"name": "合并片区", "parent": new.pk, "reason": "片区合并"}
    assert client.post(url("office_unit", pk=district.pk), data).status_code == 302
    district.refresh_from_db()
    assert (district.name, district.parent, district.path) == ("合并片区", new, f"{new.path}{district.pk:06d}/")
    for unit in below:
        unit.refresh_from_db()
        assert unit.path.startswith(district.path) and unit.path.endswith(f"{unit.pk:06d}/")
    change = AdministrativeChange.objects.get(action="unit_update")
    assert change.reason == "片区合并" and change.details["before"]["parent"] == home.name
    page = client.get(url("office_unit", pk=district.pk))
    assert [c.action for c in page.context["changes"]] == ["unit_update"]
    assert "片区合并" in page.content.decode()

    # the township itself can be renamed but not moved
    assert (
        client.post(url("office_unit", pk=home.pk), {"name": home.name + "人民政府", "reason": "更名"}).status_code
        == 302
    )
    home.refresh_from_db()
    assert home.name.endswith("人民政府") and home.parent is None


@pytest.mark.django_db
@pytest.mark.parametrize(("username", "township_code", "own", "other"), OFFICES)
def test_office_deletes_an_empty_unit_but_not_one_that_holds_people_or_units(
    township, username, township_code, own, other
):
    client, home = login(username), Unit.objects.get(code=township_code)
    assert create(client, home).status_code == 302
    new = Unit.objects.get(code="new-district")
    district = Unit.objects.get(code=own)
    response = client.post(url("office_unit_delete", pk=district.pk), {"reason": "撤销"}, follow=True)
    assert Unit.objects.filter(pk=district.pk).exists()
    text = response.content.decode()
    assert "cannot be deleted" in text or "不能删除" in text
    assert not AdministrativeChange.objects.filter(action="unit_delete").exists()

    assert client.post(url("office_unit_delete", pk=new.pk), {"reason": ""}).status_code == 302
    assert Unit.objects.filter(pk=new.pk).exists()  # no reason: nothing happens
    assert client.post(url("office_unit_delete", pk=new.pk), {"reason": "撤销"}).status_code == 302
    assert not Unit.objects.filter(pk=new.pk).exists()
    change = AdministrativeChange.objects.get(action="unit_delete")
    assert change.township == home and change.reason == "撤销" and change.target == "新建片区"
    assert client.post(url("office_unit_delete", pk=home.pk), {"reason": "撤销"}).status_code == 302
    assert Unit.objects.filter(pk=home.pk).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("username", "township_code", "own", "other"), OFFICES)
def test_the_other_townships_unit_is_404(township, username, township_code, own, other):
    client, theirs = login(username), Unit.objects.get(code=other)
    path = theirs.path
    assert client.get(url("office_unit", pk=theirs.pk)).status_code == 404
    data = {"name": "夺取", "parent": Unit.objects.get(code=township_code).pk, "reason": "x"}
    assert client.post(url("office_unit", pk=theirs.pk), data).status_code == 404
    assert client.post(url("office_unit_delete", pk=theirs.pk), {"reason": "x"}).status_code == 404
    theirs.refresh_from_db()
    assert (theirs.name, theirs.path) != ("夺取", "") and theirs.path == path


@pytest.mark.django_db
@pytest.mark.parametrize(("username", "township_code", "own", "other"), OFFICES)
def test_wrong_unit_input_is_400_with_field_messages(township, username, township_code, own, other):
    client, home = login(username), Unit.objects.get(code=township_code)
    district, theirs = Unit.objects.get(code=own), Unit.objects.get(code=other)
    village = district.subtree().exclude(pk=district.pk).first()
    cases = [
        ({"parent": theirs.pk}, "parent"),  # another township's unit
        ({"kind": "township"}, "kind"),  # the office does not create townships
        ({"kind": "castle"}, "kind"),
        ({"code": "bad code!"}, "code"),
        ({"code": own}, "code"),  # taken
        ({"name": ""}, "name"),
        ({"reason": ""}, "reason"),
    ]
    for data, field in cases:
        response = create(client, home, **data)
        assert response.status_code == 400, data
        assert field in response.context["form"].errors, data
    moves = [
        ({"parent": village.pk}, "parent"),  # below itself
        ({"parent": district.pk}, "parent"),  # under itself
        ({"parent": theirs.pk}, "parent"),
        ({"parent": ""}, "parent"),
        ({"name": ""}, "name"),
    ]
    for data, field in moves:
        body = {"name": "片区", "parent": home.pk, "reason": "调整", **data}
        response = client.post(url("office_unit", pk=district.pk), body)
        assert response.status_code == 400, data
        assert field in response.context["form"].errors, data
    district.refresh_from_db()
    assert district.parent == home
    assert not AdministrativeChange.objects.exists()
