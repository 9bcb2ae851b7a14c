"""Supervision cases (督办) of the discipline commissioners (纪工委委员) and the actions they take.

A case is about one subject of any registered kind (a responsibility item now; pledges and
livelihood issues later): a generic relation plus the kind name the domain registered with the
sweep (``subject_type``) and the subject's unit, kept on the case so that jurisdiction scoping
is one indexed path query. Glossary: 提醒 reminder, 黄牌 yellow card (written notice), 红牌 red
card (督办函), 约谈 talk, 通报 circulated notice.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import ConcurrentTransitionMixin, FSMField, FSMModelMixin, transition

from organization.scoping import scope_for


class SupervisionCase(ConcurrentTransitionMixin, FSMModelMixin, models.Model):
    class State(models.TextChoices):
        OPEN = "open", pgettext_lazy("supervision case state", "open")
        ACTING = "acting", pgettext_lazy("supervision case state", "acting")
        CLOSED = "closed", pgettext_lazy("supervision case state", "closed")

    class Source(models.TextChoices):
        ESCALATION = "escalation", _("escalation by the deadline sweep")
        COMMISSIONER = "commissioner", _("opened by a commissioner")

    ACTIVE_STATES = (State.OPEN, State.ACTING)

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, verbose_name=_("subject type"))
    object_id = models.PositiveBigIntegerField(_("subject id"))
    subject = GenericForeignKey("content_type", "object_id")
    subject_type = models.CharField(_("kind of subject"), max_length=30)
    subject_title = models.CharField(_("subject"), max_length=200)
    unit = models.ForeignKey(
        "organization.Unit", on_delete=models.PROTECT, related_name="supervision_cases", verbose_name=_("unit")
    )
    state = FSMField(_("state"), default=State.OPEN, choices=State.choices, protected=True)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.COMMISSIONER)
    escalation_level = models.PositiveSmallIntegerField(_("escalation level at opening"), default=0)
    # The body that owns the case (承办): the district's discipline work committee when the sweep
    # opens it, the township discipline committee (纪委) once it takes the case over (level 2).
    responsible = models.ForeignKey(
        "organization.Jurisdiction",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="supervision_cases",
        verbose_name=_("responsible body"),
    )
    # Level 3: the township secretary is told and the case goes on the committee meeting's agenda.
    for_committee_meeting = models.BooleanField(_("for the committee meeting"), default=False)
    marked_for_meeting_at = models.DateTimeField(_("marked for the committee meeting at"), null=True, blank=True)
    reason = models.TextField(_("reason"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("opened by"),
    )
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    conclusion = models.TextField(_("conclusion"), blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("closed by"),
    )
    closed_at = models.DateTimeField(pgettext_lazy("supervision case", "closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("supervision case")
        verbose_name_plural = _("supervision cases")
        ordering = ["-opened_at", "-pk"]
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="case_subject"),
            models.Index(fields=["state", "opened_at"], name="case_state_opened"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id"],
                condition=models.Q(state__in=["open", "acting"]),
                name="one_active_case_per_subject",
            )
        ]

    def __str__(self) -> str:
        return f"{_('Supervision')} #{self.pk}: {self.subject_title}"

    @property
    def is_active(self) -> bool:
        return self.state in self.ACTIVE_STATES

    def _oversees(self, user) -> bool:
        """Commissioners over the case's unit act on it; once a body owns it, only that body's
        commissioners (and those above it) do: a case the township committee took over is no
        longer the district's to act on."""
        scope = scope_for(user)
        if not scope.oversees(self.unit):
            return False
        return self.responsible_id is None or scope.oversees(self.responsible.unit)

    @transition(
        field=state,
        source=[State.OPEN, State.ACTING],
        target=State.ACTING,
        permission=_oversees,
        custom={"label": _("Take action")},
    )
    def act(self):
        """The action itself (level, note, actor) is a ``SupervisionAction`` row the service writes."""

    @transition(
        field=state,
        source=[State.OPEN, State.ACTING],
        target=State.CLOSED,
        permission=_oversees,
        custom={"label": pgettext_lazy("supervision case", "Close")},
    )
    def close(self, *, conclusion: str):
        """结案: the service sets ``closed_by`` before; a conclusion is required."""
        self.conclusion = conclusion
        self.closed_at = timezone.now()


class SupervisionAction(models.Model):
    class Kind(models.TextChoices):
        REMINDER = "reminder", _("reminder")  # 提醒
        YELLOW_CARD = "yellow_card", _("yellow card")  # 黄牌
        RED_CARD = "red_card", _("red card")  # 红牌, 督办函
        TALK = "talk", _("talk")  # 约谈
        NOTICE = "notice", _("circulated notice")  # 通报

    LEVELS = {"reminder": 1, "yellow_card": 2, "red_card": 3, "talk": 4, "notice": 5}

    case = models.ForeignKey(
        SupervisionCase, on_delete=models.CASCADE, related_name="actions", verbose_name=_("supervision case")
    )
    action = models.CharField(_("action"), max_length=20, choices=Kind.choices)
    level = models.PositiveSmallIntegerField(_("level"))
    note = models.TextField(_("note"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("supervision action")
        verbose_name_plural = _("supervision actions")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.note[:40]}"
