"""Periodic work of Party life (CELERY_BEAT_SCHEDULE names these tasks)."""

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from .obligations import obligations_open


@shared_task(
    name="partylife.tasks.open_obligations", autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3
)
def open_obligations() -> dict:
    """Hourly: the current period's 三会一课 obligations of every branch (idempotent)."""
    result = obligations_open(as_of=timezone.now())
    return {"opened": result.opened, "met": result.met}
