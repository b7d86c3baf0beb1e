"""The figures of a past period, in the shape of the programme's public report: what stood at
the end of the year or quarter (programme villages, households, workers abroad, children,
enterprises, cooperatives, facilities) and what happened during it (departures, returns,
cases, trainings), plus the trends across years. Read from the spans the summary keeps
(desmigratif/figures.py); the dashboard of a period and the annual report page both show them."""

from __future__ import annotations

from collections.abc import Callable, Collection

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from childcare import stats as childcare_stats
from cooperatives import stats as cooperative_stats
from dashboards import stats as dashboard_stats
from dashboards.panels import Headline, Panel
from dashboards.summary import child_summaries
from desmigratif.figures import Figures
from desmigratif.periods import Period, periods_available
from enterprises import stats as enterprise_stats
from households import stats as household_stats
from households.countries import country_name
from households.models import Procedural


def _at(period: Period) -> str:
    return _("on %(day)s") % {"day": date_format(period.end, "j F Y")}


def _during(period: Period) -> str:
    return _("from %(first)s to %(last)s") % {
        "first": date_format(period.start, "j F Y"),
        "last": date_format(period.end, "j F Y"),
    }


def period_headlines(figures: Figures, period: Period) -> list[Headline]:
    departures = household_stats.departures_in(figures, period)
    return [
        Headline(
            "programme-villages",
            _("Programme villages"),
            _("Villages that had joined the programme and not left it, %(at)s.") % {"at": _at(period)},
            dashboard_stats.programme_villages_at(figures, period),
        ),
        Headline(
            "households",
            _("Households"),
            _("Households registered and not archived, %(at)s.") % {"at": _at(period)},
            household_stats.households_at(figures, period),
        ),
        Headline(
            "abroad",
            _("Workers abroad"),
            _("Stays abroad departed and not yet returned, %(at)s.") % {"at": _at(period)},
            sum(n for _country, n in household_stats.abroad_at_by_country(figures, period)),
        ),
        Headline(
            "departures",
            _("Departures"),
            _("Stays abroad that departed %(during)s.") % {"during": _during(period)},
            sum(departures.values()),
        ),
        Headline(
            "children",
            _("Children"),
            _("Children registered in community parenting and under 18, %(at)s.") % {"at": _at(period)},
            childcare_stats.children_at(figures, period),
            children=True,
        ),
        Headline(
            "enterprises",
            _("Enterprises"),
            _("Productive enterprises started and not closed, %(at)s.") % {"at": _at(period)},
            enterprise_stats.enterprises_at(figures, period),
        ),
        Headline(
            "cooperatives",
            _("Cooperatives"),
            _("Cooperatives, BUMDes, pre-cooperatives and production houses founded and not dissolved, %(at)s.")
            % {"at": _at(period)},
            cooperative_stats.cooperatives_at(figures, period),
        ),
    ]


def _migration(figures: Figures, period: Period) -> list[Panel]:
    departures = household_stats.departures_in(figures, period)
    return [
        Panel(
            "abroad-country",
            _("Workers abroad by destination"),
            _("Stays abroad departed and not yet returned, %(at)s, by destination country.") % {"at": _at(period)},
            [_("Country"), _("Workers")],
            [
                [country_name(code) or _("Not recorded"), n]
                for code, n in household_stats.abroad_at_by_country(figures, period)
            ],
        ),
        Panel(
            "departures",
            _("Departures and returns"),
            _(
                "Stays abroad that departed %(during)s, procedural (through official channels) or not, or not known; "
                "and those that returned in the same time."
            )
            % {"during": _during(period)},
            [_("Figure"), _("Stays")],
            [
                *([str(label), departures[value]] for value, label in Procedural.choices),
                [_("Verified by placement data"), household_stats.confirmed_departures_in(figures, period)],
                [_("Returns"), household_stats.returns_in(figures, period)],
            ],
            chart="",
        ),
        Panel(
            "cases",
            _("Service requests opened"),
            _("Requests opened at the village migration service posts %(during)s, by kind.")
            % {"during": _during(period)},
            [_("Kind"), _("Requests")],
            [list(row) for row in household_stats.cases_opened_in(figures, period)],
        ),
    ]


def _pillars(figures: Figures, period: Period) -> list[Panel]:
    return [
        Panel(
            "children",
            _("Community parenting"),
            _("Children registered in community parenting and under 18, %(at)s.") % {"at": _at(period)},
            [_("Figure"), _("Children")],
            [[_("Children"), childcare_stats.children_at(figures, period)]],
            chart="",
            children=True,
        ),
        Panel(
            "enterprise-category",
            _("Enterprises by category"),
            _(
                "Productive enterprises started and not closed %(at)s, and those started %(during)s, by category "
                "(every category, with zeros)."
            )
            % {"at": _at(period), "during": _during(period)},
            [_("Category"), _("Enterprises"), _("Started")],
            [list(row) for row in enterprise_stats.enterprises_at_by_category(figures, period)],
        ),
        Panel(
            "trainings",
            _("Trainings"),
            _("Trainings that began %(during)s, by kind.") % {"during": _during(period)},
            [_("Kind"), _("Trainings")],
            [list(row) for row in enterprise_stats.trainings_in(figures, period)],
        ),
        Panel(
            "cooperatives",
            _("Cooperatives by kind"),
            _("Cooperatives founded and not dissolved %(at)s, and those founded %(during)s.")
            % {"at": _at(period), "during": _during(period)},
            [_("Kind"), _("Cooperatives"), _("Founded")],
            [list(row) for row in cooperative_stats.cooperatives_at_by_kind(figures, period)],
        ),
        Panel(
            "facilities",
            _("Villages with each facility"),
            _("Villages with a facility of the kind built or in use %(at)s.") % {"at": _at(period)},
            [_("Facility"), _("Villages")],
            [list(row) for row in cooperative_stats.facility_villages_at(figures, period)],
        ),
    ]


def trend_years(period: Period | None = None) -> list[Period]:
    """The years a trend shows: from the programme's first to the period's (to the last year
    with an ended quarter when None)."""
    years = sorted((p for p in periods_available() if p.quarter is None), key=lambda p: p.year)
    if period is not None:
        years = [year for year in years if year.year <= period.year]
    return years


def _trends(figures: Figures, period: Period | None) -> list[Panel]:
    years = trend_years(period)
    rows = []
    child_rows = []
    for year in years:
        departures = household_stats.departures_in(figures, year)
        rows.append(
            [
                str(year),
                dashboard_stats.programme_villages_at(figures, year),
                household_stats.households_at(figures, year),
                sum(n for _country, n in household_stats.abroad_at_by_country(figures, year)),
                departures[Procedural.PROCEDURAL],
                departures[Procedural.NON_PROCEDURAL],
                household_stats.returns_in(figures, year),
                sum(n for _kind, n in household_stats.cases_opened_in(figures, year)),
                enterprise_stats.enterprises_at(figures, year),
                sum(row[2] for row in enterprise_stats.enterprises_at_by_category(figures, year)),
                sum(n for _kind, n in enterprise_stats.trainings_in(figures, year)),
                cooperative_stats.cooperatives_at(figures, year),
                sum(n for _kind, n in cooperative_stats.facility_villages_at(figures, year)),
            ]
        )
        child_rows.append([str(year), childcare_stats.children_at(figures, year)])
    return [
        Panel(
            "trends",
            _("Trends by year"),
            _(
                "At the end of each year: programme villages, households, workers abroad, enterprises, cooperatives "
                "and village facilities standing (a village counts once for each kind of facility it has); during "
                "each year: departures, returns, requests opened, enterprises started and trainings. A year still "
                "running is counted to the end of its last ended quarter."
            ),
            [
                _("Year"),
                _("Programme villages"),
                _("Households"),
                _("Workers abroad"),
                _("Procedural departures"),
                _("Non-procedural departures"),
                _("Returns"),
                _("Requests opened"),
                _("Enterprises"),
                _("Enterprises started"),
                _("Trainings"),
                _("Cooperatives"),
                _("Village facilities"),
            ],
            rows,
            chart="line",
        ),
        Panel(
            "children-trend",
            _("Children by year"),
            _("Children registered in community parenting and under 18 at the end of each year."),
            [_("Year"), _("Children")],
            child_rows,
            chart="line",
            children=True,
        ),
    ]


def trend_section(figures: Figures) -> tuple[str, list[Panel]]:
    """The trends by year up to the last ended quarter: what the dashboard of now shows too."""
    return (_("Trends"), _trends(figures, None))


def period_sections(figures: Figures, period: Period) -> list[tuple[str, list[Panel]]]:
    return [
        (_("Migration"), _migration(figures, period)),
        (_("Pillars and facilities"), _pillars(figures, period)),
        (_("Trends"), _trends(figures, period)),
    ]


def period_panel(figures: Figures, period: Period, slug: str) -> Panel | None:
    for _title, panels in period_sections(figures, period):
        for candidate in panels:
            if candidate.slug == slug:
                return candidate
    return None


# The columns of the child-area table of a period: (column, label, value).
CHILD_COLUMNS: list[tuple[str, Callable[[], str], Callable[[Figures, Period], int]]] = [
    ("programme", lambda: _("Programme villages"), dashboard_stats.programme_villages_at),
    ("households", lambda: _("Households"), household_stats.households_at),
    (
        "abroad",
        lambda: _("Workers abroad"),
        lambda figures, period: sum(n for _country, n in household_stats.abroad_at_by_country(figures, period)),
    ),
    (
        "departures",
        lambda: _("Departures"),
        lambda figures, period: sum(household_stats.departures_in(figures, period).values()),
    ),
    ("enterprises", lambda: _("Enterprises"), enterprise_stats.enterprises_at),
    ("children", lambda: _("Children"), childcare_stats.children_at),
    ("cooperatives", lambda: _("Cooperatives"), cooperative_stats.cooperatives_at),
]
CHILD_MEASURES = [
    dashboard_stats.PROGRAMME_VILLAGES_SPAN,
    household_stats.HOUSEHOLDS_SPAN,
    household_stats.ABROAD_SPAN,
    enterprise_stats.ENTERPRISES_SPAN,
    childcare_stats.CHILDREN_SPAN,
    cooperative_stats.COOPERATIVES_SPAN,
]


def child_figures(
    area: str, level: int, period: Period, villages: Collection[str] | None = None
) -> dict[str, dict[str, int]]:
    """{child area code: {column: value}} of the period, for the areas one level below ``area``."""
    return {
        child: {column: value(figures, period) for column, _label, value in CHILD_COLUMNS}
        for child, figures in child_summaries(area, level, CHILD_MEASURES, villages).items()
    }
