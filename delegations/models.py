"""代理 — stand-ins: a person names another of their township to take their steps for some days.

While a delegation is in force (granted, and today lies within its dates) the stand-in sees the
person's inbox and takes their steps; the transition log names the stand-in as ``actor`` and the
person as ``on_behalf_of`` (``workflows.audit.acting_for``); the person's notifications reach the
stand-in too.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, FSMModelMixin, transition

from workflows.bounds import date_range_q, validate_in_range


class DelegationQuerySet(models.QuerySet):
    def in_force(self, day=None):
        """Granted delegations whose dates cover ``day`` (today)."""
        day = day or timezone.localdate()
        return self.filter(state=Delegation.State.GRANTED, starts_on__lte=day, ends_on__gte=day)

    def overlapping(self, delegator_id: int, starts_on, ends_on):
        """The delegator's granted delegations that share a day with ``starts_on``–``ends_on``."""
        return self.filter(
            delegator_id=delegator_id, state=Delegation.State.GRANTED, starts_on__lte=ends_on, ends_on__gte=starts_on
        )


class Delegation(ConcurrentTransitionMixin, FSMModelMixin, models.Model):
    class State(models.TextChoices):
        GRANTED = "granted", _("granted")
        REVOKED = "revoked", _("revoked")

    delegator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="delegations_given",
        verbose_name=_("person away"),
    )
    delegate = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="delegations_received",
        verbose_name=_("stand-in"),
    )
    starts_on = models.DateField(_("from"), validators=[validate_in_range])
    ends_on = models.DateField(_("until"), validators=[validate_in_range])
    reason = models.TextField(_("reason"))
    state = FSMField(_("state"), default=State.GRANTED, choices=State.choices, protected=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = DelegationQuerySet.as_manager()

    class Meta:
        verbose_name = _("stand-in")
        verbose_name_plural = _("stand-ins")
        ordering = ["-starts_on", "-pk"]
        indexes = [
            models.Index(fields=["delegate", "state", "starts_on"], name="delegation_delegate_state"),
            models.Index(fields=["delegator", "state", "starts_on"], name="delegation_delegator_state"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="delegation_ends_after_start"),
            models.CheckConstraint(condition=~Q(delegate=F("delegator")), name="delegation_not_self"),
            models.CheckConstraint(
                condition=date_range_q("starts_on", moment=False), name="delegation_starts_in_range"
            ),
            models.CheckConstraint(condition=date_range_q("ends_on", moment=False), name="delegation_ends_in_range"),
        ]

    def __str__(self) -> str:
        return f"{self.delegator} → {self.delegate} ({self.starts_on:%Y-%m-%d}–{self.ends_on:%Y-%m-%d})"

    @property
    def in_force(self) -> bool:
        today = timezone.localdate()
        return self.state == self.State.GRANTED and self.starts_on <= today <= self.ends_on

    @property
    def is_over(self) -> bool:
        return self.ends_on < timezone.localdate()

    def _is_delegator(self, user) -> bool:
        return user.pk is not None and (user.pk == self.delegator_id or user.is_superuser)

    def _not_over(self) -> bool:
        return not self.is_over

    @transition(
        field=state,
        source=State.GRANTED,
        target=State.REVOKED,
        conditions=[_not_over],
        permission=_is_delegator,
        custom={"label": _("Revoke")},
    )
    def revoke(self):
        """撤销 — the person is back early (or named the wrong stand-in)."""
        self.revoked_at = timezone.now()
