"""Aggregates of pillar 2 for a scope (the dashboard composes them). Pure functions: a
scope in, plain numbers and (label, value) rows out, in a stable order."""

from __future__ import annotations

from django.db.models import Count, Sum
from django.db.models.functions import ExtractYear

from desmigratif.access import Scope
from enterprises.models import (
    Attendance,
    Enterprise,
    EnterpriseStatus,
    EquipmentAid,
    FundingSource,
    Training,
    TrainingKind,
)


def _enterprises(scope: Scope):
    return scope.filter(Enterprise.objects.all(), "village__code")


def enterprises_by_category(scope: Scope) -> list[tuple[str, int]]:
    rows = _enterprises(scope).values("category__name").annotate(n=Count("id")).order_by("-n", "category__name")
    return [(row["category__name"], row["n"]) for row in rows]


def enterprises_by_status(scope: Scope) -> list[tuple[str, int]]:
    counts = dict(_enterprises(scope).values_list("status").annotate(n=Count("id")))
    return [(str(label), counts.get(value, 0)) for value, label in EnterpriseStatus.choices]


def enterprises_started_by_year(scope: Scope) -> list[tuple[int, int]]:
    rows = (
        _enterprises(scope)
        .exclude(started_on=None)
        .annotate(year=ExtractYear("started_on"))
        .values("year")
        .annotate(n=Count("id"))
        .order_by("year")
    )
    return [(row["year"], row["n"]) for row in rows]


def export_ready_count(scope: Scope) -> int:
    return _enterprises(scope).filter(export_ready=True, status=EnterpriseStatus.ACTIVE).count()


def trainings_by_kind(scope: Scope) -> list[tuple[str, int, int]]:
    """(kind, trainings, attendances) for each kind of training."""
    trainings = dict(scope.filter(Training.objects.all(), "village__code").values_list("kind").annotate(n=Count("id")))
    attendances = dict(
        scope.filter(Attendance.objects.all(), "training__village__code")
        .values_list("training__kind")
        .annotate(n=Count("id"))
    )
    return [(str(label), trainings.get(value, 0), attendances.get(value, 0)) for value, label in TrainingKind.choices]


def trained_persons(scope: Scope) -> int:
    """Distinct persons who attended at least one training."""
    return scope.filter(Attendance.objects.all(), "training__village__code").values("person").distinct().count()


def aid_value_by_source(scope: Scope) -> list[tuple[str, int]]:
    totals = dict(
        scope.filter(EquipmentAid.objects.all(), "enterprise__village__code")
        .values_list("source")
        .annotate(total=Sum("value"))
    )
    return [(str(label), totals.get(value) or 0) for value, label in FundingSource.choices]
