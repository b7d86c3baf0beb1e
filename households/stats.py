"""Aggregates of pillar 1 (the dashboard composes them). Pure functions: a scope (counted
live) or a figures source (the dashboards' summary) in, plain numbers and (label, value)
rows out, in a stable order. Archived households and their members are not counted.

The measures below are what the dashboards' summary tables store per village; see
desmigratif/figures.py for why each counts things of one village only."""

from __future__ import annotations

from django.db.models import Case, Count, When
from django.db.models.functions import Coalesce, ExtractYear, Least
from django.utils.translation import gettext as _

from desmigratif.access import Scope
from desmigratif.figures import (
    Figures,
    Measure,
    Span,
    as_of,
    became,
    by_choice,
    by_first_key,
    ended_in,
    figures_of,
    quarter,
    ranked,
    started_in,
    total,
)
from desmigratif.periods import Period
from households.models import (
    EpisodeStatus,
    Household,
    Job,
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

EPISODE_VILLAGE = "person__household__village__code"


def _episodes():
    return MigrationEpisode.objects.filter(person__household__is_archived=False)


def _abroad():
    return _episodes().filter(status=EpisodeStatus.ABROAD)


HOUSEHOLDS = Measure("households.households", Household.objects.current, "village__code")
PERSONS = Measure(
    "households.persons", lambda: Person.objects.filter(household__is_archived=False), "household__village__code"
)
# Workers, not stays: each key counts the persons with a stay abroad now.
ABROAD = Measure(
    "households.abroad",
    _abroad,
    EPISODE_VILLAGE,
    keys=("destination_country", "sector", "job__code", "person__sex"),
    total=lambda: Count("person", distinct=True),
)
ABROAD_PERSONS = Measure(
    "households.abroad_persons", _abroad, EPISODE_VILLAGE, total=lambda: Count("person", distinct=True)
)
DEPARTURES = Measure(
    "households.departures",
    lambda: _episodes().exclude(departure_date=None),
    EPISODE_VILLAGE,
    keys=(ExtractYear("departure_date"), "procedural"),
)
RETURNS = Measure(
    "households.returns",
    lambda: _episodes().exclude(actual_return=None),
    EPISODE_VILLAGE,
    keys=(ExtractYear("actual_return"), "return_reason"),
)
# Departures a placement list confirms (placements/): by the quarter of departure and the
# procedural status the register records, so a year's or a quarter's share can be read.
CONFIRMED_DEPARTURES = Measure(
    "households.confirmed_departures",
    lambda: _episodes().exclude(departure_date=None).exclude(placement_verified_on=None),
    EPISODE_VILLAGE,
    keys=(quarter("departure_date"), "procedural"),
)
REQUESTS = Measure("households.requests", ServiceRequest.objects.all, "village__code", keys=("kind", "status"))
OVERDUE_FOLLOW_UPS = Measure(
    "households.overdue_follow_ups", lambda: ServiceRequest.objects.follow_up_overdue(), "village__code"
)


def archived_day(household: str = "") -> Case:
    """The day a household was archived (from its change history), for records reached through
    the path ``household`` ("" for households themselves); empty while it is not archived."""
    prefix = f"{household}__" if household else ""
    return Case(
        When(**{f"{prefix}is_archived": True}, then=became(Household, record=household or "pk", is_archived=True))
    )


# The spans behind the figures of past periods (desmigratif/figures.py, docs/decisions.md).
HOUSEHOLDS_SPAN = Span("households.households_span", Household.objects.all, "village__code", until=archived_day())
# A stay counts abroad from departure to return; a stay marked returned without a return date
# ends on the day it was marked so.
ABROAD_SPAN = Span(
    "households.abroad_span",
    lambda: MigrationEpisode.objects.filter(
        status__in=[EpisodeStatus.ABROAD, EpisodeStatus.RETURNED], departure_date__isnull=False
    ),
    EPISODE_VILLAGE,
    keys=("destination_country", "procedural"),
    since="departure_date",
    until=Least(
        Coalesce(
            "actual_return",
            Case(When(status=EpisodeStatus.RETURNED, then=became(MigrationEpisode, status=EpisodeStatus.RETURNED))),
        ),
        archived_day("person__household"),
    ),
)
CASES_SPAN = Span(
    "households.cases_span",
    ServiceRequest.objects.all,
    "village__code",
    keys=("kind",),
    since="opened_on",
    until=Coalesce(
        "closed_on",
        Case(When(status=RequestStatus.CLOSED, then=became(ServiceRequest, status=RequestStatus.CLOSED))),
    ),
)
MEASURES = [
    HOUSEHOLDS,
    PERSONS,
    ABROAD,
    ABROAD_PERSONS,
    DEPARTURES,
    CONFIRMED_DEPARTURES,
    RETURNS,
    REQUESTS,
    OVERDUE_FOLLOW_UPS,
    HOUSEHOLDS_SPAN,
    ABROAD_SPAN,
    CASES_SPAN,
]


def registered(source: Scope | Figures) -> dict[str, int]:
    """Households and persons in the register."""
    figures = figures_of(source)
    return {"households": total(figures, HOUSEHOLDS), "persons": total(figures, PERSONS)}


def abroad_total(source: Scope | Figures) -> int:
    """Workers abroad now: persons with a stay recorded as abroad."""
    return total(figures_of(source), ABROAD_PERSONS)


def _abroad_by(figures: Figures, position: int) -> dict[str, int]:
    counts: dict[str, int] = {}
    for key, value in figures.get(ABROAD).items():
        counts[key[position]] = counts.get(key[position], 0) + value
    return counts


def abroad_by_country(source: Scope | Figures) -> list[tuple[str, int]]:
    """Workers abroad now, by destination (ISO code), most first."""
    return ranked(_abroad_by(figures_of(source), 0))


def abroad_by_sector(source: Scope | Figures) -> list[tuple[str, int]]:
    counts = _abroad_by(figures_of(source), 1)
    return [(str(label), counts.get(value, 0)) for value, label in Sector.choices] + [
        (_("Not recorded"), counts.get("", 0))
    ]


def abroad_by_job(source: Scope | Figures) -> list[tuple[str, int]]:
    """Workers abroad now by job, named in the viewer's language ("" when not recorded)."""
    labels = {job.code: job.label for job in Job.objects.all()}
    return ranked({labels.get(code, code): n for code, n in _abroad_by(figures_of(source), 2).items()})


def abroad_by_sex(source: Scope | Figures) -> list[tuple[str, int]]:
    counts = _abroad_by(figures_of(source), 3)
    return [(str(label), counts.get(value, 0)) for value, label in Sex.choices]


def departures_by_year(source: Scope | Figures) -> list[tuple[int, dict[str, int]]]:
    """(year, {procedural, non_procedural, unknown}) for each year with a departure."""
    years: dict[int, dict[str, int]] = {}
    for (year, procedural), n in figures_of(source).get(DEPARTURES).items():
        years.setdefault(int(year), dict.fromkeys(Procedural.values, 0))[procedural] = n
    return sorted(years.items())


def confirmed_departures_by_year(source: Scope | Figures) -> dict[int, int]:
    """Departures confirmed by a placement list, by year of departure."""
    years: dict[int, int] = {}
    for (departed, _procedural), n in figures_of(source).get(CONFIRMED_DEPARTURES).items():
        years[int(departed[:4])] = years.get(int(departed[:4]), 0) + n
    return years


def confirmed_departures_in(source: Scope | Figures, period: Period) -> int:
    """Departures in ``period`` (its ended quarters) that a placement list confirms."""
    quarters = set(period.ended_quarters())
    return sum(
        n for (departed, _procedural), n in figures_of(source).get(CONFIRMED_DEPARTURES).items() if departed in quarters
    )


def share(part: int, whole: int) -> str:
    """A share in whole percent; empty of nothing."""
    return f"{round(100 * part / whole)}%" if whole else ""


def returns_by_year(source: Scope | Figures) -> list[tuple[int, int]]:
    return sorted((int(year), n) for year, n in by_first_key(figures_of(source), RETURNS).items())


def return_reasons(source: Scope | Figures) -> list[tuple[str, int]]:
    counts: dict[str, int] = {}
    for (_year, reason), n in figures_of(source).get(RETURNS).items():
        counts[reason] = counts.get(reason, 0) + n
    return [(str(label), counts.get(value, 0)) for value, label in ReturnReason.choices]


def requests_by_kind_and_status(source: Scope | Figures) -> list[tuple[str, dict[str, int]]]:
    counts = figures_of(source).get(REQUESTS)
    return [
        (str(label), {status: counts.get((kind, status), 0) for status in RequestStatus.values})
        for kind, label in RequestKind.choices
    ]


def overdue_follow_ups(source: Scope | Figures) -> int:
    """Unfinished requests whose follow-up date has passed (as of the count)."""
    return total(figures_of(source), OVERDUE_FOLLOW_UPS)


# Figures of a past period (the end of a year or quarter), read from the spans.


def households_at(source: Scope | Figures, period: Period) -> int:
    """Households registered and not archived at the end of ``period``."""
    return sum(as_of(figures_of(source), HOUSEHOLDS_SPAN, period).values())


def abroad_at_by_country(source: Scope | Figures, period: Period) -> list[tuple[str, int]]:
    """Workers abroad at the end of ``period`` (departed, not returned), by destination, most first."""
    counts: dict[str, int] = {}
    for (country, _procedural), n in as_of(figures_of(source), ABROAD_SPAN, period).items():
        counts[country] = counts.get(country, 0) + n
    return ranked(counts)


def departures_in(source: Scope | Figures, period: Period) -> dict[str, int]:
    """Departures in ``period`` by procedural status (every value of Procedural)."""
    counts = dict.fromkeys(Procedural.values, 0)
    for (_country, procedural), n in started_in(figures_of(source), ABROAD_SPAN, period).items():
        counts[procedural] = counts.get(procedural, 0) + n
    return counts


def returns_in(source: Scope | Figures, period: Period) -> int:
    return sum(ended_in(figures_of(source), ABROAD_SPAN, period).values())


def cases_opened_in(source: Scope | Figures, period: Period) -> list[tuple[str, int]]:
    """Service requests opened in ``period``, for every kind."""
    return by_choice(started_in(figures_of(source), CASES_SPAN, period), RequestKind.choices)
