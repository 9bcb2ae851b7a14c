"""Kept answers of token GETs and of browsers' pages, given before the rest of Django.

An answer found in the read cache (:mod:`workflows.readcache`) still passes the session,
locale, CSRF, authentication and message middleware and the view's dispatch: the token's or the
session's lookup, the user, permissions, the user's reach and a second cache read. That costs
about three times a trivial view. So the whole answer — its headers and body as they left the
middleware under this one — is also kept:

- a GET that a :class:`~workflows.readcache.CachedReadsMixin` view answered to a request
  authenticated by ``Authorization: Token …``, under
  (the token, the absolute URL, Accept, Accept-Language, the language cookie);
- a GET of a :func:`~workflows.readcache.cached_page` page, under
  (the session cookie, the CSRF cookie, the absolute URL, Accept, Accept-Language, the language
  cookie),

with the values of the same counters as the answer. The same request again is answered here
after one cache round trip (:meth:`config.cache.RedisCache.get_if_counters`), and nothing else.

What keeps that true:

- **whose**: the key is a hash of the token or the session cookie with the rest of the request,
  so only that token's or that browser's requests find it. The counters always hold the global
  generation, which a deleted token, a deactivated user, a changed password or membership moves:
  the entry is not found again, and the request goes through Django, which refuses what no
  longer works. A page is also kept only while the session holds the bytes it held before the
  page was computed (its fingerprint is one of the counters): a sign-out, a new sign-in, a
  message kept in the session or any other change of the session drops it, and so does the
  session's own expiry in the cache.
- **what it was computed from**: the key holds every input of the answer besides the data —
  the user (the token, the session), the language (what ``LocaleMiddleware`` reads: the path,
  the language cookie, Accept-Language), the media type (Accept and the URL), the host and scheme
  (the absolute URL; pagination links are absolute), a page's CSRF tokens (made for the CSRF
  cookie's secret). Raw headers, not what they resolve to: a key may be finer than needed, never
  coarser. A page's unread badge follows the user's inbox counters
  (:func:`~workflows.readcache.page_counters`). A browser with a messages cookie is not answered
  here: its messages are shown.
- **which answers**: only what the view's own checks let through (authentication, permissions,
  the scope, the filters), from views without throttles, with status 200 and no cookie — for a
  page, none but the request's own CSRF cookie again (a form renews its expiry), which the kept
  page then sets again.
- **age and writes**: as for the answer (the same counters, computed at most
  ``READ_CACHE_SECONDS`` ago by the clock; an answer first found in the read cache keeps its
  own time). This thread's own uncommitted writes move their counters first.
- **outage**: if the cache cannot be reached the request goes on through Django, which then
  answers uncached.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
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
    return _key(request, "token", token)


def _key(request, *whose: str) -> str:
    meta = request.META
    varies = (
        *whose,
        request.build_absolute_uri(),
        meta.get("HTTP_ACCEPT", ""),
        meta.get("HTTP_ACCEPT_LANGUAGE", ""),
        _cookie(request, settings.LANGUAGE_COOKIE_NAME),
    )
    return KEY_PREFIX + hashlib.sha256(repr(varies).encode()).hexdigest()


def _cookie(request, name: str) -> str:
    # parsing the Cookie header costs; most requests have none of these cookies
    return request.COOKIES.get(name, "") if name in request.META.get("HTTP_COOKIE", "") else ""


# -- browsers' pages -----------------------------------------------------------------------------


def _session_cache_key(session_key: str) -> str | None:
    """Where the session engine keeps ``session_key``'s session in the default cache, as its
    ``SessionStore.cache_key`` says (``None`` for an engine that keeps it elsewhere: its pages
    are then not kept)."""
    prefix = getattr(_session_store(settings.SESSION_ENGINE), "cache_key_prefix", None)
    if prefix is None or settings.SESSION_CACHE_ALIAS != "default":
        return None
    return prefix + session_key


@functools.cache
def _session_store(engine: str):
    return importlib.import_module(engine).SessionStore


def page_key(request) -> tuple[str, str] | None:
    """A browser's GET that a kept page may answer: its key and where its session is kept.

    Only a request with the session and CSRF cookies (a page carries tokens for that CSRF
    secret) and no messages cookie (messages are shown, not a kept page), without an
    ``Authorization`` header."""
    if "HTTP_AUTHORIZATION" in request.META:
        return None
    cookies = request.COOKIES
    session_key = cookies.get(settings.SESSION_COOKIE_NAME)
    csrf_cookie = cookies.get(settings.CSRF_COOKIE_NAME)
    if not session_key or not csrf_cookie or _messages_cookie_name() in cookies:
        return None
    where = _session_cache_key(session_key)
    if where is None:
        return None
    return _key(request, "session", session_key, csrf_cookie), where


def _messages_cookie_name() -> str:
    from django.contrib.messages.storage.cookie import CookieStorage

    return CookieStorage.cookie_name


def _fingerprint(key: str) -> str | None:
    """What ``key`` holds now, as a "counter" value that holds while it holds the same."""
    try:
        if hasattr(cache, "fingerprint"):  # config.cache.RedisCache: its stored bytes
            return cache.fingerprint(key)
        value = cache.get(key)
        return None if value is None else "#" + hashlib.sha1(pickle.dumps(value, pickle.HIGHEST_PROTOCOL)).hexdigest()
    except Exception:
        log.warning("read cache unreachable; answering uncached", exc_info=True)
        return None


# -- keeping and fetching --------------------------------------------------------------------------


def _get_if_counters(key: str) -> bytes | None:
    if hasattr(cache, "get_if_counters"):  # config.cache.RedisCache: one round trip
        return cache.get_if_counters(key)
    kept = cache.get(key)
    if kept is None:
        return None
    counters, value = kept
    numbered = [counter for counter, expected in counters if not isinstance(expected, str)]
    current = cache.get_many(numbered)
    for counter, expected in counters:
        now = _fingerprint(counter) if isinstance(expected, str) else current.get(counter)
        if now != expected:
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
    kept_at, headers, body, cookies = pickle.loads(kept)
    if not 0 <= time.time() - kept_at < readcache.seconds():
        return None
    response = HttpResponse(body, headers=headers)
    if cookies is not None:
        response.cookies = cookies
    return response


def keep(key: str, slot: readcache.Slot, response, *, also: tuple = (), cookies=None) -> None:
    """Keep ``response`` under ``slot``'s counters and ``also`` (more ``(key, value)`` pairs);
    ``cookies``: the cookies it may set again (any other cookie: it is not kept)."""
    if response.status_code != 200 or response.streaming or (response.cookies and cookies is None):
        return
    left = readcache.seconds() - (time.time() - slot.kept_at)
    if left <= 0:
        return
    value = pickle.dumps((slot.kept_at, dict(response.items()), response.content, cookies), pickle.HIGHEST_PROTOCOL)
    try:
        _set_under_counters(key, (*zip(slot.counters, slot.generation), *also), value, math.ceil(left))
    except Exception:
        log.warning("read cache unreachable; answer not kept", exc_info=True)


def _only_the_csrf_cookie(request, response):
    """The response's cookies, if the only one is the request's own CSRF cookie again (a page
    with a form renews its expiry); else ``None``."""
    cookies = response.cookies
    name = settings.CSRF_COOKIE_NAME
    if not cookies:
        return cookies
    if set(cookies) != {name} or cookies[name].value != request.COOKIES.get(name):
        return None
    return cookies


class KeptReadsMiddleware:
    """Answers a token's GET, or a browser's GET of a page, from what the same request was
    answered before (see the module).

    It goes right after ``SecurityMiddleware`` (whose HTTPS redirect and headers apply to every
    answer) and before the session, locale, CSRF and authentication middleware, which such an
    answer does not need; a request it does not answer goes on through them unchanged."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method != "GET" or not readcache.enabled():
            return self.get_response(request)
        token = token_of(request)
        try:
            if token is not None:
                return self._token_read(request, kept_key(request, token))
            page = page_key(request)
        except DisallowedHost:  # Django answers that as it would
            return self.get_response(request)
        if page is not None:
            return self._page_read(request, *page)
        return self.get_response(request)

    def _token_read(self, request, key):
        kept = fetch(key)
        if kept is not None:
            return kept
        response = self.get_response(request)
        slot = getattr(request, "readcache_answer_slot", None)
        if slot is not None:
            keep(key, slot, response)
        return response

    def _page_read(self, request, key, session_where):
        kept = fetch(key)
        if kept is not None:
            return kept
        # the session as it is before the request reads it: a page computed from it is kept
        # while the session holds the same bytes (a sign-out, a message or any change drops it)
        session = _fingerprint(session_where)
        response = self.get_response(request)
        slot = getattr(request, "readcache_page_slot", None)
        if slot is not None and session is not None:
            cookies = _only_the_csrf_cookie(request, response)
            if cookies is not None:
                keep(key, slot, response, also=((session_where, session),), cookies=cookies)
        return response
