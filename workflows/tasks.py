"""Periodic work of the engine (CELERY_BEAT_SCHEDULE names these tasks)."""

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from .audit import write_checkpoint
from .sweep import sweep_deadlines as run_sweep


@shared_task(
    name="workflows.tasks.sweep_deadlines", autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3
)
def sweep_deadlines() -> dict:
    """Every 15 minutes: warning colours and escalations as of now. Idempotent, lock-guarded."""
    report = run_sweep(as_of=timezone.now())
    return {"as_of": report.as_of.isoformat(), "changed": len(report.changes), "skipped": report.skipped}


@shared_task(
    name="workflows.tasks.checkpoint_audit", autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3
)
def checkpoint_audit() -> dict:
    """Every 15 minutes: sign a checkpoint of the transition log (see workflows.audit)."""
    checkpoint = write_checkpoint()
    if checkpoint is None:
        return {"checkpoint": None}
    return {"checkpoint": checkpoint.pk, "position": checkpoint.position, "rows": checkpoint.row_count}
