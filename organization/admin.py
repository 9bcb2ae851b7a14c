from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import AdministrativeChange, Jurisdiction, Membership, Pairing, Unit, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["unit"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = BaseUserAdmin.fieldsets + ((_("Dutyflow"), {"fields": ("display_name", "phone")}),)
    list_display = ("username", "display_name", "email", "is_staff", "is_active")
    search_fields = ("username", "display_name", "first_name", "last_name", "email")
    inlines = [MembershipInline]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "kind", "parent", "path")
    list_filter = ("kind",)
    search_fields = ("name", "code")
    autocomplete_fields = ["parent"]
    readonly_fields = ("path",)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "unit", "role", "title", "dispatcher")
    list_filter = ("role", "dispatcher", "unit__kind")
    search_fields = ("user__username", "user__display_name", "unit__name")
    autocomplete_fields = ["user", "unit"]


@admin.register(Jurisdiction)
class JurisdictionAdmin(admin.ModelAdmin):
    list_display = ("name", "unit")
    filter_horizontal = ("covers",)


@admin.register(Pairing)
class PairingAdmin(admin.ModelAdmin):
    list_display = ("branch", "partner", "since")
    autocomplete_fields = ["branch", "partner"]


@admin.register(AdministrativeChange)
class AdministrativeChangeAdmin(admin.ModelAdmin):
    """The office's change history: read-only here as on the office pages."""

    list_display = ("at", "township", "actor", "action", "target", "reason")
    list_filter = ("action", "township")
    search_fields = ("target", "reason", "actor__username")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    has_delete_permission = has_change_permission
