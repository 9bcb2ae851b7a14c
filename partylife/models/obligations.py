"""三会一课 obligations: a branch must hold each kind with a minimum frequency (``ActivityFrequency``,
data the office edits). Each branch gets one obligation per kind and period (month or quarter),
due at the period's end; recording an activity of that kind in the period meets it. An
obligation not met is warned and escalated by the deadline sweep like a late item (its clock
runs from the period's start to its end).
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, FSMModelMixin, transition

from organization.models import Unit

from .activities import Activity, ActivityKind

__all__ = ["FrequencyObligation"]


class FrequencyObligation(ConcurrentTransitionMixin, FSMModelMixin, models.Model):
    """A branch owes one activity of ``kind`` in [``period_start``, ``period_end``)."""

    class State(models.TextChoices):
        OPEN = "open", _("not yet held")
        MET = "met", _("held")

    class Warning(models.TextChoices):
        GREEN = "green", _("green")
        BLUE = "blue", _("blue")
        YELLOW = "yellow", _("yellow")
        RED = "red", _("red")

    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="frequency_obligations", verbose_name=_("branch")
    )
    kind = models.CharField(_("kind of activity"), max_length=30, choices=ActivityKind.choices)
    title = models.CharField(_("title"), max_length=200)
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period until (exclusive)"))
    state = FSMField(_("state"), default=State.OPEN, choices=State.choices, protected=True)
    # The columns the sweep reads: the clock runs from the period's start to its end.
    assigned_at = models.DateTimeField(_("period starts at"))
    due_at = models.DateTimeField(_("deadline"))
    warning_level = models.CharField(_("warning level"), max_length=10, choices=Warning.choices, default=Warning.GREEN)
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    activity = models.ForeignKey(
        Activity, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("held by")
    )
    met_at = models.DateTimeField(_("held at"), null=True, blank=True)

    class Meta:
        verbose_name = _("三会一课 obligation")
        verbose_name_plural = _("三会一课 obligations")
        ordering = ["-period_start", "unit__path", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "kind", "period_start"], name="one_obligation_per_period")
        ]
        indexes = [models.Index(fields=["state", "due_at"], name="obligation_state_due")]

    def __str__(self) -> str:
        return self.title

    @property
    def last_day(self) -> dt.date:
        return self.period_end - dt.timedelta(days=1)

    @transition(field=state, source=State.OPEN, target=State.MET, custom={"label": _("Held")})
    def meet(self, *, activity: Activity, at: dt.datetime):
        """An activity of the kind was recorded in the period (the service's, on ``record``)."""
        self.activity = activity
        self.met_at = at
