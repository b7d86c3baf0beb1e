from django.contrib import admin

from cooperatives import resources
from cooperatives.models import Cooperative, Facility, Membership
from desmigratif.admin import PortalAdmin, VersionedInline

READONLY = ["version", "validation_warnings", "created_at", "updated_at"]


class MembershipInline(VersionedInline):
    model = Membership
    extra = 0
    fields = ["household", "person", "joined_on", "left_on", "share_capital", "savings"]
    autocomplete_fields = ["household", "person"]


@admin.register(Cooperative)
class CooperativeAdmin(PortalAdmin):
    resource_classes = [resources.CooperativeResource]
    list_display = ["name", "kind", "status", "village"]
    list_filter = ["kind", "status"]
    list_select_related = ["village"]
    search_fields = ["name", "legal_number", "village__name", "=village__code"]
    autocomplete_fields = ["village", "villages_served", "enterprises"]
    readonly_fields = READONLY
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(PortalAdmin):
    resource_classes = [resources.MembershipResource]
    list_display = ["__str__", "joined_on", "left_on", "share_capital", "savings"]
    list_select_related = ["cooperative", "household", "person"]
    search_fields = ["cooperative__name", "household__kk_number", "person__name"]
    autocomplete_fields = ["cooperative", "household", "person"]
    readonly_fields = READONLY


@admin.register(Facility)
class FacilityAdmin(PortalAdmin):
    resource_classes = [resources.FacilityResource]
    list_display = ["__str__", "kind", "status", "status_on", "village"]
    list_filter = ["kind", "status"]
    list_select_related = ["village"]
    search_fields = ["village__name", "=village__code", "funder"]
    autocomplete_fields = ["village"]
    readonly_fields = READONLY
