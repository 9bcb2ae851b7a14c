"""The append-only, hash-chained transition log shared by every stateful model of the project.

Rows are written only by ``workflows.audit.append_log``, which chains them (see that module).
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    """Raised on any attempt to change or delete a log row."""


class TransitionLogQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("The transition log is append-only.")

    def delete(self):
        raise AppendOnlyError("The transition log is append-only.")

    def bulk_create(self, *args, **kwargs):
        raise AppendOnlyError("Transition log rows are written one by one by workflows.audit.append_log.")

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
    at = models.DateTimeField(_("at"), default=timezone.now)
    comment = models.TextField(_("comment"), blank=True)
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    # The hash chain (per subject): position, the previous row's hash, this row's hash.
    seq = models.PositiveIntegerField(_("sequence"), editable=False)
    prev_hash = models.CharField(_("previous hash"), max_length=64, blank=True, editable=False)
    hash = models.CharField(_("hash"), max_length=64, editable=False)

    objects = TransitionLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("transition log entry")
        verbose_name_plural = _("transition log")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["content_type", "object_id", "at"], name="translog_object_at")]
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
