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
