"""Aggregates of pillar 2 (the dashboard composes them). Pure functions: a scope (counted
live) or a figures source (the dashboards' summary) in, plain numbers and (label, value)
rows out, in a stable order."""

from __future__ import annotations

from django.db.models import Case, Count, Sum, When
from django.db.models.functions import Coalesce, ExtractYear, TruncDate

from desmigratif.access import Scope
from desmigratif.figures import (
    Figures,
    Measure,
    Span,
    as_of,
    became,
    by_choice,
    by_first_key,
    figures_of,
    ranked,
    started_in,
    total,
)
from desmigratif.periods import Period
from enterprises.models import (
    Attendance,
    Category,
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
    keys=("category__code", "status", ExtractYear("started_on"), "export_ready"),
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
# An enterprise counts from the day it started (or was registered) until it was marked closed.
ENTERPRISES_SPAN = Span(
    "enterprises.enterprises_span",
    Enterprise.objects.all,
    "village__code",
    keys=("category__code",),
    since=Coalesce("started_on", TruncDate("created_at")),
    until=Case(When(status=EnterpriseStatus.CLOSED, then=became(Enterprise, status=EnterpriseStatus.CLOSED))),
)
TRAININGS_SPAN = Span(
    "enterprises.trainings_span", Training.objects.all, "village__code", keys=("kind",), since="starts_on"
)
MEASURES = [ENTERPRISES, TRAININGS, ATTENDANCES, TRAINED_PERSONS, AID_VALUE, ENTERPRISES_SPAN, TRAININGS_SPAN]


def enterprises_total(source: Scope | Figures) -> int:
    return total(figures_of(source), ENTERPRISES)


def enterprises_by_category(source: Scope | Figures) -> list[tuple[str, int]]:
    """Enterprises by category, named in the viewer's language, most first."""
    labels = {category.code: category.label for category in Category.objects.all()}
    return ranked({labels.get(code, code): n for code, n in by_first_key(figures_of(source), ENTERPRISES).items()})


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


def enterprises_at_by_category(source: Scope | Figures, period: Period) -> list[tuple[str, int, int]]:
    """(category, enterprises not closed at the end of ``period``, enterprises started in it) for
    every category, retired ones last and only when they count something."""
    figures = figures_of(source)
    standing = {key[0]: n for key, n in as_of(figures, ENTERPRISES_SPAN, period).items()}
    started = {key[0]: n for key, n in started_in(figures, ENTERPRISES_SPAN, period).items()}
    rows = []
    for category in Category.objects.order_by("-is_active", "name"):
        row = (category.label, standing.get(category.code, 0), started.get(category.code, 0))
        if category.is_active or row[1] or row[2]:
            rows.append(row)
    return rows


def enterprises_at(source: Scope | Figures, period: Period) -> int:
    """Enterprises started and not closed at the end of ``period``."""
    return sum(as_of(figures_of(source), ENTERPRISES_SPAN, period).values())


def trainings_in(source: Scope | Figures, period: Period) -> list[tuple[str, int]]:
    """Trainings that began in ``period``, for every kind."""
    return by_choice(started_in(figures_of(source), TRAININGS_SPAN, period), TrainingKind.choices)
