"""Personal work notices: two channels of the notification outbox.

The outbox row names the recipient; the recipient's ``AccountLink`` names the township, whose
``VendorApp`` names the corp. A vendor's message id is returned to the outbox, which records it
on the row. A repeat after a worker died mid-send is dropped by the vendors themselves: WeCom's
``enable_duplicate_check`` (same notice, same member, within 4 hours) and DingTalk's rule that a
member receives one work notice of the same content once a day.
"""

from __future__ import annotations

from django.conf import settings

from notifications.models import OutboxMessage
from notifications.transports import Transport, TransportError

from .clients import DingTalkClient, VendorClient, VendorError, WeComClient
from .models import AccountLink, Provider, VendorApp


class _PersonalTransport(Transport):
    client_class: type[VendorClient]

    def _target(self, message: OutboxMessage) -> tuple[VendorClient, str]:
        link = AccountLink.objects.filter(user_id=message.recipient_id, provider=self.channel).first()
        if link is None:
            raise TransportError(f"recipient is no longer linked to {self.channel}", permanent=True)
        app = VendorApp.objects.filter(township_id=link.township_id, provider=self.channel).first()
        if app is None or not app.is_configured:
            raise TransportError(f"{self.channel} is not configured for the recipient's township", permanent=True)
        return self.client_class(app), link.external_id

    def send(self, message: OutboxMessage) -> str:
        client, user_id = self._target(message)
        try:
            return self._send(client, user_id, message)
        except VendorError as error:
            raise TransportError(error.message, permanent=not error.transient) from None

    def _send(self, client, user_id: str, message: OutboxMessage) -> str:
        raise NotImplementedError


class WeComMessageTransport(_PersonalTransport):
    """WeCom application message (应用消息): a text card that opens the item."""

    channel = Provider.WECOM
    client_class = WeComClient

    def _send(self, client: WeComClient, user_id: str, message: OutboxMessage) -> str:
        return client.send_textcard(
            user_id=user_id,
            title=message.title or message.text[:40],
            description=message.text,
            url=message.link or settings.SITE_URL,
        )


class DingTalkWorkNoticeTransport(_PersonalTransport):
    """DingTalk work notice (工作通知): an action card that opens the item."""

    channel = Provider.DINGTALK
    client_class = DingTalkClient

    def _send(self, client: DingTalkClient, user_id: str, message: OutboxMessage) -> str:
        return client.send_work_notice(
            user_id=user_id, title=message.title, text=message.text, url=message.link or settings.SITE_URL
        )
