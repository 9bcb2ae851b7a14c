"""The notification outbox, the in-app inbox and per-user preferences.

An ``OutboxMessage`` is written in the same transaction as the change that caused it (one row
per event × recipient × channel, unique on its idempotency key) and delivered by Celery after
commit. Delivery is at-least-once; the effect is exactly-once because a worker must first
claim the row with a conditional UPDATE (``pending|failed → sending``) before it sends.
"""

from __future__ import annotations

import datetime as dt
import logging
import random

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import registry

logger = logging.getLogger(__name__)


class Channel(models.TextChoices):
    IN_APP = "in_app", _("in-app")
    EMAIL = "email", _("email")
    WEBHOOK = "webhook", _("group bot")
    # Personal work notices, sent by the connect app's transports (registered there).
    WECOM = "wecom", _("WeCom work notice")
    DINGTALK = "dingtalk", _("DingTalk work notice")


class OutboxQuerySet(models.QuerySet):
    def due(self, now: dt.datetime) -> OutboxQuerySet:
        """Rows a dispatcher should (re)send now: never picked up, or failed and due for a retry."""
        return self.filter(
            state__in=(OutboxMessage.State.PENDING, OutboxMessage.State.FAILED), next_attempt_at__lte=now
        )

    def claimable(self, now: dt.datetime, claim: str = "") -> OutboxQuerySet:
        """Rows the task holding ``claim`` may send: due ones, and one it claimed itself before.

        A task message carrying the same id runs again only when its earlier run ended without
        acknowledging it: the worker process died mid-send (``task_reject_on_worker_lost``), or
        the whole worker died and the broker's visibility timeout (far above the task time limit)
        ran out. Either way nobody is still sending that row, so the redelivered task takes over
        at once instead of leaving the row "sending" until the claim timeout.
        """
        condition = models.Q(
            state__in=(OutboxMessage.State.PENDING, OutboxMessage.State.FAILED), next_attempt_at__lte=now
        )
        if claim:
            condition |= models.Q(state=OutboxMessage.State.SENDING, claimed_by=claim)
        return self.filter(condition)

    def stuck_sending(self, now: dt.datetime, timeout: dt.timedelta) -> OutboxQuerySet:
        """Rows claimed by a worker that died before recording the outcome."""
        return self.filter(state=OutboxMessage.State.SENDING, claimed_at__lt=now - timeout)

    def to_redispatch(self, now: dt.datetime) -> OutboxQuerySet:
        """Rows no task is on its way for: pending past the grace of their commit hook (the
        broker was down), deferred ones whose time came (quiet hours), failed ones due a retry."""
        State = OutboxMessage.State
        return self.filter(
            models.Q(state=State.PENDING, next_attempt_at__lte=now - OutboxMessage.REDISPATCH_GRACE)
            | models.Q(state=State.PENDING, next_attempt_at__lte=now, next_attempt_at__gt=F("created_at"))
            | models.Q(state=State.FAILED, next_attempt_at__lte=now)
        )

    def release_stuck(self, now: dt.datetime) -> int:
        """Rows whose worker died mid-send become failed and due now (the send may have happened:
        the transports' idempotency keys are what a receiver can drop a repeat by)."""
        return self.stuck_sending(now, OutboxMessage.claim_timeout()).update(
            state=OutboxMessage.State.FAILED, next_attempt_at=now, last_error="worker lost while sending"
        )

    def claim(self, pk: int, *, now: dt.datetime, claim: str = "") -> OutboxMessage | None:
        """Claim the row for sending; the row, or None if it is not claimable (sent, not due, or
        claimed by another task). The claim is the lock: a conditional UPDATE (``pending|failed``
        and due → ``sending``), so of two workers holding the same task only one gets the row."""
        claimed = (
            self.filter(pk=pk)
            .claimable(now, claim)
            .update(state=OutboxMessage.State.SENDING, claimed_at=now, claimed_by=claim, attempts=F("attempts") + 1)
        )
        return self.select_related("recipient", "unit").get(pk=pk) if claimed else None

    def deliver(self, pk: int, *, now: dt.datetime | None = None, claim: str = "") -> str:
        """Claim the row and send it; the row's new state, or ``SKIPPED`` if it was not claimable.

        ``claim`` is the Celery task id: a redelivery of that task after its worker died takes
        the row over. An in-app row is claimed, written and marked sent at once by its transport
        (``InAppTransport.claim_and_send``); if that fails, the row is claimed on its own and
        sent again the general way, which records a failure for a retry.
        """
        from .transports import InAppTransport

        now = now or timezone.now()
        try:
            if InAppTransport().claim_and_send(pk, now=now, claim=claim):
                return OutboxMessage.State.SENT
        except Exception:
            logger.warning("In-app delivery of outbox message %s failed; retrying it", pk, exc_info=True)
        message = self.claim(pk, now=now, claim=claim)
        return message.send(now) if message is not None else OutboxMessage.SKIPPED

    def revive(self, pks) -> list[int]:
        """Dead rows back to pending, for another round of attempts (the admin's retry); their
        ids. Caller enqueues them after commit."""
        with transaction.atomic():
            pks = list(
                self.select_for_update()
                .filter(pk__in=list(pks), state=OutboxMessage.State.DEAD)
                .values_list("pk", flat=True)
            )
            self.filter(pk__in=pks).update(
                state=OutboxMessage.State.PENDING, attempts=0, next_attempt_at=timezone.now()
            )
        return pks


class OutboxMessage(models.Model):
    """One message to one recipient on one channel, and how it gets there.

    Its behaviour lives here, as healthchecks' ``Flip`` and ``Channel`` keep theirs: the queryset
    claims and delivers (``OutboxMessage.objects.deliver(pk)``), the row sends itself through its
    channel's transport and records the outcome: sent, failed with a retry after an exponential
    backoff, or dead (a permanent error, or the attempts used up). The delivery state changes only
    by conditional UPDATEs (``… WHERE state = sending``), never by saving a loaded object, so two
    workers can never both send one row.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("pending")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed (will retry)")
        DEAD = "dead", _("dead (gave up)")

    SKIPPED = "skipped"  # what ``deliver`` answers for a row it could not claim
    BACKOFF_CAP = dt.timedelta(hours=6)
    # A freshly written row is enqueued on commit; redispatch leaves it alone for this long.
    REDISPATCH_GRACE = dt.timedelta(seconds=30)

    idempotency_key = models.CharField(_("idempotency key"), max_length=255, unique=True)
    event = models.CharField(_("event"), max_length=100)
    # Distinguishes repeated events of one name on one subject: the emitter's key (the sweep
    # step) or "#n", the n-th occurrence of a keyless event.
    event_key = models.CharField(_("event key"), max_length=100, blank=True)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="outbox_messages", verbose_name=_("recipient")
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    unit = models.ForeignKey(
        "organization.Unit",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("group bot of unit"),
    )
    subject_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("subject type")
    )
    subject_id = models.PositiveBigIntegerField(_("subject id"), null=True, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    title = models.CharField(_("title"), max_length=200, blank=True)
    text = models.TextField(_("text"))
    link = models.CharField(_("link"), max_length=500, blank=True)
    urgent = models.BooleanField(_("urgent"), default=False)
    state = models.CharField(_("delivery state"), max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    # The Celery task id of the latest claim (see OutboxQuerySet.claimable).
    claimed_by = models.CharField(_("claimed by task"), max_length=64, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    # The vendor's id of the sent message (WeCom's msgid, DingTalk's task_id), where it gives one.
    provider_message_id = models.CharField(_("message id at the platform"), max_length=128, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = OutboxQuerySet.as_manager()

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="outbox_state_next"),
            models.Index(fields=["subject_type", "subject_id", "event"], name="outbox_subject_event"),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.recipient_id} ({self.channel}, {self.state})"

    @staticmethod
    def max_attempts() -> int:
        return settings.NOTIFICATIONS_MAX_ATTEMPTS

    @staticmethod
    def claim_timeout() -> dt.timedelta:
        return dt.timedelta(seconds=settings.NOTIFICATIONS_CLAIM_TIMEOUT_SECONDS)

    @classmethod
    def backoff(cls, attempts: int) -> dt.timedelta:
        """Exponential backoff with jitter: ~1, 2, 4 … minutes (the retry base), capped at 6
        hours, times 0.5–1.0."""
        base = dt.timedelta(seconds=settings.NOTIFICATIONS_RETRY_BASE_SECONDS)
        return min(base * (2 ** max(attempts - 1, 0)), cls.BACKOFF_CAP) * random.uniform(0.5, 1.0)

    @property
    def transport(self):
        from .transports import transport_for

        return transport_for(self.channel)

    def send(self, now: dt.datetime) -> str:
        """Send through the channel's transport and record the outcome; the new state. Caller
        has claimed the row."""
        from .transports import TransportError

        try:
            provider_message_id = self.transport.send(self)
        except Exception as exc:
            if not isinstance(exc, TransportError):
                # A bug or an unexpected failure: retried with backoff like a transient error, so
                # that it ends dead after the attempts instead of looping through the stuck-row path.
                logger.exception("Unexpected error delivering outbox message %s", self.pk)
            return self.fail(exc, now)
        return self.mark_sent(timezone.now(), provider_message_id=provider_message_id or "")

    def mark_sent(self, now: dt.datetime, *, provider_message_id: str = "") -> str:
        sent = {"state": self.State.SENT, "sent_at": now}
        if provider_message_id:
            sent["provider_message_id"] = str(provider_message_id)[:128]
        OutboxMessage.objects.filter(pk=self.pk, state=self.State.SENDING).update(**sent)
        for name, value in sent.items():
            setattr(self, name, value)
        return self.state

    def fail(self, exc: Exception, now: dt.datetime) -> str:
        """Record a failed attempt: retried after a backoff if a retry can help (a
        ``TransportError`` not marked permanent, or an unexpected error) and attempts remain;
        dead otherwise."""
        error = getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}"
        if getattr(exc, "permanent", False) or self.attempts >= self.max_attempts():
            outcome = {"state": self.State.DEAD}
        else:
            outcome = {"state": self.State.FAILED, "next_attempt_at": now + self.backoff(self.attempts)}
        OutboxMessage.objects.filter(pk=self.pk, state=self.State.SENDING).update(last_error=error, **outcome)
        for name, value in {"last_error": error, **outcome}.items():
            setattr(self, name, value)
        logger.info("Outbox message %s: %s (%s)", self.pk, self.state, error)
        return self.state


class Notification(models.Model):
    """An entry of a user's in-app inbox (written by the in-app transport)."""

    outbox = models.OneToOneField(
        OutboxMessage,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notification",
        verbose_name=_("outbox message"),
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("recipient")
    )
    event = models.CharField(_("event"), max_length=100)
    subject_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("subject type")
    )
    subject_id = models.PositiveBigIntegerField(_("subject id"), null=True, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    text = models.TextField(_("text"))
    link = models.CharField(_("link"), max_length=500, blank=True)
    urgent = models.BooleanField(_("urgent"), default=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_recipient_read")]

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationPreference(models.Model):
    """What a user wants pushed to them. The in-app inbox always keeps everything.

    ``muted_events`` holds the keys of event groups, as the emitting apps registered them
    (``notifications.registry``)."""

    QUIET_START = dt.time(22, 0)
    QUIET_END = dt.time(7, 0)

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preference",
        verbose_name=_("user"),
    )
    email_enabled = models.BooleanField(_("send email"), default=True)
    webhook_enabled = models.BooleanField(_("mention me in my unit's group bot"), default=True)
    wecom_enabled = models.BooleanField(_("send WeCom work notices"), default=True)
    dingtalk_enabled = models.BooleanField(_("send DingTalk work notices"), default=True)
    muted_events = models.JSONField(_("events not pushed"), default=list, blank=True)
    quiet_hours = models.BooleanField(
        _("quiet hours 22:00–07:00"),
        default=True,
        help_text=_("Non-urgent email, group bot messages and work notices are held until 07:00."),
    )

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return str(self.user)

    def pushes(self, event: str, channel: str) -> bool:
        """Whether ``event`` goes out on the push ``channel`` (email, webhook, work notices)."""
        if registry.event(event).group in self.muted_events:
            return False
        return {
            Channel.EMAIL: self.email_enabled,
            Channel.WEBHOOK: self.webhook_enabled,
            Channel.WECOM: self.wecom_enabled,
            Channel.DINGTALK: self.dingtalk_enabled,
        }.get(channel, True)

    def deliver_at(self, now: dt.datetime, *, urgent: bool) -> dt.datetime:
        """When a push message may go out: now, or the end of the quiet hours (07:00 local) if
        ``now`` falls in them. The window may span midnight (22:00–07:00) or not."""
        if urgent or not self.quiet_hours:
            return now
        local = timezone.localtime(now)
        start, end, time = self.QUIET_START, self.QUIET_END, local.time()
        if start <= end:
            quiet, day = start <= time < end, local.date()
        else:
            quiet = time >= start or time < end
            day = local.date() + dt.timedelta(days=1) if time >= start else local.date()
        if not quiet:
            return now
        return dt.datetime.combine(day, end, tzinfo=local.tzinfo)
