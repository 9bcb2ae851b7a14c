"""Shared fixtures of the trust tests: a logged item."""

import pytest

from lists import services
from tests.lists.lists_builders import item_in_state


@pytest.fixture
def item(personas):
    """A submitted item: its list's chain has one row (publish), its own four."""
    item = item_in_state(personas, "in_progress")
    return services.item_submit(item=item, actor=personas.cadre, result="已召开")
