"""django-import-export resources for pillar 1, used by the admin's import and export.

Each resource knows the user it works for (the admin passes it): imports refuse
rows outside the user's write scope, exports mask NIKs the user may not read in
full and neutralise spreadsheet formulas."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export import fields, resources

from desmigratif.access import Action, AnyUser, can, scope_path
from households.models import PERSON_FIELDS, Household, Job, MigrationEpisode, Person, PlacementAgency, ServiceRequest
from households.validators import escape_formula, nik_shown_to

# Columns the portal keeps for itself: not imported, not exported.
BOOKKEEPING = ["validation_warnings", "version", "created_at", "updated_at"]


def village_code_of(instance: Any) -> str:
    value = instance
    for part in scope_path(type(instance)).split("__")[:-1]:
        value = getattr(value, part, None)
        if value is None:
            return ""
    return getattr(value, "code", "") or ""


class PortalResource(resources.ModelResource):
    def __init__(self, user: AnyUser | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.user = user

    def export_field(self, field: fields.Field, instance: Any, **kwargs: Any) -> Any:
        return escape_formula(super().export_field(field, instance, **kwargs))


class ScopedResource(PortalResource):
    def before_save_instance(self, instance: Any, row: Any, **kwargs: Any) -> None:
        if self.user is None or not can(self.user, Action.WRITE, village_code_of(instance)):
            raise ValidationError(_("This row belongs to a village outside your area."))
        super().before_save_instance(instance, row, **kwargs)


class MaskedNikMixin:
    def dehydrate_nik(self, person: Person) -> str:
        return nik_shown_to(self.user, person.nik, village_code_of(person))


class HouseholdResource(ScopedResource):
    class Meta:
        model = Household
        fields = ["id", "village", "kk_number", "dusun", "rt", "rw", "address", "phone", "is_archived"]


class PersonResource(MaskedNikMixin, ScopedResource):
    class Meta:
        model = Person
        fields = ["id", "household", *PERSON_FIELDS]


class EpisodeResource(ScopedResource):
    class Meta:
        model = MigrationEpisode
        exclude = BOOKKEEPING


class ServiceRequestResource(ScopedResource):
    class Meta:
        model = ServiceRequest
        exclude = BOOKKEEPING


class JobResource(PortalResource):
    class Meta:
        model = Job
        import_id_fields = ["code"]
        fields = ["code", "name", "is_active"]


class PlacementAgencyResource(PortalResource):
    class Meta:
        model = PlacementAgency
        fields = ["id", "name", "licence_number", "is_active"]
