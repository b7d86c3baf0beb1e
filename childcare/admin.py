from django.contrib import admin

from childcare import resources
from childcare.models import ActivityKind, Child, LearningHouse, Session
from desmigratif.access import Action
from desmigratif.admin import ImportExportAdmin, PortalAdmin
from desmigratif.models import AccessLog

READONLY = ["version", "validation_warnings", "created_at", "updated_at"]


@admin.register(ActivityKind)
class ActivityKindAdmin(ImportExportAdmin):
    """A national code list: no area, edited by administrators."""

    resource_classes = [resources.ActivityKindResource]
    list_display = ["name", "name_en", "code", "for_caregivers", "is_active"]
    list_filter = ["is_active", "for_caregivers"]
    search_fields = ["name", "name_en", "code"]


@admin.register(LearningHouse)
class LearningHouseAdmin(PortalAdmin):
    resource_classes = [resources.LearningHouseResource]
    list_display = ["name", "village", "opened_on", "is_active"]
    list_filter = ["is_active"]
    list_select_related = ["village"]
    search_fields = ["name", "village__name", "=village__code"]
    autocomplete_fields = ["village"]
    readonly_fields = READONLY


@admin.register(Child)
class ChildAdmin(PortalAdmin):
    resource_classes = [resources.ChildResource]
    list_display = ["__str__", "learning_house", "school_status"]
    list_filter = ["school_status", "school_level"]
    list_select_related = ["person", "learning_house"]
    search_fields = ["person__name"]
    autocomplete_fields = ["person", "caregiver", "learning_house", "parents_abroad"]
    readonly_fields = READONLY
    view_action = Action.WRITE  # as in the portal: the village's officers only
    sensitive_view = AccessLog.Kind.CHILD_VIEW


@admin.register(Session)
class SessionAdmin(PortalAdmin):
    resource_classes = [resources.SessionResource]
    list_display = ["__str__", "learning_house", "held_on"]
    list_filter = ["kind"]
    list_select_related = ["kind", "learning_house"]
    search_fields = ["learning_house__name"]
    autocomplete_fields = ["learning_house", "children", "caregivers"]
    readonly_fields = READONLY
    view_action = Action.WRITE  # a session names its children
