"""Django's Redis cache, keeping one ``redis.Redis`` client per connection pool.

Django's ``RedisCacheClient`` builds a new ``redis.Redis`` object for every operation; building
one sets up its table of response callbacks, which costs more than the round trip to Redis on
loopback (≈ 0.4 ms against ≈ 0.1 ms). A client is thread-safe and its pool checks the process id
after a fork, so one per pool serves every thread of a process.

It can also keep a value "under counters" (:meth:`RedisCache.set_under_counters`) and give it
back only while those counters are unchanged, in one round trip (a Lua script): what the read
cache's kept token answers need (workflows/kept_reads.py).
"""

from __future__ import annotations

import hashlib
import secrets
import threading

from django.core.cache.backends import redis as django_redis


class ReusingRedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            pool = self._pools.get(index)
            if pool is None:
                pool = self._pools.setdefault(
                    index, self._pool_class.from_url(self._servers[index], **self._pool_options)
                )
            client = self._clients.setdefault(index, self._client(connection_pool=pool))
        return client


# A value kept "under counters" is two keys: the key itself holds one line — a stamp (random,
# new with each value), then each counter's key and the value it had — and ``<key>:<stamp>``
# holds the value. A "counter" may also be any other key, with ``#`` and the SHA-1 of its stored
# bytes (:meth:`RedisCache.fingerprint`) in place of a number: the value then holds while that
# key holds the same bytes (a session, for the kept pages of its browser). The script answers only while every counter still has its value: the stamp
# and the value, or just "=" when the caller already holds the value of that stamp (ARGV[1]),
# so a value held by the process is neither copied into the script nor sent again (copying 40 KB
# into Lua costs Redis ≈ 75 µs). One round trip for what would be a read of the value and a
# read of its counters. The script reads keys it was not given, which a Redis Cluster refuses;
# this is one server (Django's Redis cache reads from replicas of a single primary).
_GET_IF_COUNTERS = """
local line = redis.call('GET', KEYS[1])
if not line then return false end
local stamp, counters = string.match(line, '^(%S+)(.*)$')
if not stamp then return false end
for counter, expected in string.gmatch(counters, '(%S+) (%S+)') do
  local current = redis.call('GET', counter)
  if string.sub(expected, 1, 1) == '#' then
    if not current or '#' .. redis.sha1hex(current) ~= expected then return false end
  elseif current ~= expected then return false end
end
if stamp == ARGV[1] then return '=' end
local value = redis.call('GET', KEYS[1] .. ':' .. stamp)
if not value then return false end
return {stamp, value}
"""

#: bytes of values a process holds to skip their transfer (see ``_GET_IF_COUNTERS``); the
#: cache's ``OPTIONS`` may set ``held_bytes`` (0: hold nothing)
HELD_BYTES = 32 * 1024 * 1024


class HeldValues:
    """Values a process received from ``_GET_IF_COUNTERS``, by key and stamp, oldest dropped
    first past ``limit`` bytes. One per process and server: Django makes a cache object per
    thread, and the threads share what they hold."""

    def __init__(self, limit: int):
        self.limit = limit
        self.size = 0
        self._values: dict[str, tuple[bytes, bytes]] = {}  # key → (stamp, value), oldest first
        self._lock = threading.Lock()

    def get(self, key: str) -> tuple[bytes, bytes] | None:
        return self._values.get(key)

    def hold(self, key: str, stamp: bytes, value: bytes) -> None:
        with self._lock:
            previous = self._values.pop(key, None)
            if previous is not None:
                self.size -= len(previous[1])
            if len(value) > self.limit:
                return
            self._values[key] = (stamp, value)
            self.size += len(value)
            while self.size > self.limit:
                oldest = next(iter(self._values))
                self.size -= len(self._values.pop(oldest)[1])


_held_values: dict[tuple, HeldValues] = {}
_held_values_lock = threading.Lock()


class CountedRedisCacheClient(ReusingRedisCacheClient):
    def __init__(self, servers, *args, held_bytes: int = HELD_BYTES, **kwargs):
        super().__init__(servers, *args, **kwargs)
        self._scripts: dict[int, object] = {}
        with _held_values_lock:
            self.held = _held_values.setdefault((tuple(servers), held_bytes), HeldValues(held_bytes))

    def _script(self, client):
        script = self._scripts.get(id(client))
        if script is None:
            script = self._scripts.setdefault(id(client), client.register_script(_GET_IF_COUNTERS))
        return script

    def get_if_counters(self, key):
        client = self.get_client(key)
        held = self.held.get(key)
        answer = self._script(client)(keys=[key], args=[held[0] if held else b""], client=client)
        if answer is None:
            return None
        if answer == b"=":
            return held[1]
        stamp, value = answer
        self.held.hold(key, stamp, value)
        return value

    def fingerprint(self, key) -> str | None:
        raw = self.get_client(key).get(key)
        return None if raw is None else "#" + hashlib.sha1(raw).hexdigest()

    def set_under_counters(self, key, counters, value, timeout):
        stamp = secrets.token_hex(8)
        line = " ".join([stamp, *(f"{counter} {number}" for counter, number in counters)])
        pipeline = self.get_client(key, write=True).pipeline(transaction=False)
        pipeline.set(f"{key}:{stamp}", value, ex=timeout)  # first: the line must never name a missing value
        pipeline.set(key, line, ex=timeout)
        pipeline.execute()


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = CountedRedisCacheClient

    def get_if_counters(self, key, version=None) -> bytes | None:
        """The bytes kept with :meth:`set_under_counters`, if every counter named there still
        has the value it had then (one round trip)."""
        return self._cache.get_if_counters(self.make_and_validate_key(key, version=version))

    def fingerprint(self, key, version=None) -> str | None:
        """``#`` and the SHA-1 of the bytes stored under ``key`` (``None`` if there are none): a
        "counter" value for :meth:`set_under_counters` that holds while those bytes do."""
        return self._cache.fingerprint(self.make_and_validate_key(key, version=version))

    def set_under_counters(self, key, counters, value: bytes, timeout, version=None) -> None:
        """Keep ``value`` (bytes) while each ``(counter key, integer value)`` of ``counters`` holds
        (or, for a fingerprint, while the key holds the bytes it was taken of)."""
        named = [
            (self.make_and_validate_key(counter, version=version), _expected(number)) for counter, number in counters
        ]
        self._cache.set_under_counters(
            self.make_and_validate_key(key, version=version), named, value, self.get_backend_timeout(timeout)
        )


def _expected(number) -> int | str:
    if isinstance(number, str):
        if not (number.startswith("#") and len(number) == 41):
            raise ValueError(f"not a fingerprint: {number!r}")
        return number
    return int(number)
