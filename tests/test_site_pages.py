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


BRANCHES = [("cadre", "leader", "branch"), ("b_cadre", "b_leader", "b_branch")]


def _list(township, assignee, leader, unit, **kwargs):
    from tests.lists.pages_helpers import build_list

    who = {
        "assignee": getattr(township, assignee),
        "leader": getattr(township, leader),
        "unit": getattr(township, unit),
    }
    return build_list(township, **who, **kwargs)


@pytest.mark.parametrize(("assignee", "leader", "unit"), BRANCHES)
def test_publishing_asks_first_naming_what_happens(township, assignee, leader, unit):
    lst = _list(township, assignee, leader, unit, publish=False)
    body = page(getattr(township, leader), f"/lists/{lst.pk}/").content.decode()
    assert "确定下单吗？每项任务都将派发给责任人" in body


@pytest.mark.parametrize(("assignee", "leader", "unit"), BRANCHES)
def test_publishing_says_what_happened(township, assignee, leader, unit):
    lst = _list(township, assignee, leader, unit, publish=False)
    client = Client()
    client.force_login(getattr(township, leader))
    response = client.post(f"/lists/{lst.pk}/publish/", follow=True, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "操作成功" not in response.content.decode()
    assert [m.message for m in response.context["messages"]] != []


@pytest.mark.parametrize(("assignee", "leader", "unit"), BRANCHES)
def test_the_verification_queue_shows_evidence_thumbnails_and_asks_before_verifying(
    township, assignee, leader, unit, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from lists import services

    settings.MEDIA_ROOT = tmp_path
    item = _list(township, assignee, leader, unit).items.get()
    cadre = getattr(township, assignee)
    item = services.item_accept(item=item, actor=cadre)
    item = services.item_report_progress(item=item, actor=cadre, text="推进中", percent=60)
    png = SimpleUploadedFile("photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    services.item_add_evidence(item=item, actor=cadre, upload=png, content_type="image/png")
    services.item_submit(item=item, actor=cadre, result="已完成")
    body = page(getattr(township, leader), "/lists/verify/").content.decode()
    assert 'class="thumb"' in body and "确定这项任务已办结吗" in body


@pytest.mark.parametrize(("assignee", "leader", "unit"), BRANCHES)
def test_cancelling_an_item_asks_first(township, assignee, leader, unit):
    item = _list(township, assignee, leader, unit).items.get()
    body = page(getattr(township, leader), f"/lists/items/{item.pk}/").content.decode()
    assert "确定撤销这项任务吗" in body


@pytest.mark.parametrize("persona", ["cadre", "b_cadre"])
def test_registering_an_issue_offers_a_phone_keypad_and_the_camera(township, persona):
    body = page(getattr(township, persona), "/lists/issues/new/").content.decode()
    assert 'type="tel"' in body and 'capture="environment"' in body


@pytest.mark.parametrize("persona", ["leader", "b_leader"])
def test_a_new_list_asks_for_its_month_with_a_month_picker(township, persona):
    body = page(getattr(township, persona), "/lists/").content.decode()
    assert 'type="month"' in body
