"""Pillar 4, cooperatives (Koperasi / BUMDes): the cooperatives and village enterprises that
carry the productive businesses of pillar 2, and their members; and the village facilities
the programme builds (internet access, water reservoir, solar panels, …).

A cooperative belongs to the village that registered it (its scope) and may serve others.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from desmigratif.models import Village
from desmigratif.records import Versioned
from enterprises.models import Enterprise
from households.models import Household, Person


class CooperativeKind(models.TextChoices):
    KOPERASI = "koperasi", _("Cooperative (koperasi)")
    BUMDES = "bumdes", _("Village-owned enterprise (BUMDes)")
    PRE_COOPERATIVE = "pre", _("Pre-cooperative")
    PRODUCTION_HOUSE = "production", _("Production house")


class CooperativeStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    DORMANT = "dormant", _("Dormant")
    DISSOLVED = "dissolved", _("Dissolved")


class Cooperative(Versioned):
    scope_path = "village__code"

    village = models.ForeignKey(Village, models.PROTECT, related_name="cooperatives", verbose_name=_("village"))
    villages_served = models.ManyToManyField(
        Village, blank=True, related_name="cooperatives_serving", verbose_name=_("other villages served")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=CooperativeKind.choices)
    name = models.CharField(_("name"), max_length=200)
    legal_number = models.CharField(_("legal entity number"), max_length=100, blank=True)
    legal_date = models.DateField(_("registered on"), null=True, blank=True)
    founded_on = models.DateField(_("founded on"), null=True, blank=True)
    business_lines = models.CharField(_("business lines"), max_length=255, blank=True)
    status = models.CharField(
        _("status"), max_length=9, choices=CooperativeStatus.choices, default=CooperativeStatus.ACTIVE
    )
    enterprises = models.ManyToManyField(
        Enterprise, blank=True, related_name="cooperatives", verbose_name=_("enterprises it carries")
    )

    history = HistoricalRecords(m2m_fields=[enterprises])

    class Meta:
        verbose_name = _("cooperative")
        verbose_name_plural = _("cooperatives")
        permissions = [
            ("import_cooperative", "Can import cooperatives"),
            ("export_cooperative", "Can export cooperatives"),
        ]
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("cooperatives:detail", args=[self.pk])

    def clean(self) -> None:
        errors = {}
        today = timezone.localdate()
        for name in ("legal_date", "founded_on"):
            value = getattr(self, name)
            if value and value > today:
                errors[name] = _("The date cannot be in the future.")
        if bool(self.legal_number) != bool(self.legal_date):
            errors["legal_date"] = _("A registered cooperative has both a legal entity number and its date.")
        if errors:
            raise ValidationError(errors)


class Membership(Versioned):
    """A household (or one person) in a cooperative, with its capital."""

    scope_path = "cooperative__village__code"

    cooperative = models.ForeignKey(
        Cooperative, models.CASCADE, related_name="memberships", verbose_name=_("cooperative")
    )
    household = models.ForeignKey(
        Household, models.PROTECT, null=True, blank=True, related_name="memberships", verbose_name=_("household")
    )
    person = models.ForeignKey(
        Person, models.PROTECT, null=True, blank=True, related_name="memberships", verbose_name=_("person")
    )
    joined_on = models.DateField(_("joined on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)
    share_capital = models.PositiveBigIntegerField(_("share capital (Rp)"), default=0)
    savings = models.PositiveBigIntegerField(_("savings (Rp)"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        permissions = [("import_membership", "Can import memberships"), ("export_membership", "Can export memberships")]
        ordering = ["cooperative", "joined_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(household__isnull=False) | Q(person__isnull=False), name="membership_has_a_member"
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=F("joined_on")),
                name="membership_leaves_after_joining",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member_name} @ {self.cooperative}"

    def get_absolute_url(self) -> str:
        return self.cooperative.get_absolute_url()

    @property
    def member_name(self) -> str:
        return self.person.name if self.person is not None else str(self.household)

    def member_village(self) -> str | None:
        if self.person is not None:
            return self.person.household.village_id
        return self.household.village_id if self.household is not None else None

    def clean(self) -> None:
        errors = {}
        if not self.household_id and not self.person_id:
            errors["household"] = _("Choose the member household, or a person.")
        village = self.member_village()
        if village and self.cooperative_id:
            served = {self.cooperative.village_id, *self.cooperative.villages_served.values_list("code", flat=True)}
            if village not in served:
                errors["household" if self.household_id else "person"] = _(
                    "The member must live in a village the cooperative serves."
                )
        if self.joined_on and self.joined_on > timezone.localdate():
            errors["joined_on"] = _("The date cannot be in the future.")
        if self.left_on and self.joined_on and self.left_on < self.joined_on:
            errors["left_on"] = _("A member cannot leave before joining.")
        if errors:
            raise ValidationError(errors)


class FacilityKind(models.TextChoices):
    INTERNET = "internet", _("Internet access")
    RESERVOIR = "reservoir", _("Water reservoir (embung)")
    SOLAR = "solar", _("Solar panels")
    ROAD = "road", _("Road")
    PRODUCTION_HOUSE = "production", _("Production house")
    LEARNING_HOUSE = "learning", _("Learning house building")


class FacilityStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    BUILT = "built", _("Built")
    IN_USE = "in_use", _("In use")
    BROKEN = "broken", _("Broken")


class Facility(Versioned):
    """Infrastructure the programme brings to a village."""

    scope_path = "village__code"

    village = models.ForeignKey(Village, models.PROTECT, related_name="facilities", verbose_name=_("village"))
    kind = models.CharField(_("kind"), max_length=10, choices=FacilityKind.choices)
    status = models.CharField(_("status"), max_length=7, choices=FacilityStatus.choices, default=FacilityStatus.PLANNED)
    status_on = models.DateField(_("status since"), null=True, blank=True)
    funder = models.CharField(_("funder"), max_length=150, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("village facility")
        verbose_name_plural = _("village facilities")
        permissions = [
            ("import_facility", "Can import village facilities"),
            ("export_facility", "Can export village facilities"),
        ]
        ordering = ["village", "kind", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.village_id})"

    def get_absolute_url(self) -> str:
        return reverse("cooperatives:facility-list")

    def clean(self) -> None:
        if self.status_on and self.status_on > timezone.localdate():
            raise ValidationError({"status_on": _("The date cannot be in the future.")})
