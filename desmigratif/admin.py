import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django import forms
from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponseBadRequest
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from import_export.admin import ImportExportModelAdmin
from import_export.forms import ImportForm
from import_export.tmp_storages import BaseStorage
from simple_history.admin import SimpleHistoryAdmin

from desmigratif.access import ScopedAdminMixin, ScopedChoicesMixin, holds, manageable_assignments, manageable_users
from desmigratif.forms import admin_form_for, assignment_form_for
from desmigratif.http import signed_in_user
from desmigratif.models import (
    AccessLog,
    AdminImportFile,
    Assignment,
    District,
    ProgrammeVillage,
    Province,
    Regency,
    User,
    Village,
)
from desmigratif.resources import ProgrammeVillageResource
from desmigratif.uploads import ReadError, file_screen

# The request an admin import works for, while it runs: django-import-export gives its file
# storage no request, and the storage binds the file to the request's user and session.
_IMPORT_REQUEST: ContextVar[HttpRequest | None] = ContextVar("admin_import_request", default=None)


class SessionUploadStorage(BaseStorage):
    """django-import-export's file between the preview and the confirmation: in the database
    (every web host sees it), under a random name bound to the user and the session that
    uploaded it. A name posted by anyone else, or made up, is refused, so a forged
    ``import_file_name`` can neither read nor delete anything."""

    def _owner(self) -> dict:
        request = _IMPORT_REQUEST.get()
        if request is None or not request.user.is_authenticated or not request.session.session_key:
            raise PermissionDenied
        return {"user": request.user, "session_key": request.session.session_key}

    def save(self, data: bytes | str) -> None:
        owner = self._owner()
        self.name = secrets.token_hex(16)
        content = data.encode(self.encoding or "utf-8") if isinstance(data, str) else data
        AdminImportFile.objects.create(name=self.name, data=content, **owner)

    def read(self) -> bytes | str:
        stored = AdminImportFile.objects.filter(name=str(self.name or ""), **self._owner()).first()
        if stored is None:
            raise PermissionDenied
        content = bytes(stored.data)
        return content if "b" in self.read_mode else content.decode(self.encoding or "utf-8")

    def remove(self) -> None:
        AdminImportFile.objects.filter(name=str(self.name or ""), **self._owner()).delete()


ADMIN_IMPORT_MAX_BYTES = 2 * 1024 * 1024


class ScreenedImportForm(ImportForm):
    """The admin's import parses its file in the web request (django-import-export's design):
    it takes only files the size of a correction (the household import takes the big ones, in
    a worker), screened as the household import screens its uploads."""

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        if upload.size > ADMIN_IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                _("The admin imports files of at most %(limit)s MB. Use the portal's import for larger files.")
                % {"limit": ADMIN_IMPORT_MAX_BYTES // (1024 * 1024)}
            )
        try:
            file_screen(upload.read(), upload.name, max_bytes=ADMIN_IMPORT_MAX_BYTES)
        except ReadError as refusal:
            raise forms.ValidationError(refusal.message) from None
        finally:
            upload.seek(0)
        return upload


@contextmanager
def _uploads_of(request: HttpRequest) -> Iterator[None]:
    """The request whose user and session SessionUploadStorage binds its files to."""
    token = _IMPORT_REQUEST.set(request)
    try:
        yield
    finally:
        _IMPORT_REQUEST.reset(token)


class ImportExportAdmin(ImportExportModelAdmin):
    """Every admin with import and export: the file between preview and confirmation is bound
    to the session that uploaded it (SessionUploadStorage), and screened before it is parsed."""

    tmp_storage_class = SessionUploadStorage
    import_form_class = ScreenedImportForm

    def import_action(self, request: HttpRequest, **kwargs):
        with _uploads_of(request):
            return super().import_action(request, **kwargs)

    def export_action(self, request: HttpRequest):
        try:
            return super().export_action(request)
        except IncorrectLookupParameters:  # the change list's filters, tampered with in the link
            return HttpResponseBadRequest(_("This list's filters are not valid."))

    def process_import(self, request: HttpRequest, **kwargs):
        with _uploads_of(request):
            return super().process_import(request, **kwargs)


class ScopedTabularInline(ScopedChoicesMixin, admin.TabularInline):
    """Every inline of the admin: its foreign keys and many-to-many fields offer and accept only
    records the user may write, as the admins they sit in do."""


class VersionedInline(ScopedTabularInline):
    """An inline of versioned records (a cooperative's members, an enterprise's visits): each row
    carries the version it was opened at, so a stale page cannot overwrite a newer edit."""

    def get_formset(self, request: HttpRequest, obj=None, **kwargs):
        kwargs["form"] = admin_form_for(None, request.user)
        return super().get_formset(request, obj, **kwargs)

    def get_fields(self, request: HttpRequest, obj=None):
        return [*super().get_fields(request, obj), "expected_version"]


class HistoryAdmin(SimpleHistoryAdmin):
    """django-simple-history's admin, whose history pages answer 404 for a record or a version
    that has no history (a broken or tampered link) instead of failing."""

    def _has_history(self, object_id: str, version_id: str | None = None) -> bool:
        versions = getattr(self.model, self.model._meta.simple_history_manager_attribute).all()
        if not holds(versions, object_id, self.model._meta.pk.attname):
            return False
        return version_id is None or holds(versions, version_id, "history_id")

    def history_view(self, request: HttpRequest, object_id: str, extra_context=None):
        if not self._has_history(object_id) and not holds(self.model._default_manager.all(), object_id):
            raise Http404
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request: HttpRequest, object_id: str, version_id: str, extra_context=None):
        if not self._has_history(object_id, version_id):
            raise Http404
        return super().history_form_view(request, object_id, version_id, extra_context)


class PortalAdmin(ScopedAdminMixin, ImportExportAdmin, HistoryAdmin):
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
                user=signed_in_user(request),
                kind=self.sensitive_view,
                what=f"admin {self.model._meta.label} {what}",
                rows=rows,
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
            user=signed_in_user(request),
            kind=AccessLog.Kind.EXPORT,
            what=f"admin {self.model._meta.label}",
            rows=len(data),
        )
        return data

    def process_result(self, result, request: HttpRequest):
        AccessLog.objects.create(
            user=signed_in_user(request),
            kind=AccessLog.Kind.IMPORT,
            what=f"admin {self.model._meta.label}",
            rows=result.total_rows,
            detail={kind: count for kind, count in result.totals.items() if count},
        )
        return super().process_result(result, request)


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


class ManagedUsersMixin:
    """The accounts and assignments a user manages (access.manageable_users): only those are
    listed, opened, changed, chosen and shown in history, and a revert from history is for
    superusers, who alone may bring back what a version held (staff rights, other areas)."""

    def _manageable(self, request: HttpRequest, object_id: str) -> bool:
        # Mixin: get_queryset() is the ModelAdmin's.
        return holds(self.get_queryset(request), object_id)  # type: ignore[attr-defined]

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "", extra_context=None):
        if not self._manageable(request, object_id):
            raise Http404
        # Mixin: super() is the ModelAdmin's.
        return super().change_view(request, object_id, form_url, extra_context)  # type: ignore[misc]

    def delete_view(self, request: HttpRequest, object_id: str, extra_context=None):
        if not self._manageable(request, object_id):
            raise Http404
        # Mixin: super() is the ModelAdmin's.
        return super().delete_view(request, object_id, extra_context)  # type: ignore[misc]

    def history_view(self, request: HttpRequest, object_id: str, extra_context=None):
        if not self._manageable(request, object_id):
            raise Http404
        # Mixin: super() is the ModelAdmin's.
        return super().history_view(request, object_id, extra_context)  # type: ignore[misc]

    def history_form_view(self, request: HttpRequest, object_id: str, version_id: str, extra_context=None):
        if not self._manageable(request, object_id):
            raise Http404
        if request.method == "POST" and not request.user.is_superuser:
            raise PermissionDenied
        # Mixin: super() is the ModelAdmin's.
        return super().history_form_view(request, object_id, version_id, extra_context)  # type: ignore[misc]

    def revert_disabled(self, request: HttpRequest, obj=None) -> bool:
        # Mixin: super() is the ModelAdmin's.
        return not request.user.is_superuser or super().revert_disabled(request, obj)  # type: ignore[misc]


@admin.register(Assignment)
class AssignmentAdmin(ManagedUsersMixin, ScopedChoicesMixin, HistoryAdmin):
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

    def get_queryset(self, request: HttpRequest):
        return manageable_assignments(super().get_queryset(request), request.user)

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = assignment_form_for(request.user)
        return super().get_form(request, obj, change, **kwargs)


class AssignmentInline(ScopedTabularInline):
    model = Assignment
    extra = 0
    fields = ["role", "area", "starts_on", "ends_on", "note"]

    def get_formset(self, request, obj=None, **kwargs):
        kwargs["form"] = assignment_form_for(request.user)
        kwargs["validate_min"] = True
        return super().get_formset(request, obj, **kwargs)

    def get_queryset(self, request):
        return manageable_assignments(super().get_queryset(request), request.user)

    def get_min_num(self, request: HttpRequest, obj=None, **kwargs) -> int:
        # A regional administrator's new account starts with an assignment inside their area:
        # without one it would be nobody's to manage.
        return 0 if request.user.is_superuser or obj is not None else 1


@admin.register(User)
class UserAdmin(ManagedUsersMixin, HistoryAdmin, BaseUserAdmin):
    """Superusers manage every account. A regional administrator (with the user permissions)
    manages the accounts inside their area and grants only assignments inside it: staff
    rights, superuser status, groups and permissions are not theirs to give."""

    inlines = [AssignmentInline]
    list_display = ["username", "first_name", "last_name", "is_active", "is_staff", "last_login"]
    regional_fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
        (_("Permissions"), {"fields": ("is_active",)}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )

    def get_queryset(self, request: HttpRequest):
        return manageable_users(super().get_queryset(request), request.user)

    def get_fieldsets(self, request: HttpRequest, obj=None):
        if obj is not None and not request.user.is_superuser:
            return self.regional_fieldsets
        return super().get_fieldsets(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        if request.user.is_superuser:
            return super().get_readonly_fields(request, obj)
        return ["last_login", "date_joined"]


class SuperuserOnlyAdmin(admin.ModelAdmin):
    """What only administrators (superusers) see, whatever permissions a staff user was given;
    nobody adds or edits it here."""

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


@admin.register(AccessLog)
class AccessLogAdmin(SuperuserOnlyAdmin):
    """Who exported, imported or viewed children's records and whole NIKs, and when."""

    list_display = ["at", "user", "kind", "what", "rows"]
    list_filter = ["kind", "at"]
    search_fields = ["user__username", "what"]
    date_hierarchy = "at"
    list_select_related = ["user"]
    readonly_fields = ["at", "user", "kind", "what", "rows", "detail"]


class TOTPDeviceAdmin(SuperuserOnlyAdmin):
    """Second-factor devices: an administrator sees whose device exists and deletes a lost one
    (its owner then sets up a new one at the next login). The secret key is never shown: a
    device is enrolled only by its owner, on the two-factor page."""

    list_display = ["user", "name", "confirmed", "created_at", "last_used_at"]
    list_filter = ["confirmed"]
    search_fields = ["user__username"]
    list_select_related = ["user"]
    fields = ("user", "name", "confirmed", "created_at", "last_used_at", "throttling_failure_count")
    readonly_fields = fields

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_active and request.user.is_superuser


# django-otp registers its own device admin (every field, the key and a QR code of it, for any
# staff user with the view permission); ours replaces it whichever is imported first.
if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)
admin.site.register(TOTPDevice, TOTPDeviceAdmin)


@admin.register(ProgrammeVillage)
class ProgrammeVillageAdmin(PortalAdmin):
    """The register of Desmigratif villages, kept by administrators within their areas."""

    resource_classes = [ProgrammeVillageResource]
    list_display = ["village", "cohort", "status", "status_since", "coordinator"]
    list_filter = ["status", "cohort"]
    list_select_related = ["village", "coordinator"]
    search_fields = ["village__name", "village__code"]
    raw_id_fields = ["village"]
