"""Kept answers of token GETs, given before the rest of the request's way through Django.

An answer found in the read cache (:mod:`workflows.readcache`) still passes the session,
locale, CSRF, authentication and message middleware and DRF's dispatch: the token's kept
lookup, content negotiation, permissions, the user's reach and a second cache read. That costs
about three times a trivial view. So a GET that a :class:`~workflows.readcache.CachedReadsMixin`
view answered to a request authenticated by ``Authorization: Token …`` is also kept whole —
its headers and body as they left the middleware under this one — under

    (the token, the absolute URL, Accept, Accept-Language, the language cookie)

with the values of the same counters as the answer. The same request again is answered here
after one cache round trip (:meth:`config.cache.RedisCache.get_if_counters`), and nothing else.

What keeps that true:

- **whose**: the key is a hash of the token with the rest of the request, so only that token's
  requests find it. The counters always hold the global generation, which a deleted token, a
  deactivated user or a changed membership moves: the entry is not found again, and the request
  goes through DRF's authentication, which refuses a token that no longer works (401).
- **what it was computed from**: the key holds every input of the answer besides the data —
  the user (the token), the language (what ``LocaleMiddleware`` reads: the path, the language
  cookie, Accept-Language), the media type (Accept and the URL), the host and scheme (the
  absolute URL; pagination links are absolute). Raw headers, not what they resolve to: a key
  may be finer than needed, never coarser.
- **which answers**: only what the view's own checks let through (authentication, permissions,
  the scope, the filters), from views without throttles, with status 200 and no cookie.
- **age and writes**: as for the answer (the same counters, computed at most
  ``READ_CACHE_SECONDS`` ago by the clock; an answer first found in the read cache keeps its
  own time). This thread's own uncommitted writes move their counters first.
- **outage**: if the cache cannot be reached the request goes on through Django, which then
  answers uncached.
"""

from __future__ import annotations

import hashlib
import logging
import math
import pickle
import time

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import DisallowedHost
from django.http import HttpResponse
from rest_framework import HTTP_HEADER_ENCODING

from . import readcache

log = logging.getLogger(__name__)

KEY_PREFIX = "readcache:kept:"
_KEYWORD = readcache.TokenAuthentication.keyword.lower().encode()


def token_of(request) -> str | None:
    """The token of an ``Authorization: Token …`` header, read as DRF's token authentication
    reads it; ``None`` for any other header (DRF then decides)."""
    header = request.META.get("HTTP_AUTHORIZATION")
    if not header:
        return None
    try:
        if isinstance(header, str):
            header = header.encode(HTTP_HEADER_ENCODING)
        parts = header.split()
        if len(parts) != 2 or parts[0].lower() != _KEYWORD:
            return None
        return parts[1].decode()
    except UnicodeError:
        return None


def kept_key(request, token: str) -> str:
    meta = request.META
    cookie_name = settings.LANGUAGE_COOKIE_NAME
    language_cookie = request.COOKIES.get(cookie_name, "") if cookie_name in meta.get("HTTP_COOKIE", "") else ""
    varies = (
        token,
        request.build_absolute_uri(),
        meta.get("HTTP_ACCEPT", ""),
        meta.get("HTTP_ACCEPT_LANGUAGE", ""),
        language_cookie,
    )
    return KEY_PREFIX + hashlib.sha256(repr(varies).encode()).hexdigest()


def _get_if_counters(key: str) -> bytes | None:
    if hasattr(cache, "get_if_counters"):  # config.cache.RedisCache: one round trip
        return cache.get_if_counters(key)
    kept = cache.get(key)
    if kept is None:
        return None
    counters, value = kept
    current = cache.get_many([counter for counter, _number in counters])
    if any(current.get(counter) != number for counter, number in counters):
        return None
    return value


def _set_under_counters(key: str, counters: tuple, value: bytes, timeout: int) -> None:
    if hasattr(cache, "set_under_counters"):
        cache.set_under_counters(key, counters, value, timeout)
    else:
        cache.set(key, (counters, value), timeout=timeout)


def fetch(key: str) -> HttpResponse | None:
    """The response kept under ``key``, if its counters are unchanged and it is young enough."""
    readcache.flush_own_writes()
    try:
        kept = _get_if_counters(key)
    except Exception:  # a cache outage must not fail a read
        log.warning("read cache unreachable; answering uncached", exc_info=True)
        return None
    if kept is None:
        return None
    kept_at, headers, body = pickle.loads(kept)
    if not 0 <= time.time() - kept_at < readcache.seconds():
        return None
    return HttpResponse(body, headers=headers)


def keep(key: str, slot: readcache.Slot, response) -> None:
    if response.status_code != 200 or response.streaming or response.cookies:
        return
    left = readcache.seconds() - (time.time() - slot.kept_at)
    if left <= 0:
        return
    value = pickle.dumps((slot.kept_at, dict(response.items()), response.content), pickle.HIGHEST_PROTOCOL)
    try:
        _set_under_counters(key, tuple(zip(slot.counters, slot.generation)), value, math.ceil(left))
    except Exception:
        log.warning("read cache unreachable; answer not kept", exc_info=True)


class KeptTokenReadsMiddleware:
    """Answers a token's GET from what the same request was answered before (see the module).

    It goes right after ``SecurityMiddleware`` (whose HTTPS redirect and headers apply to every
    answer) and before the session, locale, CSRF and authentication middleware, which such an
    answer does not need; a request it does not answer goes on through them unchanged."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = None
        if request.method == "GET" and readcache.enabled():
            token = token_of(request)
            if token is not None:
                try:
                    key = kept_key(request, token)
                except DisallowedHost:  # Django answers that as it would
                    key = None
        if key is not None:
            kept = fetch(key)
            if kept is not None:
                return kept
        response = self.get_response(request)
        if key is not None:
            slot = getattr(request, "readcache_answer_slot", None)
            if slot is not None:
                keep(key, slot, response)
        return response
