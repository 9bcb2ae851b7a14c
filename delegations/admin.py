from django.contrib import admin

from .models import Delegation


@admin.register(Delegation)
class DelegationAdmin(admin.ModelAdmin):
    """代理: read here; named and revoked by the person on 我的代理 (the log needs the service)."""

    list_display = ["delegator", "delegate", "starts_on", "ends_on", "state"]
    list_filter = ["state"]
    search_fields = ["delegator__username", "delegate__username"]
    readonly_fields = ["delegator", "delegate", "starts_on", "ends_on", "reason", "state", "created_at", "revoked_at"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
