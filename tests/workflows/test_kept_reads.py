"""Whole answers of token GETs, given before the view (workflows/kept_reads.py): the same bytes
and headers as the computed answer, only to the token they were computed for, and never older
than the last write or READ_CACHE_SECONDS.

Each test runs with the local-memory cache and with Redis (``config.cache.RedisCache``: one Lua
script per request), and compares what is answered with the answer computed without the cache.
"""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
import time_machine
from django.core.cache import cache
from django.http import HttpResponse, StreamingHttpResponse
from django.test import RequestFactory, override_settings
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from rest_framework.throttling import BaseThrottle

from organization.models import User
from responsibilities import services
from responsibilities.apis import ItemViewSet
from tests.workflows.test_readcache import MY_ITEMS, token_client, uncached
from workflows import kept_reads, readcache

pytestmark = pytest.mark.django_db


def assert_same_answer(answer, client, url, **headers):
    truth = uncached_with(client, url, **headers)
    assert answer.status_code == truth.status_code == 200
    assert answer.content == truth.content
    assert dict(answer.items()) == dict(truth.items())


def uncached_with(client, url, **headers):
    with override_settings(READ_CACHE_SECONDS=0):
        return client.get(url, **headers)


def urls_of(personas, published):
    lst, item, _second = published
    return {
        "my items": (personas.cadre, MY_ITEMS),
        "a list": (personas.leader, f"/api/v1/items/?list={lst.pk}"),
        "an item": (personas.cadre, f"/api/v1/items/{item.pk}/"),
        "an item's history": (personas.cadre, f"/api/v1/items/{item.pk}/history/"),
        "the overdue queue": (personas.commissioner, "/api/v1/supervision/overdue/"),
        "lists": (personas.leader, "/api/v1/lists/"),
    }


@pytest.mark.parametrize("what", ["my items", "a list", "an item", "an item's history", "the overdue queue", "lists"])
def test_a_repeated_token_read_is_answered_before_the_view(
    shared_cache, personas, published, views_asked, what, django_assert_num_queries
):
    user, url = urls_of(personas, published)[what]
    client = token_client(user)
    first = client.get(url)
    assert first.status_code == 200 and views_asked.call_count == 1
    with django_assert_num_queries(0):
        again = client.get(url)
    assert views_asked.call_count == 1  # answered before the view
    assert again.content == first.content
    assert_same_answer(again, client, url)


def test_a_request_not_made_before_is_computed(shared_cache, personas, published, views_asked):
    client = token_client(personas.cadre)
    client.get(MY_ITEMS)
    assert client.get(MY_ITEMS + "&page=1").status_code == 200
    assert views_asked.call_count == 2


def test_an_answer_first_found_in_the_read_cache_is_then_kept_whole(shared_cache, personas, published, views_asked):
    client = token_client(personas.cadre)
    client.get(MY_ITEMS)
    cache.delete_many(_kept_keys())
    assert client.get(MY_ITEMS).status_code == 200  # the view's read cache answers
    assert views_asked.call_count == 2
    assert_same_answer(client.get(MY_ITEMS), client, MY_ITEMS)
    assert views_asked.call_count == 2


def _kept_keys():
    """The keys of kept whole answers in the local-memory cache (empty with Redis: see caller)."""
    store = getattr(cache, "_cache", None)
    if isinstance(store, dict):
        return [key.split(":", 2)[2] for key in store if kept_reads.KEY_PREFIX in key]
    client = cache._cache.get_client()
    return [key.decode().split(":", 2)[2] for key in client.scan_iter(match=f"*{kept_reads.KEY_PREFIX}*")]


@pytest.mark.parametrize(
    "write",
    ["transition", "a transition, then another user's read", "the user renamed"],
)
def test_a_write_drops_the_kept_answer(shared_cache, personas, published, views_asked, write):
    _lst, item, _second = published
    client = token_client(personas.cadre)
    url = f"/api/v1/items/{item.pk}/"
    before = client.get(url).content
    client.get(url)
    assert views_asked.call_count == 1
    if write == "transition":
        services.item_accept(item=item, actor=personas.cadre)
    elif write == "a transition, then another user's read":
        services.item_accept(item=item, actor=personas.cadre)
        token_client(personas.leader).get(url)
    else:
        User.objects.filter(pk=personas.cadre.pk).update(display_name="改名的干部")
    after = client.get(url)
    assert after.content != before
    assert_same_answer(after, client, url)


def test_a_write_in_another_township_keeps_the_kept_answer(shared_cache, personas, near, far, views_asked):
    client = token_client(personas.cadre)
    client.get(MY_ITEMS)
    services.item_accept(item=far.item, actor=far.cadre)
    again = client.get(MY_ITEMS)
    assert views_asked.call_count == 1
    assert_same_answer(again, client, MY_ITEMS)
    services.item_accept(item=near.item, actor=personas.cadre)  # its own township
    assert_same_answer(client.get(MY_ITEMS), client, MY_ITEMS)
    assert views_asked.call_count == 2


def test_a_deleted_token_is_refused_at_once(shared_cache, personas, published):
    client = token_client(personas.cadre)
    assert [client.get(MY_ITEMS).status_code for _ in range(2)] == [200, 200]
    Token.objects.filter(user=personas.cadre).delete()
    assert client.get(MY_ITEMS).status_code == 401


def test_a_deactivated_user_is_refused_at_once(shared_cache, personas, published):
    client = token_client(personas.cadre)
    assert [client.get(MY_ITEMS).status_code for _ in range(2)] == [200, 200]
    User.objects.filter(pk=personas.cadre.pk).update(is_active=False)
    assert client.get(MY_ITEMS).status_code == 401


def test_a_kept_answer_is_given_only_to_its_token(shared_cache, personas, published, views_asked):
    cadre, colleague = token_client(personas.cadre), token_client(personas.colleague)
    mine, theirs = cadre.get(MY_ITEMS), colleague.get(MY_ITEMS)
    assert mine.content != theirs.content
    assert_same_answer(cadre.get(MY_ITEMS), cadre, MY_ITEMS)
    assert_same_answer(colleague.get(MY_ITEMS), colleague, MY_ITEMS)
    asked = views_asked.call_count
    # a new token of the same user finds nothing kept for the old one
    Token.objects.filter(user=personas.cadre).delete()
    renewed = token_client(personas.cadre)
    assert_same_answer(renewed.get(MY_ITEMS), renewed, MY_ITEMS)
    assert views_asked.call_count > asked
    assert cadre.get(MY_ITEMS).status_code == 401


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_ACCEPT_LANGUAGE": "en"},
        {"HTTP_ACCEPT_LANGUAGE": "zh-hans"},
        {"HTTP_COOKIE": "django_language=en"},
        {"HTTP_ACCEPT": "application/json; indent=4"},
        {"HTTP_ACCEPT": "*/*"},
    ],
    ids=["English", "Chinese", "language cookie", "indented JSON", "any media type"],
)
def test_language_and_media_type_are_part_of_the_key(shared_cache, personas, published, headers):
    client = token_client(personas.cadre)
    plain = client.get(MY_ITEMS)  # kept first, without these headers
    client.get(MY_ITEMS, **headers)
    answer = client.get(MY_ITEMS, **headers)
    assert_same_answer(answer, client, MY_ITEMS, **headers)
    assert_same_answer(client.get(MY_ITEMS), client, MY_ITEMS)
    if "HTTP_ACCEPT" in headers and "indent" in headers["HTTP_ACCEPT"]:
        assert answer.content != plain.content


def test_english_and_chinese_answers_differ(shared_cache, personas, published):
    client = token_client(personas.cadre)
    for _ in range(2):
        zh = client.get(MY_ITEMS, HTTP_ACCEPT_LANGUAGE="zh-hans")
        en = client.get(MY_ITEMS, HTTP_ACCEPT_LANGUAGE="en")
    assert (zh["Content-Language"], en["Content-Language"]) == ("zh-hans", "en")


def test_the_browsable_api_is_never_answered_early(shared_cache, personas, published, views_asked):
    client = token_client(personas.cadre)
    for _ in range(2):
        html = client.get(MY_ITEMS, HTTP_ACCEPT="text/html")
        assert html["Content-Type"].startswith("text/html")
    assert views_asked.call_count == 0  # not even looked up: never kept


def test_kept_answers_follow_the_clock(shared_cache, personas, published, views_asked, settings):
    client = token_client(personas.cadre)
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        client.get(MY_ITEMS)
        client.get(MY_ITEMS)
    assert views_asked.call_count == 1
    with time_machine.travel(now + dt.timedelta(seconds=settings.READ_CACHE_SECONDS + 1), tick=False):
        assert_same_answer(client.get(MY_ITEMS), client, MY_ITEMS)
    assert views_asked.call_count == 2
    with time_machine.travel(now - dt.timedelta(hours=1), tick=False):  # a clock set back
        client.get(MY_ITEMS)
    assert views_asked.call_count == 3


def test_an_unreachable_cache_answers_uncached(personas, published, settings):
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    client = token_client(personas.cadre)
    truth = uncached(client, MY_ITEMS)
    settings.CACHES = {
        "default": {
            "BACKEND": "config.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
            "OPTIONS": {"retry": Retry(NoBackoff(), 0), "socket_connect_timeout": 1},
        }
    }
    for _ in range(2):
        answer = client.get(MY_ITEMS)
        assert answer.status_code == 200 and answer.content == truth.content


def test_a_failing_kept_lookup_goes_on_to_the_view(shared_cache, personas, published, views_asked):
    client = token_client(personas.cadre)
    client.get(MY_ITEMS)
    with mock.patch.object(kept_reads, "_get_if_counters", side_effect=ConnectionError("cache down")):
        assert_same_answer(client.get(MY_ITEMS), client, MY_ITEMS)
    assert views_asked.call_count == 2


def test_only_successful_token_reads_are_kept(shared_cache, personas, published, views_asked):
    _lst, item, _second = published
    outsider = token_client(personas.other_cadre)
    assert [outsider.get(f"/api/v1/items/{item.pk}/").status_code for _ in range(2)] == [404, 404]
    assert [outsider.get("/api/v1/items/?state=nonsense").status_code for _ in range(2)] == [400, 400]
    assert [outsider.get("/api/v1/supervision/overdue/").status_code for _ in range(2)] == [403, 403]
    assert views_asked.call_count == 6
    wrong = APIClient()
    wrong.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    assert [wrong.get(MY_ITEMS).status_code for _ in range(2)] == [401, 401]
    assert APIClient().get(MY_ITEMS).status_code == 401


def test_session_reads_are_not_answered_early(shared_cache, personas, published, views_asked):
    client = APIClient()
    client.force_login(personas.cadre)
    first, again = client.get(MY_ITEMS), client.get(MY_ITEMS)
    assert first.content == again.content
    assert views_asked.call_count == 2  # the view's read cache answers the second


def test_a_view_with_throttles_is_not_answered_early(shared_cache, personas, published, views_asked, monkeypatch):
    class Counted(BaseThrottle):
        seen = 0

        def allow_request(self, request, view):
            Counted.seen += 1
            return True

    monkeypatch.setattr(ItemViewSet, "throttle_classes", [Counted])
    client = token_client(personas.cadre)
    client.get(MY_ITEMS)
    client.get(MY_ITEMS)
    assert Counted.seen == 2 and views_asked.call_count == 2


@pytest.mark.parametrize(
    ("header", "token"),
    [
        ("Token abc123", "abc123"),
        ("token abc123", "abc123"),
        ("Token  abc123 ", "abc123"),
        ("Token", None),
        ("Token a b", None),
        ("Bearer abc123", None),
        ("", None),
    ],
)
def test_the_token_is_read_as_drf_reads_it(header, token):
    request = RequestFactory().get("/", HTTP_AUTHORIZATION=header)
    assert kept_reads.token_of(request) == token


def keep_and_fetch(response, *, key="readcache:kept:test", kept_at=None) -> HttpResponse | None:
    slot, _ = readcache.fetch("readcache:test-slot")
    if kept_at is not None:
        slot = readcache.Slot(slot.key, slot.generation, slot.counters, kept_at)
    kept_reads.keep(key, slot, response)
    return kept_reads.fetch(key)


def test_what_is_kept_and_what_is_not(shared_cache, settings):
    kept = keep_and_fetch(HttpResponse(b'{"a": 1}', content_type="application/json", headers={"Allow": "GET"}))
    assert kept.content == b'{"a": 1}' and kept["Allow"] == "GET"
    assert kept["Content-Type"] == "application/json"
    with_cookie = HttpResponse(b"{}")
    with_cookie.set_cookie("csrftoken", "secret")
    assert keep_and_fetch(with_cookie, key="readcache:kept:cookie") is None
    assert keep_and_fetch(HttpResponse(b"{}", status=201), key="readcache:kept:created") is None
    assert keep_and_fetch(StreamingHttpResponse(iter([b"{}"])), key="readcache:kept:streamed") is None
    too_old = timezone.now().timestamp() - settings.READ_CACHE_SECONDS - 1
    assert keep_and_fetch(HttpResponse(b"{}"), key="readcache:kept:old", kept_at=too_old) is None


def test_a_moved_counter_hides_what_was_kept(shared_cache):
    assert keep_and_fetch(HttpResponse(b"{}")) is not None
    readcache.bump()
    assert kept_reads.fetch("readcache:kept:test") is None


def test_a_host_not_allowed_is_answered_as_without_kept_answers(shared_cache, personas, published):
    client = token_client(personas.cadre)
    client.get(MY_ITEMS)
    assert client.get(MY_ITEMS, HTTP_HOST="elsewhere.example").status_code == 400
    assert uncached_with(client, MY_ITEMS, HTTP_HOST="elsewhere.example").status_code == 400
