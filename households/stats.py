"""Aggregates of pillar 1 for a scope (the dashboard composes them). Pure functions: a scope
in, plain numbers and (label, value) rows out, in a stable order. Archived households and
their members are not counted."""

from __future__ import annotations

from django.db.models import Count, QuerySet
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext as _

from desmigratif.access import Scope
from households.models import (
    EpisodeStatus,
    Household,
    MigrationEpisode,
    Person,
    Procedural,
    RequestKind,
    RequestStatus,
    ReturnReason,
    Sector,
    ServiceRequest,
    Sex,
)


def _episodes(scope: Scope) -> QuerySet[MigrationEpisode]:
    return scope.filter(
        MigrationEpisode.objects.filter(person__household__is_archived=False), "person__household__village__code"
    )


def registered(scope: Scope) -> dict[str, int]:
    """Households and persons in the register."""
    return {
        "households": scope.filter(Household.objects.current(), "village__code").count(),
        "persons": scope.filter(
            Person.objects.filter(household__is_archived=False), "household__village__code"
        ).count(),
    }


def _counted(queryset: QuerySet, field: str) -> list[tuple[str, int]]:
    rows = queryset.values(field).annotate(n=Count("id")).order_by("-n", field)
    return [(row[field] or "", row["n"]) for row in rows]


def abroad_by_country(scope: Scope) -> list[tuple[str, int]]:
    """Workers abroad now, by destination (ISO code), most first."""
    return _counted(_episodes(scope).filter(status=EpisodeStatus.ABROAD), "destination_country")


def abroad_by_sector(scope: Scope) -> list[tuple[str, int]]:
    counts = dict(_episodes(scope).filter(status=EpisodeStatus.ABROAD).values_list("sector").annotate(n=Count("id")))
    return [(str(label), counts.get(value, 0)) for value, label in Sector.choices] + [
        (_("Not recorded"), counts.get("", 0))
    ]


def abroad_by_job(scope: Scope) -> list[tuple[str, int]]:
    return _counted(_episodes(scope).filter(status=EpisodeStatus.ABROAD), "job__name")


def abroad_by_sex(scope: Scope) -> list[tuple[str, int]]:
    counts = dict(
        _episodes(scope).filter(status=EpisodeStatus.ABROAD).values_list("person__sex").annotate(n=Count("id"))
    )
    return [(str(label), counts.get(value, 0)) for value, label in Sex.choices]


def departures_by_year(scope: Scope) -> list[tuple[int, dict[str, int]]]:
    """(year, {procedural, non_procedural, unknown}) for each year with a departure."""
    rows = (
        _episodes(scope)
        .exclude(departure_date=None)
        .annotate(year=ExtractYear("departure_date"))
        .values_list("year", "procedural")
        .annotate(n=Count("id"))
        .order_by("year")
    )
    years: dict[int, dict[str, int]] = {}
    for year, procedural, n in rows:
        years.setdefault(year, dict.fromkeys(Procedural.values, 0))[procedural] = n
    return list(years.items())


def returns_by_year(scope: Scope) -> list[tuple[int, int]]:
    rows = (
        _episodes(scope)
        .exclude(actual_return=None)
        .annotate(year=ExtractYear("actual_return"))
        .values("year")
        .annotate(n=Count("id"))
        .order_by("year")
    )
    return [(row["year"], row["n"]) for row in rows]


def return_reasons(scope: Scope) -> list[tuple[str, int]]:
    counts = dict(_episodes(scope).exclude(actual_return=None).values_list("return_reason").annotate(n=Count("id")))
    return [(str(label), counts.get(value, 0)) for value, label in ReturnReason.choices]


def requests_by_kind_and_status(scope: Scope) -> list[tuple[str, dict[str, int]]]:
    counts = {
        (kind, status): n
        for kind, status, n in scope.filter(ServiceRequest.objects.all(), "village__code")
        .values_list("kind", "status")
        .annotate(n=Count("id"))
    }
    return [
        (str(label), {status: counts.get((kind, status), 0) for status in RequestStatus.values})
        for kind, label in RequestKind.choices
    ]


def overdue_follow_ups(scope: Scope) -> int:
    return scope.filter(ServiceRequest.objects.follow_up_overdue(), "village__code").count()
