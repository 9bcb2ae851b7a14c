"""The daily digest: one message per leader and commissioner instead of one per item.

Domain apps register providers in their ``AppConfig.ready()``:
``register_provider(fn)`` with ``fn(user, as_of) -> list[str]`` (lines; a heading line may
be followed by indented ones). Non-working days are skipped through a registered check
(``register_working_day_check(fn)`` with ``fn(date) -> bool``); without one, Monday–Friday.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

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
    if _working_day_check:
        return bool(_working_day_check[0](day))
    return day.weekday() < 5


def digest_lines(user, as_of: dt.datetime) -> list[str]:
    lines: list[str] = []
    for provider in providers():
        lines.extend(str(line) for line in provider(user, as_of) or [])
    return lines
