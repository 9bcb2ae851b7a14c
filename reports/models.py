"""The quarterly assessment's scoring scheme (考核评分办法), as data an admin edits per year.

Glossary: 一票否决 veto — one condition (e.g. a red card) fails the unit whatever its score;
加分 bonus points; 扣分 deductions; 党员积分 Party-member points (base, task and reward points);
优秀 / 合格 / 基本合格 / 不合格 grades; 先进集体 advanced collective; 先锋个人 pioneer member.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

QUARTER_VALIDATORS = [MinValueValidator(1), MaxValueValidator(4)]


def _points(verbose_name, default, **kwargs):
    return models.DecimalField(verbose_name, max_digits=6, decimal_places=2, default=Decimal(default), **kwargs)


class ScoringScheme(models.Model):
    """How a quarter's figures become a score on 100 points, points and grades (one per year)."""

    year = models.PositiveSmallIntegerField(_("year"))
    # A township's own scheme (its office edits it); without one, the deployment's (township empty).
    township = models.ForeignKey(
        "organization.Unit",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="scoring_schemes",
        verbose_name=_("township"),
        limit_choices_to={"kind": "township"},
    )
    # weights of the rate metrics; they add up to 100. The defaults give the business figures 80
    # (in the old 20 : 60 : 20) and Party building 20 (党建: 三会一课 on frequency, required parts,
    # attendance, 1+N visit coverage, 5 each): a unit with no Party-building figure scores as before.
    weight_on_time_acceptance = _points(_("weight: on-time acceptance rate"), "16")
    weight_on_time_completion = _points(_("weight: on-time completion rate"), "48")
    weight_pledge_fulfilment = _points(_("weight: pledge fulfilment rate"), "16")
    weight_frequency_met = _points(_("weight: 三会一课 held as often as required"), "5")
    weight_required_parts = _points(_("weight: activities with every required part"), "5")
    weight_attendance = _points(_("weight: attendance rate"), "5")
    weight_visit_coverage = _points(_("weight: 1+N visit coverage"), "5")
    accept_within_working_days = models.PositiveSmallIntegerField(
        _("accepted on time within (working days)"), default=1
    )
    # deductions (扣分)
    deduction_per_overdue_item = _points(_("deduction per overdue item"), "2")
    deduction_per_overdue_working_day = _points(_("deduction per overdue working day"), "0")
    deduction_per_yellow_card = _points(_("deduction per yellow card"), "3")
    deduction_per_red_card = _points(_("deduction per red card"), "5")
    # veto (一票否决)
    veto_on_red_card = models.BooleanField(_("veto on a red card"), default=True)
    veto_overdue_items = models.PositiveSmallIntegerField(
        _("veto at this many overdue items"), default=0, help_text=_("0: no veto for overdue items.")
    )
    # Party-member points (党员积分)
    member_base_points = _points(_("member base points"), "60")
    member_points_per_on_time_item = _points(_("member task points per item completed on time"), "5")
    member_points_per_overdue_item = _points(_("member points taken per overdue item"), "5")
    member_points_per_card = _points(_("member points taken per yellow or red card"), "10")
    member_points_per_pledge_fulfilled = _points(_("member points per pledge fulfilled"), "5")
    # grades (优秀 / 合格 / 基本合格 / 不合格): minimum points of each
    grade_excellent_min = _points(_("excellent from (points)"), "90")
    grade_qualified_min = _points(_("qualified from (points)"), "70")
    grade_basic_min = _points(_("basically qualified from (points)"), "60")
    # recognition (先进集体 / 先锋个人)
    collective_top_n = models.PositiveSmallIntegerField(_("advanced collectives: top N"), default=3)
    collective_min_score = _points(_("advanced collectives: minimum score"), "90")
    pioneer_top_n = models.PositiveSmallIntegerField(_("pioneer members: top N"), default=5)
    pioneer_min_points = _points(_("pioneer members: minimum points"), "90")

    class Meta:
        verbose_name = _("scoring scheme")
        verbose_name_plural = _("scoring schemes")
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["year"], condition=models.Q(township__isnull=True), name="one_deployment_scheme_per_year"
            ),
            models.UniqueConstraint(fields=["township", "year"], name="one_township_scheme_per_year"),
        ]

    def __str__(self) -> str:
        where = f"{self.township} " if self.township_id else ""
        return f"{where}{self.year} {_('scoring scheme')}"

    def clean(self):
        total = self.weights_total
        if total != 100:
            raise ValidationError(_("The weights must add up to 100 (now %(total)s).") % {"total": total})
        if not (self.grade_excellent_min >= self.grade_qualified_min >= self.grade_basic_min):
            raise ValidationError(_("Grade thresholds must descend: excellent ≥ qualified ≥ basically qualified."))

    @classmethod
    def for_year(cls, year: int, township=None) -> ScoringScheme:
        """The year's scheme, or the latest earlier one, or the defaults (unsaved): the
        township's own first, then the deployment's."""
        earlier = cls.objects.filter(year__lte=year).order_by("-year")
        scheme = None
        if township is not None:
            scheme = earlier.filter(township=township).first()
        scheme = scheme or earlier.filter(township__isnull=True).first()
        return scheme or cls(year=year)

    @classmethod
    def for_townships(cls, year: int, townships) -> dict[int, ScoringScheme]:
        """``for_year`` of each township, by township id (one query)."""
        rows = list(cls.objects.filter(year__lte=year).order_by("-year"))
        default = next((s for s in rows if s.township_id is None), None) or cls(year=year)
        return {t.pk: next((s for s in rows if s.township_id == t.pk), None) or default for t in townships}

    @property
    def weights_total(self) -> Decimal:
        from .metrics import weight_fields

        return sum((getattr(self, field) or 0 for field in set(weight_fields().values())), Decimal(0))


#: The scheme's fields by section, as the admin and the office page show them.
SCHEME_SECTIONS = [
    (_("Weights"), ("weight_on_time_acceptance", "weight_on_time_completion", "weight_pledge_fulfilment")),
    (
        _("Party-building weights"),
        ("weight_frequency_met", "weight_required_parts", "weight_attendance", "weight_visit_coverage"),
    ),
    (
        _("Deductions and veto"),
        (
            "deduction_per_overdue_item",
            "deduction_per_overdue_working_day",
            "deduction_per_yellow_card",
            "deduction_per_red_card",
            "veto_on_red_card",
            "veto_overdue_items",
        ),
    ),
    (
        _("Party-member points and grades"),
        (
            "member_base_points",
            "member_points_per_on_time_item",
            "member_points_per_pledge_fulfilled",
            "member_points_per_overdue_item",
            "member_points_per_card",
            "grade_excellent_min",
            "grade_qualified_min",
            "grade_basic_min",
        ),
    ),
    (_("Recognition"), ("collective_top_n", "collective_min_score", "pioneer_top_n", "pioneer_min_points")),
]


class UnitBonus(models.Model):
    """加分: points a unit earns in a quarter for recognised work."""

    unit = models.ForeignKey(
        "organization.Unit", on_delete=models.CASCADE, related_name="assessment_bonuses", verbose_name=_("unit")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"), validators=QUARTER_VALIDATORS)
    points = _points(_("points"), "0")
    reason = models.CharField(_("reason"), max_length=200)

    class Meta:
        verbose_name = _("unit bonus")
        verbose_name_plural = _("unit bonuses")
        indexes = [models.Index(fields=["year", "quarter"], name="unit_bonus_quarter")]

    def __str__(self) -> str:
        return f"{self.unit} {self.year}Q{self.quarter} +{self.points}"


class MemberReward(models.Model):
    """奖励积分: reward points a Party member earns in a quarter."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assessment_rewards", verbose_name=_("member")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"), validators=QUARTER_VALIDATORS)
    points = _points(_("points"), "0")
    reason = models.CharField(_("reason"), max_length=200)

    class Meta:
        verbose_name = _("member reward points")
        verbose_name_plural = _("member reward points")
        indexes = [models.Index(fields=["year", "quarter"], name="member_reward_quarter")]

    def __str__(self) -> str:
        return f"{self.member} {self.year}Q{self.quarter} +{self.points}"
