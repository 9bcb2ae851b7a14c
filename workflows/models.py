"""The append-only, HMAC-chained transition log shared by every stateful model of the project,
and the signed checkpoints of its extent.

Rows are written only by ``workflows.audit.append_log``, which chains them, checkpoints only by
``workflows.audit.write_checkpoint`` (see that module).
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .bounds import date_range_q, validate_in_range


class AppendOnlyError(Exception):
    """Raised on any attempt to change or delete a log row."""


class TransitionLogQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("The transition log is append-only.")

    def delete(self):
        raise AppendOnlyError("The transition log is append-only.")

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        if any(obj.pk is not None or not obj.hash for obj in objs) or kwargs.get("update_conflicts"):
            raise AppendOnlyError("Write transition log rows with workflows.audit.append_log(s) (they chain them).")
        return super().bulk_create(objs, *args, **kwargs)

    def for_object(self, obj):
        return self.filter(
            content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
            object_id=obj.pk,
        )


class TransitionLog(models.Model):
    """One row per state change: who, when, from, to, which transition, why, with what."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, verbose_name=_("object type"))
    object_id = models.PositiveBigIntegerField(_("object id"))
    subject = GenericForeignKey("content_type", "object_id")
    transition = models.CharField(_("transition"), max_length=50)
    source = models.CharField(_("from state"), max_length=30)
    target = models.CharField(_("to state"), max_length=30)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("actor"),
    )
    # 代理 — the person the actor stood in for (a delegation), when not acting for themself.
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("on behalf of"),
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    comment = models.TextField(_("comment"), blank=True)
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    # The keyed hash chain (per subject): position, the previous row's hash, this row's HMAC.
    # The row id is the global position that checkpoints cover.
    seq = models.PositiveIntegerField(_("sequence"), editable=False)
    prev_hash = models.CharField(_("previous hash"), max_length=64, blank=True, editable=False)
    hash = models.CharField(_("hash"), max_length=64, editable=False)

    objects = TransitionLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("transition log entry")
        verbose_name_plural = _("transition log")
        ordering = ["at", "pk"]
        indexes = [
            models.Index(fields=["content_type", "object_id", "at"], name="translog_object_at"),
            # The reports ask which objects were cancelled by a moment: a few rows among millions.
            models.Index(
                fields=["content_type", "object_id", "at"],
                condition=models.Q(target="cancelled"),
                name="translog_cancelled",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["content_type", "object_id", "seq"], name="translog_chain_seq_unique")
        ]

    def __str__(self) -> str:
        return f"{self.transition}: {self.source} → {self.target}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("The transition log is append-only.")
        if not self.hash:
            raise AppendOnlyError("Write transition log rows with workflows.audit.append_log (it chains them).")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("The transition log is append-only.")


class AuditCheckpointQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Audit checkpoints are append-only.")

    def delete(self):
        raise AppendOnlyError("Audit checkpoints are append-only.")


class AuditCheckpoint(models.Model):
    """A signed statement of the transition log's extent: every row up to ``position`` (a row
    id), how many there were and a digest of every chain's last row among them.

    Written by ``workflows.audit.write_checkpoint`` (the beat, ``verify_audit``); each one is
    HMAC-signed with the audit key and links to the one before it, so none can be forged,
    edited or removed from the middle without ``verify_audit`` saying so.
    """

    position = models.PositiveBigIntegerField(_("last log row covered"))
    row_count = models.PositiveBigIntegerField(_("log rows covered"))
    heads_digest = models.CharField(_("digest of the chains' last rows"), max_length=64)
    at = models.DateTimeField(_("at"), default=timezone.now)
    prev_signature = models.CharField(_("previous signature"), max_length=64, blank=True)
    signature = models.CharField(_("signature"), max_length=64)

    objects = AuditCheckpointQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit checkpoint")
        verbose_name_plural = _("audit checkpoints")
        ordering = ["pk"]
        constraints = [
            # Two writers extending the same checkpoint: the second fails instead of forking.
            models.UniqueConstraint(fields=["prev_signature"], name="auditcheckpoint_one_successor")
        ]

    def __str__(self) -> str:
        return f"#{self.pk} ≤ {self.position} ({self.row_count})"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("Audit checkpoints are append-only.")
        if not self.signature:
            raise AppendOnlyError("Write audit checkpoints with workflows.audit.write_checkpoint (it signs them).")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit checkpoints are append-only.")


class CalendarOverride(models.Model):
    """An admin's correction of the working-day calendar for one date (township-wide or one unit).

    ``chinesecalendar`` knows statutory holidays and adjusted working days (调休) up to its
    release year; overrides fill later years and local exceptions. Editing them never moves a
    deadline already stored: deadlines are computed once, when they are set.
    """

    date = models.DateField(_("date"), validators=[validate_in_range])
    unit = models.ForeignKey(
        "organization.Unit",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="calendar_overrides",
        verbose_name=_("unit"),
        help_text=_("Leave empty for the whole township."),
    )
    is_working_day = models.BooleanField(_("working day"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("calendar override")
        verbose_name_plural = _("calendar overrides")
        ordering = ["date", "unit"]
        constraints = [
            models.UniqueConstraint(fields=["date", "unit"], name="one_override_per_date_unit"),
            models.UniqueConstraint(
                fields=["date"], condition=models.Q(unit__isnull=True), name="one_township_override_per_date"
            ),
            models.CheckConstraint(
                condition=date_range_q("date", moment=False), name="calendar_override_date_in_range"
            ),
        ]

    def __str__(self) -> str:
        kind = _("working day") if self.is_working_day else _("day off")
        return f"{self.date:%Y-%m-%d} {kind}"

    @property
    def year(self) -> int:
        return self.date.year


class EscalationAudience(models.TextChoices):
    """Who is told at an escalation level (the ladder's "who")."""

    DISTRICT_COMMISSIONERS = "district_commissioners", _("the district's discipline commissioners")  # 片区纪工委委员
    TOWNSHIP_COMMITTEE = "township_committee", _("the township discipline committee")  # 镇纪委
    SECRETARY = "secretary", _("the township Party secretary")  # 镇党委书记


class EscalationAction(models.TextChoices):
    """What happens at an escalation level (the ladder's "what opens")."""

    OPEN_CASE = "open_case", _("a supervision case opens")  # 督办立案
    TAKE_OVER = "take_over", _("the township discipline committee takes the case over")  # 镇纪委接办
    MARK_FOR_MEETING = "mark_for_meeting", _("the case is marked for the committee meeting")  # 提交党委会
    NOTIFY = "notify", _("the people are told, nothing else")


#: DESIGN.md's ladder: (overdue working days, who is told, what happens) per level.
DEFAULT_LADDER = (
    (3, EscalationAudience.DISTRICT_COMMISSIONERS, EscalationAction.OPEN_CASE),
    (6, EscalationAudience.TOWNSHIP_COMMITTEE, EscalationAction.TAKE_OVER),
    (10, EscalationAudience.SECRETARY, EscalationAction.MARK_FOR_MEETING),
)


class DeadlinePolicy(models.Model):
    """Deadline rules as data, per kind of object (``item``, ``pledge``, ``issue``), optional
    township, category code and urgency. A township's own rows come before the deployment's
    (``township`` empty); within each, urgency first, then the category: (kind, category, urgent)
    → (kind, any, urgent) → (kind, category, normal) → (kind, any, normal) → built-in defaults.

    The escalation ladder (升级阶梯) is three levels, each with its overdue working days, who is
    told and what happens (DESIGN.md: 3 → the district's commissioners, a case opens; 6 → the
    township discipline committee takes it over; 10 → the secretary, marked for the committee
    meeting). The verification clock (审核时限) runs against the lead leader from submission."""

    township = models.ForeignKey(
        "organization.Unit",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="deadline_policies",
        verbose_name=_("township"),
        help_text=_("Empty: the deployment's policy, for townships without their own."),
    )
    kind = models.CharField(_("kind of object"), max_length=30, default="item")
    category_code = models.CharField(
        _("category code"), max_length=50, blank=True, help_text=_("Empty: every category without its own policy.")
    )
    urgent = models.BooleanField(_("urgent"), default=False)
    accept_within_working_days = models.PositiveSmallIntegerField(
        _("accept within (working days)"), default=1, help_text=_("Yellow when not accepted by then (签收时限).")
    )
    accept_within_hours = models.PositiveSmallIntegerField(
        _("accept within (working hours)"),
        null=True,
        blank=True,
        help_text=_("When set, replaces the limit in working days (urgent work)."),
    )
    blue_before_due_working_days = models.PositiveSmallIntegerField(_("blue before due (working days)"), default=2)
    blue_at_percent_time_used = models.PositiveSmallIntegerField(
        _("blue when this share of the time is used (%)"),
        default=70,
        validators=[MaxValueValidator(100)],
        help_text=_("Blue also once this percentage of the time from assignment to deadline has passed; 0: off."),
    )
    red_after_due_working_days = models.PositiveSmallIntegerField(
        _("red after due (working days)"), default=0, help_text=_("0: red as soon as the deadline passes.")
    )
    escalate_after_overdue_working_days = models.PositiveSmallIntegerField(
        _("level 1 after (overdue working days)"), default=3
    )
    level1_audience = models.CharField(
        _("level 1: who is told"),
        max_length=30,
        choices=EscalationAudience.choices,
        default=EscalationAudience.DISTRICT_COMMISSIONERS,
    )
    level1_action = models.CharField(
        _("level 1: what happens"),
        max_length=30,
        choices=EscalationAction.choices,
        default=EscalationAction.OPEN_CASE,
    )
    level2_after_overdue_working_days = models.PositiveSmallIntegerField(
        _("level 2 after (overdue working days)"), default=6
    )
    level2_audience = models.CharField(
        _("level 2: who is told"),
        max_length=30,
        choices=EscalationAudience.choices,
        default=EscalationAudience.TOWNSHIP_COMMITTEE,
    )
    level2_action = models.CharField(
        _("level 2: what happens"),
        max_length=30,
        choices=EscalationAction.choices,
        default=EscalationAction.TAKE_OVER,
    )
    level3_after_overdue_working_days = models.PositiveSmallIntegerField(
        _("level 3 after (overdue working days)"), default=10
    )
    level3_audience = models.CharField(
        _("level 3: who is told"),
        max_length=30,
        choices=EscalationAudience.choices,
        default=EscalationAudience.SECRETARY,
    )
    level3_action = models.CharField(
        _("level 3: what happens"),
        max_length=30,
        choices=EscalationAction.choices,
        default=EscalationAction.MARK_FOR_MEETING,
    )
    verify_within_working_days = models.PositiveSmallIntegerField(
        _("verify within (working days)"),
        default=2,
        help_text=_("The lead leader's time to verify a submitted item; then warned, then escalated on the ladder."),
    )
    # Limits the domain uses to set deadlines (work orders: 办结时限, 退回时限, 延期上限).
    resolve_within_working_days = models.PositiveSmallIntegerField(
        _("resolve within (working days)"), default=5, help_text=_("Deadline set when the work is handed over.")
    )
    return_within_working_days = models.PositiveSmallIntegerField(
        _("return a wrongly routed order within (working days)"), default=2
    )
    max_extension_working_days = models.PositiveSmallIntegerField(
        _("extensions add at most (working days)"), default=10
    )

    class Meta:
        verbose_name = _("deadline policy")
        verbose_name_plural = _("deadline policies")
        ordering = ["township", "kind", "category_code", "urgent"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "category_code", "urgent"],
                condition=models.Q(township__isnull=True),
                name="one_policy_per_kind_category",
            ),
            models.UniqueConstraint(
                fields=["township", "kind", "category_code", "urgent"], name="one_township_policy_per_kind_category"
            ),
            models.CheckConstraint(
                condition=models.Q(
                    level2_after_overdue_working_days__gt=models.F("escalate_after_overdue_working_days")
                )
                & models.Q(level3_after_overdue_working_days__gt=models.F("level2_after_overdue_working_days")),
                name="policy_ladder_climbs",
            ),
        ]

    def __str__(self) -> str:
        category = self.category_code or _("any category")
        urgency = _("urgent") if self.urgent else _("normal")
        return f"{self.kind} · {category} · {urgency}"

    def ladder_days(self, level: int) -> int:
        return getattr(
            self, "escalate_after_overdue_working_days" if level == 1 else f"level{level}_after_overdue_working_days"
        )


class EscalationEvent(models.Model):
    """One row per object per escalation step, ever: the unique constraint is what makes two
    concurrent sweeps unable to escalate the same object twice."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, verbose_name=_("object type"))
    object_id = models.PositiveBigIntegerField(_("object id"))
    subject = GenericForeignKey("content_type", "object_id")
    level = models.PositiveSmallIntegerField(_("escalation level"))
    due_at = models.DateTimeField(_("deadline then"), null=True, blank=True)
    as_of = models.DateTimeField(_("swept as of"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("escalation event")
        verbose_name_plural = _("escalation events")
        ordering = ["-created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["content_type", "object_id", "level"], name="one_escalation_per_step")
        ]

    def __str__(self) -> str:
        return f"{self.content_type} #{self.object_id} → {self.level}"
