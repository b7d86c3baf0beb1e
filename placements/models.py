"""Extracts of the national placement lists (BP2MI / SISKOP2MI) and what each of their rows
was matched to in the register: the evidence that a stay abroad is a procedural placement."""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from households.models import MigrationEpisode, Person


class PlacementBatch(models.Model):
    """One uploaded extract, for one area: checked and matched (staged), then applied (the
    stays it confirms are marked), and reversible until reverted."""

    class Status(models.TextChoices):
        STAGED = "staged", _("Checked, waiting to be applied")
        APPLIED = "applied", _("Applied")
        REVERTED = "reverted", _("Reverted")
        DISCARDED = "discarded", _("Discarded")

    class Source(models.TextChoices):
        SISKOP2MI = "SISKOP2MI", "SISKOP2MI"
        BP2MI = "BP2MI", _("BP2MI placement data")
        OTHER = "other", _("Other placement list")

    user = models.ForeignKey("desmigratif.User", models.PROTECT, related_name="+", verbose_name=_("uploaded by"))
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.SISKOP2MI)
    extracted_on = models.DateField(_("date of the extract"))
    area_code = models.CharField(_("area"), max_length=13)
    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.STAGED)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    problems = models.JSONField(_("problems"), default=list, blank=True)
    departures_from = models.DateField(_("first departure in the extract"), null=True, blank=True)
    departures_until = models.DateField(_("last departure in the extract"), null=True, blank=True)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)
    applied_by = models.ForeignKey(
        "desmigratif.User", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("applied by")
    )
    reverted_at = models.DateTimeField(_("reverted at"), null=True, blank=True)
    reverted_by = models.ForeignKey(
        "desmigratif.User", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("reverted by")
    )

    class Meta:
        verbose_name = _("placement list extract")
        verbose_name_plural = _("placement list extracts")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.extracted_on:%Y-%m-%d} ({self.file_name})"

    def get_absolute_url(self) -> str:
        return reverse("placements:detail", args=[self.pk])

    @property
    def label(self) -> str:
        """What a confirmed stay is marked with: the list, the date of its extract and the
        extract's number (so that taking one extract back never takes another's mark)."""
        return f"{self.source} {self.extracted_on:%Y-%m-%d} #{self.pk}"


class PlacementRecordQuerySet(models.QuerySet):
    def confirming(self) -> PlacementRecordQuerySet:
        """Rows that confirm a registered stay abroad: matched by NIK or passport, or by name
        and date of birth and confirmed in the review."""
        return self.filter(
            episode__isnull=False, decision__in=[PlacementRecord.Decision.AUTOMATIC, PlacementRecord.Decision.CONFIRMED]
        )

    def unregistered(self) -> PlacementRecordQuerySet:
        """Rows no registered stay matches (or whose name match was rejected)."""
        return self.filter(
            models.Q(episode__isnull=True) | models.Q(decision=PlacementRecord.Decision.REJECTED)
        ).exclude(decision=PlacementRecord.Decision.PENDING)


class PlacementRecord(models.Model):
    """A row of an extract, as read, and the person and stay it was matched to."""

    class MatchedBy(models.TextChoices):
        NIK = "nik", _("NIK")
        PASSPORT = "passport", _("Passport number")
        NAME = "name", _("Name, date of birth and village")
        NONE = "", _("Not matched")

    class Decision(models.TextChoices):
        AUTOMATIC = "automatic", _("Matched by an identifier")
        PENDING = "pending", _("Waiting for review")
        CONFIRMED = "confirmed", _("Confirmed in review")
        REJECTED = "rejected", _("Rejected in review")
        NONE = "", _("Nothing to decide")

    scope_path = "village_code"

    batch = models.ForeignKey(PlacementBatch, models.CASCADE, related_name="records", verbose_name=_("extract"))
    row = models.PositiveIntegerField(_("row"))
    nik = models.CharField(_("NIK"), max_length=16, blank=True)
    name = models.CharField(_("name"), max_length=200)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    passport_number = models.CharField(_("passport number"), max_length=20, blank=True)
    destination_country = models.CharField(_("destination country"), max_length=2, blank=True)
    employer_name = models.CharField(_("employer"), max_length=200, blank=True)
    agency_name = models.CharField(_("placement agency (P3MI)"), max_length=200, blank=True)
    departure_date = models.DateField(_("departure date"), null=True, blank=True)
    # The village the row belongs to: its registered person's, else the extract's own column.
    village_code = models.CharField(_("village"), max_length=13, blank=True, db_index=True)
    person = models.ForeignKey(
        Person, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("person")
    )
    episode = models.ForeignKey(
        MigrationEpisode, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("stay abroad")
    )
    matched_by = models.CharField(_("matched by"), max_length=8, choices=MatchedBy.choices, blank=True)
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices, blank=True)
    decided_by = models.ForeignKey(
        "desmigratif.User", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("decided by")
    )
    # What applying the extract found on the stay, put back when it is reverted.
    previous_source = models.CharField(max_length=40, blank=True)
    previous_verified_on = models.DateField(null=True, blank=True)
    applied = models.BooleanField(default=False)

    objects = PlacementRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("placement record")
        verbose_name_plural = _("placement records")
        ordering = ["batch", "row"]

    def __str__(self) -> str:
        return f"{self.name} ({self.row})"


class PlacementGap(models.Model):
    """A stay the village registers as abroad that an applied extract does not list: a
    follow-up for the village's officer (ask the family how the worker left), not a finding."""

    scope_path = "episode__person__household__village__code"

    batch = models.ForeignKey(PlacementBatch, models.CASCADE, related_name="gaps", verbose_name=_("extract"))
    episode = models.ForeignKey(MigrationEpisode, models.CASCADE, related_name="+", verbose_name=_("stay abroad"))
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    checked_by = models.ForeignKey(
        "desmigratif.User", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("checked by")
    )

    class Meta:
        verbose_name = _("stay without a placement record")
        verbose_name_plural = _("stays without a placement record")
        constraints = [models.UniqueConstraint(fields=["batch", "episode"], name="placement_gap_once")]

    def __str__(self) -> str:
        return f"{self.episode} ({self.batch})"
