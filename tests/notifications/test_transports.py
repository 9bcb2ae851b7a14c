import base64
import hashlib
import hmac
import smtplib
import urllib.parse

import pytest
from django.core import mail

from notifications import services
from notifications.models import OutboxMessage
from notifications.transports import EmailTransport, TransportError, WebhookTransport
from workflows.events import emit


@pytest.fixture
def bot_unit(personas, township, bot_server):
    personas.cadre.phone = "13800000001"
    personas.cadre.save()
    branch = personas.branch
    branch.webhook_url = bot_server.url + "/cgi-bin/webhook/send?key=abc"
    branch.save()
    return branch


def _webhook_row(personas):
    emit(
        "item.returned",
        subject=personas.branch,
        recipients=[personas.cadre],
        context={
            "title": "主题党日",
            "unit": "第一支部",
            "due_at": "2026-12-10 18:00",
            "url": "/lists/items/1/",
            "reason": "缺照片",
        },
    )
    return OutboxMessage.objects.get(channel="webhook")


def test_wecom_payload_mentions_recipient_by_phone(bot_unit, bot_server, personas):
    row = _webhook_row(personas)
    assert services.outbox_deliver(message_id=row.pk) == "sent"
    [request] = bot_server.requests
    assert request["path"] == "/cgi-bin/webhook/send?key=abc"
    body = request["json"]
    assert body["msgtype"] == "text"
    assert body["text"]["mentioned_mobile_list"] == ["13800000001"]
    assert "主题党日" in body["text"]["content"] and "缺照片" in body["text"]["content"]
    assert body["text"]["content"].endswith("http://127.0.0.1:8000/lists/items/1/")


def test_dingtalk_payload_and_signed_url(bot_unit, bot_server, personas):
    bot_unit.webhook_kind = "dingtalk"
    bot_unit.webhook_url = bot_server.url + "/robot/send?access_token=tok"
    bot_unit.webhook_secret = "SECabc123"
    bot_unit.save()
    row = _webhook_row(personas)
    assert services.outbox_deliver(message_id=row.pk) == "sent"
    [request] = bot_server.requests
    body = request["json"]
    assert body["msgtype"] == "text"
    assert body["at"] == {"atMobiles": ["13800000001"], "isAtAll": False}
    assert "主题党日" in body["text"]["content"]
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(request["path"]).query)
    assert query["access_token"] == ["tok"]
    timestamp = query["timestamp"][0]
    expected = base64.b64encode(
        hmac.new(b"SECabc123", f"{timestamp}\nSECabc123".encode(), hashlib.sha256).digest()
    ).decode()
    assert query["sign"] == [expected]


def test_dingtalk_signature_matches_the_documented_algorithm():
    signed = WebhookTransport.dingtalk_url(
        "https://oapi.dingtalk.com/robot/send?access_token=x", "s3cret", 1700000000000
    )
    digest = hmac.new(b"s3cret", b"1700000000000\ns3cret", hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest).decode())
    assert signed == f"https://oapi.dingtalk.com/robot/send?access_token=x&timestamp=1700000000000&sign={sign}"


def test_bot_server_error_is_retried(bot_unit, bot_server, personas):
    bot_server.status = 502
    row = _webhook_row(personas)
    assert services.outbox_deliver(message_id=row.pk) == "failed"


def test_bot_rejecting_the_key_is_permanent(bot_unit, bot_server, personas):
    bot_server.reply = {"errcode": 93000, "errmsg": "invalid webhook url"}
    row = _webhook_row(personas)
    assert services.outbox_deliver(message_id=row.pk) == "dead"
    assert "93000" in OutboxMessage.objects.get(pk=row.pk).last_error


def test_bot_rate_limit_is_retried(bot_unit, bot_server, personas):
    bot_server.reply = {"errcode": 45009, "errmsg": "api freq out of limit"}
    row = _webhook_row(personas)
    assert services.outbox_deliver(message_id=row.pk) == "failed"


def test_unreachable_bot_is_retried(bot_unit, bot_server, personas):
    bot_server.close()
    row = _webhook_row(personas)
    assert services.outbox_deliver(message_id=row.pk) == "failed"


def test_email_goes_through_django_backend(personas, township):
    personas.cadre.email = "cadre001@example.org"
    personas.cadre.save()
    emit("item.assigned", subject=personas.branch, recipients=[personas.cadre], context={"title": "走访", "url": "/x/"})
    row = OutboxMessage.objects.get(channel="email")
    assert services.outbox_deliver(message_id=row.pk) == "sent"
    [message] = mail.outbox
    assert message.to == ["cadre001@example.org"]
    assert message.subject == "走访"
    assert "走访" in message.body and "http://127.0.0.1:8000/x/" in message.body


def test_refused_email_recipient_is_permanent(personas, township, monkeypatch):
    def refuse(*args, **kwargs):
        raise smtplib.SMTPRecipientsRefused({"cadre001@example.org": (550, b"no such user")})

    monkeypatch.setattr("notifications.transports.send_mail", refuse)
    personas.cadre.email = "cadre001@example.org"
    personas.cadre.save()
    emit("item.assigned", subject=personas.branch, recipients=[personas.cadre], context={"title": "走访"})
    row = OutboxMessage.objects.get(channel="email")
    with pytest.raises(TransportError) as excinfo:
        EmailTransport().send(row)
    assert excinfo.value.permanent


def test_smtp_connection_failure_is_transient(personas, township, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 2
    personas.cadre.email = "cadre001@example.org"
    personas.cadre.save()
    emit("item.assigned", subject=personas.branch, recipients=[personas.cadre], context={"title": "走访"})
    row = OutboxMessage.objects.get(channel="email")
    assert services.outbox_deliver(message_id=row.pk) == "failed"
