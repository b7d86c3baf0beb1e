"""django-import-export resources of every pillar, as the admin's import and export use them.

Each resource knows the user it works for (the admin passes it): imports refuse rows outside
the user's write scope and go through the model's validation and the portal's identifier
rules; exports neutralise spreadsheet formulas (desmigratif.exports)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from import_export import fields, resources
from import_export.widgets import ForeignKeyWidget

from desmigratif.access import Action, AnyUser, can, scope_path, scoped, writable_choices
from desmigratif.exports import escape_formula
from desmigratif.models import ProgrammeVillage, User, Village, village_code_from

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
    class Meta:
        # Every imported record goes through its model's validation (fields, constraints).
        clean_model_instances = True

    def __init__(self, user: AnyUser | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.user = user

    def export_field(self, field: fields.Field, instance: Any, **kwargs: Any) -> Any:
        return escape_formula(super().export_field(field, instance, **kwargs))


class ScopedResource(PortalResource):
    """An admin import of records kept by area: a row finds only records the user may write (an
    id of another village's record is an error on that row, never an update), every foreign
    key and many-to-many value must be one the user may write, the record must end up in the
    user's area, and the model's own validation runs."""

    # Per field, a rule of the portal's forms for a row's value: value -> (normalised value,
    # findings); pillars set it on their resources (pillar 1: NIK, KK and phone numbers).
    identifier_checks: dict[str, Any] = {}

    def get_queryset(self) -> QuerySet:
        # Without a user (a resource made outside the admin), no record: as before_save_instance refuses.
        return scoped(super().get_queryset(), self.user or AnonymousUser(), Action.WRITE)

    def get_instance(self, instance_loader: Any, row: Any) -> Any:
        instance = super().get_instance(instance_loader, row)
        if instance is None and self._names_a_record(row):
            raise ValidationError(_("This row names a record outside your area."))
        return instance

    def _names_a_record(self, row: Any) -> bool:
        lookup = {}
        for name in self.get_import_id_fields():
            field = self.fields[name]
            if field.column_name not in row or row[field.column_name] in (None, ""):
                return False
            lookup[field.attribute] = field.clean(row)
        return self._meta.model._default_manager.filter(**lookup).exists()

    def before_save_instance(self, instance: Any, row: Any, **kwargs: Any) -> None:
        # Before anything is saved, many-to-many values included (they are saved after).
        if self.user is None or not can(self.user, Action.WRITE, village_code_of(instance)):
            raise ValidationError(_("This row belongs to a village outside your area."))
        for field in self.get_import_fields():
            model = getattr(field.widget, "model", None)
            choices = writable_choices(model, self.user) if model is not None else None
            if choices is None or not field.attribute or field.column_name not in row:
                continue
            value = field.clean(row, **kwargs)
            chosen = list(value.all()) if hasattr(value, "all") else [value]
            keys = {getattr(item, "pk", item) for item in chosen if item is not None}  # instances, or their ids
            if keys and choices.filter(pk__in=keys).count() < len(keys):
                raise ValidationError({field.attribute: _("This choice is outside your area.")})
        if instance.pk is not None and hasattr(instance, "version"):
            # An update is an edit like any other: a form opened before it is refused, and a batch
            # import's rollback sees that the record changed after the batch.
            instance.version += 1
        super().before_save_instance(instance, row, **kwargs)

    def validate_instance(self, instance: Any, import_validation_errors: Any = None, validate_unique: bool = True):
        errors = dict(import_validation_errors or {})
        for name, check in self.identifier_checks.items():
            value = getattr(instance, name)
            if name in errors or value in (None, ""):
                continue
            normalised, findings = check(value)
            problems = [finding.message for finding in findings if finding.is_error]
            problems = problems or self.identifier_problems(instance, name, normalised)
            if problems:
                errors[name] = problems
            else:
                setattr(instance, name, normalised)
        super().validate_instance(instance, errors, validate_unique)

    def identifier_problems(self, instance: Any, name: str, value: Any) -> list[str]:
        """What else is wrong with a well-formed identifier (registered elsewhere, say)."""
        return []


class VillageCodeWidget(ForeignKeyWidget):
    """A village by its code, with or without the dots, as a spreadsheet from Dukcapil or
    OpenSID writes it."""

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
        return super().clean(village_code_from(str(value)) if value not in (None, "") else value, row, **kwargs)


class ProgrammeVillageResource(ScopedResource):
    """The programme's villages as a CSV: a village by its Kemendagri code, its coordinator by
    username; a village already in the register is updated, not added twice."""

    village = fields.Field(attribute="village", column_name="village", widget=VillageCodeWidget(Village, "code"))
    coordinator = fields.Field(
        attribute="coordinator", column_name="coordinator", widget=ForeignKeyWidget(User, "username")
    )

    class Meta:
        model = ProgrammeVillage
        import_id_fields = ["village"]
        fields = ["village", "cohort", "status", "status_since", "coordinator", "note"]
        clean_model_instances = True
