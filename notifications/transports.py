"""One transport class per channel, each with one ``send(message)``.

A transport raises ``TransportError``; its ``permanent`` flag says whether a retry can help
(a refused address or a rejected bot key will not get better; a timeout or a 5xx might).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import smtplib
import time
import urllib.parse

import requests
from django.conf import settings
from django.core.mail import send_mail

from .models import Channel, Notification, OutboxMessage


class TransportError(Exception):
    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.message = message
        self.permanent = permanent


class Transport:
    channel: str = ""
    # Whether sending is a write to this database: then it runs in the claim's transaction
    # (OutboxQuerySet.deliver), and claim, effect and "sent" commit together.
    in_transaction: bool = False

    def send(self, message: OutboxMessage) -> None:
        raise NotImplementedError


class InAppTransport(Transport):
    """Writes the inbox entry; the OneToOne on the outbox row makes a repeat a no-op
    (``INSERT … ON CONFLICT DO NOTHING``: no savepoint, no read first)."""

    channel = Channel.IN_APP
    in_transaction = True

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


def transport_for(channel: str) -> Transport:
    return TRANSPORTS[channel]()
