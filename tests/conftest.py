"""Shared fixtures: the demo township and named personas, so permission tests read like sentences."""

import datetime as dt
import os

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from tests.personas import Personas

REQUIRE_SERVICES = os.environ.get("DUTYFLOW_REQUIRE_SERVICES") == "1" or os.environ.get("CI") == "true"


def require_service(what: str) -> None:
    """Fail in CI, skip elsewhere: CI must never pass by skipping what it was meant to test."""
    message = f"{what} is not available"
    if REQUIRE_SERVICES:
        pytest.fail(message + " (required in CI)")
    pytest.skip(message)


@pytest.fixture
def township(db):
    """The demo township of API.md."""
    from organization.demo import seed_organization

    seed_organization()
    return Personas()


@pytest.fixture
def personas(township):
    return township


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def api_as(api):
    """``api_as(user)`` → an API client authenticated as ``user`` (session-less, forced auth)."""

    def login(user):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user=user)
        return client

    return login


def require_redis() -> str:
    """The test Redis URL, once it answers (fails in CI, skips elsewhere otherwise)."""
    url = settings.REDIS_URL
    if not url:
        require_service("Redis (REDIS_URL)")
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError:
        require_service(f"Redis at {url}")
    return url


@pytest.fixture
def redis_url():
    return require_redis()


@pytest.fixture
def eager_celery(settings):
    """Run Celery tasks in-process for this test."""
    from config.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    settings.CELERY_TASK_ALWAYS_EAGER = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture
def postgresql(db):
    """The database connection, when it is PostgreSQL (fails in CI, skips elsewhere otherwise)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        require_service("PostgreSQL (DATABASE_URL)")
    return connection


@pytest.fixture(autouse=True)
def _no_quiet_hours_unless_asked(request, monkeypatch):
    """The suite runs at any hour, and 22:00–07:00 in Shanghai (14:00–23:00 UTC) would hold every
    non-urgent email and bot message till 07:00. Tests of the quiet hours are marked
    ``quiet_hours`` and set the clock themselves; for the others the window is empty."""
    if request.node.get_closest_marker("quiet_hours"):
        return
    from notifications.models import NotificationPreference

    monkeypatch.setattr(NotificationPreference, "QUIET_START", dt.time(0, 0))
    monkeypatch.setattr(NotificationPreference, "QUIET_END", dt.time(0, 0))


@pytest.fixture(autouse=True)
def _answers_match_the_document(request, monkeypatch):
    """Every ``/api/`` answer the test client receives is checked against ``/api/schema/``
    (tests/openapi_contract.py): a drift from the published document fails where it is made."""
    if request.node.get_closest_marker("off_contract"):
        return
    from django.test.client import Client

    from tests.openapi_contract import check_response

    send = Client.request

    def request_and_check(self, **kwargs):
        response = send(self, **kwargs)
        check_response(response)
        return response

    monkeypatch.setattr(Client, "request", request_and_check)


@pytest.fixture
def shared_report_figures(settings):
    """Processes reuse the cluster-wide assessment for a minute, as in production."""
    from reports import selectors

    settings.REPORTS_CACHE_SECONDS = 60
    selectors._shared.clear()
    yield
    selectors._shared.clear()


AUDIT_TABLES = ("workflows_transitionlog", "workflows_auditcheckpoint")


@pytest.fixture(scope="session", autouse=True)
def flush_past_the_audit_triggers():
    """Transactional tests are cleaned up with TRUNCATE, which triggers refuse on the audit tables
    (PostgreSQL); the test database's owner turns them off around that statement, as only an
    owner can."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    original = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        sql = original(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        guarded = [table for table in AUDIT_TABLES if table in tables]
        if not sql or not guarded:
            return sql
        disable = [f"ALTER TABLE {table} DISABLE TRIGGER USER;" for table in guarded]
        enable = [f"ALTER TABLE {table} ENABLE TRIGGER USER;" for table in guarded]
        return disable + list(sql) + enable

    DatabaseOperations.sql_flush = sql_flush
    yield
    DatabaseOperations.sql_flush = original
