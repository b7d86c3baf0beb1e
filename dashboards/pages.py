"""What a dashboard shows for an area, composed once for the page, the annual report and their
downloads: which period (now, or the end of a past year or quarter), which villages (the
programme's, or all with records), and the figures, panels and child-area rows that follow."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from dashboards import panels as dashboard_panels
from dashboards import report
from dashboards.panels import Headline, Panel
from dashboards.summary import CHILD_COLUMNS, SummaryFigures, child_figures, programme_village_codes
from desmigratif.access import Action, AnyUser, scope_for
from desmigratif.models import ProgrammeVillage, Region, cached_region
from desmigratif.periods import Period


def area_or_404(user: AnyUser, code: str) -> Region | None:
    """The region (None for the country) if the user's statistics scope holds all of it."""
    if not scope_for(user, Action.STATS).contains(code):
        raise Http404
    if not code:
        return None
    region = cached_region(code)
    if region is None:
        raise Http404
    return region


def exact_children(user: AnyUser, code: str) -> bool:
    """Children's counts are shown exactly only to those who work in the area."""
    return scope_for(user, Action.WRITE).contains(code)


PROGRAMME = "programme"
ALL = "all"


@dataclass(frozen=True)
class Options:
    """The period (None: now) and whether only programme villages count. Programme villages
    are the default once the register holds any; before that, every village counts."""

    period: Period | None
    programme_only: bool
    programme_registered: bool

    @classmethod
    def from_request(cls, request: HttpRequest) -> Options:
        registered = ProgrammeVillage.objects.exists()
        villages = request.GET.get("villages")
        programme_only = registered if villages not in {PROGRAMME, ALL} else villages == PROGRAMME
        return cls(Period.parse(request.GET.get("period", "")), programme_only, registered)

    def villages(self, code: str) -> list[str] | None:
        """The villages counted (None: all of them)."""
        if not self.programme_only:
            return None
        return programme_village_codes(code, self.period.end if self.period else timezone.localdate())

    @property
    def params(self) -> dict[str, str]:
        """The query parameters that differ from the defaults."""
        params = {}
        if self.period is not None:
            params["period"] = self.period.slug
        if self.programme_only != self.programme_registered:
            params["villages"] = PROGRAMME if self.programme_only else ALL
        return params

    @property
    def query(self) -> str:
        """The parameters to carry into the page's own links, ending in "&" when there are any."""
        return urlencode(self.params) + "&" if self.params else ""

    @property
    def cache_key(self) -> str:
        return f"{self.period.slug if self.period else 'now'}:{int(self.programme_only)}"

    def describe(self) -> str:
        villages = _("programme villages") if self.programme_only else _("all villages with records")
        if self.period is None:
            return _("Now, %(villages)s") % {"villages": villages}
        return _("%(period)s, %(villages)s") % {"period": self.period, "villages": villages}


def area_figures(code: str, options: Options) -> SummaryFigures:
    return SummaryFigures(code, options.villages(code))


def figures_for(code: str, options: Options, *, exact: bool) -> tuple[list[Headline], list[tuple[str, list[Panel]]]]:
    """The headline figures and the sections of panels, with children's small counts
    suppressed unless ``exact``."""
    figures = area_figures(code, options)
    if options.period is None:
        headlines = dashboard_panels.headlines(figures)
        sections = [*dashboard_panels.sections(figures), report.trend_section(figures)]
    else:
        headlines = report.period_headlines(figures, options.period)
        sections = report.period_sections(figures, options.period)
    sections = [
        (title, [panel if exact or not panel.children else panel.suppressed() for panel in panels])
        for title, panels in sections
    ]
    for headline in headlines:
        if headline.children and not exact:
            headline.value = dashboard_panels.child_count_shown(headline.value)
    return headlines, sections


def find_panel(code: str, options: Options, slug: str, *, exact: bool) -> Panel | None:
    figures = area_figures(code, options)
    if options.period is None:
        found = dashboard_panels.panel(figures, slug) or next(
            (panel for panel in report.trend_section(figures)[1] if panel.slug == slug), None
        )
    else:
        found = report.period_panel(figures, options.period, slug)
    if found is not None and found.children and not exact:
        return found.suppressed()
    return found


def child_columns(options: Options) -> list[tuple[str, str]]:
    if options.period is not None:
        return [(column, label()) for column, label, _value in report.CHILD_COLUMNS]
    labels = {
        "households": _("Households"),
        "persons": _("Persons"),
        "abroad": _("Abroad now"),
        "overdue": _("Overdue follow-ups"),
        "enterprises": _("Enterprises"),
        "children": _("Children"),
        "cooperatives": _("Cooperatives"),
    }
    return [(column, labels[column]) for column, _measure in CHILD_COLUMNS]


def child_values(code: str, level: int, options: Options) -> dict[str, dict[str, Any]]:
    """{child area: {column: value}} before suppression."""
    villages = options.villages(code)
    if options.period is None:
        return child_figures(code, level, villages)
    return report.child_figures(code, level, options.period, villages)


@dataclass
class Report:
    """The annual report of an area: its figures, panels and the table of the areas below it."""

    code: str
    options: Options
    headlines: list[Headline]
    sections: list[tuple[str, list[Panel]]]
    child_columns: list[tuple[str, str]]
    child_rows: list[dict[str, Any]]

    def tables(self) -> list[tuple[str, list[str], list[list]]]:
        """Every table of the report as (title, columns, rows), "<5" for suppressed cells: what
        the workbook and the CSV hold."""
        tables = [
            (
                _("Summary"),
                [_("Figure"), _("Value"), _("Definition")],
                [[headline.label, _shown(headline.value), headline.definition] for headline in self.headlines],
            )
        ]
        for _title, panels in self.sections:
            for panel in panels:
                tables.append((panel.title, panel.columns, [[_shown(value) for value in row] for row in panel.rows]))
        if self.child_rows:
            tables.append(
                (
                    _("Areas"),
                    [_("Code"), _("Name"), *(label for _column, label in self.child_columns)],
                    [
                        [row["code"], row["name"], *(_shown(row[column]) for column, _label in self.child_columns)]
                        for row in self.child_rows
                    ],
                )
            )
        return tables


def _shown(value: object) -> object:
    return "<5" if value is None else value
