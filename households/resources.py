"""django-import-export resources for pillar 1, used by the admin's import and export: the
core's scoped resources (desmigratif.resources), NIKs masked for users who may not read them
whole. The identifier rules (NIK, No. KK, phone) run in each record's own validation
(households.models.IdentifierRules), which the import calls for every row."""

from __future__ import annotations

from typing import Any

from desmigratif.resources import BOOKKEEPING, PortalResource, ScopedResource, village_code_of
from desmigratif.services import nik_elsewhere_allowance, nik_elsewhere_record
from households.forms import nik_registration_check
from households.models import (
    PERSON_FIELDS,
    Household,
    Job,
    MigrationEpisode,
    Person,
    PlacementAgency,
    ReferralTarget,
    ServiceRequest,
)
from households.validators import check_nik, nik_shown_to


def _nik(value: Any) -> tuple[str, list]:
    # The NIK normalised and judged before the record's own validation (which judges it again,
    # with the date of birth and sex), so that the registration check below is asked of a
    # well-formed NIK and refuses before the unique constraint speaks.
    normalised, _facts, findings = check_nik(value)
    return normalised, findings


class MaskedNikMixin:
    def dehydrate_nik(self, person: Person) -> str:
        return nik_shown_to(self.user, person.nik, village_code_of(person))


class HouseholdResource(ScopedResource):
    class Meta:
        model = Household
        fields = ["id", "village", "kk_number", "dusun", "rt", "rw", "address", "phone", "is_archived"]


class PersonResource(MaskedNikMixin, ScopedResource):
    """As the household form: a NIK registered outside the user's area is refused, logged and
    bounded per user (desmigratif.services.nik_elsewhere_allowance)."""

    identifier_checks = {"nik": _nik}
    nik_allowance = 0  # set per import: how many NIKs registered elsewhere the user may still be told of
    nik_hits = 0

    def import_data(self, *args: Any, **kwargs: Any) -> Any:
        self.nik_allowance = nik_elsewhere_allowance(user=self.user) if self.user is not None else 0
        self.nik_hits = 0
        try:
            return super().import_data(*args, **kwargs)
        finally:
            # After the import's own transaction: a preview (a dry run) is rolled back, its log entry is not.
            if self.nik_hits:
                nik_elsewhere_record(user=self.user, hits=self.nik_hits, where="admin import: households.Person")

    def identifier_problems(self, instance: Any, name: str, value: Any) -> list[str]:
        if self.user is None:
            return []
        allowance = self.nik_allowance - self.nik_hits
        checked = nik_registration_check(user=self.user, nik=value, record=instance, allowance=allowance)
        self.nik_hits += checked.elsewhere
        return [checked.problem] if checked.problem else []

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
        fields = ["code", "name", "name_en", "is_active"]


class ReferralTargetResource(PortalResource):
    class Meta:
        model = ReferralTarget
        fields = ["id", "kind", "name", "area_code", "country", "address", "phone", "email", "is_active"]


class PlacementAgencyResource(PortalResource):
    class Meta:
        model = PlacementAgency
        fields = ["id", "name", "licence_number", "is_active"]
