import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import translation

from notifications import registry, services
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


def test_unknown_level_reads_as_the_first_registered_text():
    assert render_text("sweep.warning", {**CONTEXT, "level": "?"}) == render_text(
        "sweep.warning", {**CONTEXT, "level": "red"}
    )


def test_extension_decision_text_depends_on_decision():
    approved = render_text("extension.decided", {**CONTEXT, "decision": "approved"})
    rejected = render_text("extension.decided", {**CONTEXT, "decision": "rejected", "reason": "理由不足"})
    assert "同意" in approved and "理由不足" in rejected


def test_unregistered_event_kind_is_a_clear_error():
    with pytest.raises(registry.UnknownEvent, match="'pledge.evaluated' is not registered.*register_event"):
        render_text("pledge.evaluated", CONTEXT)


def test_writing_an_unregistered_event_fails_the_change(personas):
    with pytest.raises(registry.UnknownEvent):
        services.outbox_write(event="item.misspelt", recipients=[personas.cadre], text="x")


def test_missing_context_keys_render_empty():
    assert render_text("item.cancelled", {"title": "x"})


def test_rendering_keeps_the_active_language():
    with translation.override("en"):
        render_text("item.assigned", CONTEXT)
        assert translation.get_language() == "en"


def test_an_event_cannot_be_registered_in_an_unknown_group():
    with pytest.raises(ImproperlyConfigured, match="unregistered group"):
        registry.register_event("elsewhere.done", group="elsewhere", text="done")


def test_registering_an_event_again_differently_is_refused():
    assert registry.register_event("item.verified", group="item", text=registry.event("item.verified").text)
    with pytest.raises(ImproperlyConfigured, match="twice"):
        registry.register_event("item.verified", group="sweep", text="other")


def test_notifications_registers_no_domain_group_itself():
    """Every group but the digest comes from the app that emits its events."""
    keys = [key for key, _ in registry.group_choices()]
    assert set(keys) == {"item", "extension", "sweep", "case", "pledge", "issue", "partylife", "delegation", "digest"}
    assert {registry.event(kind).group for kind in ("case.opened", "pledge.approved", "issue.closed")} == {
        "case",
        "pledge",
        "issue",
    }


@pytest.mark.parametrize("kind", sorted(event.kind for event in registry.events()))
def test_every_registered_event_has_its_own_chinese_text(kind):
    texts = registry.event(kind).text
    for variant in texts if isinstance(texts, dict) else [""]:
        context = {**CONTEXT, "decision": variant, "level": variant, "date": "2026-12-01", "place": "青山村"}
        chinese, english = render_text(kind, context), render_text(kind, context, language="en")
        assert chinese != english and kind not in chinese
        assert not any(word in chinese.split() for word in ("was", "due", "the", "your", "Your"))
