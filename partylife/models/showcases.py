"""干事担当亮初心 showcases, honours and brands.

Glossary: 亮初心 members show monthly what they did on their branch's showcase; 推荐 the branch
nominates a post; 评选 the township committee selects the quarter's 党员先锋 (vanguard members)
and 先进集体 (advanced collectives); 荣誉 honours from outside (省优秀共产党员, 全市先进工作者 …)
with their date and awarding body; 一个支部一品牌 each branch's brand (name, slogan, what it
stands for) and the achievements attached to it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, FSMModelMixin, transition

from organization.models import Unit
from organization.scoping import scope_for

from .activities import Photo

__all__ = ["Brand", "BrandAchievement", "Honour", "ShowcasePhoto", "ShowcasePost", "committee_of", "selects_for"]


def committee_of(unit: Unit) -> Unit | None:
    """The township's Party committee above ``unit`` (or its township when it has none)."""
    ids = [int(seg) for seg in unit.path.strip("/").split("/") if seg]
    ancestors = {u.pk: u for u in Unit.objects.filter(pk__in=ids, kind__in=[Unit.Kind.COMMITTEE, Unit.Kind.TOWNSHIP])}
    return next((ancestors[pk] for pk in reversed(ids) if pk in ancestors), None)


def selects_for(user, unit: Unit) -> bool:
    """The committee selects: whoever leads the township's committee (or the township)."""
    if user.pk is None:
        return False
    scope = scope_for(user)
    committee = committee_of(unit)
    return scope.is_admin or (committee is not None and scope.leads(committee))


class ShowcasePost(ConcurrentTransitionMixin, FSMModelMixin, models.Model):
    """A member's monthly post on their branch's showcase: what they did, with photos."""

    class State(models.TextChoices):
        POSTED = "posted", _("posted")
        NOMINATED = "nominated", _("nominated by the branch")  # 推荐
        SELECTED = "selected", _("selected by the committee")  # 评选: 党员先锋 of the quarter

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="showcase_posts", verbose_name=_("branch"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="showcase_posts", verbose_name=_("member")
    )
    month = models.DateField(_("month"))  # its first day
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("what I did"))
    state = FSMField(_("state"), default=State.POSTED, choices=State.choices, protected=True)
    nomination = models.TextField(_("nomination"), blank=True)
    created_at = models.DateTimeField(_("posted at"), default=timezone.now)

    class Meta:
        verbose_name = _("showcase post")
        verbose_name_plural = _("showcase posts")
        ordering = ["-month", "-created_at", "-pk"]
        indexes = [models.Index(fields=["unit", "month"], name="showcase_unit_month")]

    def __str__(self) -> str:
        return self.title

    def _organises(self, user) -> bool:
        return user.pk is not None and scope_for(user).organises(self.unit)

    def _selects(self, user) -> bool:
        return selects_for(user, self.unit)

    @transition(
        field=state, source=State.POSTED, target=State.NOMINATED, permission=_organises, custom={"label": _("Nominate")}
    )
    def nominate(self, *, reason: str):
        self.nomination = reason

    @transition(
        field=state,
        source=State.NOMINATED,
        target=State.SELECTED,
        permission=_selects,
        custom={"label": _("Select for the quarter")},
    )
    def select(self):
        """The committee names the author a vanguard of the quarter (the service records the honour)."""


class ShowcasePhoto(Photo):
    post = models.ForeignKey(ShowcasePost, on_delete=models.CASCADE, related_name="photos", verbose_name=_("post"))
    image = models.FileField(_("photo"), upload_to="showcase/%Y/%m/")

    class Meta(Photo.Meta):
        verbose_name = _("photo")
        verbose_name_plural = _("photos")


class Honour(models.Model):
    """An honour of a member or a unit: from outside (with its date and awarding body), or the
    committee's selection of the quarter (党员先锋, 先进集体)."""

    class Kind(models.TextChoices):
        OUTSIDE = "outside", _("honour from outside")
        VANGUARD = "vanguard", _("vanguard member of the quarter")  # 党员先锋
        ADVANCED_COLLECTIVE = "advanced_collective", _("advanced collective of the quarter")  # 先进集体

    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices, default=Kind.OUTSIDE)
    title = models.CharField(_("honour"), max_length=200)
    body = models.CharField(_("awarded by"), max_length=200)
    awarded_on = models.DateField(_("awarded on"))
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="honours",
        verbose_name=_("member"),
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="honours", verbose_name=_("unit"))
    post = models.ForeignKey(
        ShowcasePost, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("post")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("honour")
        verbose_name_plural = _("honours")
        ordering = ["-awarded_on", "-pk"]
        indexes = [models.Index(fields=["awarded_on"], name="honour_awarded_on")]

    def __str__(self) -> str:
        return self.title


class Brand(models.Model):
    """一个支部一品牌: a branch's brand."""

    unit = models.OneToOneField(Unit, on_delete=models.CASCADE, related_name="brand", verbose_name=_("branch"))
    name = models.CharField(_("brand"), max_length=100)
    slogan = models.CharField(_("slogan"), max_length=200)
    stands_for = models.TextField(_("what it stands for"))

    class Meta:
        verbose_name = _("branch brand")
        verbose_name_plural = _("branch brands")

    def __str__(self) -> str:
        return self.name


class BrandAchievement(models.Model):
    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="achievements", verbose_name=_("brand"))
    title = models.CharField(_("achievement"), max_length=200)
    achieved_on = models.DateField(_("achieved on"))
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("brand achievement")
        verbose_name_plural = _("brand achievements")
        ordering = ["-achieved_on", "-pk"]

    def __str__(self) -> str:
        return self.title
