"""The demo townships of API.md (青山镇 and its neighbour 白水镇): units, accounts, jurisdictions and 1+N pairings.

Everything is keyed on stable codes and usernames, so running it twice leaves the same rows:
on an empty database accounts, memberships and pairings are written in bulk (a few statements;
the test suite seeds the township for most tests), otherwise row by row with
``update_or_create``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction

from .models import Jurisdiction, Membership, Pairing, Unit, User

DEMO_PASSWORD = "dutyflow-demo"

BRANCHES = [
    "党政办公室党支部",
    "党建工作办公室党支部",
    "经济发展办公室党支部",
    "财政所党支部",
    "农业农村办公室党支部",
    "社会事务办公室党支部",
    "平安建设办公室党支部",
    "生态环境办公室党支部",
    "规划建设办公室党支部",
    "应急管理办公室党支部",
    "综合行政执法队党支部",
    "便民服务中心党支部",
    "退役军人服务站党支部",
]
LEADER_POSTS = [
    "党委副书记",
    "党委组织委员",
    "党委委员、副镇长",
    "党委委员",
    "党委委员、副镇长",
    "党委宣传委员",
    "党委政法委员",
    "党委委员、副镇长",
    "党委委员、副镇长",
    "党委委员",
    "党委委员",
    "党委委员",
    "人武部部长",
]
DISTRICTS = [
    (
        "east",
        "东片区",
        [("village", "东山村"), ("village", "桃源村"), ("community", "东湖社区"), ("enterprise", "青山纺织有限公司")],
    ),
    (
        "west",
        "西片区",
        [("village", "西溪村"), ("village", "石桥村"), ("community", "西城社区"), ("enterprise", "绿源食品有限公司")],
    ),
    (
        "south",
        "南片区",
        [("village", "南岭村"), ("village", "竹林村"), ("community", "南苑社区"), ("enterprise", "南港物流有限公司")],
    ),
]
# 白水镇, a neighbouring township of the same county: its codes are prefixed ``bs-``.
B_BRANCHES = ["党政办公室党支部", "经济发展办公室党支部", "社会事务办公室党支部"]
B_PARTNERS = [("village", "白水村"), ("enterprise", "白水茶业有限公司")]
# Who dispatches livelihood issues (派单) in each township: (username, unit code).
DISPATCHERS = {
    ("secretary", "township"),
    ("leader01", "branch01"),
    ("bsecretary", "bs-township"),
    ("bleader01", "bs-branch01"),
}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
GIVEN = [
    "建国",
    "海燕",
    "志强",
    "丽华",
    "明辉",
    "秀英",
    "国平",
    "晓东",
    "春梅",
    "文杰",
    "玉兰",
    "德胜",
    "红霞",
    "永刚",
    "丽娟",
    "振华",
    "金凤",
    "伟民",
    "桂芳",
    "学军",
]


def chinese_name(n: int) -> str:
    return SURNAMES[(n * 7) % len(SURNAMES)] + GIVEN[(n * 3) % len(GIVEN)]


@dataclass
class SeedResult:
    units: int
    users: int
    memberships: int


def _unit(code: str, name: str, kind: str, parent: Unit | None, order: int) -> Unit:
    unit, _ = Unit.objects.update_or_create(
        code=code, defaults={"name": name, "kind": kind, "parent": parent, "sort_order": order}
    )
    return unit


def _user(username: str, display_name: str, password_hash: str, **extra) -> User:
    user, created = User.objects.get_or_create(
        username=username, defaults={"display_name": display_name, "password": password_hash, **extra}
    )
    changed = False
    if user.display_name != display_name:
        user.display_name = display_name
        changed = True
    for key, value in extra.items():
        if getattr(user, key) != value:
            setattr(user, key, value)
            changed = True
    if changed:
        user.save()
    return user


def _member(user: User, unit: Unit, role: str, title: str = "", dispatcher: bool = False) -> None:
    Membership.objects.update_or_create(
        user=user, unit=unit, role=role, defaults={"title": title, "dispatcher": dispatcher}
    )


def _seed_baishui_units():
    """白水镇's units and jurisdictions; its pairings, accounts and memberships for the caller to write."""
    township = _unit("bs-township", "白水镇", Unit.Kind.TOWNSHIP, None, 100)
    committee = _unit("bs-committee", "中共白水镇委员会", Unit.Kind.COMMITTEE, township, 1)
    branches = [
        _unit(f"bs-branch{n:02d}", name, Unit.Kind.BRANCH, committee, n) for n, name in enumerate(B_BRANCHES, start=1)
    ]
    district = _unit("bs-district1", "白水片区", Unit.Kind.DISTRICT, township, 21)
    partners = [_unit(f"bs-{kind}{m}", name, kind, district, m) for m, (kind, name) in enumerate(B_PARTNERS, start=1)]
    Jurisdiction.objects.update_or_create(unit=township, defaults={"name": "白水镇纪委"})[0].covers.set([])
    district_jurisdiction, _ = Jurisdiction.objects.update_or_create(unit=district, defaults={"name": "白水片区纪工委"})
    district_jurisdiction.covers.set(branches)
    pairings = [(branches[0], partners[0]), (branches[1], partners[1])]
    accounts: list[tuple[str, str, dict]] = [
        ("bsecretary", "白水镇" + chinese_name(401), {}),
        ("bleader01", chinese_name(402), {}),
        ("bcommissioner01", "纪委委员" + chinese_name(403), {}),
        ("boffice01", "党政办" + chinese_name(404), {}),
    ]
    memberships: list[tuple[str, Unit, str, str]] = [
        ("bsecretary", township, Membership.Role.LEADER, "镇党委书记"),
        ("bsecretary", committee, Membership.Role.LEADER, "镇党委书记"),
        ("bleader01", branches[0], Membership.Role.LEADER, "党委副书记"),
        ("bcommissioner01", township, Membership.Role.COMMISSIONER, "镇纪委书记"),
        ("boffice01", township, Membership.Role.OFFICE, "党政办主任"),
    ]
    for k in range(1, 6):
        accounts.append((f"bcadre{k:03d}", chinese_name(410 + k), {}))
        memberships.append((f"bcadre{k:03d}", branches[0], Membership.Role.CADRE, "党员干部"))
    memberships.append(("bcadre002", branches[0], Membership.Role.BRANCH_COMMITTEE, "支部组织委员"))
    return pairings, accounts, memberships


@transaction.atomic
def seed_organization() -> SeedResult:
    password_hash = make_password(DEMO_PASSWORD)
    township = _unit("township", "青山镇", Unit.Kind.TOWNSHIP, None, 0)
    committee = _unit("committee", "中共青山镇委员会", Unit.Kind.COMMITTEE, township, 1)
    branches = [
        _unit(f"branch{n:02d}", name, Unit.Kind.BRANCH, committee, n) for n, name in enumerate(BRANCHES, start=1)
    ]
    districts, partners = [], []
    for d, (code, name, members) in enumerate(DISTRICTS, start=1):
        district = _unit(f"district{d}", name, Unit.Kind.DISTRICT, township, 20 + d)
        districts.append(district)
        for m, (kind, member_name) in enumerate(members, start=1):
            partners.append(_unit(f"{code}-{kind}{m}", member_name, kind, district, m))

    township_jurisdiction, _ = Jurisdiction.objects.update_or_create(unit=township, defaults={"name": "青山镇纪委"})
    township_jurisdiction.covers.set([])
    for d, district in enumerate(districts, start=1):
        jurisdiction, _ = Jurisdiction.objects.update_or_create(
            unit=district, defaults={"name": f"{district.name}纪工委"}
        )
        covered = {1: branches[0:6], 2: branches[6:13]}.get(d, [])
        jurisdiction.covers.set(covered)

    # 1+N: each organ branch is paired with one or two villages, communities or enterprises.
    pairings = [
        (branch, partner)
        for n, branch in enumerate(branches)
        for partner in (partners[n % len(partners)], partners[(n + 5) % len(partners)])
    ]

    # (username, display name, extra fields) and (username, unit, role, title)
    accounts: list[tuple[str, str, dict]] = [("secretary", "陈书记", {})]
    memberships: list[tuple[str, Unit, str, str]] = [
        ("secretary", township, Membership.Role.LEADER, "镇党委书记"),
        ("secretary", committee, Membership.Role.LEADER, "镇党委书记"),
    ]
    for n, branch in enumerate(branches, start=1):
        accounts.append((f"leader{n:02d}", chinese_name(100 + n), {}))
        memberships.append((f"leader{n:02d}", branch, Membership.Role.LEADER, LEADER_POSTS[n - 1]))
        for k in range(5 * n - 4, 5 * n + 1):
            accounts.append((f"cadre{k:03d}", chinese_name(k), {}))
            memberships.append((f"cadre{k:03d}", branch, Membership.Role.CADRE, "党员干部"))
        # 支部委员: the branch's third cadre organises its Party life with the leader.
        memberships.append((f"cadre{5 * n - 2:03d}", branch, Membership.Role.BRANCH_COMMITTEE, "支部组织委员"))
    memberships.append(("cadre004", branches[0], Membership.Role.PARTY_WORKER, "兼职党务工作者"))
    accounts.append(("commissioner01", "纪委委员" + chinese_name(201), {}))
    memberships.append(("commissioner01", township, Membership.Role.COMMISSIONER, "镇纪委书记"))
    for d in (1, 2):
        accounts.append((f"commissioner{d + 1:02d}", chinese_name(201 + d), {}))
        memberships.append((f"commissioner{d + 1:02d}", districts[d - 1], Membership.Role.COMMISSIONER, "纪工委委员"))
    accounts.append(("observer01", chinese_name(301), {}))
    memberships.append(("observer01", township, Membership.Role.OBSERVER, "党风政风观察员"))
    accounts.append(("office01", "党政办" + chinese_name(311), {}))
    memberships.append(("office01", township, Membership.Role.OFFICE, "党政办主任"))
    accounts.append(("admin", "系统管理员", {"is_staff": True, "is_superuser": True}))
    b_pairings, b_accounts, b_memberships = _seed_baishui_units()
    pairings += b_pairings
    accounts += b_accounts
    memberships += b_memberships

    if not User.objects.exists() and not Pairing.objects.exists():
        Pairing.objects.bulk_create([Pairing(branch=branch, partner=partner) for branch, partner in pairings])
        User.objects.bulk_create(
            [User(username=u, display_name=name, password=password_hash, **extra) for u, name, extra in accounts]
        )
        users = dict(User.objects.values_list("username", "pk"))
        Membership.objects.bulk_create(
            [
                Membership(
                    user_id=users[u], unit=unit, role=role, title=title, dispatcher=(u, unit.code) in DISPATCHERS
                )
                for u, unit, role, title in memberships
            ]
        )
    else:
        for branch, partner in pairings:
            Pairing.objects.get_or_create(branch=branch, partner=partner)
        users = {u: _user(u, name, password_hash, **extra) for u, name, extra in accounts}
        for u, unit, role, title in memberships:
            _member(users[u], unit, role, title, dispatcher=(u, unit.code) in DISPATCHERS)

    return SeedResult(units=Unit.objects.count(), users=User.objects.count(), memberships=Membership.objects.count())
