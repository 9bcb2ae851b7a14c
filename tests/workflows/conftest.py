import datetime as dt
from types import SimpleNamespace
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache

from organization.models import Membership, Unit, User
from responsibilities import services
from tests.conftest import require_redis
from tests.responsibilities.lists_builders import MONTH, add_item, draft_list
from workflows import readcache

SH = ZoneInfo("Asia/Shanghai")


def at(*args) -> dt.datetime:
    """A Shanghai wall-clock time: at(2026, 12, 1, 9)."""
    return dt.datetime(*args, tzinfo=SH)


@pytest.fixture
def make_item(personas):
    """``make_item(assigned_at=..., due_at=...)`` → an assigned item of branch 01 (cadre001, leader01)."""
    lists = {}

    def make(*, assigned_at, due_at, unit=None, assignee=None, leader=None, urgent=False, title="主题党日"):
        unit = unit or personas.branch
        leader = leader or personas.leader
        assignee = assignee or personas.cadre
        with time_machine.travel(assigned_at, tick=False):
            lst = lists.get(unit.pk)
            if lst is None:
                lst = services.list_create(unit=unit, month=dt.date(2026, 12, 1), title="12月清单", actor=leader)
                lists[unit.pk] = lst
            item = services.item_create(
                lst=lst,
                actor=leader,
                title=title,
                standard="召开并记录",
                assignee=assignee,
                lead_leader=leader,
                due_at=due_at,
                urgent=urgent,
            )
            lst.refresh_from_db()
            if lst.state == "draft":
                services.list_publish(lst=lst, actor=leader)
        item.refresh_from_db()
        return item

    return make


# -- the read cache: a published list of the demo township, and a second township ----------------


@pytest.fixture
def published(personas):
    lst = draft_list(personas)
    first = add_item(personas, lst, title="走访困难党员")
    second = add_item(personas, lst, title="整理党费台账", assignee=personas.colleague)
    services.list_publish(lst=lst, actor=personas.leader)
    return lst, first, second


@pytest.fixture
def far(personas):
    """A second township (西山镇) with a branch, its leader and cadre, and a published list."""
    township = Unit.objects.create(name="西山镇", code="xishan", kind=Unit.Kind.TOWNSHIP)
    branch = Unit.objects.create(name="西山镇第一支部", code="xishan-b1", kind=Unit.Kind.BRANCH, parent=township)
    leader = User.objects.create(username="xs-leader", display_name="西山领导")
    cadre = User.objects.create(username="xs-cadre", display_name="西山干部")
    Membership.objects.create(user=leader, unit=branch, role=Membership.Role.LEADER)
    Membership.objects.create(user=cadre, unit=branch, role=Membership.Role.CADRE)
    lst = services.list_create(unit=branch, month=MONTH, title="西山清单", actor=leader)
    item = add_item(personas, lst, title="修路", assignee=cadre, lead_leader=leader, actor=leader)
    services.list_publish(lst=lst, actor=leader)
    item.refresh_from_db()
    return SimpleNamespace(township=township, branch=branch, leader=leader, cadre=cadre, list=lst, item=item)


@pytest.fixture
def near(personas):
    """The demo township's published list with one item (cadre001, leader01)."""
    lst = draft_list(personas)
    item = add_item(personas, lst, title="走访困难党员")
    services.list_publish(lst=lst, actor=personas.leader)
    item.refresh_from_db()
    return SimpleNamespace(list=lst, item=item)


@pytest.fixture(params=["local memory", "redis"])
def shared_cache(request, settings):
    if request.param == "redis":
        url = require_redis()
        settings.CACHES = {
            "default": {"BACKEND": "config.cache.RedisCache", "LOCATION": url, "KEY_PREFIX": "test-kept-reads"}
        }
        cache.clear()
        readcache.bump()
    yield request.param
    if request.param == "redis":
        cache.clear()


@pytest.fixture
def views_asked():
    """How many times a cached view looked its answer up (a request answered early does not)."""
    with mock.patch.object(readcache, "lookup", wraps=readcache.lookup) as lookup:
        yield lookup
