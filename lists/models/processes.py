"""viewflow processes: one per list and one per item, each pointing at the object it drives.

The process and its tasks say who must act next (the inboxes); the state of the list or item
stays on its own FSM field, which services change and which flows only read.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Process

from .items import ResponsibilityItem, ResponsibilityList

__all__ = ["ItemProcess", "ListProcess"]


class ListProcess(Process):
    """The list's life: the leader publishes (下单) it, then closes (验单) it."""

    list = models.ForeignKey(
        ResponsibilityList, on_delete=models.CASCADE, related_name="processes", verbose_name=_("list")
    )

    class Meta:
        verbose_name = _("list process")
        verbose_name_plural = _("list processes")


class ItemProcess(Process):
    """An item's life from assignment: accept (签收), work and submit, verify (办结)."""

    item = models.ForeignKey(
        ResponsibilityItem, on_delete=models.CASCADE, related_name="processes", verbose_name=_("item")
    )

    class Meta:
        verbose_name = _("item process")
        verbose_name_plural = _("item processes")
