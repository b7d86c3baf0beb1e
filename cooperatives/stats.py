"""Aggregates of pillar 4 and of village facilities. Pure functions: a scope (counted live)
or a figures source (the dashboards' summary) in, numbers and rows out."""

from __future__ import annotations

from django.db.models import Case, Count, Exists, OuterRef, Q, Sum, When
from django.db.models.functions import Coalesce, TruncDate

from cooperatives.models import (
    Cooperative,
    CooperativeKind,
    CooperativeStatus,
    Facility,
    FacilityKind,
    FacilityStatus,
    Membership,
)
from desmigratif.access import Scope
from desmigratif.figures import Figures, Measure, Span, as_of, became, by_first_key, figures_of, started_in, total
from desmigratif.periods import Period


def _current_memberships():
    return Membership.objects.filter(left_on=None)


COOPERATIVES = Measure("cooperatives.cooperatives", Cooperative.objects.all, "village__code", keys=("kind", "status"))
ACTIVE_COOPERATIVES = Measure(
    "cooperatives.active_cooperatives",
    lambda: Cooperative.objects.filter(status=CooperativeStatus.ACTIVE),
    "village__code",
)
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
# A cooperative counts from its founding (or legal registration, or its record) until it was
# marked dissolved.
COOPERATIVES_SPAN = Span(
    "cooperatives.cooperatives_span",
    Cooperative.objects.all,
    "village__code",
    keys=("kind",),
    since=Coalesce("founded_on", "legal_date", TruncDate("created_at")),
    until=Case(When(status=CooperativeStatus.DISSOLVED, then=became(Cooperative, status=CooperativeStatus.DISSOLVED))),
)
_STANDING = [FacilityStatus.BUILT, FacilityStatus.IN_USE]


def _first_standing_facilities():
    """Per village and kind, the facility standing (built or in use) the longest: a village with
    two solar installations is one village with solar panels."""
    since = Coalesce("status_on", TruncDate("created_at"))
    standing = Facility.objects.filter(status__in=_STANDING).annotate(since=since)
    earlier = standing.filter(village=OuterRef("village"), kind=OuterRef("kind")).filter(
        Q(since__lt=OuterRef("since")) | Q(since=OuterRef("since"), pk__lt=OuterRef("pk"))
    )
    return standing.filter(~Exists(earlier))


# Villages with a facility standing, from its status date. A facility broken now is not counted in
# the past either: when it stood is not recorded (docs/decisions.md).
FACILITY_VILLAGES_SPAN = Span(
    "cooperatives.facility_villages_span",
    _first_standing_facilities,
    "village__code",
    keys=("kind",),
    since="since",
)
MEASURES = [
    COOPERATIVES,
    ACTIVE_COOPERATIVES,
    MEMBERS,
    MEMBER_HOUSEHOLDS,
    SHARE_CAPITAL,
    SAVINGS,
    FACILITIES,
    COOPERATIVES_SPAN,
    FACILITY_VILLAGES_SPAN,
]


def cooperatives_total(source: Scope | Figures) -> int:
    """Active cooperatives (dormant and dissolved ones are counted by status apart)."""
    return total(figures_of(source), ACTIVE_COOPERATIVES)


def cooperatives_by_kind(source: Scope | Figures) -> list[tuple[str | int, ...]]:
    """(kind, active, dormant, dissolved, current members) for each kind."""
    figures = figures_of(source)
    counts = figures.get(COOPERATIVES)
    members = by_first_key(figures, MEMBERS)
    return [
        (str(label), *(counts.get((kind, status), 0) for status in CooperativeStatus.values), members.get(kind, 0))
        for kind, label in CooperativeKind.choices
    ]


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


def cooperatives_at_by_kind(source: Scope | Figures, period: Period) -> list[tuple[str, int, int]]:
    """(kind, cooperatives not dissolved at the end of ``period``, founded in it) for every kind."""
    figures = figures_of(source)
    standing = {key[0]: n for key, n in as_of(figures, COOPERATIVES_SPAN, period).items()}
    founded = {key[0]: n for key, n in started_in(figures, COOPERATIVES_SPAN, period).items()}
    return [(str(label), standing.get(kind, 0), founded.get(kind, 0)) for kind, label in CooperativeKind.choices]


def cooperatives_at(source: Scope | Figures, period: Period) -> int:
    """Cooperatives of every kind founded and not dissolved at the end of ``period``."""
    return sum(as_of(figures_of(source), COOPERATIVES_SPAN, period).values())


def facility_villages_at(source: Scope | Figures, period: Period) -> list[tuple[str, int]]:
    """Villages with a facility of each kind standing (built or in use) at the end of ``period``."""
    counts = {key[0]: n for key, n in as_of(figures_of(source), FACILITY_VILLAGES_SPAN, period).items()}
    return [(str(label), counts.get(kind, 0)) for kind, label in FacilityKind.choices]
