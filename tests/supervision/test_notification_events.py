"""The notification texts this app registers render in zh-Hans (the site language) and English."""

from django.utils import translation

from notifications import registry
from notifications.texts import render_text

CONTEXT = {"title": "主题党日", "unit": "第一支部", "due_at": "2026-12-10 18:00", "conclusion": "已整改"}


def test_case_texts_are_chinese_by_default_and_english_on_request():
    assert render_text("case.closed", CONTEXT) == "“主题党日”（第一支部）督办已结案：已整改"
    assert render_text("case.closed", CONTEXT, language="en") == (
        "The supervision case on “主题党日” (第一支部) was closed: 已整改"
    )


def test_cases_are_a_group_of_their_own():
    assert registry.event("case.acted").group == "case"
    with translation.override("zh-hans"):
        assert str(dict(registry.group_choices())["case"]) == "督办案件"
