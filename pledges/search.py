"""Pledges in the one search box (``workflows.search``)."""

from django.utils.translation import gettext_lazy as _

from workflows.inbox import url_maker
from workflows.search import SearchProvider, matching_rows, register_search_provider

from .models import Pledge
from .selectors import pledges_visible_to


def find_pledges(user, query: str, limit: int) -> list[dict]:
    return matching_rows(
        pledges_visible_to(user),
        query,
        fields=("text",),
        title="text",
        subject_type="pledge",
        states=Pledge.State,
        url=url_maker("pledges:pledge-detail"),
        limit=limit,
    )


def register_search_providers() -> None:
    register_search_provider(SearchProvider("pledge", _("Pledge"), find_pledges))
