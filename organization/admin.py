from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Jurisdiction, Membership, Pairing, Unit, User


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
