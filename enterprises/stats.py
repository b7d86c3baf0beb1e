"""Aggregates of pillar 2 (the dashboard composes them). Pure functions: a scope (counted
live) or a figures source (the dashboards' summary) in, plain numbers and (label, value)
rows out, in a stable order."""

from __future__ import annotations

from django.db.models import Count, Sum
from django.db.models.functions import ExtractYear

from desmigratif.access import Scope
from desmigratif.figures import Figures, Measure, by_first_key, figures_of, ranked, total
from enterprises.models import (
    Attendance,
    Enterprise,
    EnterpriseStatus,
    EquipmentAid,
    FundingSource,
    Training,
    TrainingKind,
)

ENTERPRISES = Measure(
    "enterprises.enterprises",
    Enterprise.objects.all,
    "village__code",
    keys=("category__name", "status", ExtractYear("started_on"), "export_ready"),
)
TRAININGS = Measure("enterprises.trainings", Training.objects.all, "village__code", keys=("kind",))
ATTENDANCES = Measure(
    "enterprises.attendances", Attendance.objects.all, "training__village__code", keys=("training__kind",)
)
# Counted in the trained person's own village, so that a person trained in two villages
# counts once and village figures still add up.
TRAINED_PERSONS = Measure(
    "enterprises.trained_persons",
    Attendance.objects.all,
    "person__household__village__code",
    total=lambda: Count("person", distinct=True),
)
AID_VALUE = Measure(
    "enterprises.aid_value",
    EquipmentAid.objects.all,
    "enterprise__village__code",
    keys=("source",),
    total=lambda: Sum("value"),
)
MEASURES = [ENTERPRISES, TRAININGS, ATTENDANCES, TRAINED_PERSONS, AID_VALUE]


def enterprises_total(source: Scope | Figures) -> int:
    return total(figures_of(source), ENTERPRISES)


def enterprises_by_category(source: Scope | Figures) -> list[tuple[str, int]]:
    return ranked(by_first_key(figures_of(source), ENTERPRISES))


def enterprises_by_status(source: Scope | Figures) -> list[tuple[str, int]]:
    counts: dict[str, int] = {}
    for key, n in figures_of(source).get(ENTERPRISES).items():
        counts[key[1]] = counts.get(key[1], 0) + n
    return [(str(label), counts.get(value, 0)) for value, label in EnterpriseStatus.choices]


def enterprises_started_by_year(source: Scope | Figures) -> list[tuple[int, int]]:
    years: dict[int, int] = {}
    for key, n in figures_of(source).get(ENTERPRISES).items():
        if key[2]:
            years[int(key[2])] = years.get(int(key[2]), 0) + n
    return sorted(years.items())


def export_ready_count(source: Scope | Figures) -> int:
    """Active enterprises marked ready to export."""
    return sum(
        n
        for key, n in figures_of(source).get(ENTERPRISES).items()
        if key[1] == EnterpriseStatus.ACTIVE and key[3] == "true"
    )


def trainings_by_kind(source: Scope | Figures) -> list[tuple[str, int, int]]:
    """(kind, trainings, attendances) for each kind of training."""
    figures = figures_of(source)
    trainings = by_first_key(figures, TRAININGS)
    attendances = by_first_key(figures, ATTENDANCES)
    return [(str(label), trainings.get(value, 0), attendances.get(value, 0)) for value, label in TrainingKind.choices]


def trained_persons(source: Scope | Figures) -> int:
    """Persons of the area who attended at least one training (anywhere)."""
    return total(figures_of(source), TRAINED_PERSONS)


def aid_value_by_source(source: Scope | Figures) -> list[tuple[str, int]]:
    """Equipment aid in rupiah, by funding source."""
    totals = by_first_key(figures_of(source), AID_VALUE)
    return [(str(label), totals.get(value, 0)) for value, label in FundingSource.choices]
