"""Activities in the one search box (``workflows.search``)."""

from django.utils.translation import gettext_lazy as _

from workflows.inbox import url_maker
from workflows.search import SearchProvider, matching_rows, register_search_provider

from .models import Activity
from .selectors import activities_visible_to


def find_activities(user, query: str, limit: int) -> list[dict]:
    return matching_rows(
        activities_visible_to(user),
        query,
        fields=("title", "place", "minutes"),
        title="title",
        subject_type="activity",
        states=Activity.State,
        url=url_maker("partylife:activity-detail"),
        limit=limit,
    )


def register_search_providers() -> None:
    register_search_provider(SearchProvider("activity", _("Activity"), find_activities))
