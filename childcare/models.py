"""Pillar 3, community parenting (Community Parenting / Rumah Belajar): learning houses,
the children of migrant workers who attend them, and the sessions held there.

Children's records are the most sensitive data of the portal: their pages need the
village's *write* scope (its officers), not the read scope coordinators have, and every
view of a child's record is written to the access log.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from desmigratif.exports import validate_no_formula
from desmigratif.models import Village
from desmigratif.records import CodeListQuerySet, Labelled, Versioned
from households.models import Person


class LearningHouse(Versioned):
    """A rumah belajar / rumah edukasi of a village."""

    scope_path = "village__code"

    village = models.ForeignKey(Village, models.PROTECT, related_name="learning_houses", verbose_name=_("village"))
    name = models.CharField(_("name"), max_length=150)
    address = models.CharField(_("address"), max_length=255, blank=True)
    opened_on = models.DateField(_("opened on"), null=True, blank=True)
    facilitators = models.CharField(
        _("facilitators"), max_length=255, blank=True, help_text=_("Names, separated by commas.")
    )
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("learning house")
        verbose_name_plural = _("learning houses")
        permissions = [
            ("import_learninghouse", "Can import learning houses"),
            ("export_learninghouse", "Can export learning houses"),
        ]
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("childcare:house-detail", args=[self.pk])

    def clean(self) -> None:
        if self.opened_on and self.opened_on > timezone.localdate():
            raise ValidationError({"opened_on": _("The date cannot be in the future.")})


class CaregiverRelationship(models.TextChoices):
    PARENT = "parent", _("Parent at home")
    GRANDPARENT = "grandparent", _("Grandparent")
    AUNT_UNCLE = "aunt_uncle", _("Aunt or uncle")
    SIBLING = "sibling", _("Older sibling")
    OTHER = "other", _("Other")


class SchoolStatus(models.TextChoices):
    NOT_YET = "not_yet", _("Not yet at school")
    ATTENDING = "attending", _("At school")
    DROPPED_OUT = "dropped_out", _("Dropped out")
    FINISHED = "finished", _("Finished school")


class SchoolLevel(models.TextChoices):
    EARLY = "early", _("Early childhood (PAUD/TK)")
    PRIMARY = "primary", _("Primary (SD/MI)")
    JUNIOR = "junior", _("Junior secondary (SMP/MTs)")
    SENIOR = "senior", _("Senior secondary (SMA/SMK/MA)")


class ChildQuerySet(models.QuerySet):
    def found_by(self, term: str) -> ChildQuerySet:
        """Children whose person the household list's search finds (a name or a NIK)."""
        return self.filter(person__in=Person.objects.found_by(term))


class Child(Versioned):
    """A person of pillar 1 under 18 followed by the programme."""

    scope_path = "person__household__village__code"

    person = models.OneToOneField(Person, models.PROTECT, related_name="child", verbose_name=_("child"))
    learning_house = models.ForeignKey(
        LearningHouse, models.SET_NULL, null=True, blank=True, related_name="children", verbose_name=_("learning house")
    )
    parents_abroad = models.ManyToManyField(
        "households.MigrationEpisode",
        blank=True,
        related_name="children_left",
        verbose_name=_("parents abroad (their stays)"),
    )
    caregiver = models.ForeignKey(
        Person, models.SET_NULL, null=True, blank=True, related_name="cared_for", verbose_name=_("caregiver")
    )
    caregiver_relationship = models.CharField(
        _("caregiver is"), max_length=12, choices=CaregiverRelationship.choices, blank=True
    )
    school_status = models.CharField(_("school"), max_length=12, choices=SchoolStatus.choices, blank=True)
    school_level = models.CharField(_("school level"), max_length=8, choices=SchoolLevel.choices, blank=True)

    history = HistoricalRecords(m2m_fields=[parents_abroad])

    objects = ChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("child")
        verbose_name_plural = _("children")
        permissions = [("import_child", "Can import children"), ("export_child", "Can export children")]
        ordering = ["person__name", "id"]

    def __str__(self) -> str:
        return self.person.name

    def get_absolute_url(self) -> str:
        return reverse("childcare:child-detail", args=[self.pk])

    def clean(self) -> None:
        errors = {}
        if self.person_id and not self.person.is_minor:
            errors["person"] = _("Only a person under 18 with a known date of birth can be registered as a child.")
        village = self.person.household.village_id if self.person_id else None
        house, caregiver = self.learning_house, self.caregiver  # None without one (no query then)
        if house is not None and house.village_id != village:
            errors["learning_house"] = _("The learning house must be in the child's village.")
        if caregiver is not None and caregiver.household.village_id != village:
            errors["caregiver"] = _("The caregiver must live in the child's village.")
        if self.caregiver_id and self.caregiver_id == self.person_id:
            errors["caregiver"] = _("A child cannot be their own caregiver.")
        if errors:
            raise ValidationError(errors)


class ActivityKind(Labelled):
    """Editable list of session activities (reading, arithmetic, parenting class, …)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100, validators=[validate_no_formula])
    name_en = models.CharField(_("name in English"), max_length=100, blank=True, validators=[validate_no_formula])
    for_caregivers = models.BooleanField(_("for caregivers"), default=False, help_text=_("A parenting class."))
    is_active = models.BooleanField(_("active"), default=True)

    objects = CodeListQuerySet.as_manager()

    class Meta:
        verbose_name = _("activity kind")
        verbose_name_plural = _("activity kinds")
        permissions = [
            ("import_activitykind", "Can import activity kinds"),
            ("export_activitykind", "Can export activity kinds"),
        ]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("admin:childcare_activitykind_change", args=[self.pk])


class Session(Versioned):
    """One session at a learning house, with the children (and caregivers) who came."""

    scope_path = "learning_house__village__code"

    learning_house = models.ForeignKey(
        LearningHouse, models.CASCADE, related_name="sessions", verbose_name=_("learning house")
    )
    kind = models.ForeignKey(ActivityKind, models.PROTECT, related_name="sessions", verbose_name=_("activity"))
    held_on = models.DateField(_("held on"))
    facilitator = models.CharField(_("facilitator"), max_length=150, blank=True)
    children = models.ManyToManyField(Child, blank=True, related_name="sessions", verbose_name=_("children present"))
    caregivers = models.ManyToManyField(
        Person, blank=True, related_name="parenting_sessions", verbose_name=_("caregivers present")
    )

    history = HistoricalRecords(m2m_fields=[children, caregivers])

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        permissions = [("import_session", "Can import sessions"), ("export_session", "Can export sessions")]
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.held_on:%d-%m-%Y}"

    def get_absolute_url(self) -> str:
        return self.learning_house.get_absolute_url()

    def clean(self) -> None:
        if self.held_on and self.held_on > timezone.localdate():
            raise ValidationError({"held_on": _("The date cannot be in the future.")})
