"""The notification texts this app registers render in zh-Hans (the site language) and English."""

import pytest
from django.utils import translation

from notifications import registry
from notifications.texts import render_text

CONTEXT = {"title": "每月帮办一件实事", "unit": "党政办公室党支部", "due_at": "2026-12-31 23:59", "reason": "不够具体"}


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        ("pledge.approved", "您的承诺“每月帮办一件实事”已审核通过"),
        ("pledge.returned", "被退回：不够具体"),
        ("issue.dispatched", "有工单派给您：“每月帮办一件实事”"),
        ("issue.resolved", "请进行回访"),
        ("list.published", "已下单"),
    ],
)
def test_pledge_issue_and_list_events_have_their_own_chinese_text(event, expected):
    assert expected in render_text(event, CONTEXT)


def test_english_text_is_available():
    assert (
        render_text("issue.closed", {"title": "Road lights"}, language="en")
        == "The work order “Road lights” was closed."
    )


def test_the_groups_a_user_may_mute_are_labelled_in_chinese():
    with translation.override("zh-hans"):
        labels = {key: str(label) for key, label in registry.group_choices()}
    assert (labels["item"], labels["pledge"], labels["issue"]) == ("责任清单事项", "承诺践诺", "民生问题")
