"""bench/read_floors.py: each read's floor returns the rows its endpoint returns.

load.py measures every read endpoint against its floor (the same rows by one SQL statement), so
a floor that drifted from its endpoint would make the comparison meaningless."""

import datetime as dt
import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from lists import services
from lists.models import ResponsibilityItem
from notifications.models import Notification
from tests.lists.lists_builders import add_item, draft_list

pytestmark = pytest.mark.urls("bench.urls")


@pytest.fixture
def world(personas):
    """A published list of branch 01: items in several states, two overdue, one co-handled by
    the cadre's colleague; notifications for the cadre."""
    lst = draft_list(personas)
    items = [add_item(personas, lst, title=f"事项{k}") for k in range(6)]
    services.item_update(item=items[1], actor=personas.leader, co_handlers=[personas.colleague])
    services.list_publish(lst=lst, actor=personas.leader)
    items = [ResponsibilityItem.objects.get(pk=item.pk) for item in items]
    services.item_accept(item=items[0], actor=personas.cadre)
    services.item_accept(item=items[2], actor=personas.cadre)
    services.item_report_progress(item=items[2], actor=personas.cadre, text="started")
    items[3].refresh_from_db()
    services.item_accept(item=items[3], actor=personas.cadre)
    past = timezone.now() - dt.timedelta(days=9)
    ResponsibilityItem.objects.filter(pk__in=[items[4].pk, items[5].pk]).update(due_at=past, escalation_level=1)
    subject_type = ContentType.objects.get_for_model(ResponsibilityItem)
    for item in items[:3]:
        Notification.objects.create(
            recipient=personas.cadre, event="item.assigned", subject_type=subject_type, subject_id=item.pk, text="t"
        )
    return lst, items


def _api(client, user, path):
    client.force_authenticate(user)
    answer = client.get(path)
    assert answer.status_code == 200, (path, answer.content)
    return answer.json()


def _ids_in_page(content: bytes, ids) -> list[int]:
    """The ids of ``ids`` in the order their item links appear on a page."""
    found = [(m.start(), int(m.group(1))) for m in re.finditer(rb"/lists/items/(\d+)/", content)]
    seen = []
    for _at, pk in sorted(found):
        if pk in ids and pk not in seen:
            seen.append(pk)
    return seen


@pytest.mark.parametrize(
    "who,endpoint,floor",
    [
        ("cadre", "/api/v1/items/?assignee=me", "/bench/floor/read/my_items/"),
        ("leader", "/api/v1/items/?list={list}", "/bench/floor/read/list_api/{list}/"),
        ("cadre", "/api/v1/notifications/", "/bench/floor/read/notifications/"),
    ],
)
def test_paged_floor_returns_the_endpoints_rows(world, personas, api, who, endpoint, floor):
    lst, _items = world
    user = getattr(personas, who)
    mine = _api(api, user, endpoint.format(list=lst.pk))
    base = _api(api, user, floor.format(list=lst.pk))
    assert mine["results"], "the fixture should give this endpoint rows"
    assert [row["id"] for row in base["results"]] == [row["id"] for row in mine["results"]]
    assert base["count"] == mine["count"]
    if "items" in endpoint:
        for ours, theirs in zip(base["results"], mine["results"], strict=True):
            for key in ("title", "state", "assignee_name", "lead_leader_name", "co_handlers", "is_overdue"):
                assert ours[key] == theirs[key], key


def test_history_floor_returns_the_items_log(world, personas, api):
    item = world[1][2]
    mine = _api(api, personas.cadre, f"/api/v1/items/{item.pk}/history/")
    base = _api(api, personas.cadre, f"/bench/floor/read/history/{item.pk}/")
    assert [(r["transition"], r["actor"]) for r in base["results"]] == [(r["transition"], r["actor"]) for r in mine]
    assert len(mine) >= 3


def test_history_floor_hides_an_item_outside_the_callers_scope(world, personas, api):
    item = world[1][2]
    assert _api(api, personas.b_cadre, f"/bench/floor/read/history/{item.pk}/")["results"] == []


def test_overdue_floor_returns_the_queue(world, personas, api):
    mine = _api(api, personas.township_commissioner, "/api/v1/supervision/overdue/")
    base = _api(api, personas.township_commissioner, "/bench/floor/read/overdue/")
    assert [row["id"] for row in mine["results"]] == [w.pk for w in world[1][4:]]
    assert [row["id"] for row in base["results"]] == [row["id"] for row in mine["results"]]
    assert base["count"] == mine["count"]


@pytest.mark.parametrize("who", ["cadre", "leader"])
def test_inbox_floor_returns_the_inbox(world, personas, api, who):
    user = getattr(personas, who)
    mine = _api(api, user, "/api/v1/inbox/")
    base = _api(api, user, "/bench/floor/read/inbox/")
    rows = mine["results"] if isinstance(mine, dict) else mine
    steps = [(r["subject_type"], r["subject_id"], r["action"]) for r in rows]
    assert steps
    assert [(r["subject_type"], r["subject_id"], r["action"]) for r in base["results"]] == steps


def test_list_page_floor_returns_the_pages_items(world, personas, client):
    lst, items = world
    client.force_login(personas.leader)
    page = client.get(f"/lists/{lst.pk}/")
    base = client.get(f"/bench/floor/read/list_page/{lst.pk}/").json()
    ids = [row["id"] for row in base["results"]]
    assert ids == [item.pk for item in items]
    assert _ids_in_page(page.content, ids) == ids
    assert base["results"][1]["co_handlers"] == [personas.colleague.display_name or personas.colleague.username]


def test_my_tasks_floor_returns_the_pages_items(world, personas, client):
    client.force_login(personas.colleague)
    page = client.get("/lists/my/")
    base = client.get("/bench/floor/read/my_tasks/").json()
    ids = [row["id"] for row in base["results"]]
    assert [row["co_handled"] for row in base["results"]] == [True]
    assert _ids_in_page(page.content, ids) == ids
    client.force_login(personas.cadre)
    page = client.get("/lists/my/")
    base = client.get("/bench/floor/read/my_tasks/").json()
    ids = [row["id"] for row in base["results"]]
    assert len(ids) == 6
    assert _ids_in_page(page.content, ids) == ids


def test_dashboard_floor_has_the_dashboards_top_overdue_items(world, personas, client):
    client.force_login(personas.secretary)
    page = client.get("/reports/")
    assert page.status_code == 200
    base = client.get("/bench/floor/read/dashboard/").json()
    top = [row["item"] for row in base["results"] if row["item"] is not None]
    assert top == [item.pk for item in page.context["top_overdue"]]
    branch = next(row for row in base["results"] if row["item"] is None and row["id"] == personas.branch.pk)
    assert branch["overdue"] == 2


def test_read_floors_refuse_anonymous_callers(api):
    assert api.get("/bench/floor/read/my_items/").status_code in (401, 403)
