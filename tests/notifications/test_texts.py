import pytest
from django.utils import translation

from notifications.texts import render_text

CONTEXT = {"title": "主题党日", "unit": "第一支部", "due_at": "2026-12-10 18:00", "url": "/lists/items/1/"}


def test_assigned_text_is_chinese_and_names_object_unit_and_deadline():
    text = render_text("item.assigned", CONTEXT)
    assert "主题党日" in text and "第一支部" in text and "2026-12-10 18:00" in text
    assert "任务" in text


def test_text_is_available_in_english():
    assert render_text("item.assigned", CONTEXT, language="en").startswith("New task for you")


def test_returned_text_carries_the_reason():
    assert "缺照片" in render_text("item.returned", {**CONTEXT, "reason": "缺照片"})


def test_sweep_warning_text_depends_on_level():
    red = render_text("sweep.warning", {**CONTEXT, "level": "red"})
    blue = render_text("sweep.warning", {**CONTEXT, "level": "blue"})
    assert red != blue and "逾期" in red


def test_extension_decision_text_depends_on_decision():
    approved = render_text("extension.decided", {**CONTEXT, "decision": "approved"})
    rejected = render_text("extension.decided", {**CONTEXT, "decision": "rejected", "reason": "理由不足"})
    assert "同意" in approved and "理由不足" in rejected


def test_unknown_event_gets_a_generic_text_naming_the_object():
    text = render_text("pledge.evaluated", CONTEXT)
    assert "pledge.evaluated" in text and "主题党日" in text


def test_missing_context_keys_render_empty():
    assert render_text("item.cancelled", {"title": "x"})


def test_rendering_keeps_the_active_language():
    with translation.override("en"):
        render_text("item.assigned", CONTEXT)
        assert translation.get_language() == "en"


@pytest.mark.parametrize(
    "name",
    [
        "item.assigned",
        "item.submitted",
        "item.verified",
        "item.returned",
        "item.suspended",
        "item.resumed",
        "item.cancelled",
        "extension.requested",
        "extension.decided",
        "sweep.warning",
        "sweep.escalated",
        "case.opened",
        "case.acted",
        "case.closed",
    ],
)
def test_known_events_have_their_own_chinese_text(name):
    text = render_text(name, {**CONTEXT, "decision": "approved", "level": "yellow"})
    assert name not in text and "主题党日" in text
    assert not any(word in text for word in ("was", "due", "the"))
