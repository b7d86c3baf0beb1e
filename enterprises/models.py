"""Pillar 2, productive enterprise (Usaha Produktif): the businesses families of migrant
workers run, the trainings they attend, mentoring visits and equipment aid.

Every record hangs off a village (directly, or through its enterprise or training), so
the access module scopes it like pillar 1. Rules that involve one record live here as
model methods (`clean`); the forms call them.
"""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from desmigratif.exports import validate_no_formula
from desmigratif.models import Village
from desmigratif.records import CodeListQuerySet, Labelled, Versioned
from households.models import Household, Person


class Category(Labelled):
    """Editable list of enterprise categories (food, crafts, garment, …)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100, validators=[validate_no_formula])
    name_en = models.CharField(_("name in English"), max_length=100, blank=True, validators=[validate_no_formula])
    is_active = models.BooleanField(_("active"), default=True)

    objects = CodeListQuerySet.as_manager()

    class Meta:
        verbose_name = _("enterprise category")
        verbose_name_plural = _("enterprise categories")
        permissions = [
            ("import_category", "Can import enterprise categories"),
            ("export_category", "Can export enterprise categories"),
        ]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("admin:enterprises_category_change", args=[self.pk])


class EnterpriseStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")
    CLOSED = "closed", _("Closed")


class TurnoverBand(models.TextChoices):
    UNDER_1M = "lt1", _("Under Rp 1 million a month")
    UP_TO_5M = "1to5", _("Rp 1-5 million a month")
    UP_TO_25M = "5to25", _("Rp 5-25 million a month")
    UP_TO_100M = "25to100", _("Rp 25-100 million a month")
    OVER_100M = "gt100", _("Over Rp 100 million a month")


class Channel(models.TextChoices):
    SHOP = "shop", _("Own shop or stall")
    MARKET = "market", _("Village or town market")
    RESELLER = "reseller", _("Resellers and shops")
    SOCIAL = "social", _("Social media, WhatsApp")
    MARKETPLACE = "marketplace", _("Online marketplace")
    EXHIBITION = "exhibition", _("Exhibitions and bazaars")
    EXPORT = "export", _("Export")


class EnterpriseQuerySet(models.QuerySet):
    def active(self) -> EnterpriseQuerySet:
        return self.filter(status=EnterpriseStatus.ACTIVE)


class Enterprise(Versioned):
    """A business run by a household of the village, usually by the spouse of a worker abroad."""

    scope_path = "village__code"

    village = models.ForeignKey(Village, models.PROTECT, related_name="enterprises", verbose_name=_("village"))
    name = models.CharField(_("name"), max_length=150)
    owner = models.ForeignKey(Household, models.PROTECT, related_name="enterprises", verbose_name=_("owner household"))
    members = models.ManyToManyField(
        Person, blank=True, related_name="enterprises", verbose_name=_("persons working in it")
    )
    category = models.ForeignKey(Category, models.PROTECT, related_name="enterprises", verbose_name=_("category"))
    started_on = models.DateField(_("started on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=6, choices=EnterpriseStatus.choices, default=EnterpriseStatus.ACTIVE
    )
    turnover = models.CharField(_("monthly turnover"), max_length=7, choices=TurnoverBand.choices, blank=True)
    channels = ArrayField(
        models.CharField(max_length=12, choices=Channel.choices),
        verbose_name=_("marketing channels"),
        default=list,
        blank=True,
    )
    export_ready = models.BooleanField(_("export-ready"), default=False)

    objects = EnterpriseQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[members])

    class Meta:
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        permissions = [("import_enterprise", "Can import enterprises"), ("export_enterprise", "Can export enterprises")]
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("enterprises:detail", args=[self.pk])

    def channel_labels(self) -> list[str]:
        labels = dict(Channel.choices)
        return [str(labels.get(code, code)) for code in self.channels]

    def clean(self) -> None:
        errors = {}
        if self.owner_id and self.village_id and self.owner.village_id != self.village_id:
            errors["owner"] = _("The owner household must live in the enterprise's village.")
        if self.started_on and self.started_on > timezone.localdate():
            errors["started_on"] = _("The start date cannot be in the future.")
        if errors:
            raise ValidationError(errors)


class TrainingKind(models.TextChoices):
    PRODUCTIVE = "productive", _("Productive-enterprise training")
    MTU = "mtu", _("Mobile training unit (MTU)")
    ENTREPRENEURSHIP = "entrepreneurship", _("Entrepreneurship training")
    MENTORING = "mentoring", _("Instructor mentoring")


class Training(Versioned):
    """A training event held in a village, with the persons who attended."""

    scope_path = "village__code"

    village = models.ForeignKey(Village, models.PROTECT, related_name="trainings", verbose_name=_("village"))
    kind = models.CharField(_("kind"), max_length=16, choices=TrainingKind.choices)
    topic = models.CharField(_("topic"), max_length=200)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    trainer = models.CharField(_("trainer"), max_length=150, blank=True)
    organiser = models.CharField(_("organiser"), max_length=150, blank=True)
    participants: models.ManyToManyField[Person, Attendance] = models.ManyToManyField(
        Person, through="Attendance", related_name="trainings", verbose_name=_("participants")
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("training")
        verbose_name_plural = _("trainings")
        permissions = [("import_training", "Can import trainings"), ("export_training", "Can export trainings")]
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="training_ends_after_start")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.topic}"

    def get_absolute_url(self) -> str:
        return reverse("enterprises:training-detail", args=[self.pk])

    def clean(self) -> None:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The last day cannot be before the first day.")})


class Attendance(models.Model):
    """One person at one training."""

    scope_path = "training__village__code"

    training = models.ForeignKey(Training, models.CASCADE, related_name="attendances", verbose_name=_("training"))
    person = models.ForeignKey(Person, models.PROTECT, related_name="training_attendances", verbose_name=_("person"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        constraints = [models.UniqueConstraint(fields=["training", "person"], name="attendance_once")]

    def __str__(self) -> str:
        return f"{self.person} @ {self.training}"

    def get_absolute_url(self) -> str:
        return self.training.get_absolute_url()


class MentoringVisit(Versioned):
    """A mentor's visit to an enterprise."""

    scope_path = "enterprise__village__code"

    enterprise = models.ForeignKey(Enterprise, models.CASCADE, related_name="visits", verbose_name=_("enterprise"))
    visited_on = models.DateField(_("visited on"))
    mentor = models.CharField(_("mentor"), max_length=150)
    notes = models.TextField(_("notes"), blank=True)
    next_step = models.CharField(_("next step"), max_length=255, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("mentoring visit")
        verbose_name_plural = _("mentoring visits")
        permissions = [
            ("import_mentoringvisit", "Can import mentoring visits"),
            ("export_mentoringvisit", "Can export mentoring visits"),
        ]
        ordering = ["-visited_on", "-id"]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.visited_on:%d-%m-%Y}"

    def get_absolute_url(self) -> str:
        return self.enterprise.get_absolute_url()

    def clean(self) -> None:
        if self.visited_on and self.visited_on > timezone.localdate():
            raise ValidationError({"visited_on": _("The visit date cannot be in the future.")})


class FundingSource(models.TextChoices):
    APBN = "apbn", _("APBN (Ministry of Manpower)")
    LOCAL = "local", _("Local government")
    PARTNER = "partner", _("Partner")
    OTHER = "other", _("Other")


class EquipmentAid(Versioned):
    """Equipment given to an enterprise."""

    scope_path = "enterprise__village__code"

    enterprise = models.ForeignKey(Enterprise, models.CASCADE, related_name="aid", verbose_name=_("enterprise"))
    item = models.CharField(_("item"), max_length=200)
    quantity = models.PositiveIntegerField(_("quantity"), default=1, validators=[MinValueValidator(1)])
    value = models.PositiveBigIntegerField(_("value (Rp)"), help_text=_("Total value in rupiah."))
    given_on = models.DateField(_("given on"))
    source = models.CharField(_("funding source"), max_length=7, choices=FundingSource.choices)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("equipment aid")
        verbose_name_plural = _("equipment aid")
        permissions = [
            ("import_equipmentaid", "Can import equipment aid"),
            ("export_equipmentaid", "Can export equipment aid"),
        ]
        ordering = ["-given_on", "-id"]
        constraints = [models.CheckConstraint(condition=Q(quantity__gte=1), name="aid_quantity_positive")]

    def __str__(self) -> str:
        return f"{self.item} ({self.enterprise})"

    def get_absolute_url(self) -> str:
        return self.enterprise.get_absolute_url()

    def clean(self) -> None:
        if self.given_on and self.given_on > timezone.localdate():
            raise ValidationError({"given_on": _("The date cannot be in the future.")})
