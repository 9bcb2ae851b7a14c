"""Users, the unit tree, roles, discipline jurisdictions and 1+N pairings.

The unit tree is stored with a materialised path (``/000001/000004/``) so that "this unit and
everything below it" is one indexed ``path LIKE '/000001/%'`` query.
"""

from django.contrib.auth.models import AbstractUser
from django.db import models, transaction
from django.db.models import Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    display_name = models.CharField(_("display name"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.name_from(self.display_name, self.first_name, self.last_name, self.username)

    #: The columns a name is made of, in ``name_from``'s order (reads that fetch values).
    NAME_COLUMNS = ("display_name", "first_name", "last_name", "username")

    @staticmethod
    def name_from(display_name: str, first_name: str, last_name: str, username: str) -> str:
        """How a user is shown, from the columns alone (reads that fetch values, not users)."""
        return display_name or f"{first_name} {last_name}".strip() or username

    @property
    def name(self) -> str:
        return str(self)

    @classmethod
    def from_db(cls, db, field_names, values):
        user = super().from_db(db, field_names, values)
        user._stored_credentials = (user.__dict__.get("password"), user.__dict__.get("is_active"))
        return user

    def save(self, *args, **kwargs):
        # A new password or a deactivation ends every API token of the user (sessions end by
        # Django's session hash already); checked before the save, which forgets ``_password``.
        revoke = self._ends_tokens(kwargs.get("update_fields"))
        super().save(*args, **kwargs)
        self._stored_credentials = (self.__dict__.get("password"), self.__dict__.get("is_active"))
        if revoke:
            from .tokens import tokens_revoke_all

            tokens_revoke_all(user_id=self.pk)

    def _ends_tokens(self, update_fields) -> bool:
        if self._state.adding or self.pk is None:
            return False
        fields = {"password", "is_active"} if update_fields is None else set(update_fields)
        stored_password, stored_active = getattr(self, "_stored_credentials", (None, None))
        password = self.__dict__.get("password")
        new_password = self._password is not None or (stored_password is not None and password != stored_password)
        deactivated = stored_active is not False and self.__dict__.get("is_active") is False
        return ("password" in fields and new_password) or ("is_active" in fields and deactivated)


class UnitQuerySet(models.QuerySet):
    def subtree_of(self, *roots: "Unit") -> "UnitQuerySet":
        """Units at or below any of ``roots``."""
        return self.filter(path_prefix_q(*(root.path for root in roots)))


def path_prefix_q(*paths: str, field: str = "path") -> models.Q:
    """A Q matching rows whose ``field`` lies under any of ``paths`` (never matches when empty)."""
    q = models.Q(pk__in=[])
    for path in sorted(set(paths)):
        q |= models.Q(**{f"{field}__startswith": path})
    return q


class Unit(models.Model):
    class Kind(models.TextChoices):
        TOWNSHIP = "township", _("township")  # 镇
        COMMITTEE = "committee", _("Party committee")  # 镇党委
        BRANCH = "branch", _("Party branch")  # 机关党支部
        DISTRICT = "district", _("district")  # 片区
        DEPARTMENT = "department", _("department")  # 科室
        VILLAGE = "village", _("village")  # 村
        COMMUNITY = "community", _("community")  # 社区
        ENTERPRISE = "enterprise", _("enterprise")  # 企业
        PARTY_GROUP = "party_group", _("Party group")  # 党小组
        FUNCTIONAL_BRANCH = "functional_branch", _("functional Party branch")  # 功能性党支部 (in a grid)
        TEMPORARY_BRANCH = "temporary_branch", _("temporary Party branch")  # 临时党支部 (e.g. at a checkpoint)

    #: Kinds whose members hold organisational life of their own (activities, check-ins).
    PARTY_ORGANISATION_KINDS = ("branch", "party_group", "functional_branch", "temporary_branch")
    #: Kinds a cadre visits (千名干部联村企) and an organ branch pairs with (1+N).
    PAIRED_KINDS = ("village", "community", "enterprise")

    name = models.CharField(_("name"), max_length=100)
    code = models.SlugField(_("code"), max_length=50, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    stands_from = models.DateField(
        _("stands from"), null=True, blank=True, help_text=_("A temporary Party branch: the day it is set up.")
    )
    stands_until = models.DateField(
        _("stands until"), null=True, blank=True, help_text=_("A temporary Party branch: the day it is dissolved.")
    )
    path = models.CharField(_("tree path"), max_length=255, editable=False, db_index=True, default="")
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    webhook_url = models.URLField(_("group bot webhook URL"), max_length=500, blank=True)
    webhook_secret = models.CharField(_("group bot signing secret"), max_length=200, blank=True)
    webhook_kind = models.CharField(
        _("group bot kind"),
        max_length=20,
        choices=[("wecom", _("WeCom group bot")), ("dingtalk", _("DingTalk robot"))],
        default="wecom",
    )

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        with transaction.atomic():
            if self.pk is None:
                super().save(*args, **kwargs)
                args, kwargs = (), {}
            old_path = Unit.objects.filter(pk=self.pk).values_list("path", flat=True).first() or ""
            parent_path = self.parent.path if self.parent_id else "/"
            if old_path and parent_path.startswith(old_path):
                raise ValueError("A unit cannot be moved below itself.")
            self.path = f"{parent_path}{self.pk:06d}/"
            super().save(*args, **kwargs)
            if old_path and old_path != self.path:
                # Re-root the descendants when a unit moves: one UPDATE, not a loop.
                Unit.objects.filter(path__startswith=old_path).exclude(pk=self.pk).update(
                    path=Concat(Value(self.path), Substr("path", len(old_path) + 1))
                )

    def clean(self):
        super().clean()
        if self.stands_from and self.stands_until and self.stands_until < self.stands_from:
            from django.core.exceptions import ValidationError

            raise ValidationError({"stands_until": _("A branch cannot be dissolved before it is set up.")})

    @property
    def depth(self) -> int:
        return self.path.count("/") - 2

    def subtree(self) -> UnitQuerySet:
        return Unit.objects.filter(path__startswith=self.path)

    def ancestors(self) -> UnitQuerySet:
        ids = [int(seg) for seg in self.path.strip("/").split("/") if seg]
        return Unit.objects.filter(pk__in=ids).order_by("path")

    def is_within(self, other: "Unit") -> bool:
        return self.path.startswith(other.path)


def township_paths_of(paths) -> list[str]:
    """For each unit path, the path of its township (one query): the nearest ancestor-or-self of
    kind township, or the path itself when no township lies at or above it."""
    paths = list(paths)
    ancestor_ids = {int(seg) for path in paths for seg in path.strip("/").split("/") if seg}
    townships = set(Unit.objects.filter(pk__in=ancestor_ids, kind=Unit.Kind.TOWNSHIP).values_list("path", flat=True))
    result = []
    for path in paths:
        found = [t for t in townships if path.startswith(t)]
        result.append(max(found, key=len) if found else path)
    return result


def township_of(unit: "Unit") -> "Unit | None":
    """The township ``unit`` lies in (itself for a township; None above the townships)."""
    path = township_paths_of([unit.path])[0]
    return Unit.objects.filter(path=path, kind=Unit.Kind.TOWNSHIP).first()


class Membership(models.Model):
    class Role(models.TextChoices):
        LEADER = "leader", _("leader")  # 领导 — assigns and verifies
        CADRE = "cadre", _("cadre")  # 干部 — accepts and carries out
        COMMISSIONER = "commissioner", _("discipline commissioner")  # 纪工委委员
        OBSERVER = "observer", _("observer")  # 党风政风观察员 — reads only
        OFFICE = "office", _("township office")  # 党政办 — administers the township, decides no business
        BRANCH_COMMITTEE = "branch_committee", _("branch committee member")  # 支部委员 — organises the branch's life
        PARTY_WORKER = "party_worker", _("Party-affairs worker")  # 党务工作者 (专职 / 兼职)

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user"))
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("unit"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    title = models.CharField(_("post"), max_length=100, blank=True)
    dispatcher = models.BooleanField(
        _("dispatches livelihood issues"),
        default=False,
        help_text=_("派单: this member dispatches the livelihood issues of the township this unit belongs to."),
    )

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "unit", "role"], name="unique_membership_role"),
        ]
        indexes = [models.Index(fields=["role", "unit"])]

    def __str__(self) -> str:
        return f"{self.user} · {self.unit} · {self.get_role_display()}"


class Jurisdiction(models.Model):
    """The area a discipline work committee (纪工委) supervises.

    Commissioners hold their membership on ``unit`` (a district or the township); they oversee
    ``unit``'s own subtree plus the subtrees of every unit in ``covers`` (e.g. the organ
    branches assigned to a district).
    """

    unit = models.OneToOneField(Unit, on_delete=models.CASCADE, related_name="jurisdiction", verbose_name=_("unit"))
    name = models.CharField(_("name"), max_length=100)
    covers = models.ManyToManyField(
        Unit, blank=True, related_name="supervising_jurisdictions", verbose_name=_("also covers")
    )

    class Meta:
        verbose_name = _("discipline jurisdiction")
        verbose_name_plural = _("discipline jurisdictions")

    def __str__(self) -> str:
        return self.name


class Pairing(models.Model):
    """1+N: an organ branch paired with a village, community or enterprise branch."""

    branch = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="pairings", verbose_name=_("organ branch"))
    partner = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="paired_with", verbose_name=_("paired unit")
    )
    since = models.DateField(_("since"), null=True, blank=True)

    class Meta:
        verbose_name = _("1+N pairing")
        verbose_name_plural = _("1+N pairings")
        constraints = [models.UniqueConstraint(fields=["branch", "partner"], name="unique_pairing")]

    def __str__(self) -> str:
        return f"{self.branch} ↔ {self.partner}"


class AdministrativeChange(models.Model):
    """One change the township office (党政办) or an admin made to the township's set-up.

    Append-only: who, when, what, to which record, and why. The office pages write one row per
    change in the change's own transaction and show them as the township's change history.
    """

    class Action(models.TextChoices):
        PERSON_CREATE = "person_create", _("account created")
        PERSON_UPDATE = "person_update", _("details changed")
        PERSON_DEACTIVATE = "person_deactivate", _("account deactivated")
        PERSON_ACTIVATE = "person_activate", _("account reactivated")
        PASSWORD_RESET = "password_reset", _("password reset")
        MEMBERSHIP_ADD = "membership_add", _("role added")
        MEMBERSHIP_REMOVE = "membership_remove", _("role removed")
        PAIRING_ADD = "pairing_add", _("pairing added")
        PAIRING_REMOVE = "pairing_remove", _("pairing ended")
        # WeCom / DingTalk (the connect app)
        VENDOR_APP_SAVE = "vendor_app_save", _("WeCom / DingTalk application set up")
        ACCOUNT_LINK = "account_link", _("WeCom / DingTalk account linked")
        ACCOUNT_UNLINK = "account_unlink", _("WeCom / DingTalk account unlinked")
        TEMPLATE_CREATE = "template_create", _("item template created")
        TEMPLATE_UPDATE = "template_update", _("item template changed")
        TEMPLATE_DEACTIVATE = "template_deactivate", _("item template deactivated")
        TEMPLATE_ACTIVATE = "template_activate", _("item template reactivated")
        CALENDAR_SET = "calendar_set", _("calendar day set")
        CALENDAR_REMOVE = "calendar_remove", _("calendar day restored")
        JURISDICTION_SET = "jurisdiction_set", _("jurisdiction set")
        JURISDICTION_REMOVE = "jurisdiction_remove", _("jurisdiction removed")
        PEOPLE_IMPORT = "people_import", _("people imported")
        HAND_OVER = "hand_over", _("open work handed over")  # 交接
        POLICY_SET = "policy_set", _("deadline policy and escalation ladder set")
        POLICY_REMOVE = "policy_remove", _("deadline policy returned to the deployment's")
        SCORING_CHANGE = "scoring_change", _("scoring scheme changed")
        UNIT_CREATE = "unit_create", _("unit created")
        UNIT_UPDATE = "unit_update", _("unit renamed or moved")
        UNIT_DELETE = "unit_delete", _("unit deleted")

    township = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="administrative_changes", verbose_name=_("township")
    )
    actor = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("changed by"))
    at = models.DateTimeField(_("changed at"), auto_now_add=True)
    action = models.CharField(_("action"), max_length=40, choices=Action.choices)
    target = models.CharField(_("changed record"), max_length=200)
    reason = models.TextField(_("reason"))
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("administrative change")
        verbose_name_plural = _("administrative changes")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["township", "-at"], name="adminchange_township_at")]

    def __str__(self) -> str:
        return f"{self.action}: {self.target}"
