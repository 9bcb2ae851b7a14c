"""A missing answer is computed once (workflows/readcache.py, ``fetch_or_wait``): the repeats of
the same request that arrive meanwhile wait for it instead of computing it again, and stop
waiting as soon as it is kept, given up, or no longer the answer (the counters moved).

Each test runs with the local-memory cache and with Redis.
"""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from tests.workflows.test_readcache import browser, token_client
from workflows import readcache

pytestmark = pytest.mark.django_db


def a_request(user_id: int = 1):
    request = RequestFactory().get("/somewhere/?page=2")
    request.user = SimpleNamespace(pk=user_id)
    return request


def lookup():
    return readcache.lookup(a_request(), "test", depends=readcache.EVERYWHERE)


class Waiter(threading.Thread):
    """A second request for the same answer, started while the first one computes it."""

    def __init__(self):
        super().__init__(daemon=True)
        self.answer = None
        self.took = None

    def run(self):
        started = time.monotonic()
        self.answer = lookup()
        self.took = time.monotonic() - started

    def started_waiting(self):
        self.start()
        time.sleep(0.05)  # it is waiting now: the first one holds the flight
        assert self.is_alive()
        return self


def test_the_repeats_of_a_missing_answer_wait_for_the_one_computing_it(shared_cache, settings):
    settings.READ_CACHE_WAIT_SECONDS = 5
    slot, hit = lookup()
    assert hit is None and slot.flight
    waiter = Waiter().started_waiting()
    readcache.store(slot, HttpResponse(b"computed once", content_type="text/plain"))
    waiter.join(5)
    waiter_slot, waiter_hit = waiter.answer
    assert waiter_hit is not None and waiter_hit.content == b"computed once"
    assert waiter.took < 2
    _slot, again = lookup()  # kept: nobody computes, nobody waits
    assert again.content == b"computed once"


def test_waiters_compute_it_themselves_when_the_one_computing_gives_up(shared_cache, settings):
    settings.READ_CACHE_WAIT_SECONDS = 5
    slot, _hit = lookup()
    waiter = Waiter().started_waiting()
    readcache.release(slot)  # its answer was not a 200, say
    waiter.join(5)
    waiter_slot, waiter_hit = waiter.answer
    assert waiter_hit is None and waiter_slot is not None
    assert waiter.took < 2


def test_waiting_stops_when_a_write_moves_the_counters(shared_cache, settings):
    settings.READ_CACHE_WAIT_SECONDS = 5
    slot, _hit = lookup()
    waiter = Waiter().started_waiting()
    readcache.bump()
    waiter.join(5)
    waiter_slot, waiter_hit = waiter.answer
    assert waiter_hit is None
    assert waiter_slot.generation != slot.generation  # computed under the new values
    assert waiter.took < 2


def test_a_waiter_gives_up_after_the_wait(shared_cache, settings):
    settings.READ_CACHE_WAIT_SECONDS = 0.2
    slot, _hit = lookup()
    waiter = Waiter().started_waiting()
    waiter.join(5)
    waiter_slot, waiter_hit = waiter.answer
    assert waiter_hit is None and waiter_slot is not None
    assert 0.15 < waiter.took < 2
    readcache.release(slot)


def test_other_requests_do_not_wait(shared_cache, settings):
    settings.READ_CACHE_WAIT_SECONDS = 5
    slot, _hit = lookup()
    other_user = readcache.lookup(a_request(user_id=2), "test", depends=readcache.EVERYWHERE)
    other_url = readcache.lookup(a_request(), "another", depends=readcache.EVERYWHERE)
    assert other_user[0].flight and other_url[0].flight  # each computes its own, at once
    for held in (slot, other_user[0], other_url[0]):
        readcache.release(held)


def timed_twice(client, url, status):
    started = time.monotonic()
    for _ in range(2):
        assert client.get(url).status_code == status
    return time.monotonic() - started


@pytest.mark.parametrize("status", [404, 403])
def test_an_answer_not_kept_leaves_nobody_waiting(shared_cache, settings, personas, published, status):
    """A page or an API read that answers an error is not kept; the same request again is
    computed at once, not after waiting for an answer that never comes."""
    settings.READ_CACHE_WAIT_SECONDS = 5
    lst, item, _second = published
    if status == 404:
        page, api = "/lists/999999/", "/api/v1/items/999999/"
        assert timed_twice(browser(personas.leader), page, 404) < 2
    else:
        page, api = "/reports/", "/api/v1/supervision/overdue/"  # a cadre has no overdue queue
    assert timed_twice(token_client(personas.cadre), api, status) < 2


def test_an_error_in_the_view_releases_the_flight(shared_cache, settings):
    settings.READ_CACHE_WAIT_SECONDS = 5

    @readcache.cached_page(depends=readcache.EVERYWHERE)
    def failing(request):
        raise RuntimeError("the view failed")

    request = a_request()
    request.user = SimpleNamespace(pk=1, is_authenticated=True)
    request.META["CSRF_COOKIE"] = "x" * 32
    request._messages = []
    for _ in range(2):
        started = time.monotonic()
        with pytest.raises(RuntimeError):
            failing(request)
        assert time.monotonic() - started < 2
