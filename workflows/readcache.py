"""Cached answers of busy read endpoints, dropped by any write to the database.

At 08:30 on a Monday thousands of people open the same few pages ("my items", a leader's list,
the overdue queue, an item's history); most of them ask again what they asked a minute ago.
A GET answer of a view with :class:`CachedReadsMixin` is kept in the shared cache under

    (generation, user, language, absolute URL, media type)

so a repeated request costs the authentication and two cache reads instead of the queries and
the serialisation. Pages (:func:`cached_page`) are kept the same way, and also per CSRF secret
(their forms carry a token for it) and per unread-notification count (the header badge); a
page is neither stored nor answered from the cache while the user has messages to show.

What keeps the answers true:

- **generation**: one counter in the shared cache. Every INSERT, UPDATE, DELETE or TRUNCATE the
  project sends through a Django database connection (ORM saves, ``QuerySet.update()``, bulk
  writes, the sweep, raw SQL through ``connection.cursor()``) raises it twice: right after the
  statement (so the writer's own later reads miss) and again when its transaction commits (so an
  answer computed by another request from the data *before* the commit, and stored under the
  intermediate generation, is never found again). Writes to tables no cached answer shows
  (sessions, notifications, the beat schedule, login attempts: ``READ_CACHE_IGNORED_TABLES``)
  do not count. The counter starts from the clock, so a cache restarted empty never reuses a
  generation of entries that survived elsewhere.
- **age**: answers that depend on the time (``is_overdue``, the overdue queue) may be at most
  ``READ_CACHE_SECONDS`` behind the clock, never behind the data: older entries are not used
  (and expire). If the cache cannot be reached a read computes its answer and a write goes on
  (an answer stored before the failure is then at most ``READ_CACHE_SECONDS`` old).

``READ_CACHE_SECONDS = 0`` turns it off. It needs a cache shared by every process that writes
(Redis in production); with the local-memory cache it is only on when set explicitly (the
embedded single process, the tests).
"""

from __future__ import annotations

import copy
import functools
import hashlib
import logging
import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.db.backends.signals import connection_created
from django.dispatch import receiver
from django.http import HttpResponse
from django.utils import timezone, translation
from rest_framework import authentication
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

log = logging.getLogger(__name__)

GENERATION_KEY = "readcache:generation"
_WRITE = re.compile(
    r"^\s*(?:WITH\b|INSERT\b|UPDATE\b|DELETE\b|TRUNCATE\b|REPLACE\b|ALTER\b|DROP\b|CREATE\b)", re.IGNORECASE
)
_TARGET = re.compile(
    r"\b(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM|TRUNCATE(?:\s+TABLE)?|REPLACE\s+INTO)\s+"
    r"(?:ONLY\s+)?[\"`]?(\w+)",
    re.IGNORECASE,
)


def seconds() -> int:
    return int(getattr(settings, "READ_CACHE_SECONDS", 0) or 0)


def enabled() -> bool:
    return seconds() > 0


# -- the generation ------------------------------------------------------------------------------


def generation() -> int | None:
    """The current generation, or ``None`` if the cache cannot be reached."""
    try:
        value = cache.get(GENERATION_KEY)
        if value is None:
            cache.add(GENERATION_KEY, time.time_ns(), timeout=None)
            value = cache.get(GENERATION_KEY)
        return value
    except Exception:  # a cache outage must not fail a read
        log.warning("read cache unreachable; answering uncached", exc_info=True)
        return None


def bump() -> None:
    """A write happened: every stored answer is stale."""
    try:
        try:
            cache.incr(GENERATION_KEY)
        except ValueError:  # no counter yet (or evicted): start one that no old entry used
            cache.add(GENERATION_KEY, time.time_ns(), timeout=None)
            cache.incr(GENERATION_KEY)
    except Exception:  # the write itself must go on
        log.warning("read cache unreachable; stored answers expire within READ_CACHE_SECONDS", exc_info=True)


def writes_visible_data(sql: str) -> bool:
    """Whether a statement may change what a cached answer shows."""
    if not _WRITE.match(sql):
        return False
    tables = _TARGET.findall(sql)
    if not tables:
        return True  # a write whose target we cannot read: assume the worst
    ignored = tuple(getattr(settings, "READ_CACHE_IGNORED_TABLES", ()))
    return any(not table.lower().startswith(ignored) for table in tables)


def _bump_after_commit() -> None:
    bump()


def _watch_writes(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    if enabled() and isinstance(sql, str) and writes_visible_data(sql):
        bump()
        connection = context["connection"]
        if connection.in_atomic_block and not any(
            func is _bump_after_commit for _sids, func, _robust in connection.run_on_commit
        ):
            connection.on_commit(_bump_after_commit, robust=True)
    return result


@receiver(connection_created, dispatch_uid="readcache-watch-writes")
def _install(sender, connection, **kwargs):
    if _watch_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(_watch_writes)


def install_on_open_connections() -> None:
    """For connections opened before this module was imported (the signal covers the rest)."""
    for connection in connections.all(initialized_only=True):
        _install(None, connection)


# -- stored answers ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Slot:
    """Where an answer goes, and the generation it was computed in."""

    key: str
    generation: int


def fetch(key: str) -> tuple[Slot | None, object | None]:
    """One round trip: the current generation and the value kept under ``key``, if it was kept
    in this generation less than ``READ_CACHE_SECONDS`` ago by the clock (the cache's own expiry
    uses real time; a test that moves the clock moves this one). ``(None, None)`` if the cache
    cannot be reached. The generation is read before the caller computes a missing value, so
    a value computed from data a commit has since changed is kept under an old generation."""
    try:
        found = cache.get_many([GENERATION_KEY, key])
        gen = found.get(GENERATION_KEY)
        if gen is None:
            gen = generation()
            if gen is None:
                return None, None
    except Exception:
        log.warning("read cache unreachable; answering uncached", exc_info=True)
        return None, None
    slot = Slot(key, gen)
    kept = found.get(key)
    if kept is None:
        return slot, None
    kept_generation, kept_at, value = kept
    if kept_generation != gen or not 0 <= timezone.now().timestamp() - kept_at < seconds():
        return slot, None
    return slot, value


def keep(slot: Slot, value) -> None:
    try:
        cache.set(slot.key, (slot.generation, timezone.now().timestamp(), value), timeout=seconds())
    except Exception:
        log.warning("read cache unreachable; answer not kept", exc_info=True)


def answer_key(request, *varies: object) -> str:
    parts = "\n".join(str(v) for v in (request.build_absolute_uri(), *varies))
    digest = hashlib.sha256(parts.encode()).hexdigest()[:40]
    return f"readcache:answer:{request.user.pk}:{translation.get_language()}:{digest}"


def lookup(request, *varies: object) -> tuple[Slot | None, HttpResponse | None]:
    slot, kept = fetch(answer_key(request, *varies))
    if kept is None:
        return slot, None
    content_type, body = kept
    return slot, HttpResponse(body, content_type=content_type)


def store(slot: Slot, response) -> None:
    keep(slot, (response["Content-Type"], response.content))


def _without(instance, *attnames: str):
    """A copy of a model instance with these fields deferred: read from the database if used,
    left out of a ``save()``."""
    copied = copy.copy(instance)
    copied.__dict__ = dict(instance.__dict__)
    copied._state = copy.copy(instance._state)
    for attname in attnames:
        copied.__dict__.pop(attname, None)
    return copied


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token authentication, its lookup kept like an answer: a deleted token or a
    deactivated user is a write, so it takes effect at once. What is kept holds neither the
    password hash nor the token itself (both deferred), only the hash of the token in its key."""

    def authenticate_credentials(self, key):
        if not enabled():
            return super().authenticate_credentials(key)
        slot, kept = fetch("readcache:token:" + hashlib.sha256(key.encode()).hexdigest())
        if kept is not None:
            return kept
        user, token = super().authenticate_credentials(key)
        if slot is not None:
            kept_token = _without(token, "key")
            kept_token._state.fields_cache = {}
            keep(slot, (_without(user, "password"), kept_token))
        return user, token


class _Hit(Exception):  # a control-flow signal, not an error
    def __init__(self, response):
        self.response = response


class CachedReadsMixin:
    """Keep the JSON answers of ``cached_actions`` (DRF action names; ``"get"`` for an APIView).

    The lookup happens after authentication, permissions and throttling, so a stored answer is
    only ever given to the user it was computed for; only 200 answers are stored.
    """

    cached_actions: frozenset[str] = frozenset({"list"})

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self._read_cache_slot = None
        action = getattr(self, "action", None) or request.method.lower()
        if (
            request.method != "GET"
            or action not in self.cached_actions
            or not enabled()
            or not request.user.is_authenticated
            or type(request.accepted_renderer) is not JSONRenderer
        ):
            return
        slot, hit = lookup(request, request.accepted_media_type)
        if hit is not None:
            raise _Hit(hit)
        self._read_cache_slot = slot

    def handle_exception(self, exc):
        if isinstance(exc, _Hit):
            return exc.response
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        slot = getattr(self, "_read_cache_slot", None)
        if slot is not None and isinstance(response, Response) and response.status_code == 200:
            response.add_post_render_callback(lambda rendered: store(slot, rendered))
        return response


def _page_varies(request) -> tuple | None:
    from django.contrib.messages import get_messages

    from notifications.selectors import unread_count_of_request

    csrf_secret = request.META.get("CSRF_COOKIE")
    if (
        request.method != "GET"
        or not enabled()
        or not request.user.is_authenticated
        or not csrf_secret  # the page would make one, for a cookie this browser does not have yet
        or len(get_messages(request))  # counting loads the messages without consuming them
    ):
        return None
    return ("page", hashlib.sha256(csrf_secret.encode()).hexdigest(), unread_count_of_request(request))


def cached_page(view):
    """Keep a page view's 200 answers (see the module's docstring for what they vary on)."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        varies = _page_varies(request)
        slot = None
        if varies is not None:
            slot, hit = lookup(request, *varies)
            if hit is not None:
                return hit
        response = view(request, *args, **kwargs)
        if slot is not None and response.status_code == 200 and not response.streaming:
            if hasattr(response, "render") and not response.is_rendered:
                response.add_post_render_callback(lambda rendered: store(slot, rendered))
            else:
                store(slot, response)
        return response

    return wrapper
