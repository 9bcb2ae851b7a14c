"""Items read from plain rows answer exactly what ItemSerializer answers.

The list and retrieve endpoints of ``items/`` build their JSON from ``values_list`` rows
(``ItemRowSerializer``) instead of model instances; these tests hold the two to byte equality
over items in every state, with and without co-handlers, lead leader, category and dates,
carried over, and through the HTTP endpoints with filters and pagination.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone
from rest_framework.renderers import JSONRenderer

from lists import services
from lists.apis import ItemViewSet
from lists.models import ResponsibilityItem, TaskCategory
from lists.selectors import items_visible_to
from lists.serializers import (
    ItemRowSerializer,
    ItemSerializer,
    item_representation,
    item_representations,
    item_rows,
)

from .lists_builders import PATHS, add_item, draft_list

pytestmark = pytest.mark.django_db

Item = ResponsibilityItem


def _json(data) -> bytes:
    return JSONRenderer().render(data)


@pytest.fixture
def varied_items(personas):
    """Items of branch 01 in every state, with and without the optional parts."""
    category = TaskCategory.objects.create(code="party-building", name="党建")
    colleague = personas.colleague
    colleague.display_name, colleague.first_name, colleague.last_name = "", "Wei", "Zhang"
    colleague.save()
    other = personas.unit("branch01").memberships.exclude(user__in=[personas.cadre, colleague]).first().user
    other.display_name, other.first_name, other.last_name = "", "", ""
    other.save()

    november = draft_list(personas, month=dt.date(2026, 11, 1))
    carried = add_item(personas, november, title="跨月事项", co_handlers=[other, colleague], category=category)
    unfinished = add_item(personas, november, title="未完成事项", urgent=True)
    december = draft_list(personas, month=dt.date(2026, 12, 1))
    by_state = {}
    for n, state in enumerate(PATHS):
        extra = {}
        if n % 2:
            extra["co_handlers"] = [colleague] if n % 4 == 1 else [colleague, other]
        if n % 3 == 0:
            extra["category"] = category
        by_state[state] = add_item(personas, december, title=f"事项 {state}", urgent=n % 2 == 0, **extra)
    services.list_publish(lst=december, actor=personas.leader)
    services.list_publish(lst=november, actor=personas.leader)
    for state, item in by_state.items():
        item.refresh_from_db()
        for service, who, kwargs in PATHS[state]:
            item = getattr(services, service)(item=item, actor=getattr(personas, who), **kwargs)
    services.list_close(
        lst=november, actor=personas.leader, decisions={carried.pk: "carry_over", unfinished.pk: "unfinished"}
    )
    january = draft_list(personas, month=dt.date(2027, 1, 1))
    add_item(personas, january, title="草稿", assignee=None, lead_leader=None, due_at=None)
    add_item(personas, january, title="草稿二", assignee=other, co_handlers=[colleague])
    items = Item.objects.all()
    assert {item.state for item in items} >= {*PATHS, "draft", "carried_over", "unfinished"}
    assert items.filter(carried_over_from__isnull=False).exists()
    return items


def _both(user, items):
    full = ItemSerializer(items_visible_to(user).filter(pk__in=items.values("pk")), many=True).data
    lean = item_representations(item_rows(items_visible_to(user, related=False).filter(pk__in=items.values("pk"))))
    return _json(full), _json(lean)


def test_rows_answer_what_the_item_serializer_answers(personas, varied_items):
    full, lean = _both(personas.leader, varied_items)
    assert lean == full
    assert len(varied_items) >= 12


def test_rows_agree_on_overdue_items(personas, varied_items):
    with time_machine.travel(timezone.now() + dt.timedelta(days=30), tick=False):
        full, lean = _both(personas.leader, varied_items)
    assert b'"is_overdue":true' in full
    assert lean == full


def test_one_row_answers_what_the_item_serializer_answers(personas, varied_items):
    for item in varied_items:
        row = item_rows(Item.objects.filter(pk=item.pk)).get()
        full = ItemSerializer(items_visible_to(personas.leader).get(pk=item.pk)).data
        assert _json(ItemRowSerializer(row).data) == _json(full)


def test_an_item_instance_answers_what_the_item_serializer_answers(personas, varied_items):
    for item in varied_items:
        full = ItemSerializer(items_visible_to(personas.leader).get(pk=item.pk)).data
        held = Item.objects.select_related("list__unit", "assignee", "lead_leader").get(pk=item.pk)
        co_handler_ids = sorted(held.co_handlers.values_list("pk", flat=True))
        assert _json(item_representation(held, co_handler_ids)) == _json(full)


@pytest.fixture
def many_items(personas, varied_items):
    """Enough items for three pages of 50 (draft items of a February list)."""
    lst = draft_list(personas, month=dt.date(2027, 2, 1))
    for n in range(110):
        add_item(personas, lst, title=f"批量 {n}", co_handlers=[personas.colleague] if n % 7 == 0 else [])
    return Item.objects.all()


URLS = [
    "/api/v1/items/",
    "/api/v1/items/?page=2",
    "/api/v1/items/?page=3",
    "/api/v1/items/?assignee=me",
    "/api/v1/items/?state=draft&page=2",
    "/api/v1/items/?state=completed&state=cancelled",
    "/api/v1/items/?overdue=true",
    "/api/v1/items/?overdue=false&page=2",
    "/api/v1/items/?warning_level=green",
    "/api/v1/items/?unit={unit}",
]


@pytest.mark.parametrize("persona", ["leader", "cadre", "commissioner", "observer", "colleague"])
def test_item_endpoints_answer_the_same_bytes_as_the_item_serializer(
    personas, api_as, many_items, persona, monkeypatch
):
    user = getattr(personas, persona)
    urls = [url.format(unit=personas.branch.pk) for url in URLS]
    urls += [f"/api/v1/items/{pk}/" for pk in many_items.values_list("pk", flat=True)[:20]]
    lean = [(api_as(user).get(url).status_code, api_as(user).get(url).content) for url in urls]
    monkeypatch.setattr(ItemViewSet, "row_actions", ())
    full = [(api_as(user).get(url).status_code, api_as(user).get(url).content) for url in urls]
    assert lean == full
    assert any(b'"next":"http' in body for _, body in lean)


def test_an_item_outside_the_scope_is_still_404(personas, api_as, varied_items):
    item = varied_items.first()
    for suffix in ("", "history/", "transitions/"):
        response = api_as(personas.other_cadre).get(f"/api/v1/items/{item.pk}/{suffix}")
        assert response.status_code == 404, suffix
        assert api_as(personas.leader).get(f"/api/v1/items/{item.pk}/{suffix}").status_code == 200


def test_a_transitions_answer_is_the_item_serializers_answer(personas, api_as, varied_items):
    """The answer built from the locked item (``item_representation``) is what ``ItemSerializer``
    answers for the item read afresh, co-handlers included."""
    item = varied_items.filter(state="assigned", co_handlers__isnull=False).first()
    assert item is not None
    for name, body, user in [
        ("accept", {}, personas.cadre),
        ("report_progress", {"text": "进展", "percent": 30}, personas.cadre),
        ("submit", {"result": "已完成"}, personas.cadre),
        ("return", {"reason": "材料不全"}, personas.leader),
    ]:
        response = api_as(user).post(f"/api/v1/items/{item.pk}/transitions/{name}/", body, format="json")
        assert response.status_code == 200, response.content
        truth = ItemSerializer(items_visible_to(user).get(pk=item.pk)).data
        assert response.content == _json(truth), name
