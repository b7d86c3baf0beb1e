from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from desmigratif.access import ScopedAdminMixin, can_see_full_nik
from desmigratif.admin import ImportExportAdmin, ScopedTabularInline
from desmigratif.models import AccessLog
from households import resources
from households.forms import (
    EpisodeForm,
    HouseholdForm,
    PersonForm,
    ServiceRequestAdminForm,
    admin_form_for,
)
from households.models import Household, Job, KKNumber, MigrationEpisode, Person, PlacementAgency, ServiceRequest
from households.resources import village_code_of
from households.validators import nik_shown_to


class VersionedInline(ScopedTabularInline):
    """An inline of versioned records (a cooperative's members, an enterprise's visits): each row
    carries the version it was opened at, so a stale page cannot overwrite a newer edit."""

    def get_formset(self, request: HttpRequest, obj=None, **kwargs):
        kwargs["form"] = admin_form_for(None, request.user)
        return super().get_formset(request, obj, **kwargs)

    def get_fields(self, request: HttpRequest, obj=None):
        return [*super().get_fields(request, obj), "expected_version"]


class PortalAdmin(ScopedAdminMixin, ImportExportAdmin, SimpleHistoryAdmin):
    """Scoped like the portal; import and export each need their own permission
    (IMPORT_EXPORT_*_PERMISSION_CODE), and resources know the user. Where a page of records
    shows what the portal logs (children's records, whole NIKs), opening it writes the same
    access log entry: the list, the change page, the history and the import preview."""

    sensitive_view: AccessLog.Kind | None = None
    portal_form: type[forms.ModelForm] | None = None  # the portal's form of the record, whose rules apply here too

    def get_form(self, request: HttpRequest, obj=None, change: bool = False, **kwargs):
        # A page the user may only view has no form fields, and needs no rules.
        read_only = change and not self.has_change_permission(request, obj)
        kwargs["form"] = admin_form_for(None if read_only else self.portal_form, request.user)
        return super().get_form(request, obj, change, **kwargs)

    def sensitive_rows(self, request: HttpRequest, records: list) -> int:
        """How many of ``records`` show the user what ``sensitive_view`` logs."""
        return len(records)

    def _log_view(self, request: HttpRequest, what: str, records: list, rows: int | None = None) -> None:
        if self.sensitive_view is None:
            return
        rows = self.sensitive_rows(request, records) if rows is None else rows
        if rows:
            AccessLog.objects.create(
                user=request.user, kind=self.sensitive_view, what=f"admin {self.model._meta.label} {what}", rows=rows
            )

    def changelist_view(self, request: HttpRequest, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", None) and response.context_data.get("cl")
        if changelist is not None:
            # The page's records, read once: the template then iterates the same evaluated list.
            self._log_view(request, "list", list(changelist.result_list))
        return response

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        original = getattr(response, "context_data", None) and response.context_data.get("original")
        if original is not None:
            self._log_view(request, str(original.pk), [original])
        return response

    def render_history_view(self, request: HttpRequest, template: str, context: dict, **kwargs):
        # The history list and a past version both show the record's fields.
        original = context.get("original") or context.get("object")
        if original is not None:
            self._log_view(request, f"{original.pk} history", [original])
        return super().render_history_view(request, template, context, **kwargs)

    def import_action(self, request: HttpRequest, **kwargs):
        response = super().import_action(request, **kwargs)
        result = getattr(response, "context_data", None) and response.context_data.get("result")
        if result is not None:
            # The preview shows the file's rows and the records they would change.
            self._log_view(request, "import preview", [], rows=result.total_rows)
        return response

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
    portal_form = EpisodeForm


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
    list_display = ["name", "code", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "code"]


@admin.register(PlacementAgency)
class PlacementAgencyAdmin(ImportExportAdmin, SimpleHistoryAdmin):
    resource_classes = [resources.PlacementAgencyResource]
    list_display = ["name", "licence_number", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "licence_number"]
