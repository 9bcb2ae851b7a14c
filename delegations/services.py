"""Naming and revoking a stand-in (代理)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.urls import reverse

from organization.models import User
from workflows.audit import append_log
from workflows.engine import TransitionConflict, apply_transition
from workflows.events import emit

from .models import Delegation


def _context(delegation: Delegation, **more) -> dict:
    return {
        "title": str(delegation.delegator),
        "person": str(delegation.delegator),
        "stand_in": str(delegation.delegate),
        "starts_on": f"{delegation.starts_on:%Y-%m-%d}",
        "ends_on": f"{delegation.ends_on:%Y-%m-%d}",
        "url": reverse("delegations:index"),
        **more,
    }


@transaction.atomic
def delegation_create(
    *, delegator: User, delegate: User, starts_on: dt.date, ends_on: dt.date, reason: str
) -> Delegation:
    """Name ``delegate`` as ``delegator``'s stand-in from ``starts_on`` to ``ends_on`` (both days
    included); the stand-in is told. The serializer has checked the person and the dates; the
    delegator's row lock makes two overlapping requests at once wait for each other, and the
    second one is refused (409)."""
    User.objects.select_for_update().filter(pk=delegator.pk).first()
    if Delegation.objects.overlapping(delegator.pk, starts_on, ends_on).exists():
        raise TransitionConflict("Another stand-in is named for some of these days.")
    delegation = Delegation.objects.create(
        delegator=delegator, delegate=delegate, starts_on=starts_on, ends_on=ends_on, reason=reason.strip()
    )
    append_log(
        delegation,
        transition="create",
        source="",
        target=delegation.state,
        actor=delegator,
        comment=delegation.reason,
        payload={"delegate": delegate.pk, "starts_on": str(starts_on), "ends_on": str(ends_on)},
    )
    emit("delegation.granted", subject=delegation, recipients=[delegate], actor=delegator, context=_context(delegation))
    return delegation


@transaction.atomic
def delegation_revoke(*, delegation: Delegation, actor: User, comment: str = "") -> Delegation:
    """撤销: the stand-in stops standing in at once, and is told."""
    delegation = Delegation.objects.select_for_update().select_related("delegator", "delegate").get(pk=delegation.pk)
    apply_transition(delegation, "revoke", actor=actor, comment=comment)
    emit(
        "delegation.revoked",
        subject=delegation,
        recipients=[delegation.delegate_id],
        actor=actor,
        context=_context(delegation),
    )
    return delegation
