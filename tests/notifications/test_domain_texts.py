import pytest

from notifications.texts import render_text


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
    context = {
        "title": "每月帮办一件实事",
        "unit": "党政办公室党支部",
        "due_at": "2026-12-31 23:59",
        "reason": "不够具体",
    }
    assert expected in render_text(event, context)


def test_english_text_is_available():
    assert (
        render_text("issue.closed", {"title": "Road lights"}, language="en")
        == "The work order “Road lights” was closed."
    )
