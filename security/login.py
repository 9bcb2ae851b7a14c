"""Login protection: repeated failures lock a username for the IP they came from (django-axes).

Settings: ``AXES_FAILURE_LIMIT`` failures (default 6: the sixth wrong password locks) for one
``(username, IP)`` pair lock that pair for ``AXES_COOLOFF_TIME``; a success resets the count.
Pages get a Chinese (or English) explanation, the API a JSON ``{"detail"}``, both with 429.
"""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend
from axes.signals import user_locked_out
from django.conf import settings
from django.dispatch import receiver
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


class LoginProtectionBackend(AxesStandaloneBackend):
    """Refuses locked-out credentials; authentication itself is left to ``ModelBackend``.

    A call without a request (``Client.login`` in tests, the shell) has no IP to count
    against, so it is not checked here; every HTTP login path (the login page, the token
    endpoint, DRF's authenticators) passes its request.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


@receiver(user_locked_out, dispatch_uid="security.flag_drf_lockout")
def flag_underlying_request(sender, request, **kwargs):
    """DRF wraps the Django request: carry the lockout flag to the request the middleware sees."""
    django_request = getattr(request, "_request", None)
    if django_request is not None:
        django_request.axes_locked_out = True
        django_request.axes_credentials = getattr(request, "axes_credentials", None)


def client_ip(request) -> str | None:
    """``AXES_CLIENT_IP_CALLABLE``: the client's address, seen through ``TRUSTED_PROXY_COUNT`` proxies.

    Behind a reverse proxy every request comes from the proxy's address; the client is the
    entry that many places from the right of ``X-Forwarded-For`` (entries further left are
    whatever the client sent and cannot be trusted). With no trusted proxy: ``REMOTE_ADDR``.
    """
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR")


def lockout_minutes() -> int:
    cooloff = settings.AXES_COOLOFF_TIME
    return int(cooloff.total_seconds() // 60) if cooloff else 0


def lockout_message() -> str:
    return _(
        "Too many failed login attempts: this account is locked on this device for %(minutes)s minutes. "
        "Try again later, or ask an administrator to unlock it."
    ) % {"minutes": lockout_minutes()}


def lockout_response(request, original_response=None, credentials=None):
    """``AXES_LOCKOUT_CALLABLE``: 429 with a JSON detail for the API, the lockout page otherwise."""
    status = settings.AXES_HTTP_RESPONSE_CODE
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": lockout_message()}, status=status)
    return render(request, "security/locked_out.html", {"message": lockout_message()}, status=status)
