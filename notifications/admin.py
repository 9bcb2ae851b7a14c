from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .models import Notification, NotificationPreference, OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "event", "recipient", "channel", "state", "attempts", "next_attempt_at", "last_error"]
    list_filter = ["state", "channel", "event"]
    search_fields = ["event", "idempotency_key", "recipient__username", "text", "provider_message_id"]
    list_select_related = ["recipient"]
    date_hierarchy = "created_at"
    actions = ["retry_dead"]
    readonly_fields = [f.name for f in OutboxMessage._meta.fields if f.name != "id"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Retry the selected dead messages"))
    def retry_dead(self, request, queryset):
        count = services.outbox_retry(message_ids=queryset.values_list("pk", flat=True))
        self.message_user(
            request,
            ngettext("%(count)d message queued again.", "%(count)d messages queued again.", count) % {"count": count},
            messages.SUCCESS,
        )


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "recipient", "event", "text", "read_at"]
    list_filter = ["event"]
    search_fields = ["recipient__username", "text"]
    list_select_related = ["recipient"]
    raw_id_fields = ["recipient", "outbox"]


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "email_enabled", "webhook_enabled", "quiet_hours"]
    raw_id_fields = ["user"]
