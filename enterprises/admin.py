from django.contrib import admin

from desmigratif.admin import ImportExportAdmin, PortalAdmin, ScopedTabularInline, VersionedInline
from enterprises import resources
from enterprises.models import Attendance, Category, Enterprise, EquipmentAid, MentoringVisit, Training


@admin.register(Category)
class CategoryAdmin(ImportExportAdmin):
    """A national code list: no area, edited by administrators."""

    resource_classes = [resources.CategoryResource]
    list_display = ["name", "name_en", "code", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "name_en", "code"]


class MentoringVisitInline(VersionedInline):
    model = MentoringVisit
    extra = 0
    fields = ["visited_on", "mentor", "next_step"]


class EquipmentAidInline(VersionedInline):
    model = EquipmentAid
    extra = 0
    fields = ["given_on", "item", "quantity", "value", "source"]


@admin.register(Enterprise)
class EnterpriseAdmin(PortalAdmin):
    resource_classes = [resources.EnterpriseResource]
    list_display = ["name", "category", "status", "village", "export_ready"]
    list_filter = ["status", "category", "export_ready"]
    list_select_related = ["village", "category"]
    search_fields = ["name", "village__name", "=village__code"]
    autocomplete_fields = ["village", "owner", "members"]
    readonly_fields = ["version", "validation_warnings", "created_at", "updated_at"]
    inlines = [MentoringVisitInline, EquipmentAidInline]


class AttendanceInline(ScopedTabularInline):
    model = Attendance
    extra = 0
    autocomplete_fields = ["person"]


@admin.register(Training)
class TrainingAdmin(PortalAdmin):
    resource_classes = [resources.TrainingResource]
    list_display = ["topic", "kind", "starts_on", "village"]
    list_filter = ["kind"]
    list_select_related = ["village"]
    search_fields = ["topic", "village__name", "=village__code"]
    autocomplete_fields = ["village"]
    readonly_fields = ["version", "validation_warnings", "created_at", "updated_at"]
    inlines = [AttendanceInline]


@admin.register(Attendance)
class AttendanceAdmin(PortalAdmin):
    resource_classes = [resources.AttendanceResource]
    list_display = ["person", "training"]
    list_select_related = ["person", "training"]
    autocomplete_fields = ["training", "person"]


@admin.register(MentoringVisit)
class MentoringVisitAdmin(PortalAdmin):
    resource_classes = [resources.MentoringVisitResource]
    list_display = ["enterprise", "visited_on", "mentor"]
    list_select_related = ["enterprise"]
    autocomplete_fields = ["enterprise"]
    search_fields = ["enterprise__name", "mentor"]
    readonly_fields = ["version", "validation_warnings", "created_at", "updated_at"]


@admin.register(EquipmentAid)
class EquipmentAidAdmin(PortalAdmin):
    resource_classes = [resources.EquipmentAidResource]
    list_display = ["item", "enterprise", "value", "given_on", "source"]
    list_filter = ["source"]
    list_select_related = ["enterprise"]
    autocomplete_fields = ["enterprise"]
    search_fields = ["item", "enterprise__name"]
    readonly_fields = ["version", "validation_warnings", "created_at", "updated_at"]
