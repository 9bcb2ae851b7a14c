"""Development error pages (and error mails) never show the password of a connection URL."""

import sys

import pytest
from django.test import RequestFactory
from django.views.debug import technical_500_response

from security.reporting import CredentialsFilter

PASSWORD = "-".join(("Pa55", "w0rd", "of", "the", "db"))  # not in the page's source lines


def error_page(request) -> str:
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        return technical_500_response(request, *sys.exc_info()).content.decode()


def test_error_page_masks_passwords_in_urls_of_the_settings_and_the_environment(settings, monkeypatch):
    url = f"postgresql://dutyflow:{PASSWORD}@db.example.gov.cn:5432/dutyflow"
    monkeypatch.setenv("DATABASE_URL", url)
    settings.REDIS_URL = f"redis://:{PASSWORD}@redis:6379/0"
    settings.CELERY_BROKER_URL = settings.REDIS_URL
    settings.CACHES = {**settings.CACHES, "shared": {"LOCATION": [settings.REDIS_URL]}}
    # the development server copies the environment into the request (wsgiref)
    request = RequestFactory().get("/boom/", DATABASE_URL=url)

    page = error_page(request)

    assert "RuntimeError" in page
    assert PASSWORD not in page
    assert "postgresql://dutyflow:********************@db.example.gov.cn:5432/dutyflow" in page


@pytest.mark.parametrize(
    "value, shown",
    [
        ("postgresql://u:secret@h/db", "postgresql://u:********************@h/db"),
        ("redis://:secret@h:6379/0", "redis://:********************@h:6379/0"),
        ("postgresql://u:p@ss@h/db", "postgresql://u:********************@h/db"),
        ("postgresql://postgres@127.0.0.1:5432/db", "postgresql://postgres@127.0.0.1:5432/db"),
        ("http://127.0.0.1:8000/a@b", "http://127.0.0.1:8000/a@b"),
        ("memory://", "memory://"),
    ],
)
def test_only_the_password_of_a_url_is_masked(value, shown):
    assert CredentialsFilter().cleanse_setting("SOME_URL", value) == shown


def test_the_filter_is_the_projects(settings):
    assert settings.DEFAULT_EXCEPTION_REPORTER_FILTER == "security.reporting.CredentialsFilter"
