import pytest

from organization.models import Membership, Unit
from organization.scoping import commissioners_for, leaders_of, scope_for, units_led_by, units_overseen_by


@pytest.fixture
def tree(db):
    root = Unit.objects.create(name="镇", code="t", kind=Unit.Kind.TOWNSHIP)
    a = Unit.objects.create(name="A", code="a", kind=Unit.Kind.DISTRICT, parent=root)
    a1 = Unit.objects.create(name="A1", code="a1", kind=Unit.Kind.VILLAGE, parent=a)
    b = Unit.objects.create(name="B", code="b", kind=Unit.Kind.DISTRICT, parent=root)
    return root, a, a1, b


def test_unit_path_reflects_the_tree(tree):
    root, a, a1, b = tree
    assert a1.path == f"/{root.pk:06d}/{a.pk:06d}/{a1.pk:06d}/"
    assert set(root.subtree()) == {root, a, a1, b}
    assert set(a.subtree()) == {a, a1}
    assert list(a1.ancestors()) == [root, a, a1]


def test_moving_a_unit_moves_its_subtree(tree):
    root, a, a1, b = tree
    a.parent = b
    a.save()
    a1.refresh_from_db()
    assert a1.path.startswith(b.path)
    assert set(b.subtree()) == {b, a, a1}


def test_a_unit_cannot_move_below_itself(tree):
    root, a, a1, b = tree
    a.parent = a1
    with pytest.raises(ValueError):
        a.save()


def test_leader_leads_their_unit_and_below(personas):
    scope = scope_for(personas.leader)
    assert scope.leads(personas.branch)
    assert not scope.leads(personas.other_branch)
    assert set(units_led_by(personas.leader)) == {personas.branch}


def test_secretary_leads_the_whole_township(personas):
    township = personas.unit("township").subtree()
    assert set(units_led_by(personas.secretary)) == set(township)
    assert not units_led_by(personas.secretary).filter(code__startswith="bs-").exists()


def test_cadre_leads_nothing(personas):
    scope = scope_for(personas.cadre)
    assert not scope.leads(personas.branch)
    assert scope.can_read_unit(personas.branch)
    assert not scope.can_read_unit(personas.other_branch)


def test_district_commissioner_oversees_district_and_covered_branches(personas):
    overseen = set(units_overseen_by(personas.commissioner).values_list("code", flat=True))
    assert {f"branch{n:02d}" for n in range(1, 7)} <= overseen
    assert "branch07" not in overseen
    assert "district1" in overseen and "east-village1" in overseen
    assert "district2" not in overseen


def test_township_commissioner_oversees_everything(personas):
    township = personas.unit("township").subtree()
    assert set(units_overseen_by(personas.township_commissioner)) == set(township)


def test_observer_reads_but_neither_leads_nor_oversees(personas):
    scope = scope_for(personas.observer)
    assert scope.can_read_unit(personas.far_branch)
    assert not scope.leads(personas.branch)
    assert not scope.oversees(personas.branch)


def test_outsider_has_empty_scope(personas):
    scope = scope_for(personas.outsider())
    assert not scope.can_read_unit(personas.branch)
    assert units_led_by(personas.outsider()).count() == 0


def test_leaders_and_commissioners_of_a_branch(personas):
    assert set(leaders_of(personas.branch).values_list("username", flat=True)) == {"leader01", "secretary"}
    assert set(commissioners_for(personas.branch).values_list("username", flat=True)) == {
        "commissioner01",
        "commissioner02",
    }
    assert set(commissioners_for(personas.far_branch).values_list("username", flat=True)) == {
        "commissioner01",
        "commissioner03",
    }


def test_scope_is_computed_once_per_user_object(personas, django_assert_num_queries):
    user = personas.commissioner
    branch = personas.branch
    scope_for(user)
    with django_assert_num_queries(0):
        scope_for(user)
        scope_for(user).oversees(branch)
    assert Membership.objects.filter(user=user).count() == 1


def test_commissioners_of_many_units_at_once_are_each_units_commissioners(personas):
    from organization.scoping import commissioner_ids_by_unit

    units = list(Unit.objects.all())
    found = commissioner_ids_by_unit(units)
    assert found == {unit.pk: sorted(commissioners_for(unit).values_list("pk", flat=True)) for unit in units}
    assert any(found.values())
