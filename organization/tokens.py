"""API tokens (django-rest-knox): stored hashed, expire after ``API_TOKEN_IDLE_HOURS`` without
use, revoked by the caller, and dropped when their user's password changes or the user is
deactivated (``User.save``)."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from knox.models import AuthToken
from rest_framework import exceptions


class TokenAuthentication(KnoxTokenAuthentication):
    """``Authorization: Token <token>``; each use moves the token's expiry one idle period on
    (written at most once a minute, knox's MIN_REFRESH_INTERVAL)."""

    def authenticate_credentials(self, token: bytes):
        try:
            token.decode("ascii")
        except UnicodeDecodeError:  # knox would fail with a 500
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        return super().authenticate_credentials(token)

    def _cleanup_token(self, auth_token) -> bool:
        # Knox also reads and purges every other token of the user on each request: one query
        # more per API call. Other expired tokens are purged when the user gets a new one.
        if auth_token.expiry is not None and auth_token.expiry < timezone.now():
            auth_token.delete()
            return True
        return False


class TokenScheme(OpenApiAuthenticationExtension):
    """The schema names the scheme as before knox (``tokenAuth``, ``Authorization: Token …``)."""

    target_class = TokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(header_name="Authorization", token_prefix="Token")


class IssuedToken(NamedTuple):
    key: str  # what the client sends; shown once, only its hash is stored
    expiry: dt.datetime | None


def token_issue(*, user) -> IssuedToken:
    """A new token for ``user``; the user's expired tokens are purged on the way."""
    with transaction.atomic():
        AuthToken.objects.filter(user=user, expiry__lt=timezone.now()).delete()
        instance, key = AuthToken.objects.create(user=user)
    return IssuedToken(key, instance.expiry)


def token_revoke(*, token: AuthToken) -> None:
    token.delete()


def tokens_revoke_all(*, user_id: int) -> int:
    """Drop every token of the user; returns how many there were."""
    deleted, _by_model = AuthToken.objects.filter(user_id=user_id).delete()
    return deleted
