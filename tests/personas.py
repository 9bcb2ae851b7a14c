"""Named people of the demo township, looked up lazily by username."""

from organization.models import Unit, User


class Personas:
    """``p.leader`` leads branch 01; ``p.cadre`` works in branch 01; ``p.other_cadre`` in branch 02 …"""

    usernames = {
        "secretary": "secretary",
        "leader": "leader01",  # leads branch 01
        "other_leader": "leader02",  # leads branch 02
        "cadre": "cadre001",  # branch 01
        "colleague": "cadre002",  # another cadre of branch 01
        "organiser": "cadre003",  # 支部委员 of branch 01
        "party_worker": "cadre004",  # 党务工作者 of branch 01
        "other_cadre": "cadre006",  # branch 02
        "commissioner": "commissioner02",  # district 1: branches 01–06
        "township_commissioner": "commissioner01",
        "other_commissioner": "commissioner03",  # district 2: branches 07–13
        "observer": "observer01",
        "office": "office01",  # 党政办: the township office
        "admin": "admin",
        # 白水镇, the neighbouring township
        "b_secretary": "bsecretary",
        "b_leader": "bleader01",  # leads bs-branch01
        "b_cadre": "bcadre001",  # bs-branch01
        "b_organiser": "bcadre002",  # 支部委员 of bs-branch01
        "b_commissioner": "bcommissioner01",
        "b_office": "boffice01",
    }

    def __getattr__(self, name):
        if name in self.usernames:
            user = User.objects.get(username=self.usernames[name])
            setattr(self, name, user)
            return user
        raise AttributeError(name)

    def unit(self, code: str) -> Unit:
        return Unit.objects.get(code=code)

    @property
    def branch(self) -> Unit:
        return self.unit("branch01")

    @property
    def b_branch(self) -> Unit:
        """白水镇's branch 01."""
        return self.unit("bs-branch01")

    @property
    def other_branch(self) -> Unit:
        return self.unit("branch02")

    @property
    def far_branch(self) -> Unit:
        """A branch in district 2, outside commissioner02's jurisdiction."""
        return self.unit("branch08")

    def outsider(self) -> User:
        """A logged-in user with no role anywhere."""
        user, _ = User.objects.get_or_create(username="outsider", defaults={"display_name": "外人"})
        return user
