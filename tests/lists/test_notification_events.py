"""The notification texts this app registers render in zh-Hans (the site language) and English."""

from django.utils import translation

from notifications import registry
from notifications.texts import render_text

CONTEXT = {"title": "主题党日", "unit": "第一支部", "due_at": "2026-12-10 18:00", "url": "/lists/items/1/"}


def test_list_published_text_is_chinese():
    assert "已下单" in render_text("list.published", CONTEXT)


def test_english_text_is_available():
    assert render_text("item.assigned", CONTEXT, language="en").startswith("New task for you")


def test_the_groups_a_user_may_mute_are_labelled_in_chinese():
    with translation.override("zh-hans"):
        labels = {key: str(label) for key, label in registry.group_choices()}
    assert (labels["item"], labels["extension"], labels["sweep"]) == ("责任清单事项", "延期申请", "预警提醒")
