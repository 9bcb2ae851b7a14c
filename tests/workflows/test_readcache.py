"""Cached read answers: given only to their user, and never older than the last write.

Every test compares a (possibly cached) answer with the answer computed with the cache off.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from unittest import mock

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from organization.models import Membership, Unit, User
from responsibilities import services
from responsibilities.models import ResponsibilityItem
from tests.responsibilities.lists_builders import add_item, draft_list, item_in_state
from workflows import readcache

pytestmark = pytest.mark.django_db

MY_ITEMS = "/api/v1/items/?assignee=me"


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def uncached(client, url):
    with override_settings(READ_CACHE_SECONDS=0):
        return client.get(url)


def assert_fresh(client, url):
    """The answer now equals the answer computed without the cache."""
    answer = client.get(url)
    truth = uncached(client, url)
    assert answer.status_code == truth.status_code
    assert answer.content == truth.content
    return answer


def test_a_repeated_read_is_answered_from_the_cache(personas, published, django_assert_max_num_queries):
    client = token_client(personas.cadre)
    first = client.get(MY_ITEMS)
    assert first.status_code == 200 and first.json()["count"] == 1
    with django_assert_max_num_queries(1):  # the token lookup only
        again = client.get(MY_ITEMS)
    assert again.status_code == 200
    assert again.content == first.content
    assert again["Content-Type"] == first["Content-Type"] == "application/json"
    assert again.content == uncached(client, MY_ITEMS).content


def test_answers_are_kept_per_user(personas, published):
    lst, _first, _second = published
    url = f"/api/v1/items/?list={lst.pk}"
    answers = {}
    for who in ("leader", "cadre", "colleague", "other_cadre", "commissioner", "observer"):
        client = token_client(getattr(personas, who))
        client.get(url)  # stores
        answers[who] = assert_fresh(client, url).json()
    assert answers["leader"]["count"] == 2
    assert answers["cadre"]["count"] == 2  # members read their branch's list
    assert answers["other_cadre"]["count"] == 0  # another branch


def test_language_and_media_type_are_part_of_the_key(personas, published):
    client = token_client(personas.cadre)
    zh = client.get(MY_ITEMS, HTTP_ACCEPT_LANGUAGE="zh-hans")
    en = client.get(MY_ITEMS, HTTP_ACCEPT_LANGUAGE="en")
    assert zh["Content-Language"] == "zh-hans" and en["Content-Language"] == "en"
    html = client.get(MY_ITEMS, HTTP_ACCEPT="text/html")  # the browsable API is never stored
    assert html["Content-Type"].startswith("text/html")
    assert client.get(MY_ITEMS)["Content-Type"] == "application/json"


def rename_unit(pk):
    unit = Unit.objects.get(pk=pk)
    unit.name = "第一党支部（改）"
    unit.save()


WRITES = {
    "transition through the API": lambda p, item: token_client(p.cadre).post(
        f"/api/v1/items/{item.pk}/transitions/accept/", {}, format="json"
    ),
    "service call": lambda p, item: services.item_accept(item=item, actor=p.cadre),
    "model save": lambda p, item: rename_unit(item.list.unit_id),
    "queryset update": lambda p, item: ResponsibilityItem.objects.filter(pk=item.pk).update(progress_percent=40),
    "raw SQL": lambda p, item: connection.cursor().execute(
        f"UPDATE {ResponsibilityItem._meta.db_table} SET title = %s WHERE id = %s", ["改过的标题", item.pk]
    ),
    "renamed user": lambda p, item: User.objects.filter(pk=p.cadre.pk).update(display_name="改名的干部"),
    "co-handler added": lambda p, item: item.co_handlers.add(p.colleague),
    "bulk insert": lambda p, item: ResponsibilityItem.objects.bulk_create(
        [
            ResponsibilityItem(
                list=item.list,
                title="补充事项",
                standard="完成",
                assignee=p.cadre,
                lead_leader=p.leader,
                state=ResponsibilityItem.State.ASSIGNED,
                due_at=item.due_at,
                original_due_at=item.due_at,
            )
        ]
    ),
}


@pytest.mark.parametrize("write", WRITES)
def test_every_kind_of_write_drops_stored_answers(personas, published, write):
    _lst, item, _second = published
    cadre, colleague = token_client(personas.cadre), token_client(personas.colleague)
    urls = [MY_ITEMS, f"/api/v1/items/{item.pk}/", f"/api/v1/items/{item.pk}/history/"]
    before = {url: cadre.get(url).content for url in urls}
    colleague_before = colleague.get(MY_ITEMS).content
    WRITES[write](personas, item)
    changed = [url for url in urls if assert_fresh(cadre, url).content != before[url]]
    assert changed, "the write should have changed at least one answer"
    assert_fresh(colleague, MY_ITEMS)
    if write == "co-handler added":
        assert colleague.get(MY_ITEMS).content == colleague_before  # "my items" is what one is assigned


def test_losing_a_membership_drops_what_it_showed(personas, published):
    lst, item, _second = published
    colleague = token_client(personas.colleague)  # a member of the branch, not on this item
    assert colleague.get(f"/api/v1/items/{item.pk}/").status_code == 200
    Membership.objects.filter(user=personas.colleague, unit=lst.unit).delete()
    assert assert_fresh(colleague, f"/api/v1/items/{item.pk}/").status_code == 404


def test_writes_to_tables_no_answer_shows_keep_the_cache(personas, published):
    from notifications.models import OutboxMessage

    readcache.flush_own_writes()  # the fixture's
    start = readcache.generation()
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {OutboxMessage._meta.db_table} SET attempts = attempts WHERE 1 = 0")
        cursor.execute("DELETE FROM django_session WHERE 1 = 0")
    readcache.flush_own_writes()
    assert readcache.generation() == start
    ResponsibilityItem.objects.filter(pk=published[1].pk).update(progress_percent=10)
    readcache.flush_own_writes()
    assert readcache.generation() > start


@pytest.mark.parametrize(
    ("sql", "writes"),
    [
        ("SELECT 1", False),
        ('SELECT * FROM "responsibilities_responsibilityitem" FOR UPDATE', False),
        ("SAVEPOINT s1", False),
        ('INSERT INTO "responsibilities_responsibilityitem" ("title") VALUES (%s)', True),
        ('UPDATE "organization_unit" SET "name" = %s', True),
        ('DELETE FROM "organization_membership" WHERE id = 1', True),
        ('TRUNCATE "organization_unit", "django_session"', True),
        ('INSERT OR IGNORE INTO "organization_unit" ("name") VALUES (1)', True),
        ('UPDATE "django_session" SET "expire_date" = %s', False),
        ('INSERT INTO "notifications_outboxmessage" ("id") VALUES (1)', False),
        # the inbox: only pages' badges show it (READ_CACHE_INBOX_TABLES), its own counters
        (
            "WITH c AS (UPDATE notifications_outboxmessage SET a = 1) INSERT INTO notifications_notification (a) SELECT 1",
            True,
        ),
        ('UPDATE "notifications_notification" SET "read_at" = %s WHERE "id" = %s', True),
        ('INSERT INTO "notifications_notificationpreference" ("id") VALUES (1)', False),
        ("WITH c AS (UPDATE notifications_outboxmessage SET a = 1) UPDATE organization_unit SET name = 'x'", True),
        ("WITH x AS (SELECT 1) SELECT * FROM x", True),  # no target to read: assume a write
        ('ALTER TABLE "responsibilities_responsibilityitem" ADD COLUMN "x" integer', True),  # a migration
        ('DROP INDEX "item_open_due"', True),
        # a sign-in's last_login alone (READ_CACHE_IGNORED_COLUMNS), and nothing more than that
        ('UPDATE "organization_user" SET "last_login" = %s WHERE "organization_user"."id" = %s', False),
        ('UPDATE "organization_user" SET "last_login" = %s, "display_name" = %s WHERE "id" = %s', True),
        ('UPDATE "organization_user" SET "display_name" = %s WHERE "organization_user"."id" = %s', True),
        ('UPDATE "organization_user" SET "last_login" = NOW() WHERE "organization_user"."id" = %s', True),
        ('UPDATE "organization_user" SET "last_login" = %s', True),
        ('UPDATE "organization_unit" SET "last_login" = %s WHERE "organization_unit"."id" = %s', True),
        ('DELETE FROM "organization_user" WHERE "organization_user"."id" = %s', True),
    ],
)
def test_which_statements_count_as_writes(sql, writes):
    assert readcache.writes_visible_data(sql) is writes


@pytest.mark.parametrize(
    ("sql", "recipients", "counters"),
    [
        ('INSERT INTO "notifications_notification" ("id") VALUES (1)', None, ("readcache:inbox",)),
        ('INSERT INTO "notifications_notification" ("id") VALUES (1)', (7,), ("readcache:inbox:7",)),
        ('UPDATE "notifications_notification" SET "read_at" = %s', (9, 3), ("readcache:inbox:3", "readcache:inbox:9")),
        (
            "WITH c AS (UPDATE notifications_outboxmessage SET a = 1) INSERT INTO notifications_notification (a) SELECT 1",
            (7,),
            ("readcache:inbox:7",),
        ),
        # the inbox with a table answers show: everyone's answers
        (
            "WITH c AS (UPDATE organization_unit SET a = 1) INSERT INTO notifications_notification (a) SELECT 1",
            (7,),
            ("readcache:generation",),
        ),
        # an inbox scope names whose notifications, nothing else
        ('UPDATE "organization_unit" SET "name" = %s', (7,), ("readcache:generation",)),
    ],
)
def test_which_counters_a_write_moves(sql, recipients, counters):
    if recipients is None:
        assert readcache._counters_for(sql) == counters
    else:
        with readcache.inbox_scope(*recipients):
            assert readcache._counters_for(sql) == counters
    assert readcache._counters_for('UPDATE "organization_unit" SET "name" = %s') == ("readcache:generation",)


def pending_bumps() -> int:
    hook = getattr(connection, "_readcache_hook", None)
    return sum(func is hook for _sids, func, _robust in connection.run_on_commit)


@pytest.mark.django_db(transaction=True)
def test_a_commit_drops_answers_computed_before_it(personas):
    """A request that read the data before another request's commit stored its answer under the
    generation of the uncommitted write; the commit moves the generation on again."""
    item = item_in_state(personas, "in_progress")
    with transaction.atomic():
        ResponsibilityItem.objects.filter(pk=item.pk).update(progress_percent=20)
        ResponsibilityItem.objects.filter(pk=item.pk).update(progress_percent=30)
        assert pending_bumps() == 1  # once per transaction, however many writes
        before_commit = readcache.generation()
    assert readcache.generation() == before_commit + 1


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_savepoint_does_not_lose_the_bump_at_commit(personas):
    item = item_in_state(personas, "in_progress")
    with transaction.atomic():
        try:
            with transaction.atomic():
                ResponsibilityItem.objects.filter(pk=item.pk).update(progress_percent=20)
                assert pending_bumps() == 1
                raise RuntimeError
        except RuntimeError:
            pass
        assert pending_bumps() == 0  # went with the savepoint
        ResponsibilityItem.objects.filter(pk=item.pk).update(progress_percent=30)
        assert pending_bumps() == 1
        before_commit = readcache.generation()
    assert readcache.generation() == before_commit + 1


def test_answers_follow_the_clock(personas):
    """``is_overdue`` turns at the deadline: a stored answer is at most READ_CACHE_SECONDS behind."""
    lst = draft_list(personas)
    due = timezone.now() + dt.timedelta(seconds=5)
    with time_machine.travel(timezone.now(), tick=False):
        add_item(personas, lst, due_at=timezone.now() + dt.timedelta(days=1))
        services.list_publish(lst=lst, actor=personas.leader)
    ResponsibilityItem.objects.filter(list=lst).update(due_at=due)
    client = token_client(personas.cadre)
    assert client.get(MY_ITEMS).json()["results"][0]["is_overdue"] is False
    with time_machine.travel(due + dt.timedelta(seconds=25), tick=False):
        assert assert_fresh(client, MY_ITEMS).json()["results"][0]["is_overdue"] is True


def test_the_cache_can_be_turned_off(personas, published, settings):
    settings.READ_CACHE_SECONDS = 0
    client = token_client(personas.cadre)
    client.get(MY_ITEMS)
    with CaptureQueriesContext(connection) as ctx:
        client.get(MY_ITEMS)
    assert len(ctx.captured_queries) > 1


def test_an_unreachable_cache_fails_neither_reads_nor_writes(personas, published):
    _lst, item, _second = published
    client = token_client(personas.cadre)
    broken = mock.patch.object(cache, "get", side_effect=ConnectionError("cache down"))
    broken_incr = mock.patch.object(cache, "incr", side_effect=ConnectionError("cache down"))
    with broken, broken_incr:
        answer = client.get(MY_ITEMS)
        assert answer.status_code == 200 and answer.json()["count"] == 1
        ResponsibilityItem.objects.filter(pk=item.pk).update(progress_percent=50)  # the write goes on
    assert ResponsibilityItem.objects.get(pk=item.pk).progress_percent == 50


def test_only_successful_answers_are_stored(personas, published):
    _lst, item, _second = published
    client = token_client(personas.other_cadre)
    with mock.patch.object(readcache, "store", wraps=readcache.store) as store:
        assert client.get(f"/api/v1/items/{item.pk}/").status_code == 404
        assert client.get("/api/v1/items/?state=nonsense").status_code == 400
        assert client.get("/api/v1/supervision/overdue/").status_code == 403
        assert store.call_count == 0
        assert client.get(MY_ITEMS).status_code == 200
        assert store.call_count == 1


def test_the_overdue_queue_is_cached_and_dropped(personas):
    item = item_in_state(personas, "in_progress")
    client = token_client(personas.commissioner)
    assert client.get("/api/v1/supervision/overdue/").json()["count"] == 0
    ResponsibilityItem.objects.filter(pk=item.pk).update(due_at=timezone.now() - dt.timedelta(days=3))
    assert assert_fresh(client, "/api/v1/supervision/overdue/").json()["count"] == 1


# -- pages ---------------------------------------------------------------------------------------

CSRF_TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')


def browser(user, *, csrf: bool = True) -> Client:
    """A logged-in browser that has been on the site before (it holds a CSRF cookie)."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    if csrf:
        client.cookies[settings.CSRF_COOKIE_NAME] = _get_new_csrf_string()
    return client


def page_body(response) -> bytes:
    """A page without its masked CSRF tokens (a new mask on every render)."""
    return CSRF_TOKEN.sub(b"csrf", response.content)


def assert_fresh_page(client, url):
    answer = client.get(url)
    with override_settings(READ_CACHE_SECONDS=0):
        truth = client.get(url)
    assert answer.status_code == truth.status_code == 200
    assert page_body(answer) == page_body(truth)
    return answer


@pytest.mark.parametrize("url", ["list", "dashboard"])
def test_pages_are_kept_and_dropped(personas, published, url, django_assert_max_num_queries):
    lst, item, _second = published
    url = f"/lists/{lst.pk}/" if url == "list" else "/reports/"
    leader = browser(personas.secretary if url == "/reports/" else personas.leader)
    first = leader.get(url)
    assert first.status_code == 200
    with django_assert_max_num_queries(2):  # the user and the unread count (the badge); the session is cached
        again = leader.get(url)
    assert again.content == first.content
    services.item_accept(item=item, actor=personas.cadre)
    assert_fresh_page(leader, url)


def test_a_page_is_kept_per_user_and_per_csrf_secret(personas, published):
    lst, _item, _second = published
    url = f"/lists/{lst.pk}/"
    leader, cadre = browser(personas.leader), browser(personas.cadre)
    cadre.cookies[settings.CSRF_COOKIE_NAME] = leader.cookies[settings.CSRF_COOKIE_NAME].value
    leader_page, cadre_page = leader.get(url), cadre.get(url)
    assert page_body(leader_page) != page_body(cadre_page)  # the leader's page has the leader's buttons
    assert_fresh_page(cadre, url)
    other_browser = browser(personas.leader)
    assert other_browser.get(url).content != leader_page.content  # tokens for its own cookie


def test_a_form_on_a_kept_page_still_posts(personas):
    lst = draft_list(personas)
    add_item(personas, lst)
    leader = browser(personas.leader)
    url = f"/lists/{lst.pk}/"
    leader.get(url)
    kept = leader.get(url).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', kept).group(1)
    response = leader.post(f"/lists/{lst.pk}/publish/", {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    lst.refresh_from_db()
    assert lst.state == "published"


def test_without_a_csrf_cookie_a_page_is_not_kept(personas, published):
    lst, _item, _second = published
    client = browser(personas.leader, csrf=False)
    client.get(f"/lists/{lst.pk}/")
    client.cookies.pop(settings.CSRF_COOKIE_NAME, None)
    with CaptureQueriesContext(connection) as ctx:
        client.get(f"/lists/{lst.pk}/")
    assert len(ctx.captured_queries) > 5


def test_pending_messages_are_shown_not_a_kept_page(personas):
    lst = draft_list(personas)
    add_item(personas, lst)
    leader = browser(personas.leader)
    url = f"/lists/{lst.pk}/"
    leader.get(url)  # kept
    # closing a draft list is refused with a message and a redirect, writing nothing
    assert leader.get(f"/lists/{lst.pk}/close/").status_code == 302
    message = "只有已下单的清单才能验单".encode()
    with_message = leader.get(url)
    assert message in with_message.content
    assert page_body(leader.get(url)) == page_body(leader.get(url))  # shown once, then the kept page again
    assert message not in leader.get(url).content


def test_the_unread_badge_is_never_stale(personas, published):
    from notifications.models import Notification

    lst, _item, _second = published
    leader = browser(personas.leader)
    url = f"/lists/{lst.pk}/"
    before = leader.get(url)
    Notification.objects.create(recipient=personas.leader, event="test", text="新的提醒")
    after = assert_fresh_page(leader, url)
    assert page_body(after) != page_body(before)


def test_an_answer_from_another_time_is_not_used(personas, published, django_assert_max_num_queries):
    client = token_client(personas.cadre)
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        client.get(MY_ITEMS)
        with django_assert_max_num_queries(1):
            client.get(MY_ITEMS)
    with time_machine.travel(now - dt.timedelta(hours=1), tick=False):  # a clock set back
        with CaptureQueriesContext(connection) as ctx:
            client.get(MY_ITEMS)
        assert len(ctx.captured_queries) > 1


# -- token lookups -------------------------------------------------------------------------------


def test_a_kept_answer_for_a_kept_token_needs_no_query(personas, published, django_assert_num_queries):
    client = token_client(personas.cadre)
    first = client.get(MY_ITEMS)
    with django_assert_num_queries(0):
        assert client.get(MY_ITEMS).content == first.content


def test_a_deleted_token_stops_working_at_once(personas, published):
    client = token_client(personas.cadre)
    assert client.get(MY_ITEMS).status_code == 200
    Token.objects.filter(user=personas.cadre).delete()
    assert client.get(MY_ITEMS).status_code == 401


def test_a_deactivated_user_is_refused_at_once(personas, published):
    client = token_client(personas.cadre)
    assert client.get(MY_ITEMS).status_code == 200
    User.objects.filter(pk=personas.cadre.pk).update(is_active=False)
    assert client.get(MY_ITEMS).status_code == 401


def test_a_wrong_token_is_refused_every_time(personas, published):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    assert [client.get(MY_ITEMS).status_code for _ in range(2)] == [401, 401]


def test_a_kept_token_lookup_holds_no_secret(personas, published):
    client = token_client(personas.cadre)
    client.get(MY_ITEMS)
    key = Token.objects.get(user=personas.cadre).key
    kept = cache.get("readcache:token:" + hashlib.sha256(key.encode()).hexdigest())
    _generation, _at, (user, token) = kept
    assert "password" not in user.__dict__ and "key" not in token.__dict__
    assert user.pk == personas.cadre.pk and token.user_id == personas.cadre.pk
    original = personas.cadre.password
    assert original
    user.display_name = "改名"
    user.save()  # a kept user saves only what it holds: the password stays
    personas.cadre.refresh_from_db()
    assert (personas.cadre.display_name, personas.cadre.password) == ("改名", original)
    assert user.password == original  # read from the database when used
