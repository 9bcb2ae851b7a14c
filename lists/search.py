"""Items in the one search box (``workflows.search``)."""

from django.utils.translation import gettext_lazy as _

from workflows.inbox import url_maker
from workflows.search import SearchProvider, matching_rows, register_search_provider

from .models import ResponsibilityItem
from .selectors import items_visible_to


def find_items(user, query: str, limit: int) -> list[dict]:
    return matching_rows(
        items_visible_to(user, related=False),
        query,
        fields=("title", "standard"),
        title="title",
        subject_type="item",
        states=ResponsibilityItem.State,
        url=url_maker("lists:item-detail"),
        limit=limit,
    )


def register_search_providers() -> None:
    register_search_provider(SearchProvider("item", _("Responsibility item"), find_items))
