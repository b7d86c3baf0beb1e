"""Core records shared by every pillar: users, the Kemendagri region list, assignments, and the
register of the programme's villages."""

from __future__ import annotations

import dataclasses
import datetime
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from django.contrib.auth.models import AbstractUser
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, Q, When
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

# --- regions -----------------------------------------------------------------------------------------

CODE_PATTERNS = {
    1: r"^\d{2}$",
    2: r"^\d{2}\.\d{2}$",
    3: r"^\d{2}\.\d{2}\.\d{2}$",
    4: r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$",
}

# A village code as offices write it: with its dots, or as ten digits (Dukcapil, OpenSID, Excel).
_VILLAGE_DIGITS = re.compile(r"^(\d{2})\.?(\d{2})\.?(\d{2})\.?(\d{4})$")


def village_code_from(text: str) -> str:
    """The dotted Kemendagri code of a village written either way ("3212162004" ->
    "32.12.16.2004"); anything else is returned as it came, for the caller to refuse."""
    text = text.strip()
    match = _VILLAGE_DIGITS.match(text)
    return ".".join(match.groups()) if match else text


def code_level(code: str) -> int:
    """0 for the whole country (empty code), 1 province ... 4 village."""
    return 0 if not code else code.count(".") + 1


def valid_region_code(code: str) -> bool:
    """Whether ``code`` is written as a Kemendagri code of some level (not whether it exists)."""
    pattern = CODE_PATTERNS.get(code_level(code))
    return bool(code) and pattern is not None and re.match(pattern, code) is not None


def ancestor_codes(code: str) -> list[str]:
    """Codes of the regions above ``code``, widest first: "32.12.16" -> ["32", "32.12"]."""
    parts = code.split(".") if code else []
    return [".".join(parts[:i]) for i in range(1, len(parts))]


class RegionQuerySet(models.QuerySet):
    def active(self) -> RegionQuerySet:
        return self.filter(is_active=True)

    def search(self, term: str) -> RegionQuerySet:
        term = term.strip()
        if not term:
            return self
        return self.filter(Q(code__startswith=term) | Q(name__icontains=term))


class Region(models.Model):
    """A Kemendagri area. The dotted code is the primary key: it is what every
    other record and every import file names, and it never changes meaning."""

    LEVEL: int = 0

    code = models.CharField(_("code"), max_length=13, primary_key=True)
    name = models.CharField(_("name"), max_length=120)
    # A code dropped from a later decree is kept (records may point at it) but
    # retired, so it no longer appears in pickers.
    is_active = models.BooleanField(_("active"), default=True)

    objects = RegionQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("region-detail", args=[self.code])

    @property
    def level(self) -> int:
        return self.LEVEL


def _code_constraint(model_name: str, level: int) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(code__regex=CODE_PATTERNS[level]),
        name=f"{model_name}_code_format",
        violation_error_message=_("Code does not follow the Kemendagri format."),
    )


class Province(Region):
    LEVEL = 1

    class Meta(Region.Meta):
        verbose_name = _("province")
        verbose_name_plural = _("provinces")
        constraints = [_code_constraint("province", 1)]


class Regency(Region):
    """Kabupaten or kota."""

    LEVEL = 2

    class Kind(models.TextChoices):
        KABUPATEN = "kabupaten", _("Regency (kabupaten)")
        KOTA = "kota", _("City (kota)")

    province = models.ForeignKey(Province, models.PROTECT, related_name="regencies", verbose_name=_("province"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)

    class Meta(Region.Meta):
        verbose_name = _("regency / city")
        verbose_name_plural = _("regencies / cities")
        constraints = [_code_constraint("regency", 2)]


class District(Region):
    """Kecamatan (distrik in Papua)."""

    LEVEL = 3

    regency = models.ForeignKey(Regency, models.PROTECT, related_name="districts", verbose_name=_("regency / city"))

    class Meta(Region.Meta):
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        constraints = [_code_constraint("district", 3)]


class Village(Region):
    """Desa or kelurahan: the unit every household record belongs to."""

    LEVEL = 4

    class Kind(models.TextChoices):
        DESA = "desa", _("Village (desa)")
        KELURAHAN = "kelurahan", _("Urban village (kelurahan)")
        DESA_ADAT = "desa_adat", _("Customary village (desa adat)")

    district = models.ForeignKey(District, models.PROTECT, related_name="villages", verbose_name=_("district"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)

    class Meta(Region.Meta):
        verbose_name = _("village")
        verbose_name_plural = _("villages")
        constraints = [_code_constraint("village", 4)]
        # Area scoping filters by code prefix (LIKE '32.12.%'): Django's
        # automatic varchar_pattern_ops index on the key serves it.


REGION_MODELS: dict[int, type[Region]] = {1: Province, 2: Regency, 3: District, 4: Village}


@dataclass(frozen=True)
class RegionCodes:
    provinces: frozenset[str]
    active_regencies: frozenset[str]
    active_districts: frozenset[str]
    # Verdicts per 6-digit prefix: an import checks a hundred thousand NIKs of a few districts.
    _verdicts: dict = dataclasses.field(default_factory=dict, compare=False, repr=False)

    def prefix_problem(self, digits: str) -> tuple[str, str] | None:
        """What is wrong with the region of a 16-digit identifier: ("province", "32"),
        ("regency", "32.12"), ("district", "32.12.16"), or None when all three exist."""
        prefix = digits[:6]
        if prefix not in self._verdicts:
            province, regency = prefix[:2], f"{prefix[:2]}.{prefix[2:4]}"
            district = f"{regency}.{prefix[4:6]}"
            self._verdicts[prefix] = (
                ("province", province)
                if province not in self.provinces
                else ("regency", regency)
                if regency not in self.active_regencies
                else ("district", district)
                if district not in self.active_districts
                else None
            )
        return self._verdicts[prefix]


_REGION_CODES_KEY = "region-codes"
_recent_region_codes: tuple[float, RegionCodes] | None = None


def region_codes() -> RegionCodes:
    """Province, regency and district codes, for validating identifiers in bulk. Kept in the
    cache as the other region caches are (REGION_CACHE_SECONDS, cleared by `regions_load`), and
    for a second in the process too: an import asks once per NIK, and the cache hands out a
    copy each time."""
    global _recent_region_codes
    now = time.monotonic()
    if _recent_region_codes is not None and now - _recent_region_codes[0] < 1:
        return _recent_region_codes[1]
    codes = cast(RegionCodes, cache.get_or_set(_REGION_CODES_KEY, _read_region_codes, REGION_CACHE_SECONDS))
    _recent_region_codes = (now, codes)
    return codes


def region_codes_forget() -> None:
    """After the region list changed: the next question reads it again."""
    global _recent_region_codes
    _recent_region_codes = None
    cache.delete(_REGION_CODES_KEY)


def _read_region_codes() -> RegionCodes:
    return RegionCodes(
        provinces=frozenset(Province.objects.values_list("code", flat=True)),
        active_regencies=frozenset(Regency.objects.active().values_list("code", flat=True)),
        active_districts=frozenset(District.objects.active().values_list("code", flat=True)),
    )


def region_for_code(code: str) -> Region | None:
    model = REGION_MODELS.get(code_level(code))
    if model is None:
        return None
    return model.objects.filter(code=code).first()


# Regions change about once a year (`load_regions`); pages and pickers keep them this long per
# process, and forms still validate a choice against the database.
REGION_CACHE_SECONDS = 300


def cached_region(code: str) -> Region | None:
    """:func:`region_for_code`, kept a few minutes in the process's cache."""
    return cache.get_or_set(f"region:{code}", lambda: region_for_code(code) or False, REGION_CACHE_SECONDS) or None


# --- users ---------------------------------------------------------------------------------------------


class User(AbstractUser):
    """A person who signs in: what they may see comes from their assignments."""

    # Who changed whose account (staff status, activation, names). Password hashes and
    # log-in times are left out: old hashes must not outlive a password change.
    history = HistoricalRecords(excluded_fields=["password", "last_login"], user_db_constraint=False)

    # django-stubs declare no Meta on AbstractUser; Django's has one, and this extends it.
    class Meta(AbstractUser.Meta):  # type: ignore[name-defined]
        swappable = "AUTH_USER_MODEL"
        verbose_name = _("user")
        verbose_name_plural = _("users")

    if TYPE_CHECKING:
        # Put on every request's user by django-otp's OTPMiddleware: whether this session
        # passed the second factor (desmigratif/middleware.py, TwoFactorMiddleware).
        is_verified: Callable[[], bool]

    def get_display_name(self) -> str:
        return self.get_full_name() or self.username


class Role(models.TextChoices):
    OFFICER = "officer", _("Village officer")
    COORDINATOR = "coordinator", _("Regency coordinator")
    ANALYST = "analyst", _("Ministry analyst")
    ADMINISTRATOR = "administrator", _("Administrator")


class AssignmentQuerySet(models.QuerySet):
    def current(self, on: datetime.date | None = None) -> AssignmentQuerySet:
        on = on or timezone.localdate()
        return self.filter(
            Q(starts_on__isnull=True) | Q(starts_on__lte=on),
            Q(ends_on__isnull=True) | Q(ends_on__gte=on),
            user__is_active=True,
        )

    def with_area(self) -> AssignmentQuerySet:
        return self.select_related("province", "regency", "district", "village")


class Assignment(models.Model):
    """A role over one area: a village, a district, a regency, a province, or,
    with no area set, the whole country."""

    user = models.ForeignKey(User, models.CASCADE, related_name="assignments", verbose_name=_("user"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    province = models.ForeignKey(Province, models.PROTECT, null=True, blank=True, related_name="+")
    regency = models.ForeignKey(Regency, models.PROTECT, null=True, blank=True, related_name="+")
    district = models.ForeignKey(District, models.PROTECT, null=True, blank=True, related_name="+")
    village = models.ForeignKey(Village, models.PROTECT, null=True, blank=True, related_name="+")
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()
    objects = AssignmentQuerySet.as_manager()

    AREA_FIELDS = ("province", "regency", "district", "village")

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["user__username", "role"]
        constraints = [
            models.CheckConstraint(
                # At most one area: none means the whole country.
                condition=Q(
                    Q(province__isnull=True, regency__isnull=True, district__isnull=True)
                    | Q(province__isnull=True, regency__isnull=True, village__isnull=True)
                    | Q(province__isnull=True, district__isnull=True, village__isnull=True)
                    | Q(regency__isnull=True, district__isnull=True, village__isnull=True)
                ),
                name="assignment_single_area",
            ),
            models.CheckConstraint(
                condition=Q(starts_on__isnull=True) | Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="assignment_period_order",
                violation_error_message=_("The end date is before the start date."),
            ),
            models.CheckConstraint(
                # Officers work in villages; a national officer makes no sense
                # and would silently grant write access everywhere.
                condition=~Q(
                    role="officer",
                    province__isnull=True,
                    regency__isnull=True,
                    district__isnull=True,
                    village__isnull=True,
                ),
                name="assignment_officer_has_area",
                violation_error_message=_("A village officer must be assigned to an area."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.area_label}"

    @property
    def area(self) -> Region | None:
        for field in reversed(self.AREA_FIELDS):
            region = getattr(self, field)
            if region is not None:
                return region
        return None

    @property
    def area_code(self) -> str:
        for field in reversed(self.AREA_FIELDS):
            code = getattr(self, f"{field}_id")
            if code:
                return code
        return ""

    @property
    def area_label(self) -> str:
        area = self.area
        return str(area) if area is not None else str(_("Indonesia (national)"))

    def set_area(self, code: str) -> None:
        for level, field in enumerate(self.AREA_FIELDS, start=1):
            setattr(self, f"{field}_id", code if code_level(code) == level else None)


class AccessLog(models.Model):
    """Who exported, imported or viewed sensitive personal data, and when (UU PDP No. 27/2022).
    Written by services and views; read by administrators in the admin."""

    class Kind(models.TextChoices):
        EXPORT = "export", _("Export")
        IMPORT = "import", _("Import")
        CHILD_VIEW = "child_view", _("View of a child's record")
        NIK_VIEW = "nik_view", _("View of unmasked NIKs")
        NIK_ELSEWHERE = "nik_elsewhere", _("NIK found registered outside the user's area")
        DOCUMENT_VIEW = "document_view", _("View of a document")
        API_READ = "api_read", _("Read of personal data through the API")

    user = models.ForeignKey(User, models.PROTECT, related_name="access_logs", verbose_name=_("user"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    what = models.CharField(_("what"), max_length=200)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    rows = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.get_kind_display()} {self.what}"


class AdminImportFile(models.Model):
    """The file of an admin import (django-import-export) between its preview and its
    confirmation: in the database, which every web host sees, under a random name bound to the
    user and the session that uploaded it (desmigratif.admin.SessionUploadStorage)."""

    name = models.CharField(_("name"), max_length=64, unique=True)
    user = models.ForeignKey(User, models.CASCADE, related_name="+", verbose_name=_("user"))
    session_key = models.CharField(_("session"), max_length=40)
    data = models.BinaryField(_("data"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("admin import file")
        verbose_name_plural = _("admin import files")

    def __str__(self) -> str:
        return self.name


class SubmissionKey(models.Model):
    """A form sent with an idempotency key (``_idempotency_key``, drawn into the form by
    ``{% offline_fields %}``): the first request that brings it does the work; a second one,
    a phone's outbox sending again because the answer to the first was lost, gets the first
    one's answer (the page it led to) instead of a second household. Kept IDEMPOTENCY_DAYS."""

    user = models.ForeignKey(User, models.CASCADE, related_name="+", verbose_name=_("user"))
    key = models.CharField(_("key"), max_length=64)
    path = models.CharField(_("page"), max_length=300)
    location = models.CharField(_("led to"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("submission key")
        verbose_name_plural = _("submission keys")
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="submission_key_once_per_user")]

    def __str__(self) -> str:
        return f"{self.user} {self.key}"


class ProgrammeVillageStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    GRADUATED = "graduated", _("Graduated (independent)")
    LEFT = "left", _("Left the programme")


class ProgrammeVillageQuerySet(models.QuerySet):
    def in_programme(self, on: datetime.date) -> ProgrammeVillageQuerySet:
        """Villages in the programme on a day: joined by that year and not left by then (a
        graduated village still counts: it is the programme's result). The same rule as the
        dashboards' programme-village span (dashboards/stats.py)."""
        from desmigratif.figures import became  # the figures know the models, not the other way round

        left_on = Coalesce("status_since", became(ProgrammeVillage, status=ProgrammeVillageStatus.LEFT))
        return (
            self.filter(cohort__lte=on.year)
            .annotate(left_on=Case(When(status=ProgrammeVillageStatus.LEFT, then=left_on)))
            .filter(Q(left_on__isnull=True) | Q(left_on__gt=on))
        )


FIRST_COHORT = 2016  # the programme began with its pilot villages in 2016 (Permenaker No. 2/2019 followed)


class ProgrammeVillage(models.Model):
    """A Desmigratif village: the year it joined the programme (its cohort), whether it is still
    in it, and the regency coordinator who follows it. Kept by administrators (the admin, or a
    CSV through its import); the dashboards count programme villages by cohort and status."""

    scope_path = "village__code"

    village = models.OneToOneField(Village, models.PROTECT, related_name="programme", verbose_name=_("village"))
    cohort = models.PositiveSmallIntegerField(
        _("joined in (cohort)"), validators=[MinValueValidator(FIRST_COHORT), MaxValueValidator(2100)]
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ProgrammeVillageStatus.choices, default=ProgrammeVillageStatus.ACTIVE
    )
    status_since = models.DateField(_("status since"), null=True, blank=True)
    coordinator = models.ForeignKey(
        User,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="programme_villages",
        verbose_name=_("regency coordinator"),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = ProgrammeVillageQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("programme village")
        verbose_name_plural = _("programme villages")
        ordering = ["village__code"]
        permissions = [
            ("import_programmevillage", "Can import programme villages"),
            ("export_programmevillage", "Can export programme villages"),
        ]

    def __str__(self) -> str:
        return f"{self.village} ({self.cohort})"

    def clean(self) -> None:
        if self.cohort and self.cohort > timezone.localdate().year:
            raise ValidationError({"cohort": _("A village cannot join the programme in a year still to come.")})
        if self.coordinator_id and self.village_id:
            regency = self.village_id[:5]
            coordinates = Assignment.objects.filter(user_id=self.coordinator_id, role=Role.COORDINATOR).filter(
                Q(regency_id=regency) | Q(province_id=regency[:2])
            )
            if not coordinates.exists():
                raise ValidationError(
                    {"coordinator": _("Choose a coordinator assigned to this village's regency or province.")}
                )
