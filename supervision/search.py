"""Supervision cases in the one search box (``workflows.search``)."""

from django.utils.translation import gettext_lazy as _

from workflows.inbox import url_maker
from workflows.search import SearchProvider, matching_rows, register_search_provider

from .models import SupervisionCase
from .selectors import cases_visible_to


def find_cases(user, query: str, limit: int) -> list[dict]:
    return matching_rows(
        cases_visible_to(user),
        query,
        fields=("subject_title", "reason", "conclusion"),
        title="subject_title",
        subject_type="supervision_case",
        states=SupervisionCase.State,
        url=url_maker("supervision:case-detail"),
        limit=limit,
    )


def register_search_providers() -> None:
    register_search_provider(SearchProvider("supervision_case", _("Supervision case"), find_cases))
