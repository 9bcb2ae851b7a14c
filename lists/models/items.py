"""Monthly responsibility lists (月度责任清单) and their items.

Glossary: 下单 publish — the leader issues the list and assigns every item; 签收 accept — the
assignee acknowledges an item; 办结申请 submit — the assignee reports it done; 办结 verify —
the leader confirms completion; 退回 return — the leader sends it back for rework; 中止/恢复
suspend/resume; 延期申请 extension request; 协办 co-handlers; 分管领导 lead leader.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import ConcurrentTransitionMixin, FSMField, FSMModelMixin, transition

from organization.scoping import scope_for
from workflows.bounds import changed, date_range_q, deadline_errors, validate_in_range


def _leads_unit(instance, user) -> bool:
    return scope_for(user).leads(instance.unit)


class TaskCategory(models.Model):
    """A category of work (党建, 经济发展, 平安建设 …); deadline policies are set per category."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("task category")
        verbose_name_plural = _("task categories")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class ResponsibilityList(ConcurrentTransitionMixin, FSMModelMixin, models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("draft")
        PUBLISHED = "published", _("published")
        CLOSED = "closed", _("closed")

    unit = models.ForeignKey(
        "organization.Unit", on_delete=models.PROTECT, related_name="responsibility_lists", verbose_name=_("unit")
    )
    month = models.DateField(
        _("month"), help_text=_("First day of the month the list is for."), validators=[validate_in_range]
    )
    title = models.CharField(_("title"), max_length=200)
    state = FSMField(_("state"), default=State.DRAFT, choices=State.choices, protected=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("responsibility list")
        verbose_name_plural = _("responsibility lists")
        ordering = ["-month", "unit__path"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "month"], name="one_list_per_unit_month"),
            models.CheckConstraint(condition=date_range_q("month", moment=False), name="list_month_in_range"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def month_label(self) -> str:
        return self.month.strftime("%Y-%m")

    def publish_blockers(self) -> list[str]:
        """Why the list cannot be published yet (empty when it can)."""
        items = list(self.items.exclude(state=ResponsibilityItem.State.CANCELLED))
        if not items:
            return [str(_("The list has no items."))]
        problems = []
        for item in items:
            missing = [
                str(label)
                for field, label in (
                    ("assignee_id", _("assignee")),
                    ("lead_leader_id", _("lead leader")),
                    ("standard", _("completion standard")),
                    ("due_at", _("deadline")),
                )
                if not getattr(item, field)
            ]
            if missing:
                problems.append(
                    str(_("Item “%(title)s” lacks: %(fields)s.")) % {"title": item.title, "fields": ", ".join(missing)}
                )
        return problems

    def can_publish(self) -> bool:
        return not self.publish_blockers()

    def deletion_blocker(self) -> str | None:
        """Why the list cannot be deleted (None when it can): only a draft holding nothing but
        its own draft items goes. Items carried over from last month's list are work that
        closing that list promised to keep (the originals point at them)."""
        if self.state != self.State.DRAFT:
            return str(_("Only a draft list can be deleted."))
        if self.items.exclude(state=ResponsibilityItem.State.DRAFT).exists():
            return str(_("The list has items that are no longer drafts."))
        if self.items.filter(carried_over_from__isnull=False).exists():
            return str(
                _(
                    "The list holds work carried over from last month; it cannot be deleted. Publish it, "
                    "then cancel with a reason the items no longer needed."
                )
            )
        return None

    @transition(
        field=state,
        source=State.DRAFT,
        target=State.PUBLISHED,
        conditions=[can_publish],
        permission=_leads_unit,
        custom={"label": _("Publish")},
    )
    def publish(self):
        """下单: items are assigned by the service in the same transaction."""
        self.published_at = timezone.now()

    @transition(
        field=state,
        source=State.PUBLISHED,
        target=State.CLOSED,
        permission=_leads_unit,
        custom={"label": pgettext_lazy("monthly list", "Close")},
    )
    def close(self):
        """验单: the service carries over or marks unfinished every open item first."""
        self.closed_at = timezone.now()


class ItemQuerySet(models.QuerySet):
    OPEN_STATES = ("assigned", "accepted", "in_progress", "submitted", "returned", "suspended")

    def open(self):
        return self.filter(state__in=self.OPEN_STATES)


class ResponsibilityItem(ConcurrentTransitionMixin, FSMModelMixin, models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("draft")
        ASSIGNED = "assigned", _("assigned")
        ACCEPTED = "accepted", _("accepted")  # 签收
        IN_PROGRESS = "in_progress", _("in progress")
        SUBMITTED = "submitted", _("submitted")  # 办结申请
        RETURNED = "returned", _("returned")  # 退回
        COMPLETED = "completed", _("completed")  # 办结
        SUSPENDED = "suspended", _("suspended")  # 中止
        CANCELLED = "cancelled", _("cancelled")
        UNFINISHED = "unfinished", _("unfinished")  # closed with the list, not carried over
        CARRIED_OVER = "carried_over", _("carried over")  # moved to next month's list

    class Warning(models.TextChoices):
        GREEN = "green", _("green")
        BLUE = "blue", _("blue")
        YELLOW = "yellow", _("yellow")
        RED = "red", _("red")

    OPEN_STATES = ItemQuerySet.OPEN_STATES
    WORKING_STATES = ("accepted", "in_progress", "returned")

    list = models.ForeignKey(ResponsibilityList, on_delete=models.CASCADE, related_name="items", verbose_name=_("list"))
    title = models.CharField(_("title"), max_length=200)
    standard = models.TextField(_("completion standard"), blank=True)
    category = models.ForeignKey(
        TaskCategory, null=True, blank=True, on_delete=models.PROTECT, related_name="items", verbose_name=_("category")
    )
    urgent = models.BooleanField(_("urgent"), default=False)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_items",
        verbose_name=_("responsible cadre"),
    )
    co_handlers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="co_handled_items", verbose_name=_("co-handlers")
    )
    lead_leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_items",
        verbose_name=_("lead leader"),
    )
    state = FSMField(_("state"), default=State.DRAFT, choices=State.choices, protected=True)
    due_at = models.DateTimeField(_("deadline"), null=True, blank=True, validators=[validate_in_range])
    original_due_at = models.DateTimeField(
        _("original deadline"), null=True, blank=True, validators=[validate_in_range]
    )
    warning_level = models.CharField(_("warning level"), max_length=10, choices=Warning.choices, default=Warning.GREEN)
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    suspended_at = models.DateTimeField(_("suspended at"), null=True, blank=True)
    on_time = models.BooleanField(_("completed on time"), null=True, blank=True)
    # The lead leader's verification clock (审核时限): it starts at submission, when the cadre's stops.
    verification_due_at = models.DateTimeField(_("verify by"), null=True, blank=True, validators=[validate_in_range])
    verification_decided_at = models.DateTimeField(_("verification decided at"), null=True, blank=True)
    verification_warning_level = models.CharField(
        _("verification warning level"), max_length=10, choices=Warning.choices, default=Warning.GREEN
    )
    verification_escalation_level = models.PositiveSmallIntegerField(_("verification escalation level"), default=0)
    result = models.TextField(_("result"), blank=True)
    progress_percent = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    carried_over_from = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="carried_over_to",
        verbose_name=_("carried over from"),
    )
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("responsibility item")
        verbose_name_plural = _("responsibility items")
        ordering = ["list", "sort_order", "pk"]
        indexes = [
            models.Index(fields=["assignee", "state"], name="item_assignee_state"),
            models.Index(fields=["state", "due_at"], name="item_state_due"),
            models.Index(fields=["list", "sort_order"], name="item_list_order"),
            # "My items" in deadline order, read from the index (the cadre's task list).
            models.Index(fields=["assignee", "due_at", "id"], name="item_assignee_due"),
            # Open items only (a few per cent of the table): the sweep, the overdue queue, the
            # warning overview and the dashboards look them up by deadline and warning colour.
            models.Index(
                fields=["due_at"], condition=models.Q(state__in=ItemQuerySet.OPEN_STATES), name="item_open_due"
            ),
            models.Index(
                fields=["warning_level", "due_at"],
                condition=models.Q(state__in=ItemQuerySet.OPEN_STATES),
                name="item_open_warning",
            ),
            # A jurisdiction's overdue queue: its few hundred lists, then their open items.
            models.Index(
                fields=["list", "due_at"],
                condition=models.Q(state__in=ItemQuerySet.OPEN_STATES),
                name="item_open_list_due",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=date_range_q("due_at", moment=True), name="item_due_at_in_range"),
            models.CheckConstraint(
                condition=date_range_q("original_due_at", moment=True), name="item_original_due_at_in_range"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    # Django's get_FOO_display builds a hashable copy of every choice (translating each label) on
    # each call; a page of 80 items called them hundreds of times. Same labels, one lookup.
    def get_state_display(self) -> str:
        return str(_STATE_LABELS.get(self.state, self.state))

    def get_warning_level_display(self) -> str:
        return str(_WARNING_LABELS.get(self.warning_level, self.warning_level))

    # The cadre's clock runs in these states (it stops at submission and while suspended).
    CLOCK_STATES = ("assigned", "accepted", "in_progress", "returned")

    @property
    def shown_warning_level(self) -> str:
        """The colour a page shows, from the deadline when drawn: an item past its deadline is red
        at once, not when the sweep next runs (the sweep still escalates and notifies)."""
        if self.state in self.CLOCK_STATES and self.due_at is not None and self.due_at <= timezone.now():
            return "red"
        return self.warning_level

    def get_shown_warning_level_display(self) -> str:
        return str(_WARNING_LABELS.get(self.shown_warning_level, self.shown_warning_level))

    @property
    def unit(self):
        return self.list.unit

    def clean(self):
        super().clean()
        # A deadline set or moved must lie ahead (at most 400 days); one kept as it was may have passed.
        if self.due_at is not None and changed(self, "due_at"):
            errors = deadline_errors(self.due_at)
            if errors:
                raise ValidationError({"due_at": errors})

    @property
    def is_overdue(self) -> bool:
        return self.state in self.OPEN_STATES and self.due_at is not None and self.due_at < timezone.now()

    def deletion_blocker(self) -> str | None:
        """Why the item cannot be deleted (None when it can): only a draft goes, and not one
        carried over from last month (closing that list promised to keep it)."""
        if self.state != self.State.DRAFT:
            return str(_("Only draft items can be deleted; cancel a published one instead."))
        if self.carried_over_from_id is not None:
            return str(
                _(
                    "The item was carried over from last month; it cannot be deleted. Publish its list, "
                    "then cancel it with a reason if it is no longer needed."
                )
            )
        return None

    # -- permissions (object-level; conditions are about state, these about people) ------------
    def _is_assignee(self, user) -> bool:
        return user.pk is not None and user.pk == self.assignee_id

    def _leader_not_assignee(self, user) -> bool:
        # Four-eyes: whoever verifies or returns must not be the one who did the work.
        return not self._is_assignee(user) and scope_for(user).leads(self.unit)

    # -- transitions ---------------------------------------------------------------------------
    @transition(
        field=state,
        source=State.DRAFT,
        target=State.ASSIGNED,
        permission=_leads_unit,
        custom={"label": _("Assign"), "internal": True},
    )
    def assign(self):
        now = timezone.now()
        self.assigned_at = now
        if self.original_due_at is None:
            self.original_due_at = self.due_at

    @transition(
        field=state,
        source=State.ASSIGNED,
        target=State.ACCEPTED,
        permission=_is_assignee,
        custom={"label": _("Accept")},
    )
    def accept(self):
        self.accepted_at = timezone.now()

    @transition(
        field=state,
        source=[State.ACCEPTED, State.IN_PROGRESS, State.RETURNED],
        target=State.IN_PROGRESS,
        permission=_is_assignee,
        custom={"label": _("Report progress")},
    )
    def report_progress(self, *, percent: int | None = None):
        if percent is not None:
            self.progress_percent = percent

    @transition(
        field=state,
        source=State.IN_PROGRESS,
        target=State.SUBMITTED,
        permission=_is_assignee,
        custom={"label": _("Submit for verification")},
    )
    def submit(self, *, result: str):
        self.result = result
        self.submitted_at = timezone.now()
        # The cadre's clock stops here; the lead leader's verification clock starts.
        self.verification_due_at = self.verification_deadline(self.submitted_at)
        self.verification_decided_at = None
        self.verification_warning_level = self.Warning.GREEN
        self.verification_escalation_level = 0

    def verification_deadline(self, submitted_at: dt.datetime) -> dt.datetime:
        """Submission plus the policy's working days to verify (the unit's calendar)."""
        from workflows.calendar import WorkingCalendar
        from workflows.policies import policy_for

        unit = self.list.unit
        policy = policy_for("item", self.category.code if self.category_id else "", self.urgent, unit=unit)
        return WorkingCalendar(unit).add_working_days(submitted_at, policy.verify_within_working_days)

    @transition(
        field=state,
        source=State.SUBMITTED,
        target=State.COMPLETED,
        permission=_leader_not_assignee,
        custom={"label": _("Verify completion")},
    )
    def verify(self):
        now = timezone.now()
        self.completed_at = now
        self.verification_decided_at = now
        self.progress_percent = 100
        # On time means submitted (办结申请) by the deadline in force; verification delay is the leader's.
        reference = self.submitted_at or now
        self.on_time = self.due_at is None or reference <= self.due_at

    @transition(
        field=state,
        source=State.SUBMITTED,
        target=State.RETURNED,
        permission=_leader_not_assignee,
        custom={"label": _("Return for rework"), "api_name": "return"},
    )
    def return_for_rework(self):
        self.submitted_at = None
        self.verification_decided_at = timezone.now()

    @transition(
        field=state,
        source=[State.ASSIGNED, State.ACCEPTED, State.IN_PROGRESS, State.RETURNED],
        target=None,
        permission=_leads_unit,
        custom={"label": _("Reassign")},
    )
    def reassign(self, *, assignee):
        """改派: another cadre takes the item over where it stands; the log keeps both names."""
        self.assignee = assignee

    @transition(
        field=state,
        source=[*OPEN_STATES],
        target=None,
        permission=_leads_unit,
        custom={"label": pgettext_lazy("item transition", "Correct")},
    )
    def correct(self, *, title: str | None = None, standard: str | None = None):
        """更正: the leader corrects a published item's wording where it stands (the deadline
        moves through ``move_deadline``, logged as an extension)."""
        if title is not None:
            self.title = title
        if standard is not None:
            self.standard = standard

    @transition(
        field=state,
        source=[State.ACCEPTED, State.IN_PROGRESS, State.RETURNED],
        target=State.SUSPENDED,
        permission=_leads_unit,
        custom={"label": _("Suspend")},
    )
    def suspend(self):
        self.suspended_at = timezone.now()

    @transition(
        field=state,
        source=State.SUSPENDED,
        target=State.IN_PROGRESS,
        permission=_leads_unit,
        custom={"label": _("Resume")},
    )
    def resume(self):
        # The deadline clock stops while suspended: push the deadline by the time spent suspended.
        now = timezone.now()
        if self.suspended_at and self.due_at:
            self.due_at = self.due_at + (now - self.suspended_at)
        self.suspended_at = None

    @transition(
        field=state,
        source=[State.DRAFT, *OPEN_STATES],
        target=State.CANCELLED,
        permission=_leads_unit,
        custom={"label": _("Cancel")},
    )
    def cancel(self):
        self.suspended_at = None

    @transition(
        field=state,
        source=[*OPEN_STATES],
        target=State.CARRIED_OVER,
        permission=_leads_unit,
        custom={"label": _("Carry over"), "internal": True},
    )
    def carry_over(self):
        """Closing the list moved this item to next month's list (the copy keeps working)."""

    @transition(
        field=state,
        source=[*OPEN_STATES],
        target=State.UNFINISHED,
        permission=_leads_unit,
        custom={"label": _("Mark unfinished"), "internal": True},
    )
    def mark_unfinished(self):
        """Closing the list recorded this item as not finished."""

    @transition(
        field=state,
        source=[*OPEN_STATES],
        target=None,
        permission=_leads_unit,
        custom={"label": _("Move deadline"), "internal": True},
    )
    def move_deadline(self, *, new_due_at: dt.datetime):
        """An approved extension (延期) moves the deadline; ``original_due_at`` keeps the first one."""
        if self.original_due_at is None:
            self.original_due_at = self.due_at
        self.due_at = new_due_at


class ItemVerification(ResponsibilityItem):
    """A submitted item seen as its lead leader's verification (审核): the second clock the sweep
    keeps on an item, with deadline ``verification_due_at``, its own warning colour and escalation
    level, escalation events and supervision cases (about the leader, not the cadre)."""

    class Meta:
        proxy = True
        verbose_name = _("item verification")
        verbose_name_plural = _("item verifications")


class ProgressReport(models.Model):
    item = models.ForeignKey(
        ResponsibilityItem, on_delete=models.CASCADE, related_name="progress_reports", verbose_name=_("item")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("author")
    )
    text = models.TextField(_("progress"))
    percent = models.PositiveSmallIntegerField(_("percent done"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.text[:50]


def evidence_path(instance, filename: str) -> str:
    today = timezone.localdate()
    return f"evidence/{today:%Y/%m}/{instance.item_id}/{filename}"


class Evidence(models.Model):
    """An uploaded file proving the work; served only to those who may see the item."""

    item = models.ForeignKey(
        ResponsibilityItem, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("item")
    )
    file = models.FileField(_("file"), upload_to=evidence_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name


class Comment(models.Model):
    item = models.ForeignKey(
        ResponsibilityItem, on_delete=models.CASCADE, related_name="comments", verbose_name=_("item")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("author")
    )
    text = models.TextField(_("comment"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.text[:50]


class ExtensionRequest(ConcurrentTransitionMixin, FSMModelMixin, models.Model):
    """延期申请: a request to move the deadline of an item or of a work order (its subject)."""

    class State(models.TextChoices):
        PENDING = "pending", _("pending")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")

    item = models.ForeignKey(
        ResponsibilityItem,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="extension_requests",
        verbose_name=_("item"),
    )
    issue = models.ForeignKey(
        "issues.LivelihoodIssue",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="extension_requests",
        verbose_name=_("livelihood issue"),
    )
    state = FSMField(_("state"), default=State.PENDING, choices=State.choices, protected=True)
    new_due_at = models.DateTimeField(_("requested deadline"), validators=[validate_in_range])
    previous_due_at = models.DateTimeField(
        _("deadline when requested"), null=True, blank=True, validators=[validate_in_range]
    )
    reason = models.TextField(_("reason"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.TextField(_("decision reason"), blank=True)

    class Meta:
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")
        ordering = ["-requested_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["item"], condition=models.Q(state="pending"), name="one_pending_extension_per_item"
            ),
            models.UniqueConstraint(
                fields=["issue"], condition=models.Q(state="pending"), name="one_pending_extension_per_issue"
            ),
            models.CheckConstraint(
                condition=models.Q(item__isnull=False, issue__isnull=True)
                | models.Q(item__isnull=True, issue__isnull=False),
                name="extension_for_item_xor_issue",
            ),
            models.CheckConstraint(
                condition=date_range_q("new_due_at", moment=True), name="extension_new_due_at_in_range"
            ),
            models.CheckConstraint(
                condition=date_range_q("previous_due_at", moment=True), name="extension_previous_due_at_in_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {self.new_due_at:%Y-%m-%d}"

    @property
    def subject(self):
        return self.item if self.item_id else self.issue

    def clean(self):
        super().clean()
        if self.new_due_at is None or not changed(self, "new_due_at"):
            return
        errors = deadline_errors(self.new_due_at)
        subject = self.subject if (self.item_id or self.issue_id) else None
        if not errors and subject is not None and subject.due_at is not None and self.new_due_at <= subject.due_at:
            errors = [_("The new deadline must be later than the current one.")]
        if errors:
            raise ValidationError({"new_due_at": errors})

    @property
    def unit(self):
        return self.subject.unit

    @property
    def subject_field(self) -> str:
        """The foreign key that holds the subject: ``item`` or ``issue``."""
        return "item" if self.item_id else "issue"

    @property
    def subject_id(self) -> int:
        return self.item_id or self.issue_id

    def may_decide(self, user) -> bool:
        """Whether ``user`` may approve or reject this request (whatever its state)."""
        return self._decider(user)

    def _decider(self, user) -> bool:
        # One rule for every subject: who may move the subject's deadline (its ``move_deadline``
        # permission) decides, never the requester (four-eyes).
        from workflows.engine import holds_transition_permission

        if user.pk == self.requested_by_id:
            return False
        return holds_transition_permission(self.subject, "move_deadline", user)

    @transition(
        field=state, source=State.PENDING, target=State.APPROVED, permission=_decider, custom={"label": _("Approve")}
    )
    def approve(self):
        self.decided_at = timezone.now()

    @transition(
        field=state, source=State.PENDING, target=State.REJECTED, permission=_decider, custom={"label": _("Reject")}
    )
    def reject(self, *, reason: str):
        self.decided_at = timezone.now()
        self.decision_reason = reason


class RecurringItemTemplate(models.Model):
    """A per-unit recurring item (每月主题党日, 15分钟纪律微课 …) that generate_monthly_lists copies.

    Its cadence says which months' lists receive it: every month; once a quarter, in the
    quarter's ``period_month``-th month (1–3); once a year, in month ``period_month`` (1–12);
    or once, in ``once_month``. The item is due on ``due_day`` of that month (or its last day).
    """

    class Cadence(models.TextChoices):
        MONTHLY = "monthly", pgettext_lazy("cadence", "monthly")
        QUARTERLY = "quarterly", pgettext_lazy("cadence", "quarterly")
        ANNUAL = "annual", pgettext_lazy("cadence", "annual")
        ONCE = "once", pgettext_lazy("cadence", "one-off")

    unit = models.ForeignKey(
        "organization.Unit", on_delete=models.CASCADE, related_name="recurring_items", verbose_name=_("unit")
    )
    title = models.CharField(_("title"), max_length=200)
    standard = models.TextField(_("completion standard"))
    category = models.ForeignKey(
        TaskCategory, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("category")
    )
    default_assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("default assignee"),
    )
    lead_leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("lead leader"),
    )
    due_day = models.PositiveSmallIntegerField(
        _("due on day of month"), default=25, validators=[MinValueValidator(1), MaxValueValidator(31)]
    )
    cadence = models.CharField(_("cadence"), max_length=10, choices=Cadence.choices, default=Cadence.MONTHLY)
    period_month = models.PositiveSmallIntegerField(
        _("month of the period"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text=_("Quarterly: the quarter's 1st, 2nd or 3rd month. Annual: the month of the year."),
    )
    once_month = models.DateField(
        _("month (one-off)"), null=True, blank=True, help_text=_("One-off: the month whose list receives the item.")
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("recurring item template")
        verbose_name_plural = _("recurring item templates")
        ordering = ["unit__path", "pk"]
        constraints = [
            models.CheckConstraint(
                name="template_cadence_fields",
                condition=(
                    models.Q(cadence="monthly", period_month__isnull=True, once_month__isnull=True)
                    | models.Q(
                        cadence="quarterly",
                        period_month__isnull=False,
                        period_month__gte=1,
                        period_month__lte=3,
                        once_month__isnull=True,
                    )
                    | models.Q(
                        cadence="annual",
                        period_month__isnull=False,
                        period_month__gte=1,
                        period_month__lte=12,
                        once_month__isnull=True,
                    )
                    | models.Q(cadence="once", period_month__isnull=True, once_month__isnull=False)
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self):
        super().clean()
        if self.cadence == self.Cadence.QUARTERLY and self.period_month not in (1, 2, 3):
            raise ValidationError({"period_month": _("Choose the quarter's 1st, 2nd or 3rd month.")})
        if self.cadence == self.Cadence.ANNUAL and not (self.period_month and 1 <= self.period_month <= 12):
            raise ValidationError({"period_month": _("Choose the month of the year (1–12).")})
        if self.cadence == self.Cadence.ONCE and self.once_month is None:
            raise ValidationError({"once_month": _("Choose the month of the one-off item.")})
        if self.cadence in (self.Cadence.MONTHLY, self.Cadence.ONCE):
            self.period_month = None
        if self.cadence != self.Cadence.ONCE:
            self.once_month = None
        elif self.once_month:
            self.once_month = self.once_month.replace(day=1)

    def applies_to(self, month: dt.date) -> bool:
        """Whether ``month``'s list receives this template's item."""
        if self.cadence == self.Cadence.QUARTERLY:
            return (month.month - 1) % 3 + 1 == self.period_month
        if self.cadence == self.Cadence.ANNUAL:
            return month.month == self.period_month
        if self.cadence == self.Cadence.ONCE:
            return self.once_month is not None and (self.once_month.year, self.once_month.month) == (
                month.year,
                month.month,
            )
        return True

    @property
    def schedule(self) -> str:
        """The cadence in words (每季度第2个月 25日 …)."""
        if self.cadence == self.Cadence.QUARTERLY:
            when = _("quarterly, month %(n)s of the quarter") % {"n": self.period_month}
        elif self.cadence == self.Cadence.ANNUAL:
            when = _("every year in month %(n)s") % {"n": self.period_month}
        elif self.cadence == self.Cadence.ONCE:
            when = _("once, in %(month)s") % {"month": f"{self.once_month:%Y-%m}" if self.once_month else "?"}
        else:
            when = _("every month")
        return _("%(when)s, due on day %(day)s") % {"when": when, "day": self.due_day}


_STATE_LABELS = dict(ResponsibilityItem.State.choices)
_WARNING_LABELS = dict(ResponsibilityItem.Warning.choices)
