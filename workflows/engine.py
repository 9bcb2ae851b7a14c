"""Running a django-fsm transition the one way the project does it.

``apply_transition`` checks that the transition exists from the current state, that its
conditions hold and that the actor has its permission, runs it, saves the object (with the
optimistic state check of ``ConcurrentTransitionMixin``) and appends the log row — all in
the caller's transaction — then fires the hook that moves the object's viewflow process on
(``workflows.flowdrive``). Services call it with the row locked.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import pgettext_lazy
from django_fsm import ConcurrentTransition, TransitionNotAllowed, has_transition_perm

from .audit import append_log
from .flowdrive import drive_flow
from .models import TransitionLog


class TransitionError(Exception):
    """Base for refusals a caller maps to an HTTP status."""

    status_code = 409


class TransitionConflict(TransitionError):
    """Not allowed from the current state, or the object changed underneath (409)."""

    status_code = 409


class TransitionForbidden(TransitionError):
    """The actor may see the object but not take this transition (403)."""

    status_code = 403


@dataclass(frozen=True)
class TransitionInfo:
    name: str  # the API name (``return`` for ``return_for_rework``)
    method: str
    label: str
    target: str


def transition_meta(model, method_name: str) -> dict:
    method = getattr(model, method_name)
    return method._django_fsm.transitions


@functools.cache
def api_transitions(model) -> dict[str, TransitionInfo]:
    """All transitions of ``model`` keyed by API name; label and API name come from ``custom``.

    Read once per model (a scan of the class's attributes), then served from memory: every
    transition request and page asks for it. Callers must not change the dict."""
    result: dict[str, TransitionInfo] = {}
    for attr in dir(model):
        method = getattr(model, attr, None)
        meta = getattr(method, "_django_fsm", None)
        if meta is None:
            continue
        for transition in meta.transitions.values():
            custom = transition.custom or {}
            name = custom.get("api_name", attr)
            if custom.get("internal"):
                continue
            result.setdefault(
                name,
                TransitionInfo(
                    name=name, method=attr, label=str(custom.get("label", name)), target=str(transition.target)
                ),
            )
    return result


def holds_transition_permission(obj, method_name: str, user) -> bool:
    """Whether ``user`` holds the permission of ``obj.<method_name>`` from any of its source
    states (the state and the conditions are not looked at)."""
    meta = getattr(obj, method_name)._django_fsm
    return any(transition.has_perm(obj, user) for transition in meta.transitions.values())


def may_ever_take(obj, name: str, user) -> bool:
    """Whether ``user`` holds the permission of the API transition ``name`` from any of its source
    states.

    Someone who never may (an observer, the assignee asked to verify) is refused with 403 before
    the state or the request body is looked at; someone who may, but not from the current state,
    gets 409.
    """
    info = api_transitions(type(obj)).get(name)
    return info is not None and holds_transition_permission(obj, info.method, user)


def available_transitions(obj, user) -> list[TransitionInfo]:
    """Transitions ``user`` may take on ``obj`` now (state, conditions and permission)."""
    result = []
    for info in api_transitions(type(obj)).values():
        bound = getattr(obj, info.method)
        meta = bound._django_fsm
        state = meta.field.get_state(obj)
        if not meta.has_transition(state) or not meta.conditions_met(obj, state):
            continue
        if not has_transition_perm(bound, user):
            continue
        target = meta.get_transition(state).target
        result.append(TransitionInfo(info.name, info.method, info.label, str(target)))
    return result


def check_transition(obj, method_name: str, *, actor, name: str | None = None, strangers_first: bool = False) -> None:
    """The one check of whether ``actor`` may take ``obj.<method_name>`` now; raises if not.

    Not possible from the current state: ``TransitionConflict`` (409). Possible, but the actor
    lacks the transition's permission: ``TransitionForbidden`` (403) — or a conflict when the
    transition's conditions fail too (the state says "not now" before the person matters).
    ``strangers_first`` (the API, before the state and the body are read; API.md) refuses with
    403 whoever holds the permission from none of the transition's source states, whatever the
    state: an observer, the assignee asked to verify. ``actor`` None checks the state only.
    """
    bound = getattr(obj, method_name)
    meta = bound._django_fsm
    state = meta.field.get_state(obj)
    label = name or method_name
    if not meta.has_transition(state):
        if strangers_first and actor is not None and not may_ever_take(obj, label, actor):
            raise TransitionForbidden(f"You may not '{label}' this object.")
        raise TransitionConflict(f"'{label}' is not allowed from state '{state}'.")
    if actor is not None and not has_transition_perm(bound, actor):
        if not meta.conditions_met(obj, state):
            raise TransitionConflict(f"'{label}' is not possible now.")
        raise TransitionForbidden(f"You may not '{label}' this object.")


def apply_transition(
    obj,
    method_name: str,
    *,
    actor,
    comment: str = "",
    payload: dict[str, Any] | None = None,
    name: str | None = None,
    check_permission: bool = True,
    **kwargs,
) -> TransitionLog:
    """Run ``obj.<method_name>(**kwargs)``, save, log, and move the object's flow on (the hook of
    ``workflows.flowdrive``), all in the caller's transaction. Caller holds the row lock.

    Raises ``TransitionConflict`` when the state does not allow it (or it changed since the
    object was read) and ``TransitionForbidden`` when ``actor`` lacks the permission.
    """
    assert transaction.get_connection().in_atomic_block, "apply_transition needs a transaction"
    bound = getattr(obj, method_name)
    meta = bound._django_fsm
    source = meta.field.get_state(obj)
    check_transition(obj, method_name, actor=actor if check_permission else None, name=name)
    try:
        bound(**kwargs)
    except TransitionNotAllowed as exc:
        raise TransitionConflict(str(exc)) from exc
    try:
        obj.save()
    except ConcurrentTransition as exc:
        raise TransitionConflict("The object changed underneath; reload and try again.") from exc
    entry = append_log(
        obj,
        transition=name or method_name,
        source=str(source),
        target=str(meta.field.get_state(obj)),
        actor=actor,
        comment=comment or "",
        payload=payload or {},
    )
    drive_flow(obj, entry)
    return entry


def record_change(
    subject, *, transition: str, source: str, target: str, actor=None, comment: str = "", payload=None
) -> TransitionLog:
    """Log a change made without a transition method (a registration, a deletion) and fire the
    same hook as ``apply_transition``. Caller holds the row lock or has just created the row."""
    entry = append_log(
        subject, transition=transition, source=source, target=target, actor=actor, comment=comment, payload=payload
    )
    drive_flow(subject, entry)
    return entry


def history(obj):
    return TransitionLog.objects.for_object(obj).select_related("actor", "on_behalf_of")


#: Changes logged without a transition method (``record_change``, ``append_log``): how pages name
#: them when the subject's model has no label of its own for them.
RECORDED_CHANGE_LABELS = {
    "create": pgettext_lazy("logged change", "Created"),
    "report": pgettext_lazy("logged change", "Registered"),
    "request": pgettext_lazy("logged change", "Requested"),
    "extend": pgettext_lazy("logged change", "Deadline extended"),
    "open": pgettext_lazy("logged change", "Opened"),
    "file": pgettext_lazy("logged change", "Filed"),
    "schedule": pgettext_lazy("logged change", "Scheduled"),
    "delete": pgettext_lazy("logged change", "Deleted"),
    "hand_over": pgettext_lazy("logged change", "Handed over"),
}


@functools.cache
def transition_and_state_labels(model) -> tuple[dict, dict]:
    """(transition name → label, state → label) of ``model``, lazily translated."""
    transitions, states = {}, {}
    for attr in dir(model):
        meta = getattr(getattr(model, attr, None), "_django_fsm", None)
        if meta is None:
            continue
        states.update(dict(meta.field.flatchoices))
        for transition in meta.transitions.values():
            custom = transition.custom or {}
            if "label" in custom:
                transitions.setdefault(custom.get("api_name", attr), custom["label"])
                transitions.setdefault(attr, custom["label"])
    for name, label in RECORDED_CHANGE_LABELS.items():
        transitions.setdefault(name, label)
    return transitions, states


def timeline(obj, labels: dict | None = None) -> list[dict]:
    """The history as people read it on a page: transitions and states by their labels
    (``labels`` overrides a transition's own, e.g. with a past-tense wording)."""
    transitions, states = transition_and_state_labels(type(obj))
    transitions = {**transitions, **(labels or {})}
    return [
        {
            "at": entry.at,
            "actor": entry.actor,
            "on_behalf_of": entry.on_behalf_of,
            "label": transitions.get(entry.transition, entry.transition),
            "source": states.get(entry.source, entry.source),
            "target": states.get(entry.target, entry.target),
            "comment": entry.comment,
        }
        for entry in history(obj)
    ]
