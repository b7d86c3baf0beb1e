"""Aggregates of pillar 4 and of village facilities for a scope. Pure functions of a scope."""

from __future__ import annotations

from django.db.models import Count, Sum

from cooperatives.models import Cooperative, CooperativeKind, Facility, FacilityKind, FacilityStatus, Membership
from desmigratif.access import Scope


def cooperatives_by_kind(scope: Scope) -> list[tuple[str, int, int]]:
    """(kind, cooperatives, current members) for each kind."""
    cooperatives = dict(
        scope.filter(Cooperative.objects.all(), "village__code").values_list("kind").annotate(n=Count("id"))
    )
    members = dict(
        scope.filter(Membership.objects.filter(left_on=None), "cooperative__village__code")
        .values_list("cooperative__kind")
        .annotate(n=Count("id"))
    )
    return [(str(label), cooperatives.get(value, 0), members.get(value, 0)) for value, label in CooperativeKind.choices]


def member_households(scope: Scope) -> int:
    """Distinct households with a current membership."""
    memberships = scope.filter(
        Membership.objects.filter(left_on=None).exclude(household=None), "cooperative__village__code"
    )
    return memberships.values("household").distinct().count()


def capital(scope: Scope) -> dict[str, int]:
    totals = scope.filter(Membership.objects.filter(left_on=None), "cooperative__village__code").aggregate(
        share_capital=Sum("share_capital"), savings=Sum("savings")
    )
    return {key: value or 0 for key, value in totals.items()}


def facilities_by_kind_and_status(scope: Scope) -> list[tuple[str, list[int]]]:
    """(kind, [count per status in FacilityStatus order]) for each kind."""
    counts = {
        (kind, status): n
        for kind, status, n in scope.filter(Facility.objects.all(), "village__code")
        .values_list("kind", "status")
        .annotate(n=Count("id"))
    }
    return [
        (str(label), [counts.get((kind, status), 0) for status in FacilityStatus.values])
        for kind, label in FacilityKind.choices
    ]
