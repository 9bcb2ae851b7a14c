"""Thin Celery tasks: load by id, call a service."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from . import services


@shared_task(name="notifications.tasks.deliver_outbox_message", acks_late=True, bind=True)
def deliver_outbox_message(self, message_id: int) -> str:
    return services.outbox_deliver(message_id=message_id, claim=self.request.id or "")


@shared_task(name="notifications.tasks.deliver_outbox_messages", acks_late=True, bind=True)
def deliver_outbox_messages(self, message_ids: list[int]) -> list[str]:
    """Many rows in one task (written together, e.g. by a sweep's batch): each claimed and sent
    as ``deliver_outbox_message`` would, under a claim of its own."""
    task = self.request.id or ""
    return [services.outbox_deliver(message_id=pk, claim=f"{task}:{pk}" if task else "") for pk in message_ids]


@shared_task(name="notifications.tasks.redispatch_outbox")
def redispatch_outbox() -> int:
    return len(services.outbox_redispatch())


@shared_task(name="notifications.tasks.send_daily_digests")
def send_daily_digests(as_of: str | None = None) -> int:
    """One digest per leader and commissioner with something to report (08:30 on working days)."""
    moment = parse_datetime(as_of) if as_of else timezone.now()
    return services.digest_send(as_of=moment)
