"""The notification texts this app registers render in zh-Hans (the site language) and English."""

import pytest
from django.utils import translation

from notifications import registry
from notifications.texts import render_text

CONTEXT = {"title": "每月帮办一件实事", "unit": "党政办公室党支部", "due_at": "2026-12-31 23:59", "reason": "不够具体"}


@pytest.mark.parametrize(
    ("event", "expected"),
    [("pledge.approved", "您的承诺“每月帮办一件实事”已审核通过"), ("pledge.returned", "被退回：不够具体")],
)
def test_pledge_events_have_their_own_chinese_text(event, expected):
    assert expected in render_text(event, CONTEXT)


def test_english_text_is_available():
    assert render_text("pledge.returned", CONTEXT, language="en") == (
        "Your pledge “每月帮办一件实事” was returned: 不够具体."
    )


def test_pledges_are_a_group_of_their_own():
    assert registry.event("pledge.check_due").group == "pledge"
    with translation.override("zh-hans"):
        assert str(dict(registry.group_choices())["pledge"]) == "承诺践诺"
