"""The events notifications carry, registered by the apps that emit them.

This app knows no domain: each app that emits events registers, in its ``AppConfig.ready()``,
the groups a user may mute (with their labels, shown on the preferences page) and, per event,
its group and its text (lazily translated, in the registering app's own catalogue)::

    register_group("request", _("requests"), events={
        "request.filed": _("A request awaits you: “%(title)s” (%(unit)s)."),
    })
    register_event("request.decided", group="request", variant="decision", text={
        "approved": _("Your request “%(title)s” was approved."),
        "rejected": _("Your request “%(title)s” was rejected: %(reason)s."),
    })

A text is a ``%``-format string over the event's context. One that depends on a field of the
context is a mapping keyed by that field (``variant``); an unknown value of the field gets the
first text of the mapping. Writing an event nobody registered is an error (``UnknownEvent``),
raised in the emitting transaction.

The values stored in ``NotificationPreference.muted_events`` are group keys: a group keeps its
key for as long as saved preferences name it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured


class UnknownEvent(LookupError):
    """An event was written that no app registered."""

    def __init__(self, kind: str):
        super().__init__(
            f"Notification event {kind!r} is not registered: the app that emits it registers it with "
            f"notifications.registry.register_event({kind!r}, group=…, text=…) in its AppConfig.ready()."
        )
        self.kind = kind


@dataclass(frozen=True)
class EventGroup:
    key: str
    label: str  # usually a lazy translation


@dataclass(frozen=True)
class EventKind:
    kind: str  # "request.filed"
    group: str  # an EventGroup key: what a user mutes
    text: object  # a lazy string, or a mapping of them keyed by the context's ``variant`` field
    variant: str = ""
    variants: tuple[str, ...] = field(default=(), compare=False)

    def template(self, context: Mapping) -> str:
        """The untranslated-until-rendered template for ``context``."""
        if not isinstance(self.text, Mapping):
            return self.text
        return self.text.get(str(context.get(self.variant, "")), self.text[self.variants[0]])


_groups: dict[str, EventGroup] = {}
_events: dict[str, EventKind] = {}


def register_group(key: str, label, *, events: Mapping | None = None) -> EventGroup:
    """Register (or find again, if identical) the group ``key``, whose label the preferences page
    shows, and the ``events`` of it that have one text each (``{kind: text}``)."""
    if key in _groups:
        if str(_groups[key].label) != str(label):
            raise ImproperlyConfigured(f"Notification group {key!r} is registered twice with different labels.")
    else:
        _groups[key] = EventGroup(key, label)
    for kind, text in (events or {}).items():
        register_event(kind, group=key, text=text)
    return _groups[key]


def register_event(kind: str, *, group: str, text, variant: str = "") -> EventKind:
    """Register the event ``kind`` in ``group`` (registered before) with its ``text``."""
    if group not in _groups:
        raise ImproperlyConfigured(f"Notification event {kind!r} names the unregistered group {group!r}.")
    if isinstance(text, Mapping):
        if not variant or not text:
            raise ImproperlyConfigured(f"Notification event {kind!r}: a mapping of texts needs variant= and texts.")
        event = EventKind(kind, group, dict(text), variant, tuple(text))
    else:
        event = EventKind(kind, group, text)
    if kind in _events:
        if _events[kind] != event:
            raise ImproperlyConfigured(f"Notification event {kind!r} is registered twice with different definitions.")
        return _events[kind]
    _events[kind] = event
    return event


def unregister_event(kind: str) -> None:
    _events.pop(kind, None)


def unregister_group(key: str) -> None:
    """Forget ``key`` and its events (a test's own group)."""
    _groups.pop(key, None)
    for kind in [kind for kind, event in _events.items() if event.group == key]:
        del _events[kind]


def event(kind: str) -> EventKind:
    try:
        return _events[kind]
    except KeyError:
        raise UnknownEvent(kind) from None


def events() -> list[EventKind]:
    return list(_events.values())


# Personal channels (WeCom, DingTalk work notices), registered by the app that sends them: the
# channel's value and a function of the users' id expression (``OuterRef("pk")``) that gives
# a queryset, non-empty when the user can be reached on the channel.
_personal_channels: dict[str, Callable] = {}


def register_personal_channel(channel: str, reachable: Callable) -> None:
    _personal_channels[channel] = reachable


def personal_channels() -> dict[str, Callable]:
    return dict(_personal_channels)


def group_choices() -> list[tuple[str, str]]:
    """(key, label) of every registered group, in registration order (the form's choices)."""
    return [(group.key, group.label) for group in _groups.values()]


# -- stand-ins --------------------------------------------------------------------------------------

_stand_ins = None


def register_stand_ins(source) -> None:
    """``source(user_ids)`` → a queryset of the stand-in arrangements in force for those users,
    with ``delegate_id``, ``delegator_id`` and ``delegator__…`` name columns: what a person
    receives reaches their stand-in too (the app that keeps stand-ins registers it)."""
    global _stand_ins
    _stand_ins = source


def stand_ins():
    return _stand_ins
