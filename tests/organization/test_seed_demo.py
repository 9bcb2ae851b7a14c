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
    assert Unit.objects.filter(kind=Unit.Kind.BRANCH).count() == 13
    assert Unit.objects.filter(kind=Unit.Kind.DISTRICT).count() == 3
    for n in range(1, 14):  # leaderNN leads branch NN, which has cadre(5·NN−4) … cadre(5·NN)
        branch = Membership.objects.get(user__username=f"leader{n:02d}", role="leader").unit
        cadres = set(Membership.objects.filter(unit=branch, role="cadre").values_list("user__username", flat=True))
        assert cadres == {f"cadre{k:03d}" for k in range(5 * n - 4, 5 * n + 1)}, n


@pytest.mark.django_db
def test_seed_demo_is_refused_in_production(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="--force"):
        call_command("seed_demo", stdout=StringIO())
    assert User.objects.count() == 0
