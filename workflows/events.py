"""Domain events: how the domain tells the rest of the system what happened.

Services and the sweep ``emit`` an event inside their transaction; subscribers (the
notification outbox, registered in an AppConfig.ready()) write their rows in that same
transaction, so an event is recorded if and only if the change that caused it commits.
The engine knows no domain model and no transport.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import models


@dataclass(frozen=True)
class DomainEvent:
    name: str  # "item.assigned", "item.returned", "sweep.warning", "sweep.escalated", "case.opened" …
    subject: models.Model  # the object it is about
    recipients: tuple[int, ...]  # user ids
    actor_id: int | None = None
    context: dict[str, Any] = field(default_factory=dict)  # strings for the message text
    urgent: bool = False
    key: str = ""  # distinguishes repeated events of one name on one subject (e.g. the sweep step)


_subscribers: list[Callable[[DomainEvent], None]] = []
# A subscriber's handler for many events at once (bulk statements); without one, the
# subscriber is called once per event.
_batch_handlers: dict[Callable[[DomainEvent], None], Callable[[list[DomainEvent]], None]] = {}


def subscribe(
    handler: Callable[[DomainEvent], None], *, many: Callable[[list[DomainEvent]], None] | None = None
) -> None:
    """``handler(event)`` for each event; ``many(events)``, if given, for a batch of them (the
    sweep's), and must leave the same rows as ``handler`` called on each in turn."""
    if handler not in _subscribers:
        _subscribers.append(handler)
    if many is not None:
        _batch_handlers[handler] = many


def unsubscribe(handler: Callable[[DomainEvent], None]) -> None:
    if handler in _subscribers:
        _subscribers.remove(handler)
    _batch_handlers.pop(handler, None)


def make_event(
    name: str,
    *,
    subject: models.Model,
    recipients: Iterable,
    actor=None,
    context: dict[str, Any] | None = None,
    urgent: bool = False,
    key: str = "",
) -> DomainEvent:
    ids = tuple(sorted({getattr(r, "pk", r) for r in recipients if r is not None}))
    return DomainEvent(
        name=name,
        subject=subject,
        recipients=ids,
        actor_id=getattr(actor, "pk", actor),
        context=dict(context or {}),
        urgent=urgent,
        key=key,
    )


def emit(
    name: str,
    *,
    subject: models.Model,
    recipients: Iterable,
    actor=None,
    context: dict[str, Any] | None = None,
    urgent: bool = False,
    key: str = "",
) -> DomainEvent:
    """Publish an event to every subscriber, synchronously, in the caller's transaction."""
    event = make_event(
        name, subject=subject, recipients=recipients, actor=actor, context=context, urgent=urgent, key=key
    )
    for handler in list(_subscribers):
        handler(event)
    return event


def emit_many(events: list[DomainEvent]) -> None:
    """Publish a batch of events (built with ``make_event``), in the caller's transaction: each
    subscriber sees them in order, through its batch handler when it has one."""
    if not events:
        return
    for handler in list(_subscribers):
        many = _batch_handlers.get(handler)
        if many is not None:
            many(events)
        else:
            for event in events:
                handler(event)
