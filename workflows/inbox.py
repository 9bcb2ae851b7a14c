"""One inbox: every step waiting on a user, gathered from the providers the domain registers.

Domain apps register one provider per subject type (``register_inbox_provider`` from their
AppConfig.ready()); the engine never imports the domain, the way the sweep's targets work.
A provider returns plain dicts, scoped to the user's township, in a bounded number of queries
(one or two, never one per row)::

    {"subject_type", "subject_id", "title", "action", "action_label", "due_at", "url"}

Activities and findings join by registering providers of their own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class InboxProvider:
    subject_type: str  # "item", "list", "extension", "pledge", "livelihood_issue", "supervision_case"
    label: str  # the subject's name on the page
    rows: Callable[[object], list[dict]]  # user -> the steps waiting on them
    actions: tuple[str, ...] = ()  # the action codes the provider may return


_PROVIDERS: dict[str, InboxProvider] = {}


def register_inbox_provider(provider: InboxProvider) -> None:
    _PROVIDERS[provider.subject_type] = provider


def inbox_providers() -> list[InboxProvider]:
    return list(_PROVIDERS.values())


def subject_types() -> tuple[str, ...]:
    return tuple(_PROVIDERS)


def _sort_key(row: dict):
    due = row["due_at"]
    return (due is None, due or dt.datetime.min.replace(tzinfo=dt.UTC), row["subject_type"], row["subject_id"])


def inbox_for(user, subject_type: str | None = None) -> list[dict]:
    """The steps waiting on ``user``, soonest deadline first (no deadline last).

    ``subject_type`` narrows to one provider; an unknown one raises ``KeyError``.
    """
    if subject_type is not None:
        providers = [_PROVIDERS[subject_type]]
    else:
        providers = list(_PROVIDERS.values())
    rows = [row for provider in providers for row in provider.rows(user)]
    labels = {p.subject_type: p.label for p in providers}
    for row in rows:
        row.setdefault("subject_label", labels[row["subject_type"]])
    rows.sort(key=_sort_key)
    return rows


def inbox_row(subject_type: str, subject_id: int, title: str, action: str, action_label, due_at, url: str) -> dict:
    """One step waiting on a user, in the shape every provider returns."""
    return {
        "subject_type": subject_type,
        "subject_id": subject_id,
        "title": title,
        "action": action,
        "action_label": action_label,
        "due_at": due_at,
        "url": url,
    }


_PK_MARK = 987654321987  # a primary key no row has: its place in the reversed URL is the key's


def url_maker(name: str):
    """``pk → reverse(name, args=[pk])``, reversing once: the URL with a marker key, split at it."""
    head, tail = reverse(name, args=[_PK_MARK]).split(str(_PK_MARK))
    return lambda pk: f"{head}{int(pk)}{tail}"
