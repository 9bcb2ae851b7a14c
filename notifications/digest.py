"""The daily digest: one message per leader and commissioner instead of one per item.

Domain apps register providers in their ``AppConfig.ready()``:
``register_provider(fn)`` with ``fn(user, as_of) -> list[str]`` (lines; a heading line may
be followed by indented ones). Non-working days are skipped through a registered check
(``register_working_day_check(fn)`` with ``fn(date) -> bool``); without one, Monday–Friday.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

logger = logging.getLogger(__name__)

Provider = Callable[..., list]

_providers: list[Provider] = []
_working_day_check: list[Callable[[dt.date], bool]] = []


def register_provider(fn: Provider) -> Provider:
    if fn not in _providers:
        _providers.append(fn)
    return fn


def unregister_provider(fn: Provider) -> None:
    if fn in _providers:
        _providers.remove(fn)


def providers() -> list[Provider]:
    return list(_providers)


def register_working_day_check(fn: Callable[[dt.date], bool]) -> None:
    _working_day_check[:] = [fn]


def is_working_day(day: dt.date) -> bool:
    """The registered calendar's answer; Monday–Friday without one or when it cannot answer
    (the holiday data covers only the years up to its release)."""
    if _working_day_check:
        try:
            return bool(_working_day_check[0](day))
        except Exception:  # a calendar failure must not stop the digest
            logger.warning("Working-day check failed for %s; assuming Monday–Friday", day, exc_info=True)
    return day.weekday() < 5


def digest_lines(user, as_of: dt.datetime) -> list[str]:
    lines: list[str] = []
    for provider in providers():
        lines.extend(str(line) for line in provider(user, as_of) or [])
    return lines
