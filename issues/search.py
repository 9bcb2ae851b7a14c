"""Livelihood work orders in the one search box (``workflows.search``)."""

from django.utils.translation import gettext_lazy as _

from workflows.inbox import url_maker
from workflows.search import SearchProvider, matching_rows, register_search_provider

from .models import LivelihoodIssue
from .selectors import issues_visible_to


def find_issues(user, query: str, limit: int) -> list[dict]:
    return matching_rows(
        issues_visible_to(user),
        query,
        fields=("title", "description", "place_text"),
        title="title",
        subject_type="livelihood_issue",
        states=LivelihoodIssue.State,
        url=url_maker("issues:issue-detail"),
        limit=limit,
    )


def register_search_providers() -> None:
    register_search_provider(SearchProvider("livelihood_issue", _("Livelihood issue"), find_issues))
