from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from desmigratif.access import ScopedAdminMixin
from desmigratif.admin import ScopedTabularInline
from desmigratif.models import AccessLog
from households import resources
from households.models import Household, Job, KKNumber, MigrationEpisode, Person, PlacementAgency, ServiceRequest
from households.validators import nik_shown_to


class PortalAdmin(ScopedAdminMixin, ImportExportModelAdmin, SimpleHistoryAdmin):
    """Scoped like the portal; import and export each need their own permission
    (IMPORT_EXPORT_*_PERMISSION_CODE), and resources know the user."""

    def get_import_resource_kwargs(self, request: HttpRequest, **kwargs):
        return {**super().get_import_resource_kwargs(request, **kwargs), "user": request.user}

    def get_export_resource_kwargs(self, request: HttpRequest, **kwargs):
        return {**super().get_export_resource_kwargs(request, **kwargs), "user": request.user}

    def get_data_for_export(self, request: HttpRequest, queryset, **kwargs):
        data = super().get_data_for_export(request, queryset, **kwargs)
        AccessLog.objects.create(
            user=request.user, kind=AccessLog.Kind.EXPORT, what=f"admin {self.model._meta.label}", rows=len(data)
        )
        return data

    def process_result(self, result, request: HttpRequest):
        AccessLog.objects.create(
            user=request.user,
            kind=AccessLog.Kind.IMPORT,
            what=f"admin {self.model._meta.label}",
            rows=result.total_rows,
            detail={kind: count for kind, count in result.totals.items() if count},
        )
        return super().process_result(result, request)


class KKNumberInline(ScopedTabularInline):
    model = KKNumber
    extra = 0
    fields = ["number", "recorded_on", "replaced_on"]
    readonly_fields = ["number", "recorded_on", "replaced_on"]
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Household)
class HouseholdAdmin(PortalAdmin):
    resource_classes = [resources.HouseholdResource]
    list_display = ["__str__", "village", "dusun", "rt", "rw", "is_archived", "updated_at"]
    list_filter = ["is_archived"]
    list_select_related = ["village"]
    search_fields = [
        "kk_number",
        "kk_numbers__number",
        "members__name",
        "=members__nik",
        "village__name",
        "village__code",
    ]
    autocomplete_fields = ["village"]
    readonly_fields = ["version", "validation_warnings", "created_at", "updated_at"]
    inlines = [KKNumberInline]
    show_full_result_count = False


@admin.register(Person)
class PersonAdmin(PortalAdmin):
    resource_classes = [resources.PersonResource]
    list_display = ["name", "sex", "birth_date", "relationship", "household"]
    list_filter = ["sex", "relationship"]
    list_select_related = ["household__village"]
    search_fields = ["name", "=nik", "household__kk_number"]
    raw_id_fields = ["household"]
    readonly_fields = ["version", "validation_warnings", "created_at", "updated_at"]
    show_full_result_count = False

    def get_list_display(self, request: HttpRequest):
        # The column needs the user: admin instances are shared between requests.
        @admin.display(description=_("NIK"))
        def nik(person: Person) -> str:
            return nik_shown_to(request.user, person.nik, person.household.village_id)

        return ["name", nik, *super().get_list_display(request)[1:]]


@admin.register(MigrationEpisode)
class MigrationEpisodeAdmin(PortalAdmin):
    resource_classes = [resources.EpisodeResource]
    list_display = ["person", "status", "destination_country", "sector", "job", "departure_date", "actual_return"]
    list_filter = ["status", "procedural", "sector", "scheme"]
    list_select_related = ["person", "job"]
    search_fields = ["person__name", "=person__nik", "employer_name", "passport_number"]
    raw_id_fields = ["person"]
    readonly_fields = ["version", "validation_warnings", "created_at", "updated_at"]
    show_full_result_count = False


@admin.register(ServiceRequest)
class ServiceRequestAdmin(PortalAdmin):
    resource_classes = [resources.ServiceRequestResource]
    list_display = ["__str__", "village", "kind", "status", "referral", "follow_up_on"]
    list_filter = ["kind", "status", "referral"]
    list_select_related = ["village"]
    search_fields = ["description", "person_served__name", "worker__name", "person_served_name"]
    autocomplete_fields = ["village"]
    raw_id_fields = ["person_served", "worker"]
    readonly_fields = ["version", "validation_warnings", "created_at", "updated_at"]


@admin.register(Job)
class JobAdmin(ImportExportModelAdmin):
    resource_classes = [resources.JobResource]
    list_display = ["name", "code", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "code"]


@admin.register(PlacementAgency)
class PlacementAgencyAdmin(ImportExportModelAdmin, SimpleHistoryAdmin):
    resource_classes = [resources.PlacementAgencyResource]
    list_display = ["name", "licence_number", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "licence_number"]
