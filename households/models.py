"""Pillar 1 records: households, their members, migration episodes and the service post's cases."""

from __future__ import annotations

import datetime
import gzip
import re
import uuid
from collections.abc import Collection
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchQuery, SearchVector
from django.core.exceptions import ValidationError
from django.core.files.storage import Storage, storages
from django.db import models
from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from desmigratif.exports import validate_no_formula
from desmigratif.models import Village, ancestor_codes
from desmigratif.records import CodeListQuerySet, Labelled, Versioned
from households import validators
from households.countries import country_name
from households.validators import Finding

# --- identifier rules -----------------------------------------------------------------------------------


class IdentifierRules(models.Model):
    """The identifier rules of households.validators (NIK, No. KK, phone, passport and BPJS
    numbers), applied by the record that holds the numbers: ``Model.full_clean`` normalises each
    number as typed and judges it, so the portal's forms, the admin's (the same forms) and the
    admin's import apply one rule, one implementation. Errors are raised keyed by field; warnings
    are kept on the instance (``identifier_warnings``, which the forms show) and, on a versioned
    record, in ``validation_warnings`` as codes, replacing those of the fields judged again.

    The rules run in ``clean_fields``, not ``clean``: a number is normalised ("0812 3456 7890",
    "3212 1612 0490 0001") after the other fields are read (a NIK is compared with the date of
    birth and sex) but before its own field checks its length; and a field the caller leaves out
    (absent from a form, or refused by it already) is neither judged nor blamed, which only
    ``clean_fields`` knows (its ``exclude``)."""

    identifier_fields: ClassVar[tuple[str, ...]] = ()
    # The warnings of the last judgement, for the form (households.forms.FindingsMixin).
    identifier_warnings: list[Finding]

    class Meta:
        abstract = True

    def identifiers_judge(self, exclude: Collection[str]) -> tuple[set[str], list[Finding]]:
        """Normalise this record's identifiers that are not in ``exclude`` and judge them: which
        fields the judgement speaks of, and its findings. Each record with identifier fields
        says how; a record without them judges nothing."""
        return set(), []

    def clean_fields(self, exclude: Collection[str] | None = None) -> None:
        exclude = set(exclude or ())
        errors: dict[str, Any] = {}
        try:
            super().clean_fields(exclude=exclude | set(self.identifier_fields))
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        judged, findings = self.identifiers_judge(exclude | errors.keys())
        for finding in findings:
            if finding.is_error:
                errors.setdefault(finding.field, []).append(ValidationError(finding.message))
        self.identifier_warnings = [finding for finding in findings if not finding.is_error]
        record: models.Model = self
        if isinstance(record, Versioned):
            kept = [stored for stored in record.validation_warnings or [] if stored.get("field") not in judged]
            record.validation_warnings = [*kept, *(finding.as_json() for finding in self.identifier_warnings)]
        # Each number's own field checks (its length), on the normalised value.
        judged_fields = {name for name in self.identifier_fields if name not in exclude and name not in errors}
        others = {field.name for field in self._meta.fields} - judged_fields
        try:
            super().clean_fields(exclude=others)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)


# --- code lists -----------------------------------------------------------------------------------------


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class Relationship(models.TextChoices):
    """Relationship to the head of the family, as on the Dukcapil family card."""

    HEAD = "head", _("Head of family")
    HUSBAND = "husband", _("Husband")
    WIFE = "wife", _("Wife")
    CHILD = "child", _("Child")
    CHILD_IN_LAW = "child_in_law", _("Son/daughter-in-law")
    GRANDCHILD = "grandchild", _("Grandchild")
    PARENT = "parent", _("Parent")
    PARENT_IN_LAW = "parent_in_law", _("Parent-in-law")
    OTHER_RELATIVE = "other_relative", _("Other relative")
    HOUSEHOLD_HELP = "household_help", _("Household help")
    OTHER = "other", _("Other")


class Religion(models.TextChoices):
    ISLAM = "islam", _("Islam")
    PROTESTANT = "protestant", _("Protestant Christianity")
    CATHOLIC = "catholic", _("Catholicism")
    HINDU = "hindu", _("Hinduism")
    BUDDHIST = "buddhist", _("Buddhism")
    CONFUCIAN = "confucian", _("Confucianism")
    BELIEF = "belief", _("Belief in God Almighty (kepercayaan)")


class Education(models.TextChoices):
    """Dukcapil education levels."""

    NONE = "none", _("No schooling / not yet in school")
    PRIMARY_INCOMPLETE = "primary_incomplete", _("Primary school not completed")
    PRIMARY = "primary", _("Primary school (SD)")
    JUNIOR_SECONDARY = "junior_secondary", _("Junior secondary (SLTP)")
    SENIOR_SECONDARY = "senior_secondary", _("Senior secondary (SLTA)")
    DIPLOMA_1_2 = "diploma_1_2", _("Diploma I/II")
    DIPLOMA_3 = "diploma_3", _("Diploma III")
    BACHELOR = "bachelor", _("Diploma IV / Bachelor (S1)")
    MASTER = "master", _("Master (S2)")
    DOCTORATE = "doctorate", _("Doctorate (S3)")


class MaritalStatus(models.TextChoices):
    SINGLE = "single", _("Not married")
    MARRIED = "married", _("Married")
    DIVORCED = "divorced", _("Divorced")
    WIDOWED = "widowed", _("Widowed")


class Job(Labelled):
    """Editable list of jobs abroad (domestic worker, caregiver, plantation, ...)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100, validators=[validate_no_formula])
    name_en = models.CharField(_("name in English"), max_length=100, blank=True, validators=[validate_no_formula])
    is_active = models.BooleanField(_("active"), default=True)

    objects = CodeListQuerySet.as_manager()

    class Meta:
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        permissions = [("import_job", "Can import jobs"), ("export_job", "Can export jobs")]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("admin:households_job_change", args=[self.pk])


class PlacementAgency(models.Model):
    """A P3MI (Perusahaan Penempatan Pekerja Migran Indonesia), with its licence."""

    name = models.CharField(_("name"), max_length=200, validators=[validate_no_formula])
    licence_number = models.CharField(_("licence number"), max_length=100, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    # An officer may add an agency the list lacks, usable at once; an administrator reviews it
    # (checks the licence, merges a duplicate) and marks it reviewed.
    is_reviewed = models.BooleanField(_("reviewed"), default=True, db_default=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("proposed by"),
    )

    objects = CodeListQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("placement agency (P3MI)")
        verbose_name_plural = _("placement agencies (P3MI)")
        permissions = [
            ("import_placementagency", "Can import placement agencies"),
            ("export_placementagency", "Can export placement agencies"),
        ]
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["licence_number"], condition=~Q(licence_number=""), name="agency_licence_unique"
            )
        ]

    def __str__(self) -> str:
        label = f"{self.name} ({self.licence_number})" if self.licence_number else self.name
        return label if self.is_reviewed else f"{label} · {_('awaiting review')}"

    def get_absolute_url(self) -> str:
        return reverse("admin:households_placementagency_change", args=[self.pk])


# --- records --------------------------------------------------------------------------------------------


# Bulk history: the records an import writes by the hundred thousand keep their history
# without a database foreign key on the history's user column. Each such constraint is one
# trigger call per history row, about 2.5 s of a 155,000-row import here
# (docs/performance.md). Deleting a user through Django still empties the column
# (simple-history's on_delete=SET_NULL is applied by Django's collector).


class HouseholdQuerySet(models.QuerySet):
    def current(self) -> HouseholdQuerySet:
        return self.filter(is_archived=False)

    def found_by(self, term: str) -> HouseholdQuerySet:
        """Households a search finds: one of whose members :meth:`PersonQuerySet.found_by`
        finds, or, for 16 digits, whose No. KK (current or former) it is."""
        found: Exists | Q = Exists(Person.objects.found_by(term).filter(household=OuterRef("pk")))
        digits = validators.normalize_number(term)
        if digits.isdigit() and len(digits) == 16:
            found |= Q(kk_number=digits) | Q(kk_numbers__number=digits)
            return self.filter(found).distinct()
        return self.filter(found)


class Household(IdentifierRules, Versioned):
    """A migrant-worker family. Its own id is the key: the KK number changes when a
    family moves or splits, so it is kept with its history in :class:`KKNumber`."""

    scope_path = "village__code"

    village = models.ForeignKey(Village, models.PROTECT, related_name="households", verbose_name=_("village"))
    kk_number = models.CharField(_("No. KK"), max_length=16, blank=True, db_index=True)
    dusun = models.CharField(_("dusun"), max_length=80, blank=True)
    rt = models.CharField(_("RT"), max_length=3, blank=True)
    rw = models.CharField(_("RW"), max_length=3, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    phone = models.CharField(_("contact phone"), max_length=20, blank=True, help_text=_("Stored as +62…"))
    is_archived = models.BooleanField(_("archived"), default=False)

    objects = HouseholdQuerySet.as_manager()
    history = HistoricalRecords(user_db_constraint=False)  # bulk history, see above

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        permissions = [("import_household", "Can import households"), ("export_household", "Can export households")]
        ordering = ["-created_at"]
        # One per sort of the household list, ending in the id as its keyset pages do.
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="household_newest"),
            models.Index(fields=["kk_number", "id"], name="household_kk_order"),
            models.Index(fields=["village", "id"], name="household_village_order"),
        ]

    def __str__(self) -> str:
        return f"KK {self.kk_number}" if self.kk_number else _("Household %(id)s") % {"id": self.pk}

    def get_absolute_url(self) -> str:
        return reverse("households:detail", args=[self.pk])

    identifier_fields = ("kk_number", "phone")

    def identifiers_judge(self, exclude: Collection[str]) -> tuple[set[str], list[Finding]]:
        judged: set[str] = set()
        findings: list[Finding] = []
        if "kk_number" not in exclude:
            judged.add("kk_number")
            if self.kk_number:  # a household may lack one; the forms require it
                self.kk_number, found = validators.check_kk(self.kk_number, label=_("No. KK"))
                findings += found
        if "phone" not in exclude:
            judged.add("phone")
            self.phone, found = validators.check_phone(self.phone, label=_("Contact phone"))
            findings += found
        return judged, findings

    @property
    def head(self) -> Person | None:
        return head_of(list(self.members.all()))

    def family_card_problem(self) -> str | None:
        """What is wrong with the members as a family card lists them: no head of family, or
        more than one. The form allows neither; an import or an old record may have either."""
        heads = sum(1 for member in self.members.all() if member.relationship == Relationship.HEAD)
        if heads == 0 and self.members.all():
            return str(
                _("No member is marked as head of family: edit the household and mark one, as on the family card.")
            )
        if heads > 1:
            return _("%(count)d members are marked as head of family: a family card has one.") % {"count": heads}
        return None

    def programme_reach(self) -> dict[str, int]:
        """What the household receives from each pillar, at a glance. Reads the other pillars
        through their relations to persons and households, so this app imports none of them.
        One query: the joins fan out only over one household's few members and records."""
        reach = Household.objects.filter(pk=self.pk).aggregate(
            abroad=Count("members__episodes", filter=Q(members__episodes__status=EpisodeStatus.ABROAD), distinct=True),
            children=Count("members__child", distinct=True),
            children_in_learning_house=Count(
                "members__child", filter=Q(members__child__learning_house__isnull=False), distinct=True
            ),
            enterprises=Count("enterprises", distinct=True),
            trained=Count("members", filter=Q(members__training_attendances__isnull=False), distinct=True),
            household_memberships=Count("memberships", filter=Q(memberships__left_on=None), distinct=True),
            member_memberships=Count(
                "members__memberships", filter=Q(members__memberships__left_on=None), distinct=True
            ),
        )
        reach["cooperatives"] = reach.pop("household_memberships") + reach.pop("member_memberships")
        return reach


def head_of(members: list[Person]) -> Person | None:
    """The head of family among ``members``; the first member when none is marked head."""
    return next((m for m in members if m.relationship == Relationship.HEAD), members[0] if members else None)


class KKNumber(IdentifierRules):
    """Every family card number a household has had. Searching by an old KK finds it."""

    scope_path = "household__village__code"

    household = models.ForeignKey(Household, models.CASCADE, related_name="kk_numbers", verbose_name=_("household"))
    number = models.CharField(_("No. KK"), max_length=16, db_index=True)
    recorded_on = models.DateField(_("recorded on"), default=timezone.localdate)
    replaced_on = models.DateField(_("replaced on"), null=True, blank=True)

    history = HistoricalRecords(user_db_constraint=False)  # bulk history, see above

    class Meta:
        verbose_name = _("family card number")
        verbose_name_plural = _("family card numbers")
        ordering = ["-recorded_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["household", "number"], name="kk_number_once_per_household"),
            models.UniqueConstraint(
                fields=["household"], condition=Q(replaced_on__isnull=True), name="kk_one_current_per_household"
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return self.household.get_absolute_url()

    identifier_fields = ("number",)

    def identifiers_judge(self, exclude: Collection[str]) -> tuple[set[str], list[Finding]]:
        if "number" in exclude or not self.number:
            return set(), []
        self.number, findings = validators.check_kk(self.number, field_name="number", label=_("No. KK"))
        return {"number"}, findings


ADULT_AGE = 18

# What a household form edits for each member (and what exports show).
PERSON_FIELDS = (
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
)


class PersonQuerySet(models.QuerySet):
    def found_by(self, term: str) -> PersonQuerySet:
        """What the household list's search finds among persons: a whole NIK (16 digits, typed
        with spaces or dots as people do), otherwise the words of a name."""
        digits = validators.normalize_number(term)
        if digits.isdigit() and len(digits) == 16:
            return self.filter(nik=digits)
        return self.name_matches(term)

    def name_matches(self, term: str) -> PersonQuerySet:
        """Persons whose name has a word starting with each word of ``term``, in any case:
        "sri rah" finds "Sri Rahayu". Served by the person_name_words index."""
        words = re.findall(r"[^\W_]+", term.lower())
        if not words:
            return self.none()
        query = SearchQuery(" & ".join(f"{word}:*" for word in words), search_type="raw", config="simple")
        return self.annotate(name_words=SearchVector("name", config="simple")).filter(name_words=query)


class Person(IdentifierRules, Versioned):
    scope_path = "household__village__code"

    # Deleting a household (administrators only, in the admin, after a confirmation page
    # listing everything that goes with it) takes its members and their episodes along;
    # history keeps a "deleted" row for each, with who and when. Officers archive instead.
    household = models.ForeignKey(Household, models.CASCADE, related_name="members", verbose_name=_("household"))
    nik = models.CharField(_("NIK"), max_length=16, null=True, blank=True)  # noqa: DJ001 - NULL keeps "no NIK" out of the unique constraint
    name = models.CharField(_("name"), max_length=150)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birth_place = models.CharField(_("place of birth"), max_length=100, blank=True)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    relationship = models.CharField(_("relationship to head"), max_length=20, choices=Relationship.choices)
    religion = models.CharField(_("religion"), max_length=20, choices=Religion.choices, blank=True)
    education = models.CharField(_("education"), max_length=20, choices=Education.choices, blank=True)
    occupation = models.CharField(_("occupation"), max_length=100, blank=True)
    marital_status = models.CharField(_("marital status"), max_length=10, choices=MaritalStatus.choices, blank=True)

    objects = PersonQuerySet.as_manager()
    history = HistoricalRecords(user_db_constraint=False)  # bulk history, see above

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        permissions = [("import_person", "Can import persons"), ("export_person", "Can export persons")]
        ordering = ["household", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["nik"], name="person_nik_unique", violation_error_message=_("This NIK is already registered.")
            ),
            models.CheckConstraint(
                condition=Q(nik__isnull=True) | Q(nik__regex=r"^\d{16}$"), name="person_nik_16_digits"
            ),
        ]
        indexes = [
            models.Index(fields=["name"], name="person_name"),
            # The list's name search: every word of the search starts a word of the name.
            GinIndex(SearchVector("name", config="simple"), name="person_name_words"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return f"{self.household.get_absolute_url()}#person-{self.pk}"

    identifier_fields = ("nik",)

    def identifiers_judge(self, exclude: Collection[str]) -> tuple[set[str], list[Finding]]:
        if "nik" in exclude:
            return set(), []
        self.nik, findings = self.nik_judged(self.nik, birth_date=self.birth_date, sex=self.sex)
        return {"nik", "birth_date", "sex"}, findings  # the fields its findings speak of

    @staticmethod
    def nik_judged(raw: Any, *, birth_date: Any = None, sex: Any = None) -> tuple[str | None, list[Finding]]:
        """The NIK rule of a person: ``raw`` normalised (None for no NIK: NULL stays out of the
        unique constraint) and its findings, the date of birth and sex compared with it."""
        if not raw:
            return None, []
        value, _facts, findings = validators.check_nik(
            raw, birth_date=birth_date if isinstance(birth_date, datetime.date) else None, sex=sex, label=_("NIK")
        )
        return value or None, findings

    def age(self, on: datetime.date | None = None) -> int | None:
        """Completed years on ``on`` (today by default); None without a date of birth."""
        if self.birth_date is None:
            return None
        on = on or timezone.localdate()
        born = self.birth_date
        return on.year - born.year - ((on.month, on.day) < (born.month, born.day))

    @property
    def is_minor(self) -> bool:
        """Under 18 with a known date of birth: who pillar 3 may register as a child."""
        age = self.age()
        return age is not None and age < ADULT_AGE


class EpisodeStatus(models.TextChoices):
    PREPARING = "preparing", _("Preparing")
    ABROAD = "abroad", _("Abroad")
    RETURNED = "returned", _("Returned")
    OTHER = "other", _("Other")


class PlacementScheme(models.TextChoices):
    P3MI = "p3mi", _("Through a placement agency (P3MI)")
    G2G = "g2g", _("Government to government (G to G)")
    EMPLOYER = "employer", _("Employer's own placement")
    INDEPENDENT = "independent", _("Independent")


class Procedural(models.TextChoices):
    PROCEDURAL = "procedural", _("Procedural")
    NON_PROCEDURAL = "non_procedural", _("Non-procedural")
    UNKNOWN = "unknown", _("Unknown")


class EmployerKind(models.TextChoices):
    COMPANY = "company", _("Company")
    HOUSEHOLD = "household", _("Household")
    SHIP = "ship", _("Ship")


class Sector(models.TextChoices):
    FORMAL = "formal", _("Formal")
    INFORMAL = "informal", _("Informal")


class ReturnReason(models.TextChoices):
    CONTRACT_ENDED = "contract_ended", _("Contract ended")
    TERMINATED = "terminated", _("Contract terminated early")
    HEALTH = "health", _("Illness or accident")
    EMPLOYER_PROBLEM = "employer_problem", _("Problem with the employer")
    DEPORTED = "deported", _("Deported")
    FAMILY = "family", _("Family reasons")
    DECEASED = "deceased", _("Died abroad")
    OTHER = "other", _("Other")


# A stay that has not ended: a person has at most one at a time (episode_one_open_stay).
OPEN_STATUSES = (EpisodeStatus.PREPARING, EpisodeStatus.ABROAD)


class EpisodeQuerySet(models.QuerySet):
    def open(self) -> EpisodeQuerySet:
        return self.filter(status__in=OPEN_STATUSES)

    def abroad(self) -> EpisodeQuerySet:
        return self.filter(status=EpisodeStatus.ABROAD)

    def overdue_return(self) -> EpisodeQuerySet:
        """Contract ended, still recorded as abroad: someone should check on the worker."""
        return self.abroad().filter(contract_end__lt=timezone.localdate())

    def departing_within(self, days: int) -> EpisodeQuerySet:
        """Stays being prepared whose planned departure falls in the next ``days`` days."""
        today = timezone.localdate()
        return self.filter(
            status=EpisodeStatus.PREPARING, departure_date__range=(today, today + datetime.timedelta(days=days))
        )

    def contract_ending_within(self, days: int) -> EpisodeQuerySet:
        """Workers abroad whose contract ends in the next ``days`` days: a return to prepare for."""
        today = timezone.localdate()
        return self.abroad().filter(contract_end__range=(today, today + datetime.timedelta(days=days)))

    def without_contact_since(self, days: int) -> EpisodeQuerySet:
        """Workers abroad of whom nothing was recorded for ``days`` days: neither their stay was
        updated nor a step of a case about them was logged."""
        since = timezone.now() - datetime.timedelta(days=days)
        recent_step = CaseFollowUp.objects.filter(case__worker=OuterRef("person"), recorded_at__gte=since)
        return self.abroad().filter(updated_at__lt=since).exclude(Exists(recent_step))

    def without_bpjs(self) -> EpisodeQuerySet:
        return self.abroad().filter(bpjs_number="")


class MigrationEpisode(IdentifierRules, Versioned):
    """One stay abroad of one person, from preparation to return."""

    scope_path = "person__household__village__code"

    person = models.ForeignKey(Person, models.CASCADE, related_name="episodes", verbose_name=_("worker"))
    status = models.CharField(
        _("status"), max_length=10, choices=EpisodeStatus.choices, default=EpisodeStatus.PREPARING
    )
    scheme = models.CharField(_("placement scheme"), max_length=12, choices=PlacementScheme.choices, blank=True)
    procedural = models.CharField(
        _("procedural"), max_length=15, choices=Procedural.choices, default=Procedural.UNKNOWN
    )
    agency = models.ForeignKey(
        PlacementAgency,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="episodes",
        verbose_name=_("placement agency (P3MI)"),
    )
    destination_country = models.CharField(_("destination country"), max_length=2, blank=True)
    employer_name = models.CharField(_("employer"), max_length=200, blank=True)
    employer_kind = models.CharField(_("kind of employer"), max_length=10, choices=EmployerKind.choices, blank=True)
    sector = models.CharField(_("sector"), max_length=8, choices=Sector.choices, blank=True)
    job = models.ForeignKey(Job, models.PROTECT, null=True, blank=True, related_name="episodes", verbose_name=_("job"))
    departure_date = models.DateField(_("departure date"), null=True, blank=True)
    contract_end = models.DateField(_("contract end"), null=True, blank=True)
    planned_return = models.DateField(_("planned return"), null=True, blank=True)
    actual_return = models.DateField(_("actual return"), null=True, blank=True)
    return_reason = models.CharField(_("reason for return"), max_length=20, choices=ReturnReason.choices, blank=True)
    bpjs_number = models.CharField(_("BPJS Ketenagakerjaan number"), max_length=20, blank=True)
    bpjs_jkk = models.BooleanField(_("JKK (work accident)"), default=False)
    bpjs_jkm = models.BooleanField(_("JKM (death)"), default=False)
    bpjs_jht = models.BooleanField(_("JHT (old-age savings)"), default=False)
    passport_number = models.CharField(_("passport number"), max_length=20, blank=True)
    # The pre-departure checklist, ticked by the officer while the stay is being prepared.
    passport_ready = models.BooleanField(_("passport issued"), default=False, db_default=False)
    visa_ready = models.BooleanField(_("visa or work permit issued"), default=False, db_default=False)
    agreement_signed = models.BooleanField(_("work agreement (PK) signed"), default=False, db_default=False)
    bpjs_enrolled = models.BooleanField(_("enrolled in BPJS Ketenagakerjaan"), default=False, db_default=False)
    orientation_done = models.BooleanField(
        _("pre-departure orientation (OPP) attended"), default=False, db_default=False
    )
    medical_done = models.BooleanField(_("medical check passed"), default=False, db_default=False)
    siskop2mi_id = models.CharField(_("ID in SISKOP2MI"), max_length=40, blank=True, default="", db_default="")
    # Set by a placement list extract that lists this stay (placements/), never typed.
    placement_source = models.CharField(
        _("confirmed by placement list"), max_length=40, blank=True, default="", db_default=""
    )
    placement_verified_on = models.DateField(_("placement confirmed on"), null=True, blank=True)

    CHECKLIST = (
        "passport_ready",
        "visa_ready",
        "agreement_signed",
        "bpjs_enrolled",
        "orientation_done",
        "medical_done",
    )

    objects = EpisodeQuerySet.as_manager()
    history = HistoricalRecords(user_db_constraint=False)  # bulk history, see above

    class Meta:
        verbose_name = _("migration episode")
        verbose_name_plural = _("migration episodes")
        permissions = [
            ("import_migrationepisode", "Can import migration episodes"),
            ("export_migrationepisode", "Can export migration episodes"),
        ]
        ordering = ["person", "-departure_date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(actual_return__isnull=True)
                | Q(departure_date__isnull=True)
                | Q(actual_return__gte=models.F("departure_date")),
                name="episode_return_after_departure",
            ),
            models.CheckConstraint(
                condition=Q(contract_end__isnull=True)
                | Q(departure_date__isnull=True)
                | Q(contract_end__gte=models.F("departure_date")),
                name="episode_contract_after_departure",
            ),
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(status__in=OPEN_STATUSES),
                name="episode_one_open_stay",
                violation_error_message=_("This person already has a stay abroad that has not ended."),
            ),
        ]
        indexes = [models.Index(fields=["status", "destination_country"], name="episode_status_country")]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_status_display()} · {self.destination_country_name or '—'}"

    def get_absolute_url(self) -> str:
        return f"{self.person.household.get_absolute_url()}#episode-{self.pk}"

    @property
    def destination_country_name(self) -> str:
        return country_name(self.destination_country)

    def checklist(self) -> list[tuple[str, bool]]:
        """The pre-departure checklist: each item's label and whether it is ticked."""
        fields = {field.name: field for field in self._meta.concrete_fields}
        return [(str(fields[name].verbose_name), getattr(self, name)) for name in self.CHECKLIST]

    def checklist_done(self) -> int:
        return sum(1 for name in self.CHECKLIST if getattr(self, name))

    identifier_fields = ("passport_number", "bpjs_number")

    def identifiers_judge(self, exclude: Collection[str]) -> tuple[set[str], list[Finding]]:
        # Loose rules: a number that does not look right only warns.
        judged: set[str] = set()
        findings: list[Finding] = []
        fields = {field.name: field for field in self._meta.concrete_fields}
        for name, check in (("passport_number", validators.check_passport), ("bpjs_number", validators.check_bpjs)):
            if name not in exclude:
                judged.add(name)
                label = capfirst(fields[name].verbose_name)  # as the forms label the field
                value, found = check(getattr(self, name), label=label)
                setattr(self, name, value)
                findings += found
        return judged, findings

    def open_stay_label(self) -> str:
        """The stay as an officer recognises it: "Abroad, Hong Kong, departed 01-02-2023"."""
        parts = [str(self.get_status_display())]
        if self.destination_country:
            parts.append(self.destination_country_name)
        if self.departure_date:
            parts.append(_("departed %(date)s") % {"date": self.departure_date.strftime("%d-%m-%Y")})
        return ", ".join(parts)


class RequestKind(models.TextChoices):
    INFORMATION = "information", _("Safe-migration information")
    DOCUMENTS = "documents", _("Documents")
    TRAFFICKING = "trafficking", _("Trafficking red flag (TPPO)")
    FAMILY_INQUIRY = "family_inquiry", _("Family asking about a worker abroad")
    MEDIATION = "mediation", _("Industrial-relations mediation")
    COMPLAINT = "complaint", _("Complaint")


class Referral(models.TextChoices):
    DISNAKER = "disnaker", _("Disnaker (regency labour office)")
    BP3MI = "bp3mi", _("BP3MI")
    MISSION = "mission", _("Indonesian mission abroad")
    POLICE = "police", _("Police")
    P2TP2A = "p2tp2a", _("P2TP2A")
    KEMLU = "kemlu", _("Ministry of Foreign Affairs (Safe Travel)")
    OTHER = "other", _("Other")


class ReferralTargetQuerySet(CodeListQuerySet):
    def for_case(self, *, village_code: str, country: str = "") -> ReferralTargetQuerySet:
        """The active offices a case of ``village_code`` may be referred to: national ones,
        those of its province or regency, and the missions in the worker's ``country``
        (every mission when the country is not known)."""
        areas = Q(area_code="") | Q(area_code__in=ancestor_codes(village_code))
        countries = Q(country="") | Q(country=country) if country else Q()
        return self.filter(areas, countries, is_active=True)


class ReferralTarget(models.Model):
    """An office a service post refers cases to, with the address its letters carry: BP3MI or
    UPT BP2MI of a province, the Disnaker or police of a regency, an Indonesian mission (KBRI,
    KJRI, KDEI) for a country, or a national service such as Kemlu's Safe Travel. Kept by
    administrators; ``load_referral_targets`` loads the starting list."""

    kind = models.CharField(_("kind"), max_length=10, choices=Referral.choices)
    name = models.CharField(_("name"), max_length=200, validators=[validate_no_formula])
    area_code = models.CharField(
        _("area served (region code)"),
        max_length=13,
        blank=True,
        help_text=_("A province (32) or regency (32.12) code; empty for a national office or a mission."),
    )
    country = models.CharField(
        _("country (missions)"), max_length=2, blank=True, help_text=_("ISO code of the country, for missions abroad.")
    )
    address = models.TextField(_("address"), blank=True, validators=[validate_no_formula])
    phone = models.CharField(_("phone"), max_length=40, blank=True, validators=[validate_no_formula])
    email = models.EmailField(_("email"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = ReferralTargetQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("referral target")
        verbose_name_plural = _("referral targets")
        ordering = ["kind", "name"]
        permissions = [
            ("import_referraltarget", "Can import referral targets"),
            ("export_referraltarget", "Can export referral targets"),
        ]
        constraints = [models.UniqueConstraint(fields=["kind", "name"], name="referral_target_unique_name")]

    def __str__(self) -> str:
        return self.name


class RequestStatus(models.TextChoices):
    OPEN = "open", _("Open")
    REFERRED = "referred", _("Referred")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


class FollowUpAction(models.TextChoices):
    CALL = "call", _("Phone call")
    VISIT = "visit", _("Home visit")
    MEETING = "meeting", _("Meeting at the service post")
    REFERRAL = "referral", _("Referral")
    LETTER = "letter", _("Letter")
    OTHER = "other", _("Other")


# A case still being worked on: it keeps a next follow-up date.
UNFINISHED_STATUSES = (RequestStatus.OPEN, RequestStatus.REFERRED)


class ServiceRequestQuerySet(models.QuerySet):
    def unfinished(self) -> ServiceRequestQuerySet:
        return self.filter(status__in=UNFINISHED_STATUSES)

    def follow_up_overdue(self) -> ServiceRequestQuerySet:
        return self.unfinished().filter(follow_up_on__lt=timezone.localdate())

    def follow_up_due(self) -> ServiceRequestQuerySet:
        """Unfinished cases whose follow-up is today or overdue."""
        return self.unfinished().filter(follow_up_on__lte=timezone.localdate())


class ServiceRequest(Versioned):
    """A case at the village's migration service post."""

    scope_path = "village__code"

    village = models.ForeignKey(Village, models.PROTECT, related_name="service_requests", verbose_name=_("village"))
    kind = models.CharField(_("type"), max_length=15, choices=RequestKind.choices)
    # A case outlives the registration of the people in it.
    person_served = models.ForeignKey(
        Person, models.SET_NULL, null=True, blank=True, related_name="requests_made", verbose_name=_("person served")
    )
    person_served_name = models.CharField(
        _("name of the person served"),
        max_length=150,
        blank=True,
        help_text=_("When the person is not registered in the portal."),
    )
    worker = models.ForeignKey(
        Person,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="requests_about",
        verbose_name=_("worker concerned"),
    )
    description = models.TextField(_("description"))
    referral = models.CharField(_("referred to"), max_length=10, choices=Referral.choices, blank=True)
    referred_to = models.ForeignKey(
        ReferralTarget,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("office referred to"),
        help_text=_("The office the referral letter is addressed to."),
    )
    status = models.CharField(_("status"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.OPEN)
    opened_on = models.DateField(_("opened on"), default=timezone.localdate)
    referred_on = models.DateField(_("referred on"), null=True, blank=True)
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    follow_up_on = models.DateField(_("follow up on"), null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)

    objects = ServiceRequestQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("service request")
        verbose_name_plural = _("service requests")
        permissions = [
            ("import_servicerequest", "Can import service requests"),
            ("export_servicerequest", "Can export service requests"),
        ]
        ordering = ["-opened_on", "-id"]
        indexes = [models.Index(fields=["status", "follow_up_on"], name="request_status_follow_up")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.opened_on:%d-%m-%Y}"

    @property
    def number(self) -> str:
        """The case number given to the family: the village code, the year opened and the id."""
        return f"{self.village_id}/{self.opened_on:%Y}/{self.pk:06d}"

    def worker_stay(self) -> MigrationEpisode | None:
        """The worker's latest stay abroad, which the case is most likely about."""
        if self.worker is None:
            return None
        return self.worker.episodes.select_related("agency", "job").order_by("-departure_date", "-id").first()

    def referral_addressee(self) -> str:
        """To whom a referral letter goes: the office chosen from the list, or one named from
        the case's village and the worker's country."""
        if self.referred_to is not None:
            return self.referred_to.name
        regency = self.village.district.regency
        names = {"regency": regency.name, "province": regency.province.name}
        stay = self.worker_stay()
        if self.referral == Referral.MISSION and stay is not None and stay.destination_country:
            return str(_("The Indonesian mission in %(country)s")) % {"country": stay.destination_country_name}
        addressees = {
            Referral.DISNAKER: _("Head of the labour office (Disnaker) of %(regency)s"),
            Referral.BP3MI: _("Head of BP3MI %(province)s"),
            Referral.POLICE: _("Head of the police of %(regency)s"),
        }
        if self.referral in addressees:
            return str(addressees[Referral(self.referral)]) % names
        return str(self.get_referral_display())

    def get_absolute_url(self) -> str:
        return reverse("households:request-detail", args=[self.pk])


class CaseFollowUp(models.Model):
    """One dated step of a service case: what was done (a call, a visit, a referral, a letter),
    by whom, with a note, and when to follow up next. The log keeps every step; the case's own
    ``follow_up_on`` is the next one, which the alerts read."""

    scope_path = "case__village__code"

    case = models.ForeignKey(ServiceRequest, models.CASCADE, related_name="follow_ups", verbose_name=_("case"))
    done_on = models.DateField(_("date"), default=timezone.localdate)
    action = models.CharField(_("action"), max_length=10, choices=FollowUpAction.choices)
    note = models.TextField(_("note"), blank=True)
    next_follow_up_on = models.DateField(_("next follow-up"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["-done_on", "-id"]

    def __str__(self) -> str:
        return f"{self.done_on:%d-%m-%Y} · {self.get_action_display()}"


# --- bulk import ----------------------------------------------------------------------------------------


class ImportBatch(models.Model):
    """One uploaded file: who, when, which file (name and SHA-256), what it did, and its state."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Waiting to be checked")
        VALIDATING = "validating", _("Being checked")
        VALIDATED = "validated", _("Validated")
        AWAITING_APPROVAL = "awaiting", _("Waiting for the coordinator's approval")
        COMMITTING = "committing", _("Being written")
        FAILED = "failed", _("Failed")
        COMMITTED = "committed", _("Committed")
        ROLLING_BACK = "rolling_back", _("Being rolled back")
        ROLLED_BACK = "rolled_back", _("Rolled back")
        REJECTED = "rejected", _("Rejected")
        EXPIRED = "expired", _("Expired")

    class Mode(models.TextChoices):
        ALL_OR_NOTHING = "all", _("All or nothing")
        VALID_ONLY = "valid", _("Valid rows only")

    user = models.ForeignKey("desmigratif.User", models.PROTECT, related_name="import_batches", verbose_name=_("user"))
    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.VALIDATED)
    mode = models.CharField(_("mode"), max_length=5, choices=Mode.choices, default=Mode.ALL_OR_NOTHING)
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    message = models.TextField(_("message"), blank=True)
    # Kept until the batch is written or abandoned: the task reads it and the error
    # file repeats its rows. PostgreSQL is the one store every web host and worker share.
    upload = models.BinaryField(_("uploaded file"), null=True, blank=True, editable=False)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    problems = models.JSONField(_("problems"), default=list, blank=True)
    notes = models.JSONField(_("notes"), default=list, blank=True)
    villages = models.JSONField(_("villages"), default=list, blank=True)
    # For files without a village column (an OpenSID export is one village's register).
    village = models.ForeignKey(
        Village,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("village of rows without a village code"),
    )
    headers = models.JSONField(_("headers of the file"), default=list, blank=True)
    # What the write would change, field by field, and where rows of one household disagree
    # (households/imports/review.py).
    review = models.JSONField(_("review"), default=dict, blank=True)
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        "desmigratif.User", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("approved by")
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    committed_at = models.DateTimeField(_("committed at"), null=True, blank=True)
    # Set while a background worker works on the batch (see households/imports/workers.py).
    worker_started_at = models.DateTimeField(_("worker started at"), null=True, blank=True, editable=False)
    write_failed = models.BooleanField(
        _("writing failed"), default=False, help_text=_("The write failed and wrote nothing: it may be tried again.")
    )
    rolled_back_at = models.DateTimeField(_("rolled back at"), null=True, blank=True)
    rolled_back_by = models.ForeignKey(
        "desmigratif.User", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("rolled back by")
    )
    # Personal data is kept no longer than the work needs (UU PDP): see batches_purge.
    purged_at = models.DateTimeField(_("file and rows deleted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.created_at:%Y-%m-%d %H:%M})"

    def get_absolute_url(self) -> str:
        return reverse("admin:households_importbatch_change", args=[self.pk])

    @staticmethod
    def packed(data: bytes) -> bytes:
        """An upload as it is stored: gzip at its fastest level. A village spreadsheet shrinks
        to a fifth, which PostgreSQL stores and hands back several times faster than the raw
        bytes (0.1 s instead of 0.5 s for a 17 MB file)."""
        return gzip.compress(data, compresslevel=1, mtime=0)

    def unpacked(self) -> bytes | None:
        """The uploaded file's bytes, or None once it is no longer kept."""
        if self.upload is None:
            return None
        data = bytes(self.upload)
        # Files are checked before they are stored, and a gzip file is not a spreadsheet: the
        # magic number tells a stored upload from one written before uploads were packed.
        return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data

    @property
    def is_writable(self) -> bool:
        """Checked and waiting to be written, or a write that failed and wrote nothing."""
        return self.status == self.Status.VALIDATED or (self.status == self.Status.FAILED and self.write_failed)


class ImportChange(models.Model):
    """The batch's tag on every record it wrote, and what rollback restores: one row per
    record it changed, with its values before; one row per kind of record it created,
    listing their ids (a file creates a hundred thousand records at once)."""

    class Action(models.TextChoices):
        CREATE = "create", _("Created")
        UPDATE = "update", _("Updated")

    batch = models.ForeignKey(ImportBatch, models.CASCADE, related_name="changes", verbose_name=_("batch"))
    model = models.CharField(_("record type"), max_length=20)
    object_id = models.BigIntegerField(_("record id"), null=True, blank=True)
    object_ids = ArrayField(models.BigIntegerField(), verbose_name=_("records created"), default=list, blank=True)
    action = models.CharField(_("action"), max_length=6, choices=Action.choices)
    before = models.JSONField(_("values before"), default=dict, blank=True)
    version_after = models.PositiveIntegerField(_("version after"), default=1)
    # Set when the batch is rolled back: the version that put the values before back. A record
    # at that version is as an earlier batch left it, so that batch can still be rolled back.
    version_restored = models.PositiveIntegerField(_("version restored"), null=True, blank=True)

    class Meta:
        verbose_name = _("import change")
        verbose_name_plural = _("import changes")
        indexes = [models.Index(fields=["model", "object_id"], name="importchange_record")]

    def __str__(self) -> str:
        return f"{self.batch_id} {self.action} {self.model} {self.object_id}"

    def get_absolute_url(self) -> str:
        return self.batch.get_absolute_url()


class ImportRow(models.Model):
    """One data row of an uploaded file, parsed and judged: the staging table that the preview
    counts and the commit merges from, set-wise. Its columns are the import columns (see
    households.imports.columns) under their own names. The table is UNLOGGED (migration 0007):
    it is scratch space, rebuilt from the upload if the server ever loses it, and skipping
    the write-ahead log makes staging a big file several times faster. A batch's rows are
    deleted once it is written."""

    batch = models.ForeignKey(
        ImportBatch, models.CASCADE, related_name="rows", db_index=False, verbose_name=_("batch")
    )  # the (batch, number) index serves
    number = models.PositiveIntegerField(_("row"))
    # Household columns
    kk_number = models.TextField(blank=True)
    village = models.TextField(blank=True)
    dusun = models.TextField(blank=True)
    rt = models.TextField(blank=True)
    rw = models.TextField(blank=True)
    address = models.TextField(blank=True)
    phone = models.TextField(blank=True)
    # Person columns
    nik = models.TextField(blank=True)
    name = models.TextField(blank=True)
    sex = models.TextField(blank=True)
    birth_place = models.TextField(blank=True)
    birth_date = models.DateField(null=True)
    relationship = models.TextField(blank=True)
    religion = models.TextField(blank=True)
    education = models.TextField(blank=True)
    occupation = models.TextField(blank=True)
    marital_status = models.TextField(blank=True)
    warnings = models.JSONField(default=list)
    # Migration columns (has_migration: the row fills at least one of them)
    has_migration = models.BooleanField(default=False)
    status = models.TextField(blank=True)
    scheme = models.TextField(blank=True)
    procedural = models.TextField(blank=True)
    agency = models.BigIntegerField(null=True)
    destination_country = models.TextField(blank=True)
    employer_name = models.TextField(blank=True)
    employer_kind = models.TextField(blank=True)
    sector = models.TextField(blank=True)
    job = models.BigIntegerField(null=True)
    departure_date = models.DateField(null=True)
    contract_end = models.DateField(null=True)
    actual_return = models.DateField(null=True)
    return_reason = models.TextField(blank=True)
    bpjs_number = models.TextField(blank=True)
    passport_number = models.TextField(blank=True)
    episode_warnings = models.JSONField(default=list)
    # The verdict: [{"column", "value", "message", "severity"}], and whether any is an error.
    problems = models.JSONField(default=list)
    is_valid = models.BooleanField(default=True)
    # The row's cells as typed, kept only for rows with problems: the error file repeats them.
    cells = models.JSONField(null=True)

    class Meta:
        verbose_name = _("import row")
        verbose_name_plural = _("import rows")
        indexes = [models.Index(fields=["batch", "number"], name="importrow_batch_number")]

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.number}"


class ImportSeen(models.Model):
    """A registered record as the preview of a batch saw it: if its version has moved when the
    batch is written, someone changed it in between, and the write is refused rather than
    quietly putting the file's values over that change. Unlogged scratch space, like ImportRow."""

    batch = models.ForeignKey(ImportBatch, models.CASCADE, related_name="+", db_index=False)
    model = models.CharField(max_length=10)
    object_id = models.BigIntegerField()
    version = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["batch", "model", "object_id"], name="importseen_batch_record")]

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.model}:{self.object_id}@{self.version}"


class DocumentKind(models.TextChoices):
    KTP = "ktp", _("Identity card (KTP)")
    KK = "kk", _("Family card (KK)")
    PASSPORT = "passport", _("Passport")
    AGREEMENT = "agreement", _("Work agreement (PK)")
    LETTER = "letter", _("Letter")
    PHOTO = "photo", _("Photo")
    OTHER = "other", _("Other")


def documents_storage() -> Storage:
    """The storage of documents (settings.STORAGES["documents"]: the filesystem under MEDIA_ROOT,
    or S3-compatible object storage)."""
    return storages["documents"]


def document_path(document: Document, filename: str) -> str:
    """A name that says nothing of the person: the village, the month, a random id."""
    suffix = ".pdf" if document.content_type == "application/pdf" else ".jpg"
    return f"{document.village_id}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class Document(models.Model):
    """A photo or PDF kept with a person, a stay abroad or a service case: an identity card,
    a family card, a passport, a work agreement, a letter. Stored through Django's storage API,
    never at a public address: households.views.document_view serves it, scoped and logged.
    Images are re-encoded on upload, without their metadata (households.documents)."""

    scope_path = "village__code"

    village = models.ForeignKey(Village, models.PROTECT, related_name="+", verbose_name=_("village"))
    person = models.ForeignKey(
        Person, models.CASCADE, null=True, blank=True, related_name="documents", verbose_name=_("person")
    )
    episode = models.ForeignKey(
        MigrationEpisode,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("stay abroad"),
    )
    case = models.ForeignKey(
        ServiceRequest, models.CASCADE, null=True, blank=True, related_name="documents", verbose_name=_("case")
    )
    kind = models.CharField(_("kind of document"), max_length=10, choices=DocumentKind.choices)
    title = models.CharField(_("description"), max_length=150, blank=True)
    file = models.FileField(_("file"), storage=documents_storage, upload_to=document_path, max_length=200)
    content_type = models.CharField(_("type"), max_length=40)
    size = models.PositiveIntegerField(_("size in bytes"))
    # A child's document (the person concerned was under 18 when it was attached) is for the
    # village's officers only, as children's records are.
    about_child = models.BooleanField(_("about a child"), default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("added by")
    )
    uploaded_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-uploaded_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(person__isnull=False, episode__isnull=True, case__isnull=True)
                    | Q(person__isnull=True, episode__isnull=False, case__isnull=True)
                    | Q(person__isnull=True, episode__isnull=True, case__isnull=False)
                ),
                name="document_has_one_owner",
            )
        ]

    def __str__(self) -> str:
        if self.uploaded_at is None:
            return self.get_kind_display()
        return f"{self.get_kind_display()} · {self.uploaded_at:%d-%m-%Y}"

    def get_absolute_url(self) -> str:
        return reverse("households:document", args=[self.pk])

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")
