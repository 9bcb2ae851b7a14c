"""Livelihood issues (民生问题) handled as work orders (工单).

Glossary: 受理 reported — a cadre registered what a villager or enterprise raised; 直接答复
answer — settled on the spot; 派单 dispatch — a dispatcher sends it to a handling unit and
cadre; 签收 accept; 退回 reject — wrongly routed, the handler returns it with a reason;
办结 resolve — 实质办结 substantive or 阶段办结 staged (a plan and a date for the rest);
回访 follow-up call; 重办 reopen; 归档 close; 协办 co-handling units.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, ConcurrentTransitionMixin, FSMField, FSMModelMixin, transition
from viewflow.workflow.models import Process

from organization.models import Membership, Unit, path_prefix_q, township_paths_of
from organization.scoping import scope_for
from workflows import calendar
from workflows.bounds import changed, date_range_q, due_date_errors, validate_in_range

PLACE_KINDS = (Unit.Kind.VILLAGE, Unit.Kind.COMMUNITY, Unit.Kind.ENTERPRISE)

# Default time limits (DESIGN.md); the deadline-policy tables replace these per category.

phone_validator = RegexValidator(
    r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$",
    _("Enter a mainland mobile number (11 digits) or a landline such as 0571-88888888."),
)


def is_working_day(day: dt.date) -> bool:
    return calendar.is_working_day(day)


def add_working_time(start: dt.datetime, *, days: int = 0, hours: int = 0) -> dt.datetime:
    """``start`` plus working days / working hours on the township's working-day calendar
    (statutory holidays, 调休 and the admins' overrides)."""
    result = calendar.add_working_days(start, days) if days else start
    return calendar.add_working_hours(result, hours) if hours else result


def working_days_between(start: dt.date, end: dt.date) -> int:
    return calendar.working_days_between(start, end)


def can_dispatch(user, issue: LivelihoodIssue | None = None) -> bool:
    """Dispatchers (派单) are members flagged ``dispatcher`` (data the admin edits); each
    dispatches the orders of their own township only. Without ``issue``: dispatches anywhere."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    scope = scope_for(user)
    if issue is None or scope.is_admin or not scope.dispatches:
        return scope.dispatches
    unit = issue.place_unit if issue.place_unit_id else issue.unit if issue.unit_id else None
    if unit is not None:
        return scope.dispatches_in(unit.path)
    # A free-text place not dispatched yet: the order is the registrar's townships' (cached per
    # registrar on the user object, as the scope is, so a page of orders asks once each).
    known = user.__dict__.setdefault("_dutyflow_dispatch_registrars", {})
    if issue.registered_by_id not in known:
        known[issue.registered_by_id] = (
            Membership.objects.filter(user_id=issue.registered_by_id).filter(scope.dispatch_q("unit__path")).exists()
        )
    return known[issue.registered_by_id]


def issue_township_q(paths: tuple[str, ...]) -> Q:
    """Orders of the townships at ``paths``: by the place they came from, else by the handling
    unit, else (a free-text place not dispatched yet) by the townships of whoever registered it."""
    registrars = Membership.objects.filter(path_prefix_q(*paths, field="unit__path")).values("user_id")
    return (
        path_prefix_q(*paths, field="place_unit__path")
        | (Q(place_unit__isnull=True) & path_prefix_q(*paths, field="unit__path"))
        | Q(place_unit__isnull=True, unit__isnull=True, registered_by_id__in=registrars)
    )


def dispatcher_memberships(township_paths=None):
    """Dispatchers' memberships; with ``township_paths``, those dispatching in these townships
    (a membership inside the township, or on a unit above it: a county-wide grant)."""
    qs = Membership.objects.filter(dispatcher=True)
    if township_paths is None:
        return qs
    above = {int(seg) for path in township_paths for seg in path.strip("/").split("/") if seg}
    return qs.filter(path_prefix_q(*township_paths, field="unit__path") | Q(unit_id__in=above))


def dispatchers(issue: LivelihoodIssue | None = None):
    """Users who dispatch ``issue`` (its township's dispatchers), or every dispatcher."""
    from organization.models import User

    paths = None if issue is None else issue.township_paths()
    return User.objects.filter(pk__in=dispatcher_memberships(paths).values("user_id"))


class _FollowUpOutcome(RETURN_VALUE):
    """回访 closes the order unless the caller was unsatisfied; lists show the usual target."""

    def __str__(self) -> str:
        return "closed"


class IssueQuerySet(models.QuerySet):
    OPEN_STATES = ("reported", "dispatched", "accepted", "in_progress", "resolved")
    # States in which the handler's clock (due_at) runs: what the sweep warns and escalates on.
    CLOCK_STATES = ("dispatched", "accepted", "in_progress")

    def open(self):
        return self.filter(state__in=self.OPEN_STATES)

    def overdue(self, as_of=None):
        """Orders whose handler's deadline has passed (for the commissioners' overdue queue)."""
        return self.filter(state__in=self.CLOCK_STATES, due_at__lt=as_of or timezone.now())

    def not_accepted_in_time(self, as_of=None):
        return self.filter(state="dispatched", accept_due_at__lt=as_of or timezone.now())


class LivelihoodIssue(ConcurrentTransitionMixin, FSMModelMixin, models.Model):
    class State(models.TextChoices):
        REPORTED = "reported", _("reported")  # 受理
        DISPATCHED = "dispatched", _("dispatched")  # 派单
        ACCEPTED = "accepted", _("accepted")  # 签收
        REJECTED = "rejected", _("returned as wrongly routed")  # 退回
        IN_PROGRESS = "in_progress", _("in progress")
        RESOLVED = "resolved", _("resolved")  # 办结
        CLOSED = "closed", _("closed")  # 归档
        CANCELLED = "cancelled", _("cancelled")

    class Source(models.TextChoices):
        VISIT = "visit", _("village or enterprise visit")  # 走访
        PAIRING = "pairing", _("1+N pairing")
        HOTLINE = "hotline", _("hotline")  # 12345
        LETTER = "letter", _("letter or visit to the office")  # 信访

    class Category(models.TextChoices):
        ROADS = "roads", _("roads and transport")
        WATER = "water", _("water and drainage")
        ENVIRONMENT = "environment", _("environment and sanitation")
        SOCIAL = "social", _("social security and assistance")
        HOUSING = "housing", _("housing and land")
        SAFETY = "safety", _("public safety")
        ENTERPRISE = "enterprise", _("enterprise services")
        OTHER = "other", _("other")

    class Urgency(models.TextChoices):
        NORMAL = "normal", _("normal")
        URGENT = "urgent", _("urgent")

    class Resolution(models.TextChoices):
        SUBSTANTIVE = "substantive", _("substantive")  # 实质办结
        STAGED = "staged", _("staged")  # 阶段办结

    class Satisfaction(models.TextChoices):
        SATISFIED = "satisfied", _("satisfied")  # 满意
        BASICALLY_SATISFIED = "basically_satisfied", _("basically satisfied")  # 基本满意
        UNSATISFIED = "unsatisfied", _("unsatisfied")  # 不满意

    class Warning(models.TextChoices):  # the sweep's ladder, as on items and pledges
        GREEN = "green", _("green")
        BLUE = "blue", _("blue")
        YELLOW = "yellow", _("yellow")
        RED = "red", _("red")

    OPEN_STATES = IssueQuerySet.OPEN_STATES
    CLOCK_STATES = IssueQuerySet.CLOCK_STATES

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.VISIT)
    place_unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="livelihood_issues",
        limit_choices_to={"kind__in": PLACE_KINDS},
        verbose_name=_("village or enterprise"),
    )
    place_text = models.CharField(_("place"), max_length=200, blank=True)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices, default=Category.OTHER)
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    reporter_name = models.CharField(_("raised by (name)"), max_length=50, blank=True)
    reporter_phone = models.CharField(_("raised by (phone)"), max_length=20, blank=True, validators=[phone_validator])
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="registered_issues",
        verbose_name=_("registered by"),
    )
    state = FSMField(_("state"), default=State.REPORTED, choices=State.choices, protected=True)
    unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="handled_issues",
        verbose_name=_("handling unit"),
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="handled_issues",
        verbose_name=_("handler"),
    )
    co_units = models.ManyToManyField(Unit, blank=True, related_name="co_handled_issues", verbose_name=_("co-handling units"))  # fmt: skip
    dispatched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("dispatched by"),
    )
    # Deadlines, kept like ResponsibilityItem's so the sweep can drive both.
    accept_due_at = models.DateTimeField(_("accept by"), null=True, blank=True, validators=[validate_in_range])
    reject_due_at = models.DateTimeField(_("return by"), null=True, blank=True, validators=[validate_in_range])
    due_at = models.DateTimeField(_("deadline"), null=True, blank=True, validators=[validate_in_range])
    original_due_at = models.DateTimeField(
        _("original deadline"), null=True, blank=True, validators=[validate_in_range]
    )
    warning_level = models.CharField(_("warning level"), max_length=10, choices=Warning.choices, default="green")
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    reported_at = models.DateTimeField(_("reported at"), default=timezone.now)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    on_time = models.BooleanField(_("resolved on time"), null=True, blank=True)
    result = models.TextField(_("result"), blank=True)
    resolution = models.CharField(_("resolution"), max_length=20, choices=Resolution.choices, blank=True)
    remaining_plan = models.TextField(_("plan for the rest"), blank=True)
    remaining_due_date = models.DateField(_("rest done by"), null=True, blank=True, validators=[validate_in_range])
    satisfaction = models.CharField(_("satisfaction"), max_length=20, choices=Satisfaction.choices, blank=True)
    followed_up_at = models.DateTimeField(_("followed up at"), null=True, blank=True)
    last_rejection_reason = models.TextField(_("reason for return"), blank=True)
    close_reason = models.TextField(_("closing explanation"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = IssueQuerySet.as_manager()

    class Meta:
        verbose_name = _("livelihood issue")
        verbose_name_plural = _("livelihood issues")
        ordering = ["-reported_at", "-pk"]
        indexes = [
            models.Index(fields=["state", "due_at"], name="issue_state_due"),
            models.Index(fields=["state", "accept_due_at"], name="issue_state_accept_due"),
            models.Index(fields=["handler", "state"], name="issue_handler_state"),
            models.Index(fields=["place_unit", "category", "state"], name="issue_place_category"),
        ]
        constraints = [
            models.CheckConstraint(condition=date_range_q(field, moment=moment), name=f"issue_{field}_in_range")
            for field, moment in (
                ("accept_due_at", True),
                ("reject_due_at", True),
                ("due_at", True),
                ("original_due_at", True),
                ("remaining_due_date", False),
            )
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self):
        super().clean()
        # 阶段办结: the date promised for the rest must lie ahead, like any deadline.
        if self.remaining_due_date is not None and changed(self, "remaining_due_date"):
            errors = due_date_errors(self.remaining_due_date)
            if errors:
                raise ValidationError({"remaining_due_date": errors})

    @property
    def place(self) -> str:
        return self.place_unit.name if self.place_unit_id else self.place_text

    @property
    def is_overdue(self) -> bool:
        return self.state in self.CLOCK_STATES and self.due_at is not None and self.due_at < timezone.now()

    def masked_phone(self) -> str:
        phone = self.reporter_phone
        if len(phone) < 7:
            return phone
        return phone[:3] + "****" + phone[-4:]

    def township_paths(self) -> list[str]:
        """The township(s) the order belongs to (see ``issue_township_q``)."""
        unit = self.place_unit if self.place_unit_id else self.unit if self.unit_id else None
        if unit is not None:
            return township_paths_of([unit.path])
        paths = Membership.objects.filter(user_id=self.registered_by_id).values_list("unit__path", flat=True)
        return sorted(set(township_paths_of(paths)))

    def phone_for(self, user) -> str:
        """The full number for the order's dispatchers and its handler; masked (138****1234) for others."""
        if user is not None and (user.pk == self.handler_id or can_dispatch(user, self)):
            return self.reporter_phone
        return self.masked_phone()

    # -- limits -------------------------------------------------------------------------------
    def policy(self):
        """This order's time limits: deadline policies are data (kind ``issue``, per category
        and urgency), editable by admins."""
        from workflows.policies import policy_for

        return policy_for("issue", self.category, self.urgency == self.Urgency.URGENT)

    def _limit(self, kind: str) -> dict:
        policy = self.policy()
        if kind == "accept":
            if policy.accept_within_hours:
                return {"hours": policy.accept_within_hours}
            return {"days": policy.accept_within_working_days}
        if kind == "reject":
            return {"days": policy.return_within_working_days}
        return {"days": policy.resolve_within_working_days}

    # -- permissions ---------------------------------------------------------------------------
    def _dispatcher(self, user) -> bool:
        return can_dispatch(user, self)

    def _handler(self, user) -> bool:
        return user.pk is not None and user.pk == self.handler_id

    def _dispatcher_or_registrar(self, user) -> bool:
        return can_dispatch(user, self) or (user.pk is not None and user.pk == self.registered_by_id)

    def _follow_up_caller(self, user) -> bool:
        # 回访 is made by the dispatching office, never by whoever did the work.
        return can_dispatch(user, self) and user.pk != self.handler_id

    def within_reject_window(self) -> bool:
        return self.reject_due_at is None or timezone.now() <= self.reject_due_at

    # -- transitions ---------------------------------------------------------------------------
    @transition(
        field=state,
        source=State.REPORTED,
        target=State.CLOSED,
        permission=_dispatcher_or_registrar,
        custom={"label": _("Answer on the spot")},
    )
    def answer(self, *, result: str):
        now = timezone.now()
        self.result = result
        self.resolution = self.Resolution.SUBSTANTIVE
        self.resolved_at = now
        self.closed_at = now
        self.on_time = True

    @transition(
        field=state,
        source=State.REPORTED,
        target=State.DISPATCHED,
        permission=_dispatcher,
        custom={"label": _("Dispatch")},
    )
    def dispatch(self, *, handler, unit: Unit, dispatched_by):
        now = timezone.now()
        self.handler = handler
        self.unit = unit
        self.dispatched_by = dispatched_by
        self.dispatched_at = now
        self.accept_due_at = add_working_time(now, **self._limit("accept"))
        self.reject_due_at = add_working_time(now, **self._limit("reject"))
        self.due_at = add_working_time(now, **self._limit("resolve"))
        self.original_due_at = self.due_at
        self.warning_level = "green"
        self.escalation_level = 0

    @transition(
        field=state,
        source=State.DISPATCHED,
        target=State.ACCEPTED,
        permission=_handler,
        custom={"label": _("Accept")},
    )
    def accept(self):
        self.accepted_at = timezone.now()

    @transition(
        field=state,
        source=State.DISPATCHED,
        target=State.REJECTED,
        conditions=[within_reject_window],
        permission=_handler,
        custom={"label": _("Return as wrongly routed"), "api_name": "reject"},
    )
    def reject(self, *, reason: str):
        self.last_rejection_reason = reason

    @transition(
        field=state,
        source=State.REJECTED,
        target=State.REPORTED,
        custom={"label": _("Back to the dispatcher"), "internal": True},
    )
    def requeue(self):
        """The returned order goes back to the dispatch queue; its clocks stop until re-dispatched."""
        self.handler = None
        self.unit = None
        self.accept_due_at = self.reject_due_at = self.due_at = self.original_due_at = None
        self.warning_level = "green"
        self.escalation_level = 0

    @transition(
        field=state,
        source=[State.ACCEPTED, State.IN_PROGRESS],
        target=State.IN_PROGRESS,
        permission=_handler,
        custom={"label": _("Report progress")},
    )
    def report_progress(self):
        pass

    @transition(
        field=state,
        source=[State.ACCEPTED, State.IN_PROGRESS],
        target=State.RESOLVED,
        permission=_handler,
        custom={"label": _("Resolve")},
    )
    def resolve(self, *, result: str, resolution: str, remaining_plan: str = "", remaining_due_date=None):
        now = timezone.now()
        self.result = result
        self.resolution = resolution
        self.remaining_plan = remaining_plan if resolution == self.Resolution.STAGED else ""
        self.remaining_due_date = remaining_due_date if resolution == self.Resolution.STAGED else None
        self.resolved_at = now
        self.on_time = self.due_at is None or now <= self.due_at
        self.satisfaction = ""

    @transition(
        field=state,
        source=State.RESOLVED,
        target=_FollowUpOutcome(State.RESOLVED, State.CLOSED),
        permission=_follow_up_caller,
        custom={"label": _("Record the follow-up call")},
    )
    def follow_up(self, *, satisfaction: str):
        """满意 / 基本满意 close the order; 不满意 leaves it resolved for reopen or close."""
        self.satisfaction = satisfaction
        self.followed_up_at = timezone.now()
        if satisfaction == self.Satisfaction.UNSATISFIED:
            return self.State.RESOLVED
        self.closed_at = self.followed_up_at
        return self.State.CLOSED

    @transition(
        field=state,
        source=State.RESOLVED,
        target=State.IN_PROGRESS,
        permission=_dispatcher,
        custom={"label": _("Reopen")},
    )
    def reopen(self):
        """重办: the unit works on it again with a fresh resolution period."""
        now = timezone.now()
        self.resolved_at = None
        self.on_time = None
        self.due_at = add_working_time(now, **self._limit("resolve"))
        self.warning_level = "green"
        self.escalation_level = 0

    @transition(
        field=state,
        source=State.RESOLVED,
        target=State.CLOSED,
        permission=_dispatcher,
        custom={"label": _("Close")},
    )
    def close(self, *, reason: str):
        self.close_reason = reason
        self.closed_at = timezone.now()

    @transition(
        field=state,
        source=[State.REPORTED, State.DISPATCHED, State.ACCEPTED, State.IN_PROGRESS],
        target=State.CANCELLED,
        permission=_dispatcher,
        custom={"label": _("Cancel")},
    )
    def cancel(self, *, reason: str):
        self.close_reason = reason
        self.closed_at = timezone.now()

    @transition(
        field=state,
        source=[State.DISPATCHED, State.ACCEPTED, State.IN_PROGRESS],
        target=None,
        custom={"label": _("Move deadline"), "internal": True},
    )
    def move_deadline(self, *, new_due_at: dt.datetime):
        """An approved extension (延期) moves the deadline; ``original_due_at`` keeps the first one."""
        if self.original_due_at is None:
            self.original_due_at = self.due_at
        self.due_at = new_due_at


class IssueProgress(models.Model):
    issue = models.ForeignKey(LivelihoodIssue, on_delete=models.CASCADE, related_name="progress_reports", verbose_name=_("livelihood issue"))  # fmt: skip
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("author"))  # fmt: skip
    text = models.TextField(_("progress"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("issue progress report")
        verbose_name_plural = _("issue progress reports")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.text[:50]


class IssueFollowUp(models.Model):
    """One follow-up call (回访) and its outcome; the satisfaction rate counts each order's last call in a quarter."""

    issue = models.ForeignKey(LivelihoodIssue, on_delete=models.CASCADE, related_name="follow_ups", verbose_name=_("livelihood issue"))  # fmt: skip
    satisfaction = models.CharField(_("satisfaction"), max_length=20, choices=LivelihoodIssue.Satisfaction.choices)
    note = models.TextField(_("note"), blank=True)
    called_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("called by"))  # fmt: skip
    called_at = models.DateTimeField(_("called at"), default=timezone.now)

    class Meta:
        verbose_name = _("follow-up call")
        verbose_name_plural = _("follow-up calls")
        ordering = ["called_at", "pk"]

    def __str__(self) -> str:
        return f"{self.issue} — {self.get_satisfaction_display()}"


def issue_photo_path(instance, filename: str) -> str:
    today = timezone.localdate()
    return f"issues/{today:%Y/%m}/{instance.issue_id}/{filename}"


class IssuePhoto(models.Model):
    """A photo taken as evidence; served only to those who may see the issue."""

    issue = models.ForeignKey(LivelihoodIssue, on_delete=models.CASCADE, related_name="photos", verbose_name=_("livelihood issue"))  # fmt: skip
    file = models.FileField(_("file"), upload_to=issue_photo_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by"))  # fmt: skip
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("issue photo")
        verbose_name_plural = _("issue photos")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name


class IssueProcess(Process):
    """The viewflow process of one work order (the issue is its artifact)."""

    class Meta:
        proxy = True
        verbose_name = _("work order process")
        verbose_name_plural = _("work order processes")

    @property
    def issue(self) -> LivelihoodIssue:
        return self.artifact
