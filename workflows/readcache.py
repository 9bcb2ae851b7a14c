"""Cached answers of busy read endpoints, dropped by any write that may change them.

At 08:30 on a Monday thousands of people open the same few pages ("my items", a leader's list,
the overdue queue, an item's history); most of them ask again what they asked a minute ago.
A GET answer of a view with :class:`CachedReadsMixin` is kept in the shared cache under

    (user, language, absolute URL, media type), with the generations it was computed in

so a repeated request costs the authentication and two cache reads instead of the queries and
the serialisation (a token's repeated GET costs one cache read, before the rest of Django:
:mod:`workflows.kept_reads`, and so does a browser's repeated page). Pages (:func:`cached_page`)
are kept the same way, and also per CSRF secret (their forms carry a token for it) and under the
user's inbox counters (the header's unread badge); a page is neither stored nor answered from
the cache while the user has messages to show.

What keeps the answers true:

- **generations**: counters in the shared cache, and an answer is kept under the values of the
  counters it depends on. Every INSERT, UPDATE, DELETE or TRUNCATE the project sends through a
  Django database connection (ORM saves, ``QuerySet.update()``, bulk writes, the sweep, raw SQL
  through ``connection.cursor()``) moves counters:

  - the **global** counter, which every answer depends on, by default;
  - a **tree** counter (one per root unit: a township) and the county-wide **any** counter,
    instead, for a write inside a :func:`tree_scope` that has been narrowed to that township
    (an item's transition, see ``responsibilities.services``), when every table it writes is one
    of ``READ_CACHE_TREE_TABLES``. An answer depends on the tree counters of its user's
    **reach**: the townships of the units they lead, belong to, oversee or observe, and of the
    items that name them anywhere (:func:`compute_reach`); an admin's answers, and answers that
    compare townships (the dashboard's ranks), depend on the any counter. The reach is kept
    under the global counter: memberships, units and users are never tree tables, and the
    people an item names are members of its unit when they are named.

  A write is counted once per transaction, when it commits (other connections cannot see it
  before), and before any later read of the writer's own thread; a write outside a
  transaction is counted at once. An answer computed by another request from the data
  *before* the commit was kept under the old values, so it is never found again. Writes to
  tables no cached answer shows (sessions, the outbox, the beat schedule, login attempts:
  ``READ_CACHE_IGNORED_TABLES``) do not count. Writes to the inbox (``READ_CACHE_INBOX_TABLES``),
  which only pages' badges show, move only the **inbox** counters: their recipients' in an
  :func:`inbox_scope`, else everyone's. A counter starts from the clock, so a cache
  restarted empty never reuses the values of entries that survived elsewhere.
- **age**: answers that depend on the time (``is_overdue``, the overdue queue) may be at most
  ``READ_CACHE_SECONDS`` behind the clock, never behind the data: older entries are not used
  (and expire). If the cache cannot be reached a read computes its answer and a write goes on
  (an answer stored before the failure is then at most ``READ_CACHE_SECONDS`` old).

- **once**: right after a write, every reader of the township asks again at about the same
  time. A missing answer is computed by one request; the same request arriving meanwhile waits
  for it (at most ``READ_CACHE_WAIT_SECONDS``, default 1) instead of computing it too
  (:func:`fetch_or_wait`). It waits only for an answer under the same counter values, and stops
  at once when that answer is kept, when the one computing it gives up (an error, a non-200
  answer) or when a write moves the counters again.

``READ_CACHE_SECONDS = 0`` turns it off. It needs a cache shared by every process that writes
(Redis in production); with the local-memory cache it is only on when set explicitly (the
embedded single process, the tests).
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import hashlib
import logging
import math
import re
import time
from contextlib import contextmanager
from contextvars import ContextVar
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

GENERATION_KEY = "readcache:generation"  # every write outside a tree scope
ANY_KEY = "readcache:any"  # every write in a tree scope (county-wide readers)
TREE_KEY_PREFIX = "readcache:tree:"  # writes in a tree scope, per root unit (township)
INBOX_KEY = "readcache:inbox"  # inbox writes whose recipients were not named (pages' badges)
INBOX_KEY_PREFIX = "readcache:inbox:"  # inbox writes in an inbox scope, per recipient
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


# -- generations ---------------------------------------------------------------------------------


def generation(key: str = GENERATION_KEY) -> int | None:
    """A generation counter's value, or ``None`` if the cache cannot be reached."""
    try:
        value = cache.get(key)
        if value is None:
            cache.add(key, time.time_ns(), timeout=None)
            value = cache.get(key)
        return value
    except Exception:  # a cache outage must not fail a read
        log.warning("read cache unreachable; answering uncached", exc_info=True)
        return None


def bump(*keys: str) -> None:
    """Writes happened: answers kept under these counters (by default, every answer) are stale."""
    for key in keys or (GENERATION_KEY,):
        try:
            try:
                cache.incr(key)
            except ValueError:  # no counter yet (or evicted): start one that no old entry used
                cache.add(key, time.time_ns(), timeout=None)
                cache.incr(key)
        except Exception:  # the write itself must go on
            log.warning("read cache unreachable; stored answers expire within READ_CACHE_SECONDS", exc_info=True)


def tree_key(root: int) -> str:
    return f"{TREE_KEY_PREFIX}{root}"


def root_of(path: str) -> int:
    """The root unit (a township) of a unit's tree path: ``/000001/000004/`` → 1."""
    return int(path.strip("/").split("/", 1)[0])


# -- tree scopes: writes that only one township's readers can see -------------------------------


class _Trees(set):
    """The roots (townships) an open tree scope's writes are about, and the people whose units
    were added to them (:func:`narrow_to_units` looks each person up once per scope)."""

    def __init__(self):
        super().__init__()
        self.people: set[int] = set()


_trees: ContextVar[_Trees | None] = ContextVar("readcache_trees", default=None)


@contextmanager
def tree_scope():
    """Writes inside count for the trees named with :func:`narrow_to` (until one is named, and
    for any table outside ``READ_CACHE_TREE_TABLES``, they count for everyone). A scope opened
    inside another joins it: a flow's step and the service it calls are one operation, about the
    same trees."""
    if _trees.get() is not None:
        yield
        return
    token = _trees.set(_Trees())
    try:
        yield
    finally:
        _trees.reset(token)


def tree_scoped(func):
    """Run ``func`` in a :func:`tree_scope`."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with tree_scope():
            return func(*args, **kwargs)

    return wrapper


def narrow_to(unit_path: str) -> None:
    """The open tree scope's writes are about an object of the unit at ``unit_path``."""
    trees = _trees.get()
    if trees is not None:
        trees.add(root_of(unit_path))


def narrow_to_units(*unit_paths: str, people=()) -> None:
    """:func:`narrow_to` each of ``unit_paths`` and every unit each of ``people`` (user ids) is a
    member of: an object shown in its units' answers and in its people's rows (the dashboard's
    person rows are by the person's units)."""
    trees = _trees.get()
    if trees is None:
        return
    for path in unit_paths:
        trees.add(root_of(path))
    new = {user_id for user_id in people if user_id is not None} - trees.people
    if new:
        from organization.models import Membership

        for path in Membership.objects.filter(user_id__in=new).values_list("unit__path", flat=True):
            trees.add(root_of(path))
        trees.people |= new


# -- inbox scopes: writes to the inbox, which only pages show (their unread badge) --------------

_recipients: ContextVar[frozenset[int] | None] = ContextVar("readcache_recipients", default=None)


def inbox_key(user_id: int) -> str:
    return f"{INBOX_KEY_PREFIX}{user_id}"


@contextmanager
def inbox_scope(*recipient_ids: int):
    """Inbox writes inside are about these recipients' notifications only: they drop only those
    users' kept pages (an inbox write outside any scope drops every user's)."""
    token = _recipients.set(frozenset(recipient_ids))
    try:
        yield
    finally:
        _recipients.reset(token)


def page_counters(user_id: int) -> tuple[str, ...]:
    """The inbox counters a user's pages depend on, besides those of their reach."""
    return (INBOX_KEY, inbox_key(user_id))


def _inbox_tables() -> tuple[str, ...]:
    return tuple(getattr(settings, "READ_CACHE_INBOX_TABLES", ()))


def _counters_for(sql: str) -> tuple[str, ...]:
    """The counters a statement moves: none when it writes nothing a cached answer or a page's
    badge shows; for an inbox table, its recipients' (or, unnamed, everyone's inbox counter);
    its trees' and the county-wide one when every table it writes is a tree table and a tree
    scope names its trees; else the global one."""
    if not _WRITE.match(sql):
        return ()
    tables = [table.lower() for table in _TARGET.findall(sql)]
    if not tables:
        return (GENERATION_KEY,)  # a write whose target we cannot read: assume the worst
    if _sets_only_ignored_columns(sql):
        return ()
    inbox_tables = _inbox_tables()
    ignored = tuple(getattr(settings, "READ_CACHE_IGNORED_TABLES", ()))
    shown = [table for table in tables if table in inbox_tables or not table.startswith(ignored)]
    if not shown:
        return ()
    if all(table in inbox_tables for table in shown):
        recipients = _recipients.get()
        return tuple(inbox_key(user_id) for user_id in sorted(recipients)) if recipients else (INBOX_KEY,)
    trees = _trees.get()
    if trees:
        tree_tables = tuple(getattr(settings, "READ_CACHE_TREE_TABLES", ()))
        if all(table in tree_tables for table in tables):
            return (*(tree_key(root) for root in sorted(trees)), ANY_KEY)
    return (GENERATION_KEY,)


def writes_visible_data(sql: str) -> bool:
    """Whether a statement may change what a cached answer (or a page's badge) shows."""
    return bool(_counters_for(sql))


# ``UPDATE "table" SET "a" = %s, "b" = %s WHERE …``: the statement the ORM sends for
# ``save(update_fields=…)``; any other shape (expressions, literals, joins) counts as a write.
_PLAIN_UPDATE = re.compile(r'^\s*UPDATE\s+"(\w+)"\s+SET\s+((?:"\w+" = %s)(?:, "\w+" = %s)*)\s+WHERE\s', re.IGNORECASE)
_SET_COLUMN = re.compile(r'"(\w+)" = %s')


def _sets_only_ignored_columns(sql: str) -> bool:
    """An UPDATE that writes only columns no cached answer shows (``READ_CACHE_IGNORED_COLUMNS``:
    the user's ``last_login``, which every sign-in writes)."""
    match = _PLAIN_UPDATE.match(sql)
    if match is None:
        return False
    columns = getattr(settings, "READ_CACHE_IGNORED_COLUMNS", {}).get(match.group(1).lower(), ())
    return bool(columns) and all(column in columns for column in _SET_COLUMN.findall(match.group(2)))


# Each connection (one per thread) notes the counters its open transaction's writes move:
# ``touched`` are all of them (moved again at commit), ``unflushed`` those not yet moved for the
# connection's own reads. Other connections cannot see uncommitted rows, so only the commit has
# to tell them; a write outside a transaction is committed at once and moves its counters then.


def _commit_hook(connection):
    def bump_after_commit() -> None:
        touched, connection._readcache_touched = connection._readcache_touched, set()
        connection._readcache_unflushed = set()
        bump(*sorted(touched))

    return bump_after_commit


def flush_own_writes() -> None:
    """Move the counters of this thread's uncommitted writes, so its own reads see them."""
    for connection in connections.all(initialized_only=True):
        unflushed = getattr(connection, "_readcache_unflushed", None)
        if unflushed:
            connection._readcache_unflushed = set()
            bump(*sorted(unflushed))


def _watch_writes(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    counters = _counters_for(sql) if enabled() and isinstance(sql, str) else ()
    if counters:
        connection = context["connection"]
        if not connection.in_atomic_block:
            bump(*counters)
            return result
        hook = connection._readcache_hook
        if not any(func is hook for _sids, func, _robust in connection.run_on_commit):
            # a new transaction (a rolled back one took its callback with it)
            connection._readcache_touched = set()
            connection._readcache_unflushed = set()
            connection.on_commit(hook, robust=True)
        connection._readcache_touched.update(counters)
        connection._readcache_unflushed.update(counters)
    return result


@receiver(connection_created, dispatch_uid="readcache-watch-writes")
def _install(sender, connection, **kwargs):
    if _watch_writes not in connection.execute_wrappers:
        connection._readcache_hook = _commit_hook(connection)  # one per connection, run at each commit
        connection.execute_wrappers.append(_watch_writes)


def install_on_open_connections() -> None:
    """For connections opened before this module was imported (the signal covers the rest)."""
    for connection in connections.all(initialized_only=True):
        _install(None, connection)


# -- reach: whose writes a user's answers depend on ----------------------------------------------

EVERYWHERE = "everywhere"
_reach_extensions: list = []


def register_reach(func) -> None:
    """``func(user)`` gives unit paths of objects a user sees outside their scope's units (the
    domain's: items assigned to them anywhere)."""
    if func not in _reach_extensions:
        _reach_extensions.append(func)


def compute_reach(user) -> frozenset[int] | str:
    """The trees whose writes may change what ``user`` is shown: ``EVERYWHERE`` for an admin,
    else the roots of their scope's units (every membership's unit is among its read paths, or
    under one) and of the domain's extensions."""
    from organization.scoping import scope_for

    scope = scope_for(user)
    if scope.is_admin:
        return EVERYWHERE
    paths = set(scope.read_paths)
    for extension in _reach_extensions:
        paths.update(extension(user))
    return frozenset(root_of(path) for path in paths if path)


def reach_of(user) -> frozenset[int] | str:
    """``user``'s reach, kept under the global generation (memberships, units and users are
    global tables; tree writes never widen a reach: an item's people are members of its unit)."""
    kept = getattr(user, "_readcache_reach", None)
    if kept is not None:
        return kept
    token_slot = user.__dict__.pop("_readcache_token_slot", None)
    if token_slot is not None:
        # a token lookup computed a moment ago: its kept copy takes the reach along
        user._readcache_reach = compute_reach(user)
        kept_user, kept_token = token_slot.kept
        kept_user._readcache_reach = user._readcache_reach
        kept_user._dutyflow_scope = user._dutyflow_scope  # computed for the reach
        keep(Slot(token_slot.key, token_slot.generation), token_slot.kept)
        return user._readcache_reach
    slot, kept = fetch(f"readcache:reach:{user.pk}")
    if kept is None:
        kept = compute_reach(user)
        if slot is not None:
            keep(slot, kept)
    user._readcache_reach = kept
    return kept


def counters_of(reach) -> tuple[str, ...]:
    if reach == EVERYWHERE:
        return (GENERATION_KEY, ANY_KEY)
    return (GENERATION_KEY, *(tree_key(root) for root in sorted(reach)))


# -- stored answers ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Slot:
    """Where an answer goes, and the generations it was computed in."""

    key: str
    generation: tuple[int, ...]
    counters: tuple[str, ...] = ()
    #: when what is kept under it was computed: the kept value's time, or (nothing kept yet)
    #: the time its counters were read, before the caller computes it
    kept_at: float = 0.0
    #: the key this request holds while it computes the missing answer (see :func:`lookup`)
    flight: str = ""


def fetch(key: str, counters: tuple[str, ...] = (GENERATION_KEY,)) -> tuple[Slot | None, object | None]:
    """One round trip: the current values of ``counters`` and the value kept under ``key``, if
    it was kept under those values less than ``READ_CACHE_SECONDS`` ago by the clock (the
    cache's own expiry uses real time; a test that moves the clock moves this one).
    ``(None, None)`` if the cache cannot be reached. The counters are read before the caller
    computes a missing value, so a value computed from data a commit has since changed is kept
    under old values. This thread's own uncommitted writes move their counters first."""
    flush_own_writes()
    try:
        found = cache.get_many([*counters, key])
        values = []
        for counter in counters:
            value = found.get(counter)
            if value is None:
                value = generation(counter)
                if value is None:
                    return None, None
            values.append(value)
    except Exception:
        log.warning("read cache unreachable; answering uncached", exc_info=True)
        return None, None
    now = timezone.now().timestamp()
    slot = Slot(key, tuple(values), counters, now)
    kept = found.get(key)
    if kept is None:
        return slot, None
    kept_generation, kept_at, value = kept
    if kept_generation != slot.generation or not 0 <= now - kept_at < seconds():
        return slot, None
    return Slot(key, slot.generation, counters, kept_at), value


def keep(slot: Slot, value) -> None:
    try:
        cache.set(slot.key, (slot.generation, timezone.now().timestamp(), value), timeout=seconds())
    except Exception:
        log.warning("read cache unreachable; answer not kept", exc_info=True)


def answer_key(request, *varies: object) -> str:
    parts = "\n".join(str(v) for v in (request.build_absolute_uri(), *varies))
    digest = hashlib.sha256(parts.encode()).hexdigest()[:40]
    return f"readcache:answer:{request.user.pk}:{translation.get_language()}:{digest}"


REACH = "reach"  # an answer shows what its user's reach holds (else EVERYWHERE: rankings)


def wait_seconds() -> float:
    return float(getattr(settings, "READ_CACHE_WAIT_SECONDS", 1.0))


def _flight_key(slot: Slot) -> str:
    digest = hashlib.sha256(repr(slot.generation).encode()).hexdigest()[:16]
    return f"{slot.key}:computing:{digest}"


def fetch_or_wait(key: str, counters: tuple[str, ...]) -> tuple[Slot | None, object | None]:
    """:func:`fetch`, computed once: when the answer is missing and another request is already
    computing it under the same counter values, wait for that one (up to
    ``READ_CACHE_WAIT_SECONDS``) instead of computing it again. Right after a write every reader
    of the township asks again; without this each repeat of the same request arriving in the
    meantime computes the same answer, and the slower the server the more of them do.

    A request that gets ``(slot, None)`` with ``slot.flight`` set computes the answer and must
    :func:`store` or :func:`release` it. Waiting stops as soon as the counters move again (that
    answer would not be used) or the one computing gives up; the waiter then computes it itself.
    """
    slot, kept = fetch(key, counters)
    if kept is not None or slot is None:
        return slot, kept
    flight = _flight_key(slot)
    try:
        if cache.add(flight, 1, timeout=max(1, math.ceil(2 * wait_seconds()))):
            return dataclasses.replace(slot, flight=flight), None
    except Exception:
        log.warning("read cache unreachable; answering uncached", exc_info=True)
        return None, None
    deadline = time.monotonic() + wait_seconds()
    pause = 0.005
    while time.monotonic() < deadline:
        time.sleep(pause)
        pause = min(2 * pause, 0.05)
        again, kept = fetch(key, counters)
        if kept is not None:
            return again, kept
        if again is None or again.generation != slot.generation:
            return again, None
        try:
            if cache.get(flight) is None:  # the one computing gave up (no 200): compute it here
                return again, None
        except Exception:
            log.warning("read cache unreachable; answering uncached", exc_info=True)
            return None, None
    return slot, None


def release(slot: Slot | None) -> None:
    """This request no longer computes ``slot``'s answer (stored or not): waiters stop waiting."""
    if slot is not None and slot.flight:
        try:
            cache.delete(slot.flight)
        except Exception:
            log.warning("read cache unreachable", exc_info=True)


def lookup(
    request, *varies: object, depends=REACH, also: tuple[str, ...] = ()
) -> tuple[Slot | None, HttpResponse | None]:
    """``depends``: ``REACH``, ``EVERYWHERE`` or a function that says which, when asked;
    ``also``: more counters the answer depends on. A missing answer that another request is
    computing is waited for (:func:`fetch_or_wait`); the caller then :func:`store` or
    :func:`release` the slot it gets."""
    if callable(depends):
        depends = depends()
    reach = EVERYWHERE if depends == EVERYWHERE else reach_of(request.user)
    slot, kept = fetch_or_wait(answer_key(request, *varies), (*counters_of(reach), *also))
    if kept is None:
        return slot, None
    content_type, body = kept
    return slot, HttpResponse(body, content_type=content_type)


def store(slot: Slot, response) -> None:
    keep(slot, (response["Content-Type"], response.content))
    release(slot)


def _without(instance, *attnames: str):
    """A copy of a model instance with these fields deferred: read from the database if used,
    left out of a ``save()``."""
    copied = copy.copy(instance)
    copied.__dict__ = dict(instance.__dict__)
    copied._state = copy.copy(instance._state)
    for attname in attnames:
        copied.__dict__.pop(attname, None)
    return copied


@dataclass(frozen=True)
class _TokenSlot(Slot):
    kept: tuple = ()  # what was kept under it: (user, token)


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token authentication, its lookup kept like an answer: a deleted token or a
    deactivated user is a write, so it takes effect at once. What is kept holds neither the
    password hash nor the token itself (both deferred), only the hash of the token in its key."""

    def authenticate_credentials(self, key):
        if not enabled():
            return super().authenticate_credentials(key)
        slot, kept = fetch("readcache:token:" + hashlib.sha256(key.encode()).hexdigest())
        if kept is not None:
            user, token = kept
            if "_readcache_reach" not in user.__dict__:  # kept by a request that read nothing cached
                user._readcache_token_slot = _TokenSlot(slot.key, slot.generation, kept=(_without(user), token))
            return user, token
        user, token = super().authenticate_credentials(key)
        if slot is not None:
            kept_token = _without(token, "key")
            kept_token._state.fields_cache = {}
            kept = (_without(user, "password"), kept_token)
            keep(slot, kept)
            # the first cached read of this request keeps the user's reach (and scope) with it
            user._readcache_token_slot = _TokenSlot(slot.key, slot.generation, kept=kept)
        return user, token


class _Hit(Exception):  # a control-flow signal, not an error
    def __init__(self, response):
        self.response = response


class CachedReadsMixin:
    """Keep the JSON answers of ``cached_actions`` (DRF action names; ``"get"`` for an APIView).

    The lookup happens after authentication, permissions and throttling, so a stored answer is
    only ever given to the user it was computed for; only 200 answers are stored. A request
    authenticated by its token also offers the whole answer to
    :class:`workflows.kept_reads.KeptReadsMiddleware`, which answers that token's same
    request again before the view.
    """

    cached_actions: frozenset[str] = frozenset({"list"})
    read_cache_depends = REACH

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
        slot, hit = lookup(request, request.accepted_media_type, depends=self.read_cache_depends)
        if slot is not None and isinstance(request.successful_authenticator, TokenAuthentication):
            # the whole answer may be kept for this token's requests (workflows/kept_reads.py):
            # they are answered before the view, so only where the view has nothing else to check
            if not self.get_throttles():
                request._request.readcache_answer_slot = slot
        if hit is not None:
            raise _Hit(hit)
        self._read_cache_slot = slot

    def handle_exception(self, exc):
        if isinstance(exc, _Hit):
            return exc.response
        release(getattr(self, "_read_cache_slot", None))  # an error is not kept: nobody waits for it
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        slot = getattr(self, "_read_cache_slot", None)
        if slot is not None and isinstance(response, Response) and response.status_code == 200:
            response.add_post_render_callback(lambda rendered: store(slot, rendered))
        else:
            release(slot)
        return response


def _page_varies(request) -> tuple | None:
    from django.contrib.messages import get_messages

    csrf_secret = request.META.get("CSRF_COOKIE")
    if (
        request.method != "GET"
        or not enabled()
        or not request.user.is_authenticated
        or not csrf_secret  # the page would make one, for a cookie this browser does not have yet
        or len(get_messages(request))  # counting loads the messages without consuming them
    ):
        return None
    return ("page", hashlib.sha256(csrf_secret.encode()).hexdigest())


def cached_page(view=None, *, depends=REACH):
    """Keep a page view's 200 answers (see the module's docstring for what they vary on).
    ``depends=EVERYWHERE`` for a page that compares across townships (it is dropped by a write
    in any of them); a function for a page that decides when asked."""
    if view is None:
        return functools.partial(cached_page, depends=depends)

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        varies = _page_varies(request)
        slot = None
        if varies is not None:
            slot, hit = lookup(request, *varies, depends=depends, also=page_counters(request.user.pk))
            if slot is not None:
                # this browser's same request may be answered before the view next time
                request.readcache_page_slot = slot
            if hit is not None:
                return hit
        try:
            response = view(request, *args, **kwargs)
        except BaseException:
            release(slot)
            raise
        if slot is not None and response.status_code == 200 and not response.streaming:
            if hasattr(response, "render") and not response.is_rendered:
                response.add_post_render_callback(lambda rendered: store(slot, rendered))
            else:
                store(slot, response)
        else:
            release(slot)
        return response

    return wrapper
