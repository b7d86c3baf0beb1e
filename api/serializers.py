"""What the API shows of a record: the fields its pages show, NIKs masked as on the pages for
users who may not see them in full."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from desmigratif.access import can_see_full_nik
from households.models import Household, Person
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
        fields = [
            "id",
            "nik",
            "name",
            "sex",
            "birth_place",
            "birth_date",
            "relationship",
            "religion",
            "education",
            "occupation",
            "marital_status",
            "version",
        ]

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
