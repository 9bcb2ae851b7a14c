from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from organization.models import Jurisdiction, Membership, Pairing, Unit, User


def counts():
    return (
        Unit.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
        Pairing.objects.count(),
        Jurisdiction.objects.count(),
    )


@pytest.mark.django_db
def test_seed_demo_twice_gives_the_same_counts():
    call_command("seed_demo", stdout=StringIO())
    first = counts()
    call_command("seed_demo", stdout=StringIO())
    assert counts() == first


@pytest.mark.django_db
def test_seed_demo_creates_the_accounts_and_branches_of_the_contract():
    """API.md's demo township; one seed for all of it (a seed takes seconds)."""
    call_command("seed_demo", stdout=StringIO())
    expected = (
        {"secretary", "commissioner01", "commissioner02", "commissioner03", "observer01", "admin"}
        | {f"leader{n:02d}" for n in range(1, 14)}
        | {f"cadre{n:03d}" for n in range(1, 66)}
    )
    assert expected <= set(User.objects.values_list("username", flat=True))
    assert User.objects.get(username="cadre065").check_password("dutyflow-demo")
    assert User.objects.get(username="admin").is_superuser
    qingshan = Unit.objects.get(code="township").subtree()
    assert qingshan.filter(kind=Unit.Kind.BRANCH).count() == 13
    assert qingshan.filter(kind=Unit.Kind.DISTRICT).count() == 3
    for n in range(1, 14):  # leaderNN leads branch NN, which has cadre(5·NN−4) … cadre(5·NN)
        branch = Membership.objects.get(user__username=f"leader{n:02d}", role="leader").unit
        cadres = set(Membership.objects.filter(unit=branch, role="cadre").values_list("user__username", flat=True))
        assert cadres == {f"cadre{k:03d}" for k in range(5 * n - 4, 5 * n + 1)}, n
    neighbouring_township_is_seeded()


@pytest.mark.django_db
def test_seed_demo_is_refused_in_production(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="--force"):
        call_command("seed_demo", stdout=StringIO())
    assert User.objects.count() == 0


def neighbouring_township_is_seeded():
    """白水镇 (API.md): its own tree, accounts, dispatchers and demo content, apart from 青山镇
    (checked within the test above: a seed takes seconds)."""
    from issues.models import LivelihoodIssue
    from lists.models import ResponsibilityList
    from pledges.models import Pledge

    baishui = Unit.objects.get(code="bs-township")
    assert baishui.name == "白水镇" and baishui.kind == Unit.Kind.TOWNSHIP
    assert not baishui.path.startswith(Unit.objects.get(code="township").path)
    branch = Unit.objects.get(code="bs-branch01")
    assert branch.is_within(baishui)
    cadres = set(Membership.objects.filter(unit=branch, role="cadre").values_list("user__username", flat=True))
    assert cadres == {f"bcadre{k:03d}" for k in range(1, 6)}
    assert Membership.objects.get(user__username="bleader01", role="leader").unit == branch
    assert Membership.objects.filter(user__username="bsecretary", unit=baishui, role="leader").exists()
    assert Membership.objects.filter(user__username="bcommissioner01", unit__path__startswith=baishui.path).exists()
    assert Jurisdiction.objects.filter(unit__kind=Unit.Kind.DISTRICT, unit__path__startswith=baishui.path).exists()
    assert Pairing.objects.filter(branch=branch, partner__kind=Unit.Kind.VILLAGE).exists()
    dispatchers = Membership.objects.filter(dispatcher=True).values_list("user__username", "unit__code")
    assert set(dispatchers) == {
        ("secretary", "township"),
        ("leader01", "branch01"),
        ("bsecretary", "bs-township"),
        ("bleader01", "bs-branch01"),
    }
    assert ResponsibilityList.objects.filter(unit=branch, state="published").exists()
    assert Pledge.objects.filter(unit=branch, state__in=Pledge.PUBLIC_STATES).exists()
    assert LivelihoodIssue.objects.filter(place_unit__path__startswith=baishui.path).count() >= 2
