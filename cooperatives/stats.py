"""Aggregates of pillar 4 and of village facilities. Pure functions: a scope (counted live)
or a figures source (the dashboards' summary) in, numbers and rows out."""

from __future__ import annotations

from django.db.models import Count, Sum

from cooperatives.models import Cooperative, CooperativeKind, Facility, FacilityKind, FacilityStatus, Membership
from desmigratif.access import Scope
from desmigratif.figures import Figures, Measure, by_first_key, figures_of, total


def _current_memberships():
    return Membership.objects.filter(left_on=None)


COOPERATIVES = Measure("cooperatives.cooperatives", Cooperative.objects.all, "village__code", keys=("kind",))
MEMBERS = Measure(
    "cooperatives.members", _current_memberships, "cooperative__village__code", keys=("cooperative__kind",)
)
# Counted in the member household's own village (a household in two cooperatives counts once).
MEMBER_HOUSEHOLDS = Measure(
    "cooperatives.member_households",
    lambda: _current_memberships().exclude(household=None),
    "household__village__code",
    total=lambda: Count("household", distinct=True),
)
SHARE_CAPITAL = Measure(
    "cooperatives.share_capital", _current_memberships, "cooperative__village__code", total=lambda: Sum("share_capital")
)
SAVINGS = Measure(
    "cooperatives.savings", _current_memberships, "cooperative__village__code", total=lambda: Sum("savings")
)
FACILITIES = Measure("cooperatives.facilities", Facility.objects.all, "village__code", keys=("kind", "status"))
MEASURES = [COOPERATIVES, MEMBERS, MEMBER_HOUSEHOLDS, SHARE_CAPITAL, SAVINGS, FACILITIES]


def cooperatives_total(source: Scope | Figures) -> int:
    return total(figures_of(source), COOPERATIVES)


def cooperatives_by_kind(source: Scope | Figures) -> list[tuple[str, int, int]]:
    """(kind, cooperatives, current members) for each kind."""
    figures = figures_of(source)
    cooperatives = by_first_key(figures, COOPERATIVES)
    members = by_first_key(figures, MEMBERS)
    return [(str(label), cooperatives.get(value, 0), members.get(value, 0)) for value, label in CooperativeKind.choices]


def member_households(source: Scope | Figures) -> int:
    """Households of the area with a current membership (of any cooperative)."""
    return total(figures_of(source), MEMBER_HOUSEHOLDS)


def capital(source: Scope | Figures) -> dict[str, int]:
    """Share capital and savings of current members, in rupiah."""
    figures = figures_of(source)
    return {"share_capital": total(figures, SHARE_CAPITAL), "savings": total(figures, SAVINGS)}


def facilities_by_kind_and_status(source: Scope | Figures) -> list[tuple[str, list[int]]]:
    """(kind, [count per status in FacilityStatus order]) for each kind."""
    counts = figures_of(source).get(FACILITIES)
    return [
        (str(label), [counts.get((kind, status), 0) for status in FacilityStatus.values])
        for kind, label in FacilityKind.choices
    ]
