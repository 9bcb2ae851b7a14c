"""Read cache across townships: an item's transition drops the answers of the readers whose
reach holds its township (and of county-wide ones), and keeps everyone else's.

Every answer is compared with the answer computed without the cache.
"""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from organization.models import Jurisdiction, Membership, Unit
from responsibilities import services
from responsibilities.models import ResponsibilityItem
from tests.responsibilities.lists_builders import MONTH, add_item, draft_list
from tests.workflows.test_readcache import MY_ITEMS, assert_fresh, assert_fresh_page, browser, token_client
from workflows import readcache

pytestmark = pytest.mark.django_db


def counter_values(*keys):
    readcache.flush_own_writes()
    return [readcache.generation(key) for key in keys]


def queries_of(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_reach_is_the_townships_of_ones_units_and_items(personas, far):
    demo = readcache.root_of(personas.branch.path)
    there = readcache.root_of(far.branch.path)
    assert demo != there
    assert readcache.compute_reach(personas.cadre) == {demo}
    assert readcache.compute_reach(far.cadre) == {there}
    assert readcache.compute_reach(personas.outsider()) == frozenset()
    assert readcache.compute_reach(personas.admin) == readcache.EVERYWHERE
    # an item of the far township names cadre001 as a co-handler: that township is in reach
    far.item.co_handlers.add(personas.cadre)
    assert readcache.compute_reach(personas.cadre) == {demo, there}
    # a jurisdiction covering a unit of another township
    Jurisdiction.objects.get(unit=personas.unit("district1")).covers.add(far.branch)
    personas.commissioner._dutyflow_scope = None
    del personas.commissioner._dutyflow_scope
    assert readcache.compute_reach(personas.commissioner) == {demo, there}


def test_a_transition_in_one_township_keeps_anothers_answers(personas, near, far, django_assert_num_queries):
    cadre, far_cadre = token_client(personas.cadre), token_client(far.cadre)
    urls = [MY_ITEMS, f"/api/v1/items/{near.item.pk}/", f"/api/v1/items/{near.item.pk}/history/"]
    kept = {url: cadre.get(url).content for url in urls}
    far_before = far_cadre.get(MY_ITEMS).content
    answer = far_cadre.post(f"/api/v1/items/{far.item.pk}/transitions/accept/", {}, format="json")
    assert answer.status_code == 200, answer.content
    for url in urls:
        with django_assert_num_queries(0):  # kept token, kept answer
            assert cadre.get(url).content == kept[url]
        assert_fresh(cadre, url)
    assert assert_fresh(far_cadre, MY_ITEMS).content != far_before


def test_a_transition_drops_its_own_townships_answers(personas, near, far):
    leader, colleague = token_client(personas.leader), token_client(personas.colleague)
    url = f"/api/v1/items/?list={near.list.pk}"
    before = {"leader": leader.get(url).content, "colleague": colleague.get(url).content}
    services.item_accept(item=near.item, actor=personas.cadre)
    assert assert_fresh(leader, url).content != before["leader"]
    assert assert_fresh(colleague, url).content != before["colleague"]


def test_admins_see_every_townships_writes(personas, near, far):
    admin = token_client(personas.admin)
    url = f"/api/v1/items/?list={far.list.pk}"
    before = admin.get(url).content
    services.item_accept(item=far.item, actor=far.cadre)
    assert assert_fresh(admin, url).content != before


def test_the_dashboard_follows_every_township(personas, near, far):
    """Its ranks compare units of every township, so any township's write drops it (while
    every request computes the cluster-wide figures: ``REPORTS_CACHE_SECONDS = 0``)."""
    secretary = browser(personas.secretary)
    assert secretary.get("/reports/").status_code == 200
    assert queries_of(secretary, "/reports/") <= 2  # kept
    services.item_accept(item=far.item, actor=far.cadre)
    assert queries_of(secretary, "/reports/") > 2  # computed again
    assert_fresh_page(secretary, "/reports/")


def test_with_shared_figures_the_dashboard_follows_its_readers_townships(personas, near, far, shared_report_figures):
    """With ``REPORTS_CACHE_SECONDS`` on, the cluster-wide figures lag by design: the kept
    dashboard is dropped by its own township's writes only."""
    secretary = browser(personas.secretary)
    assert secretary.get("/reports/").status_code == 200
    services.item_accept(item=far.item, actor=far.cadre)
    assert queries_of(secretary, "/reports/") <= 2  # kept
    services.item_accept(item=near.item, actor=personas.cadre)
    assert queries_of(secretary, "/reports/") > 2  # computed again


def test_the_list_page_is_kept_across_another_townships_writes(personas, near, far):
    leader = browser(personas.leader)
    url = f"/lists/{near.list.pk}/"
    assert leader.get(url).status_code == 200
    services.item_accept(item=far.item, actor=far.cadre)
    assert queries_of(leader, url) <= 2  # the session's user and the unread count
    services.item_accept(item=near.item, actor=personas.cadre)
    assert queries_of(leader, url) > 2
    assert_fresh_page(leader, url)


def test_items_outside_ones_memberships_stay_fresh(personas, near, far):
    """cadre001 was a member of the far branch when an item there was given to them; they left
    the branch since. The item still shows in their "my items", and the far township's writes
    still drop that answer."""
    membership = Membership.objects.create(user=personas.cadre, unit=far.branch, role=Membership.Role.CADRE)
    lst = services.list_create(unit=far.branch, month=MONTH + dt.timedelta(days=31), title="下月", actor=far.leader)
    item = add_item(personas, lst, title="修路", lead_leader=far.leader, actor=far.leader)
    services.list_publish(lst=lst, actor=far.leader)
    membership.delete()
    cadre = token_client(personas.cadre)
    before = cadre.get(MY_ITEMS).json()
    assert {row["id"] for row in before["results"]} == {near.item.pk, item.pk}
    services.item_cancel(item=item, actor=far.leader, reason="不再需要")
    after = assert_fresh(cadre, MY_ITEMS).json()
    assert after != before


def test_tree_scoped_writes_move_only_their_townships_counters(personas, far):
    there = readcache.tree_key(readcache.root_of(far.branch.path))
    here = readcache.tree_key(readcache.root_of(personas.branch.path))
    keys = (readcache.GENERATION_KEY, readcache.ANY_KEY, there, here)
    start = counter_values(*keys)
    with readcache.tree_scope():
        ResponsibilityItem.objects.filter(pk=far.item.pk).update(progress_percent=5)  # not narrowed yet
    moved = counter_values(*keys)
    assert [b - a for a, b in zip(start, moved, strict=True)] == [1, 0, 0, 0]
    with readcache.tree_scope():
        readcache.narrow_to(far.branch.path)
        ResponsibilityItem.objects.filter(pk=far.item.pk).update(progress_percent=10)
    narrowed = counter_values(*keys)
    assert [b - a for a, b in zip(moved, narrowed, strict=True)] == [0, 1, 1, 0]
    with readcache.tree_scope():
        readcache.narrow_to(far.branch.path)
        Unit.objects.filter(pk=far.branch.pk).update(name="西山镇一支部")  # not a tree table: everyone's
    renamed = counter_values(*keys)
    assert [b - a for a, b in zip(narrowed, renamed, strict=True)] == [1, 0, 0, 0]
    ResponsibilityItem.objects.filter(pk=far.item.pk).update(progress_percent=20)  # no scope
    assert [b - a for a, b in zip(renamed, counter_values(*keys), strict=True)] == [1, 0, 0, 0]


@pytest.mark.django_db(transaction=True)
def test_a_transactions_writes_move_each_counter_once_at_commit(personas):
    lst = draft_list(personas)
    item = add_item(personas, lst)
    path = personas.branch.path
    keys = (readcache.GENERATION_KEY, readcache.ANY_KEY, readcache.tree_key(readcache.root_of(path)))
    start = counter_values(*keys)
    with transaction.atomic(), readcache.tree_scope():
        readcache.narrow_to(path)
        for percent in (10, 20, 30):
            ResponsibilityItem.objects.filter(pk=item.pk).update(progress_percent=percent)
        assert [readcache.generation(key) for key in keys] == start  # nobody else sees them yet
    assert [b - a for a, b in zip(start, counter_values(*keys), strict=True)] == [0, 1, 1]


@pytest.mark.django_db(transaction=True)
def test_own_reads_inside_a_transaction_see_its_writes(personas):
    lst = draft_list(personas)
    item = add_item(personas, lst)
    start = counter_values(readcache.GENERATION_KEY)[0]
    with transaction.atomic():
        ResponsibilityItem.objects.filter(pk=item.pk).update(progress_percent=10)
        readcache.fetch("readcache:test")  # a read of this thread: the counter moves first
        assert readcache.generation() == start + 1
    assert readcache.generation() == start + 2  # and again at commit, for everyone else


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_interleaved_transitions_in_two_townships_never_show_a_stale_answer(personas, near, far, seed):
    readers = {
        "cadre": (token_client(personas.cadre), [MY_ITEMS, f"/api/v1/items/{near.item.pk}/history/"]),
        "leader": (token_client(personas.leader), [f"/api/v1/items/?list={near.list.pk}"]),
        "commissioner": (token_client(personas.commissioner), ["/api/v1/supervision/overdue/"]),
        "far cadre": (token_client(far.cadre), [MY_ITEMS, f"/api/v1/items/{far.item.pk}/"]),
        "far leader": (token_client(far.leader), [f"/api/v1/items/?list={far.list.pk}"]),
        "admin": (token_client(personas.admin), [f"/api/v1/items/?list={far.list.pk}", MY_ITEMS]),
    }

    def steps(item, cadre, leader):
        return [
            lambda: services.item_accept(item=item, actor=cadre),
            lambda: services.item_report_progress(item=item, actor=cadre, text="半程", percent=50),
            lambda: ResponsibilityItem.objects.filter(pk=item.pk).update(due_at=timezone.now() - dt.timedelta(days=4)),
            lambda: services.item_submit(item=item, actor=cadre, result="已完成"),
            lambda: services.item_return(item=item, actor=leader, reason="材料不全"),
            lambda: services.item_report_progress(item=item, actor=cadre, text="补材料", percent=90),
            lambda: services.item_submit(item=item, actor=cadre, result="已补齐"),
            lambda: services.item_verify(item=item, actor=leader),
        ]

    queues = [steps(near.item, personas.cadre, personas.leader), steps(far.item, far.cadre, far.leader)]
    rng = random.Random(seed)
    for client, urls in readers.values():
        for url in urls:
            client.get(url)
    while any(queues):
        queue = rng.choice([q for q in queues if q])
        queue.pop(0)()
        for name in rng.sample(sorted(readers), k=4):
            client, urls = readers[name]
            for url in urls:
                assert_fresh(client, url)


ITEM_SERVICES = {
    "accept": ("assigned", "item_accept", "cadre", {}),
    "report_progress": ("in", "item_report_progress", "cadre", {"text": "进展"}),
    "submit": ("in", "item_submit", "cadre", {"result": "已完成"}),
    "verify": ("submitted", "item_verify", "leader", {}),
    "return": ("submitted", "item_return", "leader", {"reason": "材料不全"}),
    "suspend": ("in", "item_suspend", "leader", {"reason": "暂缓"}),
    "resume": ("suspended", "item_resume", "leader", {}),
    "cancel": ("assigned", "item_cancel", "leader", {"reason": "不再需要"}),
    "extension_request": (
        "in",
        "extension_request",
        "cadre",
        {"new_due_at": timezone.now() + dt.timedelta(days=30), "reason": "等材料"},
    ),
    "extension_approve": ("extension pending", "extension_approve", "leader", {}),
    "extension_reject": ("extension pending", "extension_reject", "leader", {"reason": "理由不足"}),
}


@pytest.mark.parametrize("name", ITEM_SERVICES)
def test_item_transitions_are_their_townships_business_only(personas, far, name):
    """Every table an item's transition writes is a tree table: the other townships keep
    their answers."""
    state, service, who, kwargs = ITEM_SERVICES[name]
    kwargs = dict(kwargs)
    item, cadre, leader = far.item, far.cadre, far.leader
    if state not in ("assigned", "extension pending"):
        services.item_accept(item=item, actor=cadre)
        services.item_report_progress(item=item, actor=cadre, text="开始")
    if state == "submitted":
        services.item_submit(item=item, actor=cadre, result="已完成")
    if state == "suspended":
        services.item_suspend(item=item, actor=leader, reason="暂缓")
    if state == "extension pending":
        services.item_accept(item=item, actor=cadre)
        kwargs["extension"] = services.extension_request(
            item=item, actor=cadre, new_due_at=timezone.now() + dt.timedelta(days=30), reason="等材料"
        )
    else:
        kwargs["item"] = ResponsibilityItem.objects.get(pk=item.pk)
    keys = (readcache.GENERATION_KEY, readcache.tree_key(readcache.root_of(far.branch.path)))
    start = counter_values(*keys)
    getattr(services, service)(actor=cadre if who == "cadre" else leader, **kwargs)
    assert [b - a for a, b in zip(start, counter_values(*keys), strict=True)] == [0, 1]


@pytest.mark.parametrize("first", ["a read", "a transition"])
def test_a_kept_token_takes_its_users_reach_with_the_first_cached_read(personas, near, first):
    import hashlib

    from django.core.cache import cache
    from rest_framework.authtoken.models import Token

    cadre = token_client(personas.cadre)
    if first == "a transition":  # keeps the token lookup without a reach
        assert cadre.post(f"/api/v1/items/{near.item.pk}/transitions/accept/", {}, format="json").status_code == 200
    cadre.get(MY_ITEMS)
    key = Token.objects.get(user=personas.cadre).key
    _generation, _at, (user, token) = cache.get("readcache:token:" + hashlib.sha256(key.encode()).hexdigest())
    assert user.__dict__["_readcache_reach"] == {readcache.root_of(personas.branch.path)}
    assert "_readcache_token_slot" not in user.__dict__ and "password" not in user.__dict__
    assert "key" not in token.__dict__
    assert queries_of(cadre, MY_ITEMS) == 0


def test_a_scope_inside_another_joins_it(personas, far):
    """A flow's step and the service it calls are one operation: what the outer scope names
    holds for the inner one's writes, and what the inner names holds after it."""
    there = readcache.tree_key(readcache.root_of(far.branch.path))
    keys = (readcache.GENERATION_KEY, there)
    start = counter_values(*keys)
    with transaction.atomic(), readcache.tree_scope():
        readcache.narrow_to(far.branch.path)
        with readcache.tree_scope():  # the service, named nothing yet
            ResponsibilityItem.objects.filter(pk=far.item.pk).update(progress_percent=5)
    assert [b - a for a, b in zip(start, counter_values(*keys), strict=True)] == [0, 1]
    moved = counter_values(*keys)
    with transaction.atomic(), readcache.tree_scope():
        with readcache.tree_scope():
            readcache.narrow_to(far.branch.path)
        ResponsibilityItem.objects.filter(pk=far.item.pk).update(progress_percent=6)
    assert [b - a for a, b in zip(moved, counter_values(*keys), strict=True)] == [0, 1]


def test_a_persons_units_are_looked_up_once_per_scope(personas, far, django_assert_num_queries):
    Membership.objects.create(user=far.cadre, unit=personas.branch, role=Membership.Role.CADRE)
    with readcache.tree_scope():
        with django_assert_num_queries(1):
            readcache.narrow_to_units(far.branch.path, people=[far.cadre.pk, None])
            readcache.narrow_to_units(far.branch.path, people=[far.cadre.pk])
        assert readcache._trees.get() == {readcache.root_of(far.branch.path), readcache.root_of(personas.branch.path)}
    with django_assert_num_queries(0):
        readcache.narrow_to_units(far.branch.path, people=[far.cadre.pk])  # no scope open: nothing to name
