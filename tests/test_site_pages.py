"""The frame every page shares: the grouped menu, the phone menu button, our error pages."""

import pytest
from django.test import Client

from tests.personas import Personas

pytestmark = pytest.mark.django_db

GROUPS = ["我的工作", "清单", "承诺", "民生"]


def page(user, path, **extra):
    client = Client()
    client.force_login(user)
    return client.get(path, HTTP_ACCEPT_LANGUAGE="zh-hans", **extra)


@pytest.mark.parametrize("persona", sorted(Personas.usernames))
def test_home_shows_the_menu_grouped_by_area_with_a_phone_menu_button(township, persona):
    body = page(getattr(township, persona), "/").content.decode()
    assert 'class="menu-toggle"' in body and 'aria-controls="menu"' in body
    for title in GROUPS:
        assert f">{title}" in body


@pytest.mark.parametrize("persona", ["leader", "b_leader", "commissioner", "b_commissioner", "observer", "secretary"])
def test_supervisors_see_supervision_and_assessment_groups(township, persona):
    body = page(getattr(township, persona), "/").content.decode()
    assert ">督办" in body and ">考核" in body


@pytest.mark.parametrize("persona", ["cadre", "b_cadre"])
def test_a_cadre_sees_no_supervision_group(township, persona):
    body = page(getattr(township, persona), "/").content.decode()
    assert ">督办" not in body


@pytest.mark.parametrize("persona", ["cadre", "b_cadre", "commissioner", "b_commissioner", "observer"])
def test_no_menu_or_home_link_to_the_dispatch_board_for_those_it_refuses(township, persona):
    body = page(getattr(township, persona), "/").content.decode()
    assert "/lists/issues/dispatch/" not in body and "/lists/issues/follow-ups/" not in body


@pytest.mark.parametrize("persona", ["commissioner", "b_commissioner", "observer"])
def test_no_register_link_for_those_who_may_not_register(township, persona):
    body = page(getattr(township, persona), "/lists/issues/").content.decode()
    assert "/lists/issues/new/" not in body


@pytest.mark.parametrize("persona", ["cadre", "b_cadre"])
def test_the_count_of_items_to_accept_shows_in_the_menu(township, persona):
    from lists.models import ResponsibilityItem as Item

    response = page(getattr(township, persona), "/")
    expected = Item.objects.filter(assignee=getattr(township, persona), state=Item.State.ASSIGNED).count()
    assert response.context["nav_counts"]["to_accept"] == expected


@pytest.mark.parametrize("persona", ["cadre", "b_cadre"])
def test_a_refused_page_is_ours_in_chinese(township, persona):
    response = page(getattr(township, persona), "/lists/issues/dispatch/")
    assert response.status_code == 403
    body = response.content.decode()
    assert "无权操作" in body and "返回首页" in body and "Forbidden" not in body


@pytest.mark.parametrize("debug", [True, False])
def test_a_missing_page_is_ours_even_with_debug_on(township, settings, debug):
    settings.DEBUG = debug
    response = page(township.cadre, "/lists/items/999999/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "页面不存在" in body and "URLconf" not in body


def test_a_missing_api_object_keeps_its_json(township, settings):
    settings.DEBUG = True
    response = page(township.cadre, "/api/v1/items/999999/")
    assert response.status_code in {401, 404}
    assert "页面不存在" not in response.content.decode()


@pytest.mark.parametrize(
    ("assignee", "leader", "unit"), [("cadre", "leader", "branch"), ("b_cadre", "b_leader", "b_branch")]
)
def test_an_item_past_its_deadline_shows_red_before_the_sweep(township, assignee, leader, unit):
    import datetime as dt

    import time_machine

    from tests.lists.pages_helpers import build_list

    lst = build_list(
        township, unit=getattr(township, unit), leader=getattr(township, leader), assignee=getattr(township, assignee)
    )
    item = lst.items.get()
    assert item.warning_level == "green"
    with time_machine.travel(item.due_at + dt.timedelta(hours=1)):
        body = page(getattr(township, assignee), f"/lists/items/{item.pk}/").content.decode()
    assert 'class="warn warn-red"' in body
