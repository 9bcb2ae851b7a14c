"""Stand-ins (代理) as the engine sees them: whom a user stands in for today.

The engine knows no delegation model: the app that keeps them registers a source (from its
``AppConfig.ready()``) returning, for a user, the persons they stand in for today, each with the
page link that lets the stand-in open one of the person's steps (pages act for one person at a
time). The API and the inbox ask ``principals_of``; the log names who acted through
``workflows.audit.acting_for``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Principal:
    """Someone ``user`` stands in for today."""

    user: object  # the person away
    act_url: Callable[[str], str]  # a page of the person's → the link that opens it as their stand-in


_source: Callable[[object], list[Principal]] | None = None


def register_stand_in_source(source: Callable[[object], list[Principal]]) -> None:
    global _source
    _source = source


def principals_of(user) -> list[Principal]:
    """The persons ``user`` stands in for today (none without a registered source)."""
    if _source is None or user is None or not getattr(user, "is_authenticated", False):
        return []
    return _source(user)
