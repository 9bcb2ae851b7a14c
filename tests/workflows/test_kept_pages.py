"""Browsers' pages kept whole and given before the view (workflows/kept_reads.py): the same bytes,
headers and cookies as the page computed for that browser, only to that browser (its session and
CSRF cookies), only while its session is unchanged, and never older than the last write, its
user's inbox or READ_CACHE_SECONDS.

Each test runs with the local-memory cache and with Redis (one Lua script per kept page).
"""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.backends.cached_db import SessionStore
from django.core.cache import cache
from django.db import connection
from django.middleware.csrf import _get_new_csrf_string
from django.shortcuts import resolve_url
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from notifications import services as notification_services
from notifications.models import Notification
from organization.models import User
from responsibilities import services
from tests.responsibilities.lists_builders import add_item, draft_list
from tests.workflows.test_readcache import assert_fresh_page, browser, page_body
from workflows import kept_reads, readcache

pytestmark = pytest.mark.django_db


def list_url(published) -> str:
    return f"/lists/{published[0].pk}/"


def kept_twice(client, url, views_asked):
    """The page computed, then the same request again: answered before any view and query."""
    first = client.get(url)
    assert first.status_code == 200
    views_asked.reset_mock()
    with CaptureQueriesContext(connection) as queries:
        again = client.get(url)
    assert not views_asked.called
    assert len(queries) == 0
    return first, again


def assert_computed(client, url, views_asked):
    """Not answered early: the request went on through Django (at least the user is read)."""
    with CaptureQueriesContext(connection) as queries:
        answer = client.get(url)
    assert len(queries) > 0
    return answer


@pytest.mark.parametrize("page", ["list", "dashboard"])
def test_a_repeated_page_is_answered_before_the_view(shared_cache, personas, published, views_asked, page):
    url, user = (list_url(published), personas.leader) if page == "list" else ("/reports/", personas.secretary)
    leader = browser(user)
    first, again = kept_twice(leader, url, views_asked)
    assert again.content == first.content  # its CSRF tokens too: made for this browser's cookie
    assert dict(again.items()) == dict(first.items())
    assert {name: morsel.value for name, morsel in again.cookies.items()} == {
        name: morsel.value for name, morsel in first.cookies.items()
    }
    assert page_body(again) == page_body(assert_fresh_page(leader, url))


def test_a_form_on_a_page_answered_early_still_posts(shared_cache, personas, views_asked):
    lst = draft_list(personas)
    add_item(personas, lst)
    leader = browser(personas.leader)
    url = f"/lists/{lst.pk}/"
    _first, again = kept_twice(leader, url, views_asked)
    token = again.content.decode().split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    assert leader.post(f"/lists/{lst.pk}/publish/", {"csrfmiddlewaretoken": token}).status_code == 302
    lst.refresh_from_db()
    assert lst.state == "published"
    assert "已下单" in assert_computed(leader, url, views_asked).content.decode()  # the write dropped it


def test_a_write_drops_the_kept_page(shared_cache, personas, published, views_asked):
    leader = browser(personas.leader)
    url = list_url(published)
    kept_twice(leader, url, views_asked)
    services.item_accept(item=published[1], actor=personas.cadre)
    assert_computed(leader, url, views_asked)
    assert_fresh_page(leader, url)


def test_a_write_in_another_township_keeps_the_kept_page(shared_cache, personas, near, far, views_asked):
    leader = browser(personas.leader)
    url = f"/lists/{near.list.pk}/"
    kept_twice(leader, url, views_asked)
    services.item_accept(item=far.item, actor=far.cadre)
    views_asked.reset_mock()
    leader.get(url)
    assert not views_asked.called


def test_a_page_is_given_only_to_its_browser(shared_cache, personas, published, views_asked):
    url = list_url(published)
    leader = browser(personas.leader)
    first, _again = kept_twice(leader, url, views_asked)
    # the same user in another browser, even one holding the first one's CSRF cookie
    other = browser(personas.leader)
    other.cookies[settings.CSRF_COOKIE_NAME] = leader.cookies[settings.CSRF_COOKIE_NAME].value
    assert assert_computed(other, url, views_asked).status_code == 200
    # the first browser's session with another CSRF cookie: tokens for that cookie
    leader.cookies[settings.CSRF_COOKIE_NAME] = _get_new_csrf_string()
    answer = assert_computed(leader, url, views_asked)
    assert answer.content != first.content
    # another user with the first browser's CSRF cookie
    cadre = browser(personas.cadre)
    cadre.cookies[settings.CSRF_COOKIE_NAME] = leader.cookies[settings.CSRF_COOKIE_NAME].value
    assert page_body(assert_computed(cadre, url, views_asked)) != page_body(first)


def test_a_signed_out_session_gets_no_kept_page(shared_cache, personas, published, views_asked):
    url = list_url(published)
    leader = browser(personas.leader)
    kept_twice(leader, url, views_asked)
    session_cookie = leader.cookies[settings.SESSION_COOKIE_NAME].value
    csrf_cookie = leader.cookies[settings.CSRF_COOKIE_NAME].value
    leader.post("/accounts/logout/", {"csrfmiddlewaretoken": csrf_cookie})
    # someone who kept the old cookies asks again
    stale = Client()
    stale.cookies[settings.SESSION_COOKIE_NAME] = session_cookie
    stale.cookies[settings.CSRF_COOKIE_NAME] = csrf_cookie
    answer = stale.get(url)
    assert answer.status_code == 302
    assert answer["Location"].startswith(resolve_url(settings.LOGIN_URL))


def test_a_session_dropped_from_the_cache_gets_no_kept_page(shared_cache, personas, published, views_asked):
    """A session that ended (or left the cache) behind Django's back: the page is computed again
    (here from the database's copy of the session), never given from the kept copy."""
    url = list_url(published)
    leader = browser(personas.leader)
    kept_twice(leader, url, views_asked)
    session_key = leader.cookies[settings.SESSION_COOKIE_NAME].value
    cache.delete(SessionStore.cache_key_prefix + session_key)
    assert assert_computed(leader, url, views_asked).status_code == 200
    SessionStore(session_key).delete()
    answer = leader.get(url)
    assert answer.status_code == 302


def test_a_changed_session_drops_the_kept_page(shared_cache, personas, published, views_asked):
    url = list_url(published)
    leader = browser(personas.leader)
    kept_twice(leader, url, views_asked)
    session = leader.session
    session["seen"] = "something"  # any change of the session: a message kept there, say
    session.save()
    assert_computed(leader, url, views_asked)
    kept_twice(leader, url, views_asked)  # kept again under the new session


def test_messages_kept_in_the_session_are_shown(shared_cache, personas, views_asked, settings):
    settings.MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
    lst = draft_list(personas)
    add_item(personas, lst)
    leader = browser(personas.leader)
    url = f"/lists/{lst.pk}/"
    kept_twice(leader, url, views_asked)
    assert leader.get(f"/lists/{lst.pk}/close/").status_code == 302  # refused, with a message
    message = "只有已下单的清单才能验单".encode()
    assert message in leader.get(url).content
    assert message not in leader.get(url).content


def test_a_browser_with_a_messages_cookie_is_shown_its_messages(shared_cache, personas, views_asked):
    lst = draft_list(personas)
    add_item(personas, lst)
    leader = browser(personas.leader)
    url = f"/lists/{lst.pk}/"
    kept_twice(leader, url, views_asked)
    assert leader.get(f"/lists/{lst.pk}/close/").status_code == 302
    assert "messages" in leader.cookies
    message = "只有已下单的清单才能验单".encode()
    assert message in assert_computed(leader, url, views_asked).content
    assert message not in leader.get(url).content


def test_the_unread_badge_follows_the_users_inbox(shared_cache, personas, published, views_asked):
    url = list_url(published)
    leader = browser(personas.leader)
    kept_twice(leader, url, views_asked)
    # someone else's notification, written for them: the leader's kept page stays
    with readcache.inbox_scope(personas.cadre.pk):
        Notification.objects.create(recipient=personas.cadre, event="test", text="给别人的提醒")
    views_asked.reset_mock()
    leader.get(url)
    assert not views_asked.called
    # the leader's own
    with readcache.inbox_scope(personas.leader.pk):
        notification = Notification.objects.create(recipient=personas.leader, event="test", text="新的提醒")
    with_badge = assert_computed(leader, url, views_asked)
    assert page_body(with_badge) == page_body(assert_fresh_page(leader, url))
    kept_twice(leader, url, views_asked)
    notification_services.notification_mark_read(notification=notification, user=personas.leader)
    read = assert_computed(leader, url, views_asked)
    assert page_body(read) != page_body(with_badge)
    assert page_body(read) == page_body(assert_fresh_page(leader, url))
    # an inbox write that names nobody (a clean-up, the admin): every page is computed again
    kept_twice(leader, url, views_asked)
    Notification.objects.filter(recipient=personas.cadre).delete()
    assert_computed(leader, url, views_asked)


def test_a_deactivated_user_is_signed_out_at_once(shared_cache, personas, published, views_asked):
    url = list_url(published)
    leader = browser(personas.leader)
    kept_twice(leader, url, views_asked)
    User.objects.filter(pk=personas.leader.pk).update(is_active=False)
    assert leader.get(url).status_code == 302


@pytest.mark.parametrize(
    "headers", [{"HTTP_ACCEPT_LANGUAGE": "en"}, {"HTTP_ACCEPT": "text/html;q=0.9"}, {"QUERY_STRING": "x=1"}]
)
def test_language_accept_and_url_are_part_of_the_key(shared_cache, personas, published, views_asked, headers):
    url = list_url(published)
    leader = browser(personas.leader)
    kept_twice(leader, url, views_asked)
    views_asked.reset_mock()
    leader.get(url, **headers)
    assert views_asked.called


def test_english_is_kept_apart(shared_cache, personas, published, views_asked):
    url = list_url(published)
    leader = browser(personas.leader)
    chinese, _ = kept_twice(leader, url, views_asked)
    leader.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = assert_computed(leader, url, views_asked)
    assert english.content != chinese.content
    assert b'<html lang="en">' in english.content


def test_kept_pages_follow_the_clock(shared_cache, personas, published, views_asked, settings):
    url = list_url(published)
    leader = browser(personas.leader)
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        kept_twice(leader, url, views_asked)
    with time_machine.travel(now + dt.timedelta(seconds=settings.READ_CACHE_SECONDS + 1), tick=False):
        assert_computed(leader, url, views_asked)


def test_pages_not_kept_are_computed_every_time(shared_cache, personas, published, views_asked):
    item = published[1]
    cadre = browser(personas.cadre)
    cadre.get(f"/lists/items/{item.pk}/")
    with CaptureQueriesContext(connection) as queries:
        assert cadre.get(f"/lists/items/{item.pk}/").status_code == 200
    assert len(queries) > 3


def test_without_a_csrf_cookie_nothing_is_answered_early(shared_cache, personas, published, views_asked):
    url = list_url(published)
    client = browser(personas.leader, csrf=False)
    client.get(url)  # sets a CSRF cookie: not kept
    client.cookies.pop(settings.CSRF_COOKIE_NAME, None)
    assert_computed(client, url, views_asked)


def test_a_page_setting_another_cookie_is_not_kept(shared_cache, personas, published, views_asked, monkeypatch):
    url = list_url(published)
    leader = browser(personas.leader)
    real = kept_reads.KeptReadsMiddleware._page_read

    def with_a_cookie(self, request, key, where):
        original = self.get_response

        def get_response(request):
            response = original(request)
            response.set_cookie("other", "1")
            return response

        self.get_response = get_response
        try:
            return real(self, request, key, where)
        finally:
            self.get_response = original

    monkeypatch.setattr(kept_reads.KeptReadsMiddleware, "_page_read", with_a_cookie)
    leader.get(url)
    assert_computed(leader, url, views_asked)


def test_an_unreachable_cache_answers_uncached(shared_cache, personas, published, views_asked):
    url = list_url(published)
    leader = browser(personas.leader)
    kept_twice(leader, url, views_asked)
    with mock.patch.object(kept_reads, "_get_if_counters", side_effect=ConnectionError("down")):
        answer = assert_computed(leader, url, views_asked)
    assert answer.status_code == 200
    with mock.patch.object(kept_reads, "_fingerprint", return_value=None):
        services.item_accept(item=published[1], actor=personas.cadre)
        assert assert_computed(leader, url, views_asked).status_code == 200
        assert_computed(leader, url, views_asked)  # no fingerprint of the session: nothing kept


def test_an_anonymous_browser_is_sent_to_sign_in(shared_cache, published):
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = "nosuchsession"
    client.cookies[settings.CSRF_COOKIE_NAME] = _get_new_csrf_string()
    for _ in range(2):
        assert client.get(list_url(published)).status_code == 302
