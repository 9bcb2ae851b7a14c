"""The Party-affairs staff's three steps (党务培养 "三步走"): annual concentrated training (a
``training`` activity they attended, with its result), quarterly rotation (轮岗交流: from which
post to which, for how long, with a short report) and the monthly responsibility list.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from organization.models import Unit

__all__ = ["Rotation"]


class Rotation(models.Model):
    """轮岗交流: a Party-affairs worker moved from one post to another for a while."""

    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="rotations", verbose_name=_("worker")
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="rotations", verbose_name=_("unit"))
    from_post = models.CharField(_("from post"), max_length=200)
    to_post = models.CharField(_("to post"), max_length=200)
    starts_on = models.DateField(_("from"))
    months = models.PositiveSmallIntegerField(_("for (months)"))
    report = models.TextField(_("report"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("rotation")
        verbose_name_plural = _("rotations")
        ordering = ["-starts_on", "-pk"]
        indexes = [models.Index(fields=["worker", "starts_on"], name="rotation_worker_start")]

    def __str__(self) -> str:
        return f"{self.worker}: {self.from_post} → {self.to_post}"
