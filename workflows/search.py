"""One search box: text search across every subject the caller may read.

Domain apps register one provider per subject type (``register_search_provider`` from their
AppConfig.ready()), as they do for the inbox; the engine never imports the domain. A provider
gets the user, the query and a row limit and returns plain dicts, scoped to the user's
township and readable set, newest first, in one query::

    {"subject_type", "subject_id", "title", "state", "state_label", "url"}

Matching is a substring match (``icontains``), so Chinese works without a tokenizer: "路灯"
finds "修复村口路灯". On PostgreSQL the searched columns carry pg_trgm GIN indexes on
``UPPER(column)`` (the expression Django's ``icontains`` uses), which serve queries of three
characters or more; one- and two-character queries fall back to scanning the caller's scoped
rows (the township's, never the whole table).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

#: Queries are trimmed and cut to this length.
MAX_QUERY_LENGTH = 100
#: Rows returned per subject type at most.
PER_SUBJECT_LIMIT = 50


@dataclass(frozen=True)
class SearchProvider:
    subject_type: str  # "item", "livelihood_issue", "pledge", "supervision_case", "activity"
    label: str  # the subject's name on the page
    find: Callable[[object, str, int], list[dict]]  # (user, query, limit) -> rows


_PROVIDERS: dict[str, SearchProvider] = {}


def register_search_provider(provider: SearchProvider) -> None:
    _PROVIDERS[provider.subject_type] = provider


def search_providers() -> list[SearchProvider]:
    return list(_PROVIDERS.values())


def search_subject_types() -> tuple[str, ...]:
    return tuple(_PROVIDERS)


def clean_query(raw: str | None) -> str:
    return " ".join((raw or "").split())[:MAX_QUERY_LENGTH]


def search_for(user, query: str, subject_type: str | None = None, *, limit: int = PER_SUBJECT_LIMIT) -> list[dict]:
    """What ``user`` may read whose text contains ``query``: each subject's newest first, subjects in
    registration order. ``subject_type`` narrows to one provider (an unknown one raises ``KeyError``)."""
    query = clean_query(query)
    if not query:
        return []
    providers = [_PROVIDERS[subject_type]] if subject_type is not None else list(_PROVIDERS.values())
    rows = []
    for provider in providers:
        for row in provider.find(user, query, limit):
            row.setdefault("subject_label", provider.label)
            rows.append(row)
    return rows


def matching_rows(
    queryset, query: str, *, fields: tuple[str, ...], title: str, subject_type: str, states, url, limit: int
) -> list[dict]:
    """The rows of a (scoped) ``queryset`` whose ``fields`` contain ``query``, newest first, as
    search rows: one query, only the columns shown. ``states`` is the model's state choices
    (TextChoices), ``url`` maps a primary key to the subject's page."""
    from django.db.models import Q

    match = Q()
    for name in fields:
        match |= Q(**{f"{name}__icontains": query})
    labels = dict(states.choices)
    found = queryset.filter(match).order_by("-pk").values_list("pk", title, "state")[:limit]
    return [
        {
            "subject_type": subject_type,
            "subject_id": pk,
            "title": text,
            "state": state,
            "state_label": str(labels.get(state, state)),
            "url": url(pk),
        }
        for pk, text, state in found
    ]


def trigram_indexes(app_label: str, model_name: str, fields: tuple[str, ...]):
    """A migration operation: pg_trgm GIN indexes on ``UPPER(field)`` for each of ``fields`` on
    PostgreSQL (what ``icontains`` filters on); nothing on SQLite, where search scans the scoped
    rows. pg_trgm is a trusted extension: the database owner may create it."""
    from django.db import migrations

    def names(model):
        table = model._meta.db_table
        return [(f"{table[:40]}_{field}_trgm", table, model._meta.get_field(field).column) for field in fields]

    def forward(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for index, table, column in names(apps.get_model(app_label, model_name)):
            schema_editor.execute(
                f'CREATE INDEX IF NOT EXISTS "{index}" ON "{table}" USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
            )

    def backward(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for index, _table, _column in names(apps.get_model(app_label, model_name)):
            schema_editor.execute(f'DROP INDEX IF EXISTS "{index}"')

    return migrations.RunPython(forward, backward)
