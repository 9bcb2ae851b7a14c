"""Personal work notices (WeCom application messages, DingTalk work notices) through the outbox,
delivered in-process against the local fake. The real-worker scenarios (a killed worker, 5xx
backoff to dead) are in test_worker_process.py."""

import datetime as dt
import logging
import zoneinfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from connect.models import VendorApp
from notifications import services
from notifications.models import NotificationPreference, OutboxMessage
from workflows.events import emit

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def _assign(personas, **kwargs):
    emit(
        "item.assigned",
        subject=personas.branch,
        recipients=[personas.cadre],
        context={"title": "主题党日", "url": "/lists/items/7/"},
        **kwargs,
    )


def _row(channel: str) -> OutboxMessage:
    return OutboxMessage.objects.get(channel=channel)


def _deliver(channel: str) -> OutboxMessage:
    row = _row(channel)
    services.outbox_deliver(message_id=row.pk)
    row.refresh_from_db()
    return row


def test_a_linked_person_gets_a_wecom_text_card_linking_to_the_item(configured, fake):
    _assign(configured)
    row = _deliver("wecom")
    assert row.state == "sent" and row.provider_message_id.startswith("msg-")
    [sent] = fake.sends
    assert sent["touser"] == "zhangsan" and sent["msgtype"] == "textcard" and sent["agentid"] == 1000002
    assert sent["textcard"]["url"] == "http://127.0.0.1:8000/lists/items/7/"
    assert sent["textcard"]["title"] == "主题党日" and "主题党日" in sent["textcard"]["description"]
    assert sent["enable_duplicate_check"] == 1
    assert len(fake.delivered) == 1


def test_a_linked_person_gets_a_dingtalk_work_notice(configured, fake):
    _assign(configured)
    row = _deliver("dingtalk")
    assert row.state == "sent" and row.provider_message_id.isdigit()
    [sent] = fake.sends
    assert sent["userid_list"] == "dt-zhangsan" and sent["agent_id"] == 3003003
    card = sent["msg"]["action_card"]
    assert sent["msg"]["msgtype"] == "action_card" and card["single_url"] == "http://127.0.0.1:8000/lists/items/7/"
    assert "主题党日" in card["markdown"]


def test_nothing_is_written_or_called_without_a_configured_township(township, fake, personas):
    _assign(personas)
    assert not OutboxMessage.objects.filter(channel__in=["wecom", "dingtalk"]).exists()
    assert fake.calls == []


def test_a_disabled_application_gets_no_notices(configured, qingshan):
    VendorApp.objects.filter(township=qingshan, provider="wecom").update(enabled=False)
    _assign(configured)
    assert set(OutboxMessage.objects.values_list("channel", flat=True)) == {"in_app", "dingtalk"}


def test_an_unlinked_person_gets_no_notices(configured, fake):
    emit("item.assigned", subject=configured.branch, recipients=[configured.colleague], context={"title": "x"})
    assert not OutboxMessage.objects.filter(channel__in=["wecom", "dingtalk"]).exists()


def test_the_access_token_is_kept_until_it_expires(configured, fake):
    _assign(configured)
    _deliver("wecom")
    emit("item.assigned", subject=configured.branch, recipients=[configured.cadre], context={"title": "二"}, key="2")
    services.outbox_deliver(message_id=OutboxMessage.objects.get(channel="wecom", event_key="2").pk)
    assert fake.token_fetches["wecom"] == 1
    app = VendorApp.objects.get(provider="wecom")
    assert app.access_token and app.access_token_expires_at > timezone.now() + dt.timedelta(minutes=100)
    with time_machine.travel(timezone.now() + dt.timedelta(hours=2)):
        emit(
            "item.assigned", subject=configured.branch, recipients=[configured.cadre], context={"title": "三"}, key="3"
        )
        services.outbox_deliver(message_id=OutboxMessage.objects.get(channel="wecom", event_key="3").pk)
    assert fake.token_fetches["wecom"] == 2


@pytest.mark.parametrize("channel", ["wecom", "dingtalk"])
def test_an_expired_token_is_refreshed_once(configured, fake, channel):
    _assign(configured)
    _deliver(channel)
    fake.expire_tokens()  # the vendor ended the token before its announced expiry
    emit("item.assigned", subject=configured.branch, recipients=[configured.cadre], context={"title": "二"}, key="2")
    row = OutboxMessage.objects.get(channel=channel, event_key="2")
    services.outbox_deliver(message_id=row.pk)
    row.refresh_from_db()
    assert row.state == "sent" and fake.token_fetches[channel] == 2
    sends = [path for method, path in fake.calls if method == "POST" and "token" not in path.lower()]
    assert len(sends) == 3  # the first notice; the refused send, then the one with the new token
    assert len(fake.delivered) == 2


def test_a_token_refused_twice_is_not_fetched_a_third_time(configured, fake):
    _assign(configured)
    fake.fail("/cgi-bin/message/send", errcode=42001, times=2)
    row = _deliver("wecom")
    assert row.state == "dead" and "42001" in row.last_error
    assert fake.token_fetches["wecom"] == 2


@pytest.mark.parametrize(
    ("channel", "path", "errcode"),
    [
        ("wecom", "/cgi-bin/message/send", 45009),
        ("dingtalk", "/topapi/message/corpconversation/asyncsend_v2", 90018),
    ],
)
def test_rate_limiting_is_retried_later(configured, fake, channel, path, errcode):
    _assign(configured)
    fake.fail(path, errcode=errcode)
    row = _deliver(channel)
    assert row.state == "failed" and row.next_attempt_at > timezone.now() and str(errcode) in row.last_error


def test_a_5xx_is_retried_with_backoff_and_ends_dead(configured, fake, settings):
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 3
    _assign(configured)
    fake.fail("/cgi-bin/message/send", status=503, times=3)
    row = _row("wecom")
    now = timezone.now()
    for attempt in (1, 2, 3):
        services.outbox_deliver(message_id=row.pk, now=now)
        row.refresh_from_db()
        assert row.attempts == attempt and row.last_error == "HTTP 503"
        if attempt < 3:
            base = settings.NOTIFICATIONS_RETRY_BASE_SECONDS * 2 ** (attempt - 1)
            assert base / 2 <= (row.next_attempt_at - now).total_seconds() <= base
            assert services.outbox_deliver(message_id=row.pk, now=now) == "skipped"  # not before its time
            now = row.next_attempt_at
    assert row.state == "dead"
    assert fake.delivered == []


def test_an_unknown_member_is_dead_at_once(configured, fake):
    fake.wecom_members.discard("zhangsan")
    _assign(configured)
    row = _deliver("wecom")
    assert (row.state, row.attempts) == ("dead", 1) and "81013" in row.last_error


def test_a_repeat_after_a_lost_answer_is_dropped_by_the_vendor(configured, fake):
    _assign(configured)
    row = _deliver("wecom")
    OutboxMessage.objects.filter(pk=row.pk).update(state="failed")  # as if the answer had been lost
    services.outbox_deliver(message_id=row.pk)
    assert len(fake.sends) == 2 and len(fake.delivered) == 1


def test_preferences_turn_a_channel_off(configured):
    NotificationPreference.objects.create(user=configured.cadre, wecom_enabled=False)
    _assign(configured)
    assert set(OutboxMessage.objects.values_list("channel", flat=True)) == {"in_app", "dingtalk"}


def test_the_preferences_page_offers_the_channels_of_a_linked_person(configured):
    client = Client()
    client.force_login(configured.cadre)
    page = client.get(reverse("notifications:preferences")).content.decode()
    assert 'name="wecom_enabled"' in page and 'name="dingtalk_enabled"' in page
    client.post(
        reverse("notifications:preferences"),
        {"email_enabled": "on", "webhook_enabled": "on", "dingtalk_enabled": "on", "quiet_hours": "on"},
    )
    preference = NotificationPreference.objects.get(user=configured.cadre)
    assert (preference.wecom_enabled, preference.dingtalk_enabled) == (False, True)


def test_the_preferences_page_hides_channels_a_person_cannot_receive(configured):
    client = Client()
    client.force_login(configured.colleague)
    page = client.get(reverse("notifications:preferences")).content.decode()
    assert 'name="wecom_enabled"' not in page and 'name="email_enabled"' in page


@pytest.mark.quiet_hours
@time_machine.travel(dt.datetime(2026, 12, 1, 23, 0, tzinfo=SHANGHAI), tick=False)
def test_quiet_hours_hold_work_notices_until_seven(configured, fake):
    _assign(configured)
    seven = dt.datetime(2026, 12, 2, 7, 0, tzinfo=SHANGHAI)
    assert {_row("wecom").next_attempt_at, _row("dingtalk").next_attempt_at} == {seven}
    assert services.outbox_deliver(message_id=_row("wecom").pk) == "skipped"
    assert fake.sends == []


@pytest.mark.quiet_hours
@time_machine.travel(dt.datetime(2026, 12, 1, 23, 0, tzinfo=SHANGHAI), tick=False)
def test_an_urgent_notice_ignores_quiet_hours(configured, fake):
    _assign(configured, urgent=True)
    assert _deliver("wecom").state == "sent"


def test_secrets_and_tokens_never_reach_the_logs_or_the_rows(configured, fake, caplog, settings):
    caplog.set_level(logging.DEBUG)
    _assign(configured)
    _deliver("wecom")
    _deliver("dingtalk")
    token = VendorApp.objects.get(provider="wecom").access_token
    settings.WECOM_API_BASE = "http://127.0.0.1:9"  # nothing listens: a connection error
    VendorApp.objects.filter(provider="wecom").update(access_token="")
    emit("item.assigned", subject=configured.branch, recipients=[configured.cadre], context={"title": "二"}, key="2")
    row = OutboxMessage.objects.get(channel="wecom", event_key="2")
    services.outbox_deliver(message_id=row.pk)
    row.refresh_from_db()
    assert row.state == "failed" and "connection error" in row.last_error
    logged = caplog.text + "".join(OutboxMessage.objects.values_list("last_error", flat=True))
    assert "gettoken" in logged  # urllib3 did log the request lines …
    for secret in (fake.WECOM_SECRET, fake.DINGTALK_SECRET, token):
        assert secret not in logged  # … without the secrets
