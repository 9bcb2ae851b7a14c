"""One transport class per channel, each with one ``send(message)``.

A transport raises ``TransportError``; its ``permanent`` flag says whether a retry can help
(a refused address or a rejected bot key will not get better; a timeout or a 5xx might).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import smtplib
import time
import urllib.parse

import requests
from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, models, transaction
from django.db.models import F

from .models import Channel, Notification, OutboxMessage


class TransportError(Exception):
    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.message = message
        self.permanent = permanent


class Transport:
    channel: str = ""

    def send(self, message: OutboxMessage) -> str | None:
        """Deliver ``message``; the receiver's id of it, if it gives one (recorded on the row)."""
        raise NotImplementedError


class InAppTransport(Transport):
    """Writes the inbox entry; the OneToOne on the outbox row makes a repeat a no-op
    (``INSERT … ON CONFLICT DO NOTHING``: no savepoint, no read first)."""

    channel = Channel.IN_APP

    def send(self, message: OutboxMessage) -> None:
        notification = Notification(
            outbox=message,
            recipient_id=message.recipient_id,
            event=message.event,
            subject_type_id=message.subject_type_id,
            subject_id=message.subject_id,
            text=message.text,
            link=message.link,
            urgent=message.urgent,
            created_at=message.created_at,
        )
        Notification.objects.bulk_create([notification], ignore_conflicts=True)

    def claim_and_send(self, message_id: int, *, now: dt.datetime, claim: str = "") -> bool:
        """Deliver the outbox row ``message_id`` if it is a claimable in-app row: claim, inbox
        entry and "sent" in one transaction (the row is never seen "sending", and a crash leaves
        it as it was). False if it is not an in-app row or not claimable.

        An in-app delivery is only a database write, so it costs what its round trips and commit
        cost: on PostgreSQL it is one statement (bench/README.md, "Notifications through Redis and
        one worker": the ORM's claim, read, insert and update reached about half its rate)."""
        claimable = OutboxMessage.objects.filter(pk=message_id, channel=self.channel).claimable(now, claim)
        if connection.vendor == "postgresql":
            return self._claim_and_send_in_one_statement(claimable, now, claim)
        with transaction.atomic():
            delivered = claimable.update(
                state=OutboxMessage.State.SENT,
                claimed_at=now,
                claimed_by=claim,
                sent_at=now,
                attempts=F("attempts") + 1,
            )
            if delivered:
                self.send(OutboxMessage.objects.get(pk=message_id))
        return bool(delivered)

    # The inbox entry's columns, copied from the outbox row.
    COPIED = ("recipient_id", "event", "subject_type_id", "subject_id", "text", "link", "urgent", "created_at")

    @classmethod
    def _claim_and_send_in_one_statement(cls, claimable: models.QuerySet, now: dt.datetime, claim: str) -> bool:
        """PostgreSQL: the claim UPDATE hands its row to an ``INSERT … ON CONFLICT DO NOTHING`` of
        the inbox entry, in one statement (one round trip, one commit). The WHERE clause is the
        ORM's own (``claimable``).

        The commit is asynchronous (``synchronous_commit`` off for this transaction only): it does
        not wait for the disk. If PostgreSQL crashed in the fraction of a second before the WAL
        writer flushed it, the entry and the "sent" mark would be lost together and the outbox
        row, committed durably by the change that wrote it, would still be pending: redispatch
        delivers it again. Nothing is lost or doubled; only the wait for the disk is saved."""
        where, params = claimable.query.get_compiler(connection=connection).compile(claimable.query.where)
        outbox, inbox = (connection.ops.quote_name(m._meta.db_table) for m in (OutboxMessage, Notification))
        copied = ", ".join(connection.ops.quote_name(column) for column in cls.COPIED)
        sql = f"""
            WITH claimed AS (
                UPDATE {outbox} SET state = %s, claimed_at = %s, claimed_by = %s, sent_at = %s, attempts = attempts + 1
                WHERE {where}
                RETURNING id, {copied}
            ), written AS (
                INSERT INTO {inbox} (outbox_id, {copied}) SELECT id, {copied} FROM claimed
                ON CONFLICT (outbox_id) DO NOTHING
            )
            SELECT (SELECT count(*) FROM claimed), set_config('synchronous_commit', 'off', true)
        """
        with connection.cursor() as cursor:
            cursor.execute(sql, [OutboxMessage.State.SENT, now, claim, now, *params])
            return cursor.fetchone()[0] == 1


class EmailTransport(Transport):
    """Django's email backend (SMTP settings come from the environment)."""

    channel = Channel.EMAIL

    def send(self, message: OutboxMessage) -> None:
        address = message.recipient.email
        if not address:
            raise TransportError("recipient has no email address", permanent=True)
        subject = message.title or message.text[:60]
        body = message.text
        if message.link:
            body += "\n\n" + message.link
        try:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address])
        except smtplib.SMTPRecipientsRefused as exc:
            raise TransportError(f"recipient refused: {exc}", permanent=True) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise TransportError(f"SMTP error: {exc}") from exc


class WebhookTransport(Transport):
    """Group bots: WeCom (企业微信群机器人) and DingTalk (钉钉自定义机器人).

    The message @-mentions the recipient by phone number. DingTalk robots with "加签"
    security need ``timestamp`` and ``sign`` (HMAC-SHA256 of "timestamp\\nsecret", base64,
    URL-encoded) appended to the URL.
    """

    channel = Channel.WEBHOOK
    timeout = 10
    # Rate limits: the bots ask us to slow down; anything else they answer with errcode ≠ 0 is final.
    TRANSIENT_ERRCODES = {45009, 130101, -1}

    def __init__(self, session: requests.Session | None = None):
        self.session = session or requests.Session()

    @staticmethod
    def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
        string_to_sign = f"{timestamp_ms}\n{secret}".encode()
        digest = hmac.new(secret.encode(), string_to_sign, hashlib.sha256).digest()
        return urllib.parse.quote_plus(base64.b64encode(digest).decode())

    @classmethod
    def dingtalk_url(cls, url: str, secret: str, timestamp_ms: int | None = None) -> str:
        if not secret:
            return url
        timestamp_ms = timestamp_ms if timestamp_ms is not None else int(time.time() * 1000)
        separator = "&" if "?" in url else "?"
        return f"{url}{separator}timestamp={timestamp_ms}&sign={cls.dingtalk_sign(secret, timestamp_ms)}"

    @staticmethod
    def content(message: OutboxMessage) -> str:
        return f"{message.text}\n{message.link}" if message.link else message.text

    @classmethod
    def payload(cls, kind: str, message: OutboxMessage) -> dict:
        phone = message.recipient.phone
        mobiles = [phone] if phone else []
        if kind == "dingtalk":
            return {
                "msgtype": "text",
                "text": {"content": cls.content(message)},
                "at": {"atMobiles": mobiles, "isAtAll": False},
            }
        return {"msgtype": "text", "text": {"content": cls.content(message), "mentioned_mobile_list": mobiles}}

    def send(self, message: OutboxMessage) -> None:
        unit = message.unit
        if unit is None or not unit.webhook_url:
            raise TransportError("no group bot configured", permanent=True)
        url = unit.webhook_url
        if unit.webhook_kind == "dingtalk":
            url = self.dingtalk_url(url, unit.webhook_secret)
        try:
            response = self.session.post(
                url,
                json=self.payload(unit.webhook_kind, message),
                # The bots ignore it; a receiver that honours it can drop a repeat after a crash.
                headers={"X-Idempotency-Key": urllib.parse.quote(message.idempotency_key, safe="|:#")},
                timeout=self.timeout,
            )
        except requests.RequestException as exc:
            raise TransportError(f"connection error: {exc}") from exc
        if response.status_code == 429 or response.status_code >= 500:
            raise TransportError(f"HTTP {response.status_code}")
        if response.status_code >= 400:
            raise TransportError(f"HTTP {response.status_code}", permanent=True)
        try:
            errcode = int(response.json().get("errcode", 0))
        except (ValueError, AttributeError):
            raise TransportError("unexpected response from the bot", permanent=True) from None
        if errcode != 0:
            text = response.text[:200]
            raise TransportError(f"bot error {errcode}: {text}", permanent=errcode not in self.TRANSIENT_ERRCODES)


TRANSPORTS: dict[str, type[Transport]] = {t.channel: t for t in (InAppTransport, EmailTransport, WebhookTransport)}


def register_transport(transport: type[Transport]) -> None:
    """A channel whose transport lives in another app (the personal work notices)."""
    TRANSPORTS[transport.channel] = transport


def transport_for(channel: str) -> Transport:
    return TRANSPORTS[channel]()
