"""The dashboard's panels: each one a table (the figures, accessible and printable, also
offered as CSV) that the page draws as a chart. Composed from the pillars' stats.py over a
figures source, so the same panel can be read from the summary or counted live."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from childcare import stats as childcare_stats
from cooperatives import stats as cooperative_stats
from cooperatives.models import CooperativeStatus, FacilityStatus
from dashboards import stats as dashboard_stats
from desmigratif.figures import Figures
from desmigratif.models import ProgrammeVillageStatus
from enterprises import stats as enterprise_stats
from households import stats as household_stats
from households.countries import country_name
from households.models import Procedural, RequestStatus

# Counts of children from 1 to this are shown as "<5" to users outside the village.
SMALL_CELL = 4
# ... and every other count of children is rounded to a multiple of this.
ROUNDING_BASE = 5


def is_small_cell(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= SMALL_CELL


def child_count_shown(value: int | None) -> int | None:
    """A count of children as shown outside the village (docs/decisions.md, "Children's
    counts"): 1 to 4 hidden (None, shown "<5"), the rest rounded to the nearest multiple of 5,
    each cell on its own. Hiding small cells alone is undone by subtraction (a regency's total
    minus its districts' recovers the hidden one); with every cell rounded, a subtraction
    leaves a range of at least five values, never the count."""
    if value is None or is_small_cell(value):
        return None
    return ROUNDING_BASE * ((value + ROUNDING_BASE // 2) // ROUNDING_BASE)


@dataclass
class Panel:
    slug: str
    title: str
    definition: str
    columns: list[str]
    rows: list[list]
    chart: str = "bar"  # bar, stacked, line, doughnut, or "" for a table only
    children: bool = False  # holds counts of children: protected outside the village
    unit: str = ""
    notes: list[str] = field(default_factory=list)
    # With ``children``, the rows (by index) that count something else (learning houses);
    # and the columns (by index, the label column being 0) that count children, None for all.
    other_rows: tuple[int, ...] = ()
    children_columns: tuple[int, ...] | None = None

    def suppressed(self) -> Panel:
        """The panel as shown outside the village: its counts of children through
        :func:`child_count_shown`."""
        rows = [
            [
                child_count_shown(value) if self._of_children(index, column) else value
                for column, value in enumerate(row)
            ]
            for index, row in enumerate(self.rows)
        ]
        return Panel(**{**self.__dict__, "rows": rows})

    def _of_children(self, row: int, column: int) -> bool:
        if column == 0 or row in self.other_rows:
            return False
        return self.children_columns is None or column in self.children_columns


@dataclass
class Headline:
    slug: str
    label: str
    definition: str
    value: int | None
    children: bool = False
    url: str = ""  # the list of the records counted, for users who may read them


def _status_labels(choices) -> list[str]:
    return [str(label) for _value, label in choices]


def headlines(figures: Figures) -> list[Headline]:
    registered = household_stats.registered(figures)
    return [
        Headline(
            "programme-villages",
            _("Programme villages"),
            _("Desmigratif villages of the area still in the programme (status active)."),
            dashboard_stats.programme_villages_active(figures),
        ),
        Headline(
            "households", _("Households"), _("Households in the register, not archived."), registered["households"]
        ),
        Headline("persons", _("Persons"), _("Members of those households."), registered["persons"]),
        Headline(
            "abroad",
            _("Workers abroad now"),
            _("Persons with a stay abroad recorded with the status “abroad”, of households not archived."),
            household_stats.abroad_total(figures),
        ),
        Headline(
            "overdue",
            _("Overdue follow-ups"),
            _("Unfinished service requests whose follow-up date has passed, as of the refresh."),
            household_stats.overdue_follow_ups(figures),
        ),
        Headline(
            "enterprises",
            _("Enterprises"),
            _("Productive enterprises of any status."),
            enterprise_stats.enterprises_total(figures),
        ),
        Headline(
            "children",
            _("Children"),
            _("Children registered in community parenting who are under 18, of households not archived."),
            childcare_stats.children(figures),
            children=True,
        ),
        Headline(
            "cooperatives",
            _("Cooperatives"),
            _("Active cooperatives seated in the area (dormant and dissolved ones are in the panel by kind)."),
            cooperative_stats.cooperatives_total(figures),
        ),
    ]


def _abroad(figures: Figures) -> list[Panel]:
    where = _("Workers abroad now (stays with the status “abroad”)")
    return [
        Panel(
            "abroad-country",
            _("Workers abroad by destination"),
            where + ", " + _("by destination country."),
            [_("Country"), _("Workers")],
            [[country_name(code) or _("Not recorded"), n] for code, n in household_stats.abroad_by_country(figures)],
        ),
        Panel(
            "abroad-sector",
            _("Workers abroad by sector"),
            where + ", " + _("by sector of work."),
            [_("Sector"), _("Workers")],
            [list(row) for row in household_stats.abroad_by_sector(figures)],
            chart="doughnut",
        ),
        Panel(
            "abroad-job",
            _("Workers abroad by job"),
            where + ", " + _("by job (the portal's job list)."),
            [_("Job"), _("Workers")],
            [[job or _("Not recorded"), n] for job, n in household_stats.abroad_by_job(figures)],
        ),
        Panel(
            "abroad-sex",
            _("Workers abroad by sex"),
            where + ", " + _("by the worker's sex."),
            [_("Sex"), _("Workers")],
            [list(row) for row in household_stats.abroad_by_sex(figures)],
            chart="doughnut",
        ),
    ]


def _confirmed_departures(figures: Figures) -> Panel:
    confirmed = household_stats.confirmed_departures_by_year(figures)
    rows = []
    for year, counts in household_stats.departures_by_year(figures):
        departures, verified = sum(counts.values()), confirmed.get(year, 0)
        rows.append(
            [
                str(year),
                departures,
                counts[Procedural.PROCEDURAL],
                verified,
                household_stats.share(verified, departures),
            ]
        )
    return Panel(
        "departures-confirmed",
        _("Procedural departures verified by placement data"),
        _(
            "Stays abroad by year of departure: all of them, those the register records as procedural, and those "
            "a national placement list (BP2MI, SISKOP2MI) confirms, with their share of all departures."
        ),
        [_("Year"), _("Departures"), _("Recorded as procedural"), _("Verified by placement data"), _("Share verified")],
        rows,
        chart="",
    )


def _movements(figures: Figures) -> list[Panel]:
    procedural = [str(label) for _value, label in Procedural.choices]
    return [
        Panel(
            "departures",
            _("Departures per year"),
            _("Stays abroad by year of departure, procedural (through official channels) or not, or not known."),
            [_("Year"), *procedural],
            [
                [str(year), *(counts[value] for value in Procedural.values)]
                for year, counts in household_stats.departures_by_year(figures)
            ],
            chart="line",
        ),
        _confirmed_departures(figures),
        Panel(
            "returns",
            _("Returns per year"),
            _("Stays abroad by year of the actual return."),
            [_("Year"), _("Returns")],
            [[str(year), n] for year, n in household_stats.returns_by_year(figures)],
            chart="line",
        ),
        Panel(
            "return-reasons",
            _("Reasons for returning"),
            _("Stays abroad with an actual return, by the reason recorded."),
            [_("Reason"), _("Returns")],
            [list(row) for row in household_stats.return_reasons(figures)],
        ),
        Panel(
            "requests",
            _("Service requests"),
            _("Requests at the village migration service post, by kind and status."),
            [_("Kind"), *_status_labels(RequestStatus.choices)],
            [
                [kind, *(counts[value] for value in RequestStatus.values)]
                for kind, counts in household_stats.requests_by_kind_and_status(figures)
            ],
            chart="stacked",
        ),
    ]


def _enterprises(figures: Figures) -> list[Panel]:
    return [
        Panel(
            "enterprise-category",
            _("Enterprises by category"),
            _("Productive enterprises of any status, by category."),
            [_("Category"), _("Enterprises")],
            [list(row) for row in enterprise_stats.enterprises_by_category(figures)],
        ),
        Panel(
            "enterprise-status",
            _("Enterprises by status"),
            _("Productive enterprises by status. Active and export-ready: %(n)s.")
            % {"n": enterprise_stats.export_ready_count(figures)},
            [_("Status"), _("Enterprises")],
            [list(row) for row in enterprise_stats.enterprises_by_status(figures)],
            chart="doughnut",
        ),
        Panel(
            "trainings",
            _("Trainings and participants"),
            _(
                "Trainings held in the area by kind, and attendances (a person at two trainings counts twice). "
                "Persons of the area trained at least once: %(n)s."
            )
            % {"n": enterprise_stats.trained_persons(figures)},
            [_("Kind"), _("Trainings"), _("Attendances")],
            [list(row) for row in enterprise_stats.trainings_by_kind(figures)],
        ),
        Panel(
            "aid",
            _("Equipment aid"),
            _("Value of equipment aid given to the area's enterprises, in rupiah, by funding source."),
            [_("Source"), _("Value (Rp)")],
            [list(row) for row in enterprise_stats.aid_value_by_source(figures)],
            unit="Rp",
        ),
    ]


def _childcare(figures: Figures) -> list[Panel]:
    return [
        Panel(
            "children",
            _("Community parenting"),
            _(
                "Active learning houses, and the children registered (under 18), with a parent abroad now, in a "
                "learning house."
            ),
            [_("Figure"), _("Count")],
            [
                [_("Learning houses"), childcare_stats.learning_houses(figures)],
                [_("Children"), childcare_stats.children(figures)],
                [_("… with a parent abroad now"), childcare_stats.children_with_a_parent_abroad(figures)],
                [_("… in a learning house"), childcare_stats.children_in_learning_houses(figures)],
            ],
            chart="",
            children=True,
            other_rows=(0,),  # learning houses
        ),
        Panel(
            "children-school",
            _("Children by schooling"),
            _("Registered children by their school status."),
            [_("School status"), _("Children")],
            [list(row) for row in childcare_stats.children_by_school_status(figures)],
            chart="doughnut",
            children=True,
        ),
        Panel(
            "sessions",
            _("Sessions and attendance"),
            _(
                "Sessions held at the area's learning houses by activity, with the children and caregivers present "
                "(each presence counts once)."
            ),
            [_("Activity"), _("Sessions"), _("Children present"), _("Caregivers present")],
            [list(row) for row in childcare_stats.sessions_by_kind(figures)],
            children=True,
            children_columns=(2,),  # children present; sessions and caregivers are not children
        ),
    ]


def _cooperatives(figures: Figures) -> list[Panel]:
    capital = cooperative_stats.capital(figures)
    return [
        Panel(
            "cooperatives",
            _("Cooperatives by kind"),
            _(
                "Cooperatives seated in the area by status, and their current members. Households of the area in a "
                "cooperative: "
                "%(households)s; share capital Rp %(capital)s; savings Rp %(savings)s."
            )
            % {
                "households": cooperative_stats.member_households(figures),
                "capital": f"{capital['share_capital']:,}".replace(",", "."),
                "savings": f"{capital['savings']:,}".replace(",", "."),
            },
            [_("Kind"), *_status_labels(CooperativeStatus.choices), _("Current members")],
            [list(row) for row in cooperative_stats.cooperatives_by_kind(figures)],
        ),
        Panel(
            "facilities",
            _("Village facilities"),
            _("Facilities recorded in the area's villages, by kind and status."),
            [_("Kind"), *_status_labels(FacilityStatus.choices)],
            [[kind, *counts] for kind, counts in cooperative_stats.facilities_by_kind_and_status(figures)],
            chart="stacked",
        ),
    ]


def _coverage(figures: Figures) -> list[Panel]:
    funnel = dashboard_stats.coverage_funnel(figures)
    cohorts = dashboard_stats.programme_villages_by_cohort(figures)
    return [
        Panel(
            "programme-villages",
            _("Programme villages by cohort"),
            _(
                "Desmigratif villages of the area by the year they joined the programme, and whether they are still "
                "in it, graduated (run by the village on its own) or left. From the register kept by administrators."
            ),
            [_("Joined in"), *_status_labels(ProgrammeVillageStatus.choices)],
            [[str(year), *counts.values()] for year, counts in cohorts],
            chart="stacked",
        ),
        Panel(
            "coverage",
            _("Coverage of households with a worker abroad"),
            _(
                "Households with a worker abroad now, and how many of them the other pillars reach: productive "
                "enterprise (owns or works in an enterprise, or a member was trained), community parenting (a child "
                "registered), cooperative (a current member)."
            ),
            [_("Households"), _("Count")],
            [
                [_("With a worker abroad now"), funnel["abroad"]],
                [_("… reached by productive enterprise"), funnel["enterprise"]],
                [_("… reached by community parenting"), funnel["parenting"]],
                [_("… reached by a cooperative"), funnel["cooperative"]],
                [_("… reached by any of them"), funnel["any"]],
            ],
            chart="funnel",
        ),
    ]


SECTIONS: list[tuple[Callable[[], str], Callable[[Figures], list[Panel]]]] = [
    (lambda: pgettext("dashboard section", "Coverage"), _coverage),
    (lambda: _("Workers abroad"), _abroad),
    (lambda: _("Migration service post"), _movements),
    (lambda: _("Productive enterprise"), _enterprises),
    (lambda: _("Community parenting"), _childcare),
    (lambda: _("Cooperatives and facilities"), _cooperatives),
]


def sections(figures: Figures) -> list[tuple[str, list[Panel]]]:
    return [(title(), build(figures)) for title, build in SECTIONS]


def panel(figures: Figures, slug: str) -> Panel | None:
    for _title, build in SECTIONS:
        for candidate in build(figures):
            if candidate.slug == slug:
                return candidate
    return None
