"""The one-item visibility rule agrees with the queryset that lists what a user may read."""

from __future__ import annotations

import datetime as dt

import pytest

from lists import services
from lists.models import ResponsibilityItem
from lists.selectors import item_for_transition, items_visible_to
from tests.personas import Personas

from .lists_builders import add_item, draft_list

pytestmark = pytest.mark.django_db

Item = ResponsibilityItem

PEOPLE = list(Personas.usernames)  # every named persona of the demo township


@pytest.fixture
def spread_items(personas):
    """Items of branch 01, of a far branch, one naming people of branch 01 from branch 08 (as
    assignee, lead leader and co-handler), and a draft."""
    own = draft_list(personas, month=dt.date(2026, 12, 1))
    add_item(personas, own, title="本支部事项", co_handlers=[personas.colleague])
    services.list_publish(lst=own, actor=personas.leader)
    add_item(personas, draft_list(personas, month=dt.date(2027, 1, 1)), title="草稿", assignee=None, due_at=None)
    far_leader = personas.far_branch.memberships.filter(role="leader").first().user
    far_cadre = personas.far_branch.memberships.filter(role="cadre").first().user
    far = draft_list(personas, unit=personas.far_branch)
    for title, fields in [
        ("远端事项", {}),
        ("远端指派本支部干部", {"assignee": personas.cadre}),
        ("远端协办", {"co_handlers": [personas.other_cadre]}),
        ("远端分管", {"lead_leader": personas.leader}),
    ]:
        add_item(
            personas, far, title=title, actor=far_leader, **{"assignee": far_cadre, "lead_leader": far_leader, **fields}
        )
    return Item.objects.order_by("pk")


@pytest.mark.parametrize("who", [*PEOPLE, "outsider"])
def test_one_item_is_visible_exactly_when_the_queryset_lists_it(personas, spread_items, who):
    user = personas.outsider() if who == "outsider" else getattr(personas, who)
    listed = set(items_visible_to(user, related=False).values_list("pk", flat=True))
    found = {item.pk for item in spread_items if item_for_transition(user, item.pk) is not None}
    assert found == listed
    assert who not in ("admin", "secretary") or found == {item.pk for item in spread_items}


def test_a_missing_or_malformed_item_is_not_found(personas, spread_items):
    assert item_for_transition(personas.admin, spread_items.last().pk + 1000) is None
    assert item_for_transition(personas.admin, "abc") is None


def test_the_found_item_holds_its_co_handlers_in_id_order(personas, spread_items):
    item = spread_items.get(title="本支部事项")
    found, co_handler_ids = item_for_transition(personas.colleague, item.pk)
    assert found == item
    assert co_handler_ids == [personas.colleague.pk]


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "UTC"])
def test_a_list_pages_rows_carry_the_link_and_deadline_the_template_would_make(personas, zone):
    from django.template import Context, Template
    from django.urls import reverse
    from django.utils import timezone

    from lists.selectors import items_of_list_page

    lst = draft_list(personas)
    for title, due in (("走访困难党员", dt.datetime(2026, 12, 1, 16, 30, tzinfo=dt.UTC)), ("整理党费台账", None)):
        item = add_item(personas, lst, title=title)
        ResponsibilityItem.objects.filter(pk=item.pk).update(due_at=due)  # 16:30 UTC is 00:30 the next day here
    with timezone.override(zone):
        rows = items_of_list_page(lst)
        assert len(rows) == 2
        for row in rows:
            assert row.detail_url == reverse("lists:item-detail", args=[row.pk])
            # what the row's template gave: {{ item.due_at|date:"Y-m-d H:i"|default:"—" }}
            rendered = Template('{{ d|date:"Y-m-d H:i"|default:"—" }}').render(Context({"d": row.due_at}))
            assert (row.due_label or "—") == rendered
    labels = {row.title: row.due_label for row in rows}
    assert labels["走访困难党员"] == ("2026-12-02 00:30" if zone == "Asia/Shanghai" else "2026-12-01 16:30")
