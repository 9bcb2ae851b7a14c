"""Party organisational life: activities and attendance, village visits, observers' findings.

Glossary: 主题党日 theme Party day (monthly); 三会一课 — 支部党员大会 branch assembly, 支委会 branch
committee meeting, 党小组会 Party-group meeting, 党课 Party lecture; 规定动作 the required parts of
an activity (data per kind, edited by the office), among them 党纪教育一刻钟 the 15-minute
discipline lesson of every theme Party day; 签到 check-in; 补学 make-up study of an absentee;
千名干部联村企 the monthly visits of cadres to their paired villages and enterprises (1+N);
党风政风观察员 observers, who file findings for the discipline commissioners.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, FSMModelMixin, transition

from organization.models import Membership, Unit
from organization.scoping import scope_for

#: Members may check in from this long before the activity starts (API.md).
CHECK_IN_OPENS_BEFORE = dt.timedelta(hours=1)
#: Roles whose holders belong to a unit's Party life (its members).
MEMBER_ROLES = (
    Membership.Role.LEADER,
    Membership.Role.CADRE,
    Membership.Role.BRANCH_COMMITTEE,
    Membership.Role.PARTY_WORKER,
)


class ActivityKind(models.TextChoices):
    THEME_PARTY_DAY = "theme_party_day", _("theme Party day")  # 主题党日
    BRANCH_ASSEMBLY = "branch_assembly", _("branch assembly")  # 支部党员大会
    COMMITTEE_MEETING = "committee_meeting", _("branch committee meeting")  # 支委会
    GROUP_MEETING = "group_meeting", _("Party group meeting")  # 党小组会
    PARTY_LECTURE = "party_lecture", _("Party lecture")  # 党课
    STUDY = "study", _("study session")  # 学习 (午间读书会, 论坛, 宣讲会 …)
    TRAINING = "training", _("training")  # 培训
    HEART_TO_HEART = "heart_to_heart", _("heart-to-heart talk")  # 谈心谈话
    WARNING_EDUCATION = "warning_education", _("warning education")  # 警示教育
    VOLUNTEER_SERVICE = "volunteer_service", _("volunteer service")  # 志愿服务


class ActivityPart(models.Model):
    """A part an activity may hold (重温入党誓词, 党纪教育一刻钟 …), by its code."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("activity part")
        verbose_name_plural = _("activity parts")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class RequiredPart(models.Model):
    """规定动作: ``part`` must be held at every activity of ``kind`` (data the office edits)."""

    kind = models.CharField(_("kind of activity"), max_length=30, choices=ActivityKind.choices)
    part = models.ForeignKey(
        ActivityPart, on_delete=models.CASCADE, related_name="required_for", verbose_name=_("part")
    )

    class Meta:
        verbose_name = _("required part")
        verbose_name_plural = _("required parts")
        ordering = ["kind", "part__sort_order", "part__code"]
        constraints = [models.UniqueConstraint(fields=["kind", "part"], name="unique_required_part")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.part}"


class ActivityFrequency(models.Model):
    """三会一课 minimum frequencies (e.g. 支委会 monthly, 党员大会 and 党课 quarterly): data the
    office edits. A branch with no activity of ``kind`` in the current period is flagged to its
    organisers."""

    class Period(models.TextChoices):
        MONTH = "month", _("monthly")
        QUARTER = "quarter", _("quarterly")

    kind = models.CharField(_("kind of activity"), max_length=30, choices=ActivityKind.choices, unique=True)
    period = models.CharField(_("at least once"), max_length=10, choices=Period.choices)

    class Meta:
        verbose_name = _("minimum frequency")
        verbose_name_plural = _("minimum frequencies")
        ordering = ["kind"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.get_period_display()}"

    @staticmethod
    def period_bounds(period: str, day: dt.date) -> tuple[dt.date, dt.date]:
        """[start, end) of the month or quarter holding ``day``."""
        if period == ActivityFrequency.Period.MONTH:
            start = day.replace(day=1)
            months = 1
        else:
            start = day.replace(month=3 * ((day.month - 1) // 3) + 1, day=1)
            months = 3
        month = start.month - 1 + months
        return start, dt.date(start.year + month // 12, month % 12 + 1, 1)


def required_part_codes(kind: str) -> list[str]:
    return list(
        RequiredPart.objects.filter(kind=kind)
        .order_by("part__sort_order", "part__code")
        .values_list("part__code", flat=True)
    )


def is_member_of(user, unit: Unit) -> bool:
    """``user`` belongs to ``unit``'s Party life (a membership of a member role on it)."""
    return (
        user.pk is not None
        and Membership.objects.filter(user_id=user.pk, unit_id=unit.pk, role__in=MEMBER_ROLES).exists()
    )


class ActivityQuerySet(models.QuerySet):
    def held(self):
        return self.filter(state=Activity.State.RECORDED)


class Activity(ConcurrentTransitionMixin, FSMModelMixin, models.Model):
    """One activity of a branch's (or Party group's) organisational life."""

    class State(models.TextChoices):
        SCHEDULED = "scheduled", _("scheduled")
        RECORDED = "recorded", _("recorded")  # held, minutes and parts recorded
        CANCELLED = "cancelled", _("cancelled")

    Kind = ActivityKind

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="activities", verbose_name=_("unit"))
    kind = models.CharField(_("kind"), max_length=30, choices=ActivityKind.choices)
    title = models.CharField(_("title"), max_length=200)
    scheduled_at = models.DateTimeField(_("scheduled at"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    state = FSMField(_("state"), default=State.SCHEDULED, choices=State.choices, protected=True)
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("organiser")
    )
    minutes = models.TextField(_("minutes"), blank=True)
    parts = models.JSONField(_("parts held"), default=list, blank=True)
    result = models.CharField(_("result"), max_length=200, blank=True)  # a training's (考核合格 …)
    recorded_at = models.DateTimeField(_("recorded at"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    cancel_reason = models.TextField(_("reason for cancellation"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-scheduled_at", "-pk"]
        indexes = [
            models.Index(fields=["unit", "scheduled_at"], name="activity_unit_scheduled"),
            models.Index(fields=["state", "scheduled_at"], name="activity_state_scheduled"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def check_in_opens_at(self) -> dt.datetime:
        return self.scheduled_at - CHECK_IN_OPENS_BEFORE

    @property
    def required_parts(self) -> list[str]:
        return required_part_codes(self.kind)

    # -- conditions and permissions -------------------------------------------------------------
    def _check_in_open(self) -> bool:
        return timezone.now() >= self.check_in_opens_at

    def _is_member(self, user) -> bool:
        return is_member_of(user, self.unit)

    def _organises(self, user) -> bool:
        return user.pk is not None and scope_for(user).organises(self.unit)

    # -- transitions ----------------------------------------------------------------------------
    @transition(
        field=state,
        source=State.SCHEDULED,
        target=State.SCHEDULED,
        conditions=[_check_in_open],
        permission=_is_member,
        custom={"label": _("Check in")},
    )
    def check_in(self):
        """签到: a member, for themself (the attendance row is the service's)."""

    @transition(
        field=state,
        source=State.SCHEDULED,
        target=State.RECORDED,
        permission=_organises,
        custom={"label": _("Record")},
    )
    def record(self, *, minutes: str, parts: list[str], recorder=None, result: str = ""):
        """The organiser records what was held; required parts are checked before (400)."""
        self.minutes = minutes
        self.result = result
        self.parts = list(parts)
        self.recorded_at = timezone.now()
        self.recorded_by = recorder

    @transition(
        field=state,
        source=State.SCHEDULED,
        target=State.CANCELLED,
        permission=_organises,
        custom={"label": _("Cancel")},
    )
    def cancel(self, *, reason: str):
        self.cancel_reason = reason


class Attendance(models.Model):
    """签到: a member checked in to an activity."""

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="attendance", verbose_name=_("activity")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("member")
    )
    checked_in_at = models.DateTimeField(_("checked in at"), default=timezone.now)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["activity", "checked_in_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["activity", "user"], name="one_check_in_per_member")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.activity}"


class Absence(models.Model):
    """An absentee of a recorded activity, with the reason (病假, 公差 …) and their make-up (补学)."""

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="absences", verbose_name=_("activity")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="absences", verbose_name=_("member")
    )
    reason = models.CharField(_("reason"), max_length=200)
    makeup_note = models.TextField(_("make-up study"), blank=True)
    makeup_done_at = models.DateTimeField(_("made up at"), null=True, blank=True)

    class Meta:
        verbose_name = _("absence")
        verbose_name_plural = _("absences")
        ordering = ["activity", "pk"]
        constraints = [models.UniqueConstraint(fields=["activity", "user"], name="one_absence_per_member")]
        indexes = [models.Index(fields=["user", "makeup_done_at"], name="absence_user_makeup")]

    def __str__(self) -> str:
        return f"{self.user} ({self.reason})"


class Visit(models.Model):
    """千名干部联村企: a cadre's visit to a village, community or enterprise paired with their branch."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="visits", verbose_name=_("unit visited"))
    branch = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="visits_paid", verbose_name=_("visitor's branch")
    )
    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="visits", verbose_name=_("visitor")
    )
    visited_on = models.DateField(_("visited on"))
    companions = models.CharField(_("accompanied by"), max_length=200, blank=True)
    notes = models.TextField(_("notes"))
    # Livelihood issues raised on the spot, by id: the issues app owns them (its service raised them).
    issue_ids = models.JSONField(_("issues raised"), default=list, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-visited_on", "-pk"]
        indexes = [
            models.Index(fields=["unit", "visited_on"], name="visit_unit_day"),
            models.Index(fields=["visitor", "visited_on"], name="visit_visitor_day"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.visited_on:%Y-%m-%d}"


class Finding(ConcurrentTransitionMixin, FSMModelMixin, models.Model):
    """党风政风观察员: what an observer (or a commissioner) saw in a unit, for the commissioners."""

    class State(models.TextChoices):
        FILED = "filed", _("filed")
        ACCEPTED = "accepted", _("accepted")  # a supervision case opened on it
        DISMISSED = "dismissed", _("dismissed")

    class Warning(models.TextChoices):
        GREEN = "green", _("green")
        BLUE = "blue", _("blue")
        YELLOW = "yellow", _("yellow")
        RED = "red", _("red")

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="findings", verbose_name=_("unit"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    state = FSMField(_("state"), default=State.FILED, choices=State.choices, protected=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="findings", verbose_name=_("filed by")
    )
    filed_at = models.DateTimeField(_("filed at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    dismiss_reason = models.TextField(_("reason for dismissal"), blank=True)
    # The supervision case opened on acceptance (supervision owns it; kept by id, one way).
    case_id = models.PositiveIntegerField(_("supervision case"), null=True, blank=True)
    # The columns the sweep and supervision read of every registered subject; a finding's clock
    # does not run (it is decided, not worked on), so they keep their defaults.
    due_at = models.DateTimeField(_("deadline"), null=True, blank=True)
    warning_level = models.CharField(_("warning level"), max_length=10, choices=Warning.choices, default=Warning.GREEN)
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["-filed_at", "-pk"]
        indexes = [models.Index(fields=["state", "filed_at"], name="finding_state_filed")]

    def __str__(self) -> str:
        return self.title

    def _commissioner(self, user) -> bool:
        return user.pk is not None and (scope_for(user).is_admin or scope_for(user).oversees(self.unit))

    @transition(
        field=state, source=State.FILED, target=State.ACCEPTED, permission=_commissioner, custom={"label": _("Accept")}
    )
    def accept(self, *, decider=None):
        """A supervision case opens on the finding (the service's)."""
        self.decided_by = decider
        self.decided_at = timezone.now()

    @transition(
        field=state,
        source=State.FILED,
        target=State.DISMISSED,
        permission=_commissioner,
        custom={"label": _("Dismiss")},
    )
    def dismiss(self, *, reason: str, decider=None):
        self.dismiss_reason = reason
        self.decided_by = decider
        self.decided_at = timezone.now()


class Photo(models.Model):
    """A photo kept with its subject (an activity's record, a visit, a showcase post)."""

    name = models.CharField(_("file name"), max_length=200)

    class Meta:
        abstract = True
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class ActivityPhoto(Photo):
    """A photo of a held activity (the organiser's record)."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="photos", verbose_name=_("activity"))
    image = models.FileField(_("photo"), upload_to="activities/%Y/%m/")

    class Meta(Photo.Meta):
        verbose_name = _("activity photo")
        verbose_name_plural = _("activity photos")


class VisitPhoto(Photo):
    """A photo taken on a 千名干部联村企 visit."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="photos", verbose_name=_("visit"))
    image = models.FileField(_("photo"), upload_to="visits/%Y/%m/")

    class Meta(Photo.Meta):
        verbose_name = _("visit photo")
        verbose_name_plural = _("visit photos")
