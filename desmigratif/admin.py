from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from desmigratif.access import Action, ScopedAdminMixin, ScopedChoicesMixin, scoped
from desmigratif.forms import assignment_form_for
from desmigratif.models import AccessLog, Assignment, District, Province, Regency, User, Village


class ScopedTabularInline(ScopedChoicesMixin, admin.TabularInline):
    """Every inline of the admin: its foreign keys and many-to-many fields offer and accept only
    records the user may write, as the admins they sit in do."""


admin.site.site_header = _("Portal Desmigratif")
admin.site.site_title = _("Portal Desmigratif")
admin.site.index_title = _("Administration")


class RegionAdmin(ScopedAdminMixin, admin.ModelAdmin):
    search_fields = ["code", "name"]
    list_display = ["code", "name", "is_active"]
    list_filter = ["is_active"]
    list_per_page = 50
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        # The list comes from the Kemendagri decree through `manage.py load_regions`.
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Province)
class ProvinceAdmin(RegionAdmin):
    pass


@admin.register(Regency)
class RegencyAdmin(RegionAdmin):
    list_display = ["code", "name", "kind", "province", "is_active"]
    list_filter = ["kind", "is_active"]
    list_select_related = ["province"]


@admin.register(District)
class DistrictAdmin(RegionAdmin):
    list_display = ["code", "name", "regency", "is_active"]
    list_select_related = ["regency"]


@admin.register(Village)
class VillageAdmin(RegionAdmin):
    list_display = ["code", "name", "kind", "district", "is_active"]
    list_filter = ["kind", "is_active"]
    list_select_related = ["district"]


@admin.register(Assignment)
class AssignmentAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["user", "role", "area_label", "starts_on", "ends_on"]
    list_filter = ["role"]
    search_fields = [
        "user__username",
        "user__first_name",
        "user__last_name",
        "province__name",
        "regency__name",
        "district__name",
        "village__name",
        "village__code",
    ]
    list_select_related = ["user", "province", "regency", "district", "village"]
    autocomplete_fields = ["user"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = assignment_form_for(request.user)
        return super().get_form(request, obj, change, **kwargs)


class AssignmentInline(ScopedTabularInline):
    model = Assignment
    extra = 0
    fields = ["role", "area", "starts_on", "ends_on", "note"]

    def get_formset(self, request, obj=None, **kwargs):
        kwargs["form"] = assignment_form_for(request.user)
        return super().get_formset(request, obj, **kwargs)

    def get_queryset(self, request):
        return scoped(super().get_queryset(request), request.user, Action.WRITE)


@admin.register(User)
class UserAdmin(SimpleHistoryAdmin, BaseUserAdmin):
    inlines = [AssignmentInline]
    list_display = ["username", "first_name", "last_name", "is_active", "is_staff", "last_login"]


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    """Who exported, imported or viewed children's records and whole NIKs, and when: for
    administrators (superusers) only, and nobody edits it."""

    list_display = ["at", "user", "kind", "what", "rows"]
    list_filter = ["kind", "at"]
    search_fields = ["user__username", "what"]
    date_hierarchy = "at"
    list_select_related = ["user"]
    readonly_fields = ["at", "user", "kind", "what", "rows", "detail"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
