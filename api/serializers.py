"""What the API shows of a record: the fields its pages show, NIKs masked as on the pages for
users who may not see them in full."""

from __future__ import annotations

from typing import Any

from django.db import models
from rest_framework import serializers

from childcare.models import Child, LearningHouse
from cooperatives.models import Cooperative, Facility
from desmigratif.access import can_see_full_nik
from enterprises.models import Enterprise, Training
from households.models import PERSON_FIELDS, CaseFollowUp, Household, MigrationEpisode, Person, ServiceRequest
from households.validators import mask_nik


class RegionSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.IntegerField(help_text="1 province, 2 regency or city, 3 district, 4 village.")
    parent = serializers.CharField(allow_blank=True)
    is_active = serializers.BooleanField()


class PersonSerializer(serializers.ModelSerializer):
    nik = serializers.SerializerMethodField(help_text="Masked unless the user may see it in full.")

    class Meta:
        model = Person
        fields = ["id", *PERSON_FIELDS, "version"]  # what the household form edits of a member

    def get_nik(self, person: Person) -> str:
        full = self.context.get("full_nik", {})
        village = person.household.village_id
        if village not in full:
            full[village] = can_see_full_nik(self.context["request"].user, village)
        return (person.nik or "") if full[village] else mask_nik(person.nik)


class HouseholdSerializer(serializers.ModelSerializer):
    village = serializers.CharField(source="village_id")
    members = PersonSerializer(many=True, read_only=True)
    validation_warnings = serializers.JSONField(read_only=True)

    class Meta:
        model = Household
        fields = [
            "id",
            "village",
            "kk_number",
            "dusun",
            "rt",
            "rw",
            "address",
            "phone",
            "is_archived",
            "members",
            "version",
            "validation_warnings",
            "created_at",
            "updated_at",
        ]

    def to_representation(self, instance: Household) -> dict[str, Any]:
        self.context.setdefault("full_nik", {})
        return super().to_representation(instance)


def _fields_of(model: type[models.Model], *, leave_out: tuple[str, ...] = ()) -> list[str]:
    """The record's own columns (foreign keys as ids), as the pages show them."""
    return [field.name for field in model._meta.concrete_fields if field.name not in leave_out]


def record_serializer(model: type[models.Model]) -> type[serializers.ModelSerializer]:
    """The serializer of a record shown as it is: its own columns. Named after the model, as
    the schema's components are."""
    meta = type("Meta", (), {"model": model, "fields": _fields_of(model)})
    return type(f"{model.__name__}Serializer", (serializers.ModelSerializer,), {"Meta": meta})


class PersonRecordSerializer(PersonSerializer):
    household = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta(PersonSerializer.Meta):
        fields = ["id", "household", *PERSON_FIELDS, "version"]


EpisodeSerializer = record_serializer(MigrationEpisode)


class FollowUpSerializer(serializers.ModelSerializer):
    class Meta:
        model = CaseFollowUp
        fields = _fields_of(CaseFollowUp, leave_out=("case",))


class CaseSerializer(serializers.ModelSerializer):
    follow_ups = FollowUpSerializer(many=True, read_only=True)

    class Meta:
        model = ServiceRequest
        fields = [*_fields_of(ServiceRequest), "follow_ups"]


EnterpriseSerializer = record_serializer(Enterprise)
TrainingSerializer = record_serializer(Training)
LearningHouseSerializer = record_serializer(LearningHouse)
ChildSerializer = record_serializer(Child)
CooperativeSerializer = record_serializer(Cooperative)
FacilitySerializer = record_serializer(Facility)


class HeadlineSerializer(serializers.Serializer):
    slug = serializers.CharField()
    label = serializers.CharField()
    definition = serializers.CharField()
    value = serializers.IntegerField(allow_null=True, help_text="Null: a count of children from 1 to 4, hidden.")


class PanelSerializer(serializers.Serializer):
    slug = serializers.CharField()
    section = serializers.CharField()
    title = serializers.CharField()
    definition = serializers.CharField()
    columns = serializers.ListField(child=serializers.CharField())
    rows = serializers.ListField(child=serializers.ListField(), help_text="The label first, then the figures.")


class FiguresSerializer(serializers.Serializer):
    area = serializers.CharField(allow_blank=True)
    period = serializers.CharField(allow_blank=True, help_text="Empty: now.")
    villages = serializers.ChoiceField(choices=["programme", "all"])
    as_of = serializers.DateTimeField(allow_null=True, help_text="When the figures were counted.")
    headlines = HeadlineSerializer(many=True)
    panels = PanelSerializer(many=True)
