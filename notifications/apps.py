from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        # The one event of this app's own: the daily digest (domain apps register theirs).
        from .registry import register_event, register_group

        register_group("digest", _("daily digest"))
        register_event("digest.daily", group="digest", text=_("Your daily summary for %(date)s:"))
