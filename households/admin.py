from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from desmigratif.access import can_see_full_nik
from desmigratif.admin import HistoryAdmin, ImportExportAdmin, PortalAdmin, ScopedTabularInline
from desmigratif.models import AccessLog
from desmigratif.resources import village_code_of
from households import resources
from households.forms import EpisodeAdminForm, HouseholdForm, PersonForm, ServiceRequestAdminForm
from households.models import (
    Household,
    Job,
    KKNumber,
    MigrationEpisode,
    Person,
    PlacementAgency,
    ReferralTarget,
    ServiceRequest,
)
from households.validators import nik_shown_to


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
    readonly_fields = ["version", "validation_warnings", "created_at", "updated_at"]
    inlines = [KKNumberInline]
    portal_form = HouseholdForm
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
    sensitive_view = AccessLog.Kind.NIK_VIEW
    portal_form = PersonForm

    def sensitive_rows(self, request: HttpRequest, records: list) -> int:
        return sum(1 for person in records if person.nik and can_see_full_nik(request.user, village_code_of(person)))

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
    portal_form = EpisodeAdminForm


@admin.register(ServiceRequest)
class ServiceRequestAdmin(PortalAdmin):
    resource_classes = [resources.ServiceRequestResource]
    list_display = ["__str__", "village", "kind", "status", "referral", "follow_up_on"]
    list_filter = ["kind", "status", "referral"]
    list_select_related = ["village"]
    search_fields = ["description", "person_served__name", "worker__name", "person_served_name"]
    raw_id_fields = ["person_served", "worker"]
    readonly_fields = ["version", "validation_warnings", "created_at", "updated_at"]
    portal_form = ServiceRequestAdminForm


@admin.register(Job)
class JobAdmin(ImportExportAdmin):
    resource_classes = [resources.JobResource]
    list_display = ["name", "name_en", "code", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "name_en", "code"]


@admin.register(ReferralTarget)
class ReferralTargetAdmin(ImportExportAdmin, HistoryAdmin):
    """The offices service posts refer cases to; a regional one serves the villages under its
    region code, a mission the workers in its country."""

    resource_classes = [resources.ReferralTargetResource]
    list_display = ["name", "kind", "area_code", "country", "phone", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "area_code", "country"]


@admin.register(PlacementAgency)
class PlacementAgencyAdmin(ImportExportAdmin, HistoryAdmin):
    resource_classes = [resources.PlacementAgencyResource]
    list_display = ["name", "licence_number", "is_active", "is_reviewed", "proposed_by"]
    list_filter = ["is_reviewed", "is_active"]
    search_fields = ["name", "licence_number"]
    raw_id_fields = ["proposed_by"]
