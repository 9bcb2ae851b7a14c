"""Party unit kinds in the tree and the organisers' roles (支部委员, 党务工作者)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from organization.models import Membership, Unit
from organization.scoping import scope_for


def test_me_lists_a_temporary_branch_with_the_dates_it_stands(personas, api_as):
    committee = personas.unit("committee")
    checkpoint = Unit.objects.create(
        name="防汛卡口临时党支部",
        code="checkpoint",
        kind=Unit.Kind.TEMPORARY_BRANCH,
        parent=committee,
        stands_from=dt.date(2026, 12, 1),
        stands_until=dt.date(2027, 2, 28),
    )
    group = Unit.objects.create(name="第一党小组", code="group1", kind=Unit.Kind.PARTY_GROUP, parent=personas.branch)
    Membership.objects.create(user=personas.cadre, unit=checkpoint, role=Membership.Role.CADRE)
    Membership.objects.create(user=personas.cadre, unit=group, role=Membership.Role.CADRE)
    units = {u["id"]: u for u in api_as(personas.cadre).get("/api/v1/me/").json()["units"]}
    assert units[checkpoint.pk] == {
        "id": checkpoint.pk,
        "name": "防汛卡口临时党支部",
        "kind": "temporary_branch",
        "role": "cadre",
        "stands_from": "2026-12-01",
        "stands_until": "2027-02-28",
    }
    assert units[group.pk]["kind"] == "party_group" and "stands_from" not in units[group.pk]


def test_a_temporary_branch_cannot_be_dissolved_before_it_stands(personas):
    unit = Unit(
        name="x",
        code="x",
        kind=Unit.Kind.TEMPORARY_BRANCH,
        parent=personas.branch,
        stands_from=dt.date(2026, 12, 2),
        stands_until=dt.date(2026, 12, 1),
    )
    with pytest.raises(ValidationError):
        unit.full_clean()


def test_me_roles_stay_among_the_contracts(personas, api_as):
    assert api_as(personas.organiser).get("/api/v1/me/").json()["roles"] == ["cadre"]


@pytest.mark.parametrize(
    ("who", "organises"),
    [("organiser", True), ("party_worker", True), ("leader", True), ("cadre", False), ("b_organiser", False)],
)
def test_who_organises_branch_01(personas, who, organises):
    assert scope_for(getattr(personas, who)).organises(personas.branch) is organises


def test_baishui_organiser_organises_own_branch(personas):
    assert scope_for(personas.b_organiser).organises(personas.b_branch)


def test_index_flags_the_minimum_frequencies_not_yet_met(personas, client):
    from django.utils import timezone

    from partylife import services

    services.activity_create(
        actor=personas.leader,
        unit=personas.branch,
        kind="committee_meeting",
        title="支委会",
        scheduled_at=timezone.now() + dt.timedelta(hours=1),
    )
    client.force_login(personas.leader)
    page = client.get("/party/").content.decode()
    assert "本期尚未开展" in page
    section = page.split("本期尚未开展")[1].split("</section>")[0]
    assert "主题党日" in section and "党课" in section and "支委会" not in section
    client.force_login(personas.cadre)
    assert "本期尚未开展" not in client.get("/party/").content.decode()
