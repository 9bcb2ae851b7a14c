"""Object-level scoping: which units a user leads, belongs to, oversees or may read.

Every later app scopes its querysets with these helpers. A ``Scope`` is computed once per
user object (two queries) and cached on it, so a request pays for it once.

Rules (DESIGN.md, "Roles"):
- a leader acts on the units they lead and everything below them;
- a cadre acts on their own objects and reads their own unit;
- a commissioner reads everything in their jurisdiction (the subtree of the unit they sit on,
  plus the subtrees it covers); an observer reads the subtree of the unit they sit on;
- a superuser (admin) reads everything.

The township is the first boundary (one deployment serves a county): ``township_paths`` are
the townships the user holds a role in, and every selector narrows its query with
``township_q(field)`` before the role rules, so nothing of one township reaches the other's
people. County-wide roles are granted explicitly, as a membership on a unit above the townships.
Dispatchers (派单) are members flagged ``dispatcher``: they dispatch the livelihood issues of
their own township (``dispatch_paths``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q

from .models import Membership, Unit, path_prefix_q, township_paths_of

Role = Membership.Role


@dataclass(frozen=True)
class Scope:
    user_id: int | None
    is_admin: bool = False
    led_paths: tuple[str, ...] = ()
    member_paths: tuple[str, ...] = ()
    member_unit_ids: frozenset[int] = field(default_factory=frozenset)
    overseen_paths: tuple[str, ...] = ()  # commissioners' jurisdictions
    observed_paths: tuple[str, ...] = ()  # observers' read-only subtrees
    roles: frozenset[str] = field(default_factory=frozenset)
    township_paths: tuple[str, ...] = ()  # the townships the user holds a role in
    dispatch_paths: tuple[str, ...] = ()  # the townships whose livelihood issues they dispatch
    office_paths: tuple[str, ...] = ()  # the townships whose set-up they administer (党政办)
    organised_paths: tuple[str, ...] = ()  # 支部委员 / 党务工作者: the branches whose life they organise

    # -- predicates on a single unit ---------------------------------------------------------
    def leads(self, unit: Unit) -> bool:
        return self.is_admin or _under(unit.path, self.led_paths)

    def organises(self, unit: Unit) -> bool:
        """Organises ``unit``'s Party life: its leaders, or a 支部委员 / 党务工作者 of it (or of the
        branch above a Party group)."""
        return self.leads(unit) or _under(unit.path, self.organised_paths)

    def oversees(self, unit: Unit) -> bool:
        """A commissioner's jurisdiction covers ``unit``."""
        return _under(unit.path, self.overseen_paths)

    def can_read_unit(self, unit: Unit) -> bool:
        return self.is_admin or _under(unit.path, self.read_paths) or unit.pk in self.member_unit_ids

    @property
    def read_paths(self) -> tuple[str, ...]:
        return self.led_paths + self.overseen_paths + self.observed_paths + self.member_paths

    def has_role(self, role: str) -> bool:
        return role in self.roles

    def in_township(self, unit: Unit | None) -> bool:
        """``unit`` lies in one of the user's townships (admins: everywhere)."""
        return self.is_admin or (unit is not None and _under(unit.path, self.township_paths))

    @property
    def dispatches(self) -> bool:
        return self.is_admin or bool(self.dispatch_paths)

    def dispatches_in(self, path: str | None) -> bool:
        """The user dispatches the livelihood issues of the township holding ``path``."""
        return self.is_admin or (path is not None and _under(path, self.dispatch_paths))

    @property
    def administers(self) -> bool:
        """The user runs a township's set-up (the office role) or the deployment (admin)."""
        return self.is_admin or bool(self.office_paths)

    def administers_in(self, path: str | None) -> bool:
        """The user administers the township holding ``path``."""
        return self.is_admin or (path is not None and _under(path, self.office_paths))

    def office_q(self, field: str = "path") -> Q:
        """Rows whose unit path ``field`` lies in a township the user administers."""
        return Q() if self.is_admin else path_prefix_q(*self.office_paths, field=field)

    # -- querysets ---------------------------------------------------------------------------
    def led_units_q(self, field: str = "path") -> Q:
        return Q() if self.is_admin else path_prefix_q(*self.led_paths, field=field)

    def overseen_units_q(self, field: str = "path") -> Q:
        return path_prefix_q(*self.overseen_paths, field=field)

    def readable_units_q(self, field: str = "path") -> Q:
        return Q() if self.is_admin else path_prefix_q(*self.read_paths, field=field)

    def township_q(self, field: str = "path") -> Q:
        """Rows whose unit path ``field`` lies in the user's townships: every selector's first filter."""
        return Q() if self.is_admin else path_prefix_q(*self.township_paths, field=field)

    def dispatch_q(self, field: str = "path") -> Q:
        return Q() if self.is_admin else path_prefix_q(*self.dispatch_paths, field=field)


def _under(path: str, prefixes: tuple[str, ...]) -> bool:
    return any(path.startswith(prefix) for prefix in prefixes)


def _collapse(paths) -> tuple[str, ...]:
    """Drop paths already covered by a shorter prefix: fewer ORs in every query."""
    kept: list[str] = []
    for path in sorted(set(paths), key=len):
        if not _under(path, tuple(kept)):
            kept.append(path)
    return tuple(sorted(kept))


def scope_for(user) -> Scope:
    """The user's scope, computed once per user object."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Scope(user_id=None)
    cached = getattr(user, "_dutyflow_scope", None)
    if cached is not None:
        return cached
    memberships = list(Membership.objects.filter(user=user).select_related("unit", "unit__jurisdiction"))
    led, member, overseen, observed, organised, member_ids, roles = [], [], [], [], [], set(), set()
    covered_for: list[int] = []
    for m in memberships:
        roles.add(m.role)
        member_ids.add(m.unit_id)
        if m.role == Role.LEADER:
            led.append(m.unit.path)
        elif m.role == Role.CADRE:
            member.append(m.unit.path)
        elif m.role in (Role.BRANCH_COMMITTEE, Role.PARTY_WORKER):
            member.append(m.unit.path)
            organised.append(m.unit.path)
        elif m.role == Role.COMMISSIONER:
            overseen.append(m.unit.path)
            if hasattr(m.unit, "jurisdiction"):
                covered_for.append(m.unit.jurisdiction.pk)
        elif m.role == Role.OBSERVER:
            observed.append(m.unit.path)
    if covered_for:
        overseen += list(Unit.objects.filter(supervising_jurisdictions__in=covered_for).values_list("path", flat=True))
    paths = [m.unit.path for m in memberships]
    townships = dict(zip(paths, township_paths_of(paths), strict=True)) if paths else {}
    dispatch = [townships[m.unit.path] for m in memberships if m.dispatcher]
    office = [townships[m.unit.path] for m in memberships if m.role == Role.OFFICE]
    if user.is_superuser:
        roles.add("admin")
    scope = Scope(
        user_id=user.pk,
        is_admin=user.is_superuser,
        led_paths=_collapse(led),
        member_paths=_collapse(member),
        member_unit_ids=frozenset(member_ids),
        overseen_paths=_collapse(overseen),
        observed_paths=_collapse(observed),
        roles=frozenset(roles),
        township_paths=_collapse(townships.values()),
        dispatch_paths=_collapse(dispatch),
        office_paths=_collapse(office),
        organised_paths=_collapse(organised),
    )
    user._dutyflow_scope = scope
    return scope


def units_led_by(user):
    """Units the user leads, with everything below them."""
    scope = scope_for(user)
    if not scope.led_paths and not scope.is_admin:
        return Unit.objects.none()
    return Unit.objects.filter(scope.led_units_q())


def units_overseen_by(user):
    """Units in the user's discipline jurisdiction (commissioners)."""
    scope = scope_for(user)
    return Unit.objects.filter(scope.overseen_units_q())


def units_readable_by(user):
    scope = scope_for(user)
    return Unit.objects.filter(scope.readable_units_q())


def leaders_of(unit: Unit):
    """Users who lead ``unit`` directly or from above, nearest first."""
    from .models import User

    ancestor_ids = [int(seg) for seg in unit.path.strip("/").split("/") if seg]
    return User.objects.filter(memberships__role=Role.LEADER, memberships__unit_id__in=ancestor_ids).distinct()


def commissioner_ids_by_unit(units) -> dict[int, list[int]]:
    """``commissioners_for`` of many units at once, as user ids by unit id: two queries in all
    (the jurisdictions covering any of their ancestors, the commissioners' memberships)."""
    from .models import Jurisdiction

    ancestors = {unit.pk: [int(seg) for seg in unit.path.strip("/").split("/") if seg] for unit in units}
    every = {pk for ids in ancestors.values() for pk in ids}
    covering: dict[int, set[int]] = {}
    for covered, unit_id in Jurisdiction.objects.filter(covers__in=every).values_list("covers", "unit_id"):
        covering.setdefault(covered, set()).add(unit_id)
    places = every | {unit_id for ids in covering.values() for unit_id in ids}
    members: dict[int, set[int]] = {}
    for unit_id, user_id in Membership.objects.filter(role=Role.COMMISSIONER, unit_id__in=places).values_list(
        "unit_id", "user_id"
    ):
        members.setdefault(unit_id, set()).add(user_id)
    found = {}
    for unit_pk, ids in ancestors.items():
        where = set(ids).union(*(covering.get(pk, set()) for pk in ids))
        found[unit_pk] = sorted({user for place in where for user in members.get(place, ())})
    return found


def leader_ids_by_unit(units) -> dict[int, list[int]]:
    """``leaders_of`` of many units, as user ids by unit id: one query per distinct unit."""
    return {unit.pk: list(leaders_of(unit).values_list("pk", flat=True)) for unit in {u.pk: u for u in units}.values()}


def commissioners_for(unit: Unit):
    """Commissioners whose jurisdiction covers ``unit``."""
    from .models import Jurisdiction, User

    ancestor_ids = [int(seg) for seg in unit.path.strip("/").split("/") if seg]
    covering = Jurisdiction.objects.filter(covers__in=ancestor_ids).values_list("unit_id", flat=True)
    return User.objects.filter(
        memberships__role=Role.COMMISSIONER,
        memberships__unit_id__in=set(ancestor_ids) | set(covering),
    ).distinct()


@dataclass(frozen=True)
class DisciplineBodies:
    """The discipline bodies over each of some units (``discipline_bodies``): the district's work
    committee (纪工委) whose jurisdiction covers the unit, the township's committee (纪委), and
    who sits on them; the township's secretaries (leaders on the township unit)."""

    district: dict[int, int | None]  # unit id → the covering jurisdiction below the township
    township: dict[int, int | None]  # unit id → the township's own jurisdiction
    members: dict[int, list[int]]  # jurisdiction id → its commissioners' ids
    secretaries: dict[int, list[int]]  # unit id → leaders of its township unit

    def responsible(self, unit_id: int, *, township: bool) -> int | None:
        """The body that owns a case on the unit: the district's, or the township's (and the
        other one when the asked one does not exist)."""
        first, second = (self.township, self.district) if township else (self.district, self.township)
        return first.get(unit_id) or second.get(unit_id)

    def audience(self, unit_id: int, audience: str) -> list[int]:
        """Who is told at an escalation level (``EscalationAudience``): the district's commissioners
        (the township committee's where no district committee covers the unit or it has no
        members), the township committee's (the district's where the township has none), or the
        township's secretaries."""
        if audience == "secretary":
            return self.secretaries.get(unit_id, [])
        for body in (self.responsible(unit_id, township=audience == "township_committee"), self.township.get(unit_id)):
            if body and self.members.get(body):
                return self.members[body]
        return self.members.get(self.district.get(unit_id) or 0, [])


def discipline_bodies(units) -> DisciplineBodies:
    """``DisciplineBodies`` of ``units``, in four queries whatever their number."""
    from .models import Jurisdiction

    units = list({unit.pk: unit for unit in units}.values())
    ancestors = {unit.pk: [int(seg) for seg in unit.path.strip("/").split("/") if seg] for unit in units}
    every = {pk for ids in ancestors.values() for pk in ids}
    rows = list(
        Jurisdiction.objects.filter(Q(unit_id__in=every) | Q(covers__in=every))
        .values_list("pk", "unit_id", "unit__kind", "unit__path", "covers")
        .order_by("pk")
    )
    kind_of = {pk: kind for pk, _unit, kind, _path, _covered in rows}
    path_of = {pk: path for pk, _unit, _kind, path, _covered in rows}
    reaches: dict[int, set[int]] = {}  # jurisdiction id → ancestor ids it sits on or covers
    for pk, unit_id, _kind, _path, covered in rows:
        reaches.setdefault(pk, set()).update({unit_id} | ({covered} if covered else set()))
    district: dict[int, int | None] = {}
    township: dict[int, int | None] = {}
    for unit_id, ids in ancestors.items():
        over = [pk for pk, places in reaches.items() if places & set(ids)]
        districts = sorted((pk for pk in over if kind_of[pk] != Unit.Kind.TOWNSHIP), key=lambda pk: -len(path_of[pk]))
        townships = [pk for pk in over if kind_of[pk] == Unit.Kind.TOWNSHIP]
        district[unit_id] = districts[0] if districts else None
        township[unit_id] = townships[0] if townships else None
    members: dict[int, list[int]] = {}
    unit_of_body = {pk: unit_id for pk, unit_id, _kind, _path, _covered in rows}
    body_of_unit = {unit_id: pk for pk, unit_id in unit_of_body.items()}
    for unit_id, user_id in (
        Membership.objects.filter(role=Role.COMMISSIONER, unit_id__in=set(unit_of_body.values()))
        .values_list("unit_id", "user_id")
        .order_by("user_id")
    ):
        members.setdefault(body_of_unit[unit_id], []).append(user_id)
    township_units = dict(
        zip(
            (unit.pk for unit in units),
            (int(path.strip("/").split("/")[-1]) for path in township_paths_of(unit.path for unit in units)),
            strict=True,
        )
    )
    leaders: dict[int, list[int]] = {}
    for unit_id, user_id in (
        Membership.objects.filter(
            role=Role.LEADER, unit_id__in=set(township_units.values()), unit__kind=Unit.Kind.TOWNSHIP
        )
        .values_list("unit_id", "user_id")
        .order_by("user_id")
    ):
        leaders.setdefault(unit_id, []).append(user_id)
    secretaries = {unit_id: leaders.get(township_unit, []) for unit_id, township_unit in township_units.items()}
    return DisciplineBodies(district, township, members, secretaries)
