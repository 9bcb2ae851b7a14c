"""The notification texts this app registers render in zh-Hans (the site language) and English."""

import pytest
from django.utils import translation

from notifications import registry
from notifications.texts import render_text

CONTEXT = {"title": "每月帮办一件实事", "unit": "党政办公室党支部", "due_at": "2026-12-31 23:59", "reason": "不够具体"}


@pytest.mark.parametrize(
    ("event", "expected"),
    [("issue.dispatched", "有工单派给您：“每月帮办一件实事”"), ("issue.resolved", "请进行回访")],
)
def test_work_order_events_have_their_own_chinese_text(event, expected):
    assert expected in render_text(event, CONTEXT)


def test_english_text_is_available():
    assert (
        render_text("issue.closed", {"title": "Road lights"}, language="en")
        == "The work order “Road lights” was closed."
    )


def test_work_orders_are_a_group_of_their_own():
    assert registry.event("issue.reopened").group == "issue"
    with translation.override("zh-hans"):
        assert str(dict(registry.group_choices())["issue"]) == "民生问题"
