"""config.cache.RedisCache: Django's Redis cache with one client per pool, shared by threads."""

from __future__ import annotations

import threading

import pytest

from config.cache import RedisCache
from tests.conftest import require_redis


@pytest.fixture
def redis_cache():
    url = require_redis()
    backend = RedisCache(url, {"KEY_PREFIX": "test-cache-backend"})
    yield backend
    backend.clear()


def test_one_client_serves_every_operation_and_thread(redis_cache):
    redis_cache.set("a", {"x": 1})
    first = redis_cache._cache.get_client()
    assert redis_cache._cache.get_client(write=True) is first
    errors, seen = [], []

    def work(n):
        try:
            for i in range(50):
                redis_cache.set(f"k{n}", i)
                assert redis_cache.get(f"k{n}") == i
            assert redis_cache.get_many(["a", f"k{n}"]) == {"a": {"x": 1}, f"k{n}": 49}
            seen.append(redis_cache._cache.get_client())
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert all(client is first for client in seen)
    assert redis_cache.add("counter", 1)
    assert redis_cache.incr("counter") == 2


def test_a_value_kept_under_counters_is_given_while_they_hold(redis_cache):
    redis_cache.set("gen", 7)
    redis_cache.set("tree", 3)
    redis_cache.set_under_counters("answer", [("gen", 7), ("tree", 3)], b"\x00body\nwith lines", 60)
    assert redis_cache.get_if_counters("answer") == b"\x00body\nwith lines"
    assert redis_cache.get_if_counters("answer") == b"\x00body\nwith lines"  # the held copy
    redis_cache.incr("tree")
    assert redis_cache.get_if_counters("answer") is None
    assert redis_cache.get_if_counters("never-kept") is None


def test_a_missing_counter_hides_the_value(redis_cache):
    redis_cache.set("gen", 7)
    redis_cache.set_under_counters("answer", [("gen", 7)], b"body", 60)
    redis_cache.delete("gen")  # evicted, say
    assert redis_cache.get_if_counters("answer") is None
    redis_cache.set("gen", 7)
    assert redis_cache.get_if_counters("answer") == b"body"


def test_a_held_value_crosses_the_socket_once(redis_cache):
    redis_cache.set("gen", 1)
    redis_cache.set_under_counters("answer", [("gen", 1)], b"x" * 1000, 60)
    assert redis_cache.get_if_counters("answer") == b"x" * 1000
    client, key = redis_cache._cache, redis_cache.make_and_validate_key("answer")
    stamp, value = client.held.get(key)
    assert value == b"x" * 1000
    script = client._script(client.get_client())
    assert script(keys=[key], args=[stamp], client=client.get_client()) == b"="  # what the next read gets
    assert redis_cache.get_if_counters("answer") == b"x" * 1000
    # a new value under the same key has a new stamp: its bytes come
    redis_cache.set_under_counters("answer", [("gen", 1)], b"y" * 10, 60)
    assert redis_cache.get_if_counters("answer") == b"y" * 10
    redis_cache.incr("gen")
    assert redis_cache.get_if_counters("answer") is None


def test_a_line_whose_value_is_gone_gives_nothing(redis_cache):
    redis_cache.set("gen", 1)
    redis_cache.set_under_counters("answer", [("gen", 1)], b"body", 60)
    key = redis_cache.make_and_validate_key("answer")
    stamp = redis_cache._cache.get_client().get(key).split(b" ", 1)[0]
    redis_cache._cache.get_client().delete(key + ":" + stamp.decode())
    assert redis_cache.get_if_counters("answer") is None


def test_held_values_are_bounded():
    from config.cache import HeldValues

    held = HeldValues(limit=10)
    held.hold("a", b"1", b"aaaa")
    held.hold("b", b"1", b"bbbb")
    held.hold("c", b"1", b"cccc")  # the oldest goes
    assert (held.get("a"), held.get("b"), held.size) == (None, (b"1", b"bbbb"), 8)
    held.hold("b", b"2", b"bb")  # replaced, not added
    assert (held.get("b"), held.size) == ((b"2", b"bb"), 6)
    held.hold("d", b"1", b"d" * 11)  # larger than the limit: not held
    assert held.get("d") is None and held.size == 6


def test_a_value_kept_under_a_fingerprint_is_given_while_the_key_holds_the_same_bytes(redis_cache):
    redis_cache.set("session", {"user": 1})
    redis_cache.set("n", 5)
    fingerprint = redis_cache.fingerprint("session")
    assert fingerprint.startswith("#") and len(fingerprint) == 41
    assert redis_cache.fingerprint("session") == fingerprint  # the same bytes, the same fingerprint
    redis_cache.set_under_counters("page", [("n", 5), ("session", fingerprint)], b"kept", 60)
    assert redis_cache.get_if_counters("page") == b"kept"
    redis_cache.set("session", {"user": 1, "messages": ["x"]})
    assert redis_cache.get_if_counters("page") is None
    redis_cache.set("session", {"user": 1})  # the same bytes again
    assert redis_cache.get_if_counters("page") == b"kept"
    redis_cache.delete("session")
    assert redis_cache.fingerprint("session") is None
    assert redis_cache.get_if_counters("page") is None


@pytest.mark.parametrize("bad", ["5", "#abc", "sha1:" + "0" * 36])
def test_a_counter_value_is_a_number_or_a_fingerprint(redis_cache, bad):
    with pytest.raises(ValueError):
        redis_cache.set_under_counters("page", [("session", bad)], b"kept", 60)
