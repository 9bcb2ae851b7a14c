"""The demo month's new Party content in both townships: brands, showcase posts nominated and
selected, honours, each township's Party-affairs worker with a training and a rotation, the 三会一课
obligations (idempotent)."""

from organization.models import Membership, User
from partylife.demo import seed_party_life
from partylife.models import Activity, Brand, FrequencyObligation, Honour, Rotation, ShowcasePost


def test_the_demo_seeds_showcases_honours_and_staff_steps_once(personas):
    seed_party_life()
    counts = [Brand.objects.count(), ShowcasePost.objects.count(), Honour.objects.count(), Rotation.objects.count()]
    seed_party_life()
    assert [
        Brand.objects.count(),
        ShowcasePost.objects.count(),
        Honour.objects.count(),
        Rotation.objects.count(),
    ] == counts
    for branch, member in ((personas.branch, personas.cadre), (personas.b_branch, personas.b_cadre)):
        assert Brand.objects.filter(unit=branch).exists()
        assert ShowcasePost.objects.filter(unit=branch, state="selected").count() == 1
        assert ShowcasePost.objects.filter(unit=branch, state="nominated").count() == 1
        assert set(Honour.objects.filter(unit=branch).values_list("kind", flat=True)) == {"vanguard", "outside"}
        assert Honour.objects.filter(member=member, kind="vanguard").exists()
        assert FrequencyObligation.objects.filter(unit=branch).exists()
    b_worker = User.objects.get(username="bcadre003")  # 白水镇's Party-affairs worker
    for branch, worker in ((personas.branch, personas.party_worker), (personas.b_branch, b_worker)):
        assert Membership.objects.filter(user=worker, unit=branch, role=Membership.Role.PARTY_WORKER).exists()
        training = Activity.objects.get(kind="training", unit=branch)
        assert training.result == "考核合格" and training.attendance.filter(user=worker).exists()
        assert Rotation.objects.filter(worker=worker, unit=branch).count() == 1
