from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConnectConfig(AppConfig):
    name = "connect"
    verbose_name = _("WeCom and DingTalk")

    def ready(self):
        # The personal work notices are two more channels of the outbox: notifications knows
        # nothing of the vendors, it asks this app who is reachable and how to send.
        from notifications.registry import register_personal_channel
        from notifications.transports import register_transport

        from .models import AccountLink, Provider
        from .transports import DingTalkWorkNoticeTransport, WeComMessageTransport

        for provider, transport in (
            (Provider.WECOM, WeComMessageTransport),
            (Provider.DINGTALK, DingTalkWorkNoticeTransport),
        ):
            register_transport(transport)
            register_personal_channel(provider.value, lambda users, p=provider: AccountLink.objects.reachable(p, users))
