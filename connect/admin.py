from django.contrib import admin

from .models import AccountLink, VendorApp


@admin.register(VendorApp)
class VendorAppAdmin(admin.ModelAdmin):
    list_display = ("township", "provider", "enabled", "corp_id", "agent_id", "updated_at")
    list_filter = ("provider", "enabled")
    # The secret and the access token are write-only: set through the office page, never shown.
    exclude = ("secret",)
    readonly_fields = ("updated_at",)


@admin.register(AccountLink)
class AccountLinkAdmin(admin.ModelAdmin):
    list_display = ("user", "provider", "external_id", "township", "linked_by", "linked_at")
    list_filter = ("provider", "township")
    search_fields = ("user__username", "user__display_name", "external_id")
    raw_id_fields = ("user", "linked_by")
