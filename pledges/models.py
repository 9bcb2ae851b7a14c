"""One-sentence pledges (一句话承诺) in six steps: 提诺 审诺 示诺 践诺 督诺 评诺.

Glossary: 提诺 submit — the member proposes a pledge; 审诺 approve/return — the branch reviews
it; 示诺 — an approved pledge is published on the branch's board (公示); 践诺 claim — the member
reports it done with evidence; 督诺 checks — the member monthly, the Party group quarterly, the
branch half-yearly; 评诺 evaluation — self, masses and organisation ratings.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, FSMModelMixin, transition
from viewflow.workflow.models import Process

from organization.scoping import scope_for
from workflows.bounds import changed, date_range_q, due_date_errors, validate_in_range

__all__ = [
    "PLEDGE_TEXT_MAX",
    "PLEDGE_TEXT_MIN",
    "SENTENCE_ENDS",
    "Pledge",
    "PledgeCheck",
    "PledgeEvaluation",
    "PledgeProcess",
    "PledgeQuerySet",
    "end_of_day",
]

PLEDGE_TEXT_MIN = 10
PLEDGE_TEXT_MAX = 100
SENTENCE_ENDS = "。！？!?"


class PledgeQuerySet(models.QuerySet):
    # States in which the pledge is still to be fulfilled: the deadline sweep watches these.
    OPEN_STATES = ("approved", "claimed")
    # 公示: from approval on, a pledge is on the branch's public board.
    PUBLIC_STATES = ("approved", "claimed", "fulfilled", "unfulfilled")
    # At most one of these per member and year.
    ACTIVE_STATES = ("draft", "submitted", "approved", "claimed")

    def open(self):
        return self.filter(state__in=self.OPEN_STATES)

    def public(self):
        return self.filter(state__in=self.PUBLIC_STATES)

    def active(self):
        return self.filter(state__in=self.ACTIVE_STATES)


def end_of_day(day: dt.date) -> dt.datetime:
    """The aware datetime a due date ends at (23:59:59 in Asia/Shanghai by default)."""
    tz = zoneinfo.ZoneInfo(getattr(settings, "TIME_ZONE", "Asia/Shanghai") or "Asia/Shanghai")
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=tz)


class Pledge(ConcurrentTransitionMixin, FSMModelMixin, models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")  # 提诺
        APPROVED = "approved", _("approved")  # 审诺 passed; on the board (公示)
        CLAIMED = "claimed", _("claimed")  # 践诺: fulfilment reported with evidence
        FULFILLED = "fulfilled", _("fulfilled")
        UNFULFILLED = "unfulfilled", _("unfulfilled")
        WITHDRAWN = "withdrawn", _("withdrawn")

    class Category(models.TextChoices):
        STRENGTHS = "strengths", _("What I am good at")  # 自身所长
        PEOPLE_NEEDS = "people_needs", _("What the people hope for")  # 群众所盼
        ORGANISATION_NEEDS = "organisation_needs", _("What the organisation needs")  # 组织所需

    class Warning(models.TextChoices):
        GREEN = "green", _("green")
        BLUE = "blue", _("blue")
        YELLOW = "yellow", _("yellow")
        RED = "red", _("red")

    OPEN_STATES = PledgeQuerySet.OPEN_STATES
    PUBLIC_STATES = PledgeQuerySet.PUBLIC_STATES
    ACTIVE_STATES = PledgeQuerySet.ACTIVE_STATES

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="pledges", verbose_name=_("member")
    )
    unit = models.ForeignKey(
        "organization.Unit", on_delete=models.PROTECT, related_name="pledges", verbose_name=_("branch")
    )
    year = models.PositiveSmallIntegerField(_("pledge year"))
    category = models.CharField(_("category"), max_length=30, choices=Category.choices)
    text = models.CharField(_("pledge"), max_length=PLEDGE_TEXT_MAX)
    due_date = models.DateField(_("due date"), validators=[validate_in_range])
    state = FSMField(_("state"), default=State.DRAFT, choices=State.choices, protected=True)
    due_at = models.DateTimeField(_("deadline"), validators=[validate_in_range])
    warning_level = models.CharField(_("warning level"), max_length=10, choices=Warning.choices, default=Warning.GREEN)
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    evidence_text = models.TextField(_("evidence of fulfilment"), blank=True)
    return_reason = models.TextField(_("reason for return"), blank=True)
    claim_rejection_reason = models.TextField(_("reason the claim was rejected"), blank=True)
    unfulfilled_reason = models.TextField(_("public explanation"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    on_time = models.BooleanField(_("fulfilled on time"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = PledgeQuerySet.as_manager()

    class Meta:
        verbose_name = _("pledge")
        verbose_name_plural = _("pledges")
        ordering = ["unit__path", "due_date", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "year"],
                condition=Q(state__in=("draft", "submitted", "approved", "claimed")),
                name="one_active_pledge_per_member_year",
            ),
            models.CheckConstraint(condition=date_range_q("due_date", moment=False), name="pledge_due_date_in_range"),
            models.CheckConstraint(condition=date_range_q("due_at", moment=True), name="pledge_due_at_in_range"),
        ]
        indexes = [
            models.Index(fields=["state", "due_at"], name="pledge_state_due"),
            models.Index(fields=["unit", "state"], name="pledge_unit_state"),
            models.Index(fields=["member", "year"], name="pledge_member_year"),
        ]

    def __str__(self) -> str:
        return self.text

    def save(self, *args, **kwargs):
        if self.due_date is not None:
            self.due_at = end_of_day(self.due_date)
        super().save(*args, **kwargs)

    @staticmethod
    def due_date_errors(due_date: dt.date, year: int, *, today: dt.date | None = None) -> list:
        """Why ``due_date`` cannot be set for a pledge of ``year``: outside that year, in the
        past, or more than 400 days ahead."""
        if due_date.year != year:
            return [_("The due date must fall inside the pledge year %(year)d.") % {"year": year}]
        return due_date_errors(due_date, today=today)

    def clean(self):
        super().clean()
        if self.due_date is not None and self.year and changed(self, "due_date"):
            errors = self.due_date_errors(self.due_date, self.year)
            if errors:
                raise ValidationError({"due_date": errors})

    @property
    def assignee(self):
        """The one who must act before the deadline (the sweep's recipient)."""
        return self.member

    @property
    def is_public(self) -> bool:
        return self.state in self.PUBLIC_STATES

    @property
    def is_overdue(self) -> bool:
        return self.state in self.OPEN_STATES and self.due_at is not None and self.due_at < timezone.now()

    # -- permissions: conditions are about state, these about people ---------------------------
    def _is_member(self, user) -> bool:
        return user.pk is not None and user.pk == self.member_id

    def _reviewer(self, user) -> bool:
        # Four-eyes: nobody reviews or confirms their own pledge, a leader's included; another
        # leader of the branch or above does.
        return not self._is_member(user) and scope_for(user).leads(self.unit)

    def may_record_check(self, user, kind: str) -> bool:
        """督诺: the member checks monthly; the branch's leaders (not the member) quarterly and half-yearly."""
        if kind == PledgeCheck.Kind.SELF_MONTHLY:
            return self._is_member(user)
        return self._reviewer(user)

    def may_evaluate(self, user, rater: str) -> bool:
        """评诺: the member rates themself; the leaders record the masses' and the organisation's ratings."""
        if rater == PledgeEvaluation.Rater.SELF:
            return self._is_member(user)
        return self._reviewer(user)

    @property
    def can_be_checked(self) -> bool:
        return self.state in self.OPEN_STATES

    @property
    def can_be_evaluated(self) -> bool:
        return self.state in (self.State.FULFILLED, self.State.UNFULFILLED)

    # -- transitions ---------------------------------------------------------------------------
    @transition(
        field=state, source=State.DRAFT, target=State.SUBMITTED, permission=_is_member, custom={"label": _("Submit")}
    )
    def submit(self):
        """提诺."""
        self.submitted_at = timezone.now()

    @transition(
        field=state,
        source=State.SUBMITTED,
        target=State.APPROVED,
        permission=_reviewer,
        custom={"label": _("Approve and publish")},
    )
    def approve(self, *, reviewer=None):
        """审诺 passed: the pledge goes on the branch's board (公示)."""
        self.approved_at = timezone.now()
        self.reviewed_by = reviewer
        self.return_reason = ""

    @transition(
        field=state,
        source=State.SUBMITTED,
        target=State.DRAFT,
        permission=_reviewer,
        custom={"label": _("Return for revision"), "api_name": "return"},
    )
    def return_for_revision(self, *, reason: str, reviewer=None):
        """Not concrete enough: pledges must be checkable. The member edits and submits again."""
        self.return_reason = reason
        self.reviewed_by = reviewer
        self.submitted_at = None

    @transition(
        field=state, source=State.APPROVED, target=State.CLAIMED, permission=_is_member, custom={"label": _("Claim")}
    )
    def claim(self, *, evidence_text: str):
        """践诺: a pledge must be published before it can be claimed — 公示 comes first."""
        self.evidence_text = evidence_text
        self.claimed_at = timezone.now()
        self.claim_rejection_reason = ""

    @transition(
        field=state,
        source=State.CLAIMED,
        target=State.FULFILLED,
        permission=_reviewer,
        custom={"label": _("Confirm fulfilment")},
    )
    def confirm(self, *, confirmer=None):
        now = timezone.now()
        self.closed_at = now
        self.confirmed_by = confirmer
        self.on_time = (self.claimed_at or now) <= self.due_at

    @transition(
        field=state,
        source=State.CLAIMED,
        target=State.APPROVED,
        permission=_reviewer,
        custom={"label": _("Reject the claim")},
    )
    def reject_claim(self, *, reason: str):
        self.claim_rejection_reason = reason
        self.claimed_at = None

    @transition(
        field=state,
        source=[State.APPROVED, State.CLAIMED],
        target=State.UNFULFILLED,
        permission=_reviewer,
        custom={"label": _("Mark unfulfilled")},
    )
    def mark_unfulfilled(self, *, reason: str):
        """Closing: the explanation (objective reasons) is shown publicly on the board."""
        self.unfulfilled_reason = reason
        self.closed_at = timezone.now()
        self.on_time = False

    @transition(
        field=state,
        source=[State.DRAFT, State.SUBMITTED],
        target=State.WITHDRAWN,
        permission=_is_member,
        custom={"label": _("Withdraw")},
    )
    def withdraw(self):
        self.closed_at = timezone.now()


class PledgeCheck(models.Model):
    """督诺: a recorded check of a pledge's progress."""

    class Kind(models.TextChoices):
        SELF_MONTHLY = "self_monthly", _("monthly self-check")  # 党员每月自查
        GROUP_QUARTERLY = "group_quarterly", _("quarterly Party-group check")  # 党小组每季度检查
        BRANCH_HALF_YEARLY = "branch_half_yearly", _("half-yearly branch check")  # 支部每半年检查

    pledge = models.ForeignKey(Pledge, on_delete=models.CASCADE, related_name="checks", verbose_name=_("pledge"))
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    period = models.CharField(_("period"), max_length=10, help_text=_("2026-11, 2026-Q4 or 2026-H2."))
    note = models.CharField(_("note"), max_length=300)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("checked by")
    )
    checked_at = models.DateTimeField(_("checked at"), default=timezone.now)

    class Meta:
        verbose_name = _("pledge check")
        verbose_name_plural = _("pledge checks")
        ordering = ["pledge", "checked_at"]
        constraints = [models.UniqueConstraint(fields=["pledge", "kind", "period"], name="one_pledge_check_per_period")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period}"

    @staticmethod
    def period_for(kind: str, day: dt.date) -> str:
        if kind == PledgeCheck.Kind.SELF_MONTHLY:
            return day.strftime("%Y-%m")
        if kind == PledgeCheck.Kind.GROUP_QUARTERLY:
            return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
        return f"{day.year}-H{1 if day.month <= 6 else 2}"


class PledgeEvaluation(models.Model):
    """评诺: one rating per kind of rater for a closed (fulfilled or unfulfilled) pledge."""

    class Rater(models.TextChoices):
        SELF = "self", _("self")  # 自评
        MASSES = "masses", _("masses")  # 群众评
        ORGANISATION = "organisation", _("organisation")  # 组织评

    class Rating(models.TextChoices):
        EXCELLENT = "excellent", _("excellent")  # 优秀
        QUALIFIED = "qualified", _("qualified")  # 合格
        BASICALLY_QUALIFIED = "basically_qualified", _("basically qualified")  # 基本合格
        UNQUALIFIED = "unqualified", _("unqualified")  # 不合格

    pledge = models.ForeignKey(Pledge, on_delete=models.CASCADE, related_name="evaluations", verbose_name=_("pledge"))
    rater = models.CharField(_("rated by (kind)"), max_length=20, choices=Rater.choices)
    rating = models.CharField(_("rating"), max_length=30, choices=Rating.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now=True)

    class Meta:
        verbose_name = _("pledge evaluation")
        verbose_name_plural = _("pledge evaluations")
        ordering = ["pledge", "rater"]
        constraints = [models.UniqueConstraint(fields=["pledge", "rater"], name="one_pledge_rating_per_rater")]

    def __str__(self) -> str:
        return f"{self.get_rater_display()}: {self.get_rating_display()}"


class PledgeProcess(Process):
    """The viewflow process of one pledge (its artifact): review and confirmation tasks."""

    class Meta:
        proxy = True
        verbose_name = _("pledge process")
        verbose_name_plural = _("pledge processes")

    @property
    def pledge(self) -> Pledge:
        return Pledge.objects.get(pk=self.artifact_object_id)
