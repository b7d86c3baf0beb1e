"""Dashboards: one page per area, from the country down to a village, read from the summary.

An area answers 404 unless the user's statistics scope holds all of it. Children's
figures from 1 to 4 are shown as "<5" unless the user works in the area (write scope),
and no page here shows a name or a NIK: only counts of the summary."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from typing import Any, cast
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django.views.generic import TemplateView

from dashboards import panels as dashboard_panels
from dashboards.models import FigureRefresh
from dashboards.pages import (
    Options,
    Report,
    area_or_404,
    child_columns,
    child_values,
    exact_children,
    figures_for,
    find_panel,
)
from dashboards.services import last_refresh_shown
from dashboards.tasks import figures_refresh_request, figures_updating
from desmigratif.access import Action, AnyUser, scope_for
from desmigratif.exports import csv_write, xlsx_workbook
from desmigratif.http import AuthenticatedHttpRequest
from desmigratif.models import REGION_MODELS, ancestor_codes, cached_region, code_level
from desmigratif.periods import Period, periods_available
from desmigratif.routers import ReplicaReadMixin, read_from_replica
from desmigratif.timezones import area_time_zone

# Cached pages are keyed on the refresh, so this only bounds how long dead keys linger.
DASHBOARD_CACHE_SECONDS = 24 * 3600


def area_url(code: str, suffix: str = "") -> str:
    url = reverse("dashboards:area", args=[code]) if code else reverse("dashboards:national")
    return url + suffix


def _latest_year() -> Period:
    """The latest year with an ended quarter: the one a report opens on."""
    return next(period for period in periods_available() if period.quarter is None)


def child_rows(
    user: AnyUser, code: str, level: int, options: Options, sort: str, descending: bool
) -> list[dict[str, Any]]:
    """The child-area table's rows, sorted, with children's small counts suppressed outside
    the user's own areas."""
    model = REGION_MODELS[level + 1]
    regions = model.objects.active()
    if code:
        regions = regions.filter(code__startswith=code + ".")
    figures = child_values(code, level, options)
    names = dict(regions.values_list("code", "name"))
    columns = [column for column, _label in child_columns(options)]
    # Areas with figures under a retired code still appear, under their code; with programme
    # villages only, only the areas that hold one.
    codes = set(figures) if options.programme_only else set(names) | set(figures)
    write = scope_for(user, Action.WRITE)
    rows = []
    for child in sorted(codes):
        values: dict[str, int | None] = {column: figures.get(child, {}).get(column, 0) for column in columns}
        if not write.contains(child):
            values["children"] = dashboard_panels.child_count_shown(values["children"])
        rows.append({"code": child, "name": names.get(child, child), "url": area_url(child), **values})

    def key(row: dict[str, Any]) -> tuple:
        value = row[sort]
        # Suppressed cells sort as the smallest non-zero counts.
        return (value is None and 1) or value or 0, row["code"]

    if sort in {"code", "name"}:
        rows.sort(key=lambda row: (row[sort], row["code"]), reverse=descending)
    else:
        rows.sort(key=key, reverse=descending)
    return rows


# The list behind each headline figure, narrowed to the dashboard's area (``?area=``). The lists
# count what the figures count, but live: the figures are as of the last refresh.
HEADLINE_LISTS: dict[str, tuple[str, dict[str, str]]] = {
    "households": ("households:list", {}),
    "persons": ("households:list", {}),
    "abroad": ("households:list", {"status": "abroad"}),
    "overdue": ("households:request-list", {"status": "overdue"}),
    "enterprises": ("enterprises:index", {}),
    "children": ("childcare:index", {}),  # children are listed by learning house, to their officers
    "cooperatives": ("cooperatives:index", {}),
}


def _request_refresh(refresh: FigureRefresh | None) -> bool:
    """Queue a refresh when the figures are older than DASHBOARD_MAX_AGE. True when they are."""
    max_age = settings.DASHBOARD_MAX_AGE
    if refresh is not None and (timezone.now() - refresh.started_at).total_seconds() < max_age:
        return False
    figures_refresh_request()
    return True


@login_required
@require_GET
def dashboard_home(request: HttpRequest) -> HttpResponse:
    """Land on the widest area of the user's statistics scope (or choose, with several)."""
    scope = scope_for(request.user, Action.STATS)
    if scope.is_empty:
        raise Http404
    areas = scope.widest_areas()
    if len(areas) == 1:
        return redirect(area_url(areas[0]))
    regions = [(code, cached_region(code)) for code in areas]
    return render(
        request,
        "dashboards/choose.html",
        {"areas": [(area_url(code), region.name if region else code) for code, region in regions]},
    )


class DashboardView(LoginRequiredMixin, ReplicaReadMixin, TemplateView):
    """The figures only change at a refresh, so their rendered HTML is cached under the
    refresh's id (with the language and whatever the user's scope changes on the page):
    a new refresh makes new keys, and nothing has to be invalidated."""

    template_name = "dashboards/dashboard.html"

    def child_areas_only(self) -> bool:
        return bool(self.request.headers.get("HX-Request")) and self.request.headers.get("HX-Target") == "child-areas"

    def get_template_names(self) -> list[str]:
        if self.child_areas_only():
            return [self.template_name + "#child-areas-slot"]
        return [self.template_name]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        code = kwargs.get("code", "")
        region = area_or_404(user, code)
        level = code_level(code)
        refresh = last_refresh_shown()
        options = Options.from_request(self.request)
        sort, descending = self._sort(options)
        base = f"dashboard:{refresh.pk if refresh else 0}:{get_language()}:{code}:{options.cache_key}"
        if level < 4:
            write = scope_for(user, Action.WRITE)
            # Only areas down to the children's level decide which children's cells are exact.
            writable = ",".join(sorted(area for area in write.areas if code_level(area) <= level + 1))
            context["child_areas_html"] = cache.get_or_set(
                f"{base}:children:{sort}:{int(descending)}:{writable}",
                lambda: self._render(
                    "child-areas",
                    child_level_name=REGION_MODELS[level + 1]._meta.verbose_name,
                    children=child_rows(user, code, level, options, sort, descending),
                    child_columns=child_columns(options),
                    sort=sort,
                    descending=descending,
                    keep=options.query,
                    csv_url=area_url(code, "areas.csv") + (f"?{options.query}" if options.query else ""),
                ),
                DASHBOARD_CACHE_SECONDS,
            )
        if self.child_areas_only():
            return context
        exact = exact_children(user, code)
        listed = scope_for(user, Action.READ).contains(code)
        figures_html = cache.get_or_set(
            f"{base}:figures:{int(exact)}:{int(listed)}",
            lambda: self._figures_html(code, level, options, exact, listed),
            DASHBOARD_CACHE_SECONDS,
        )
        context["headlines_html"], context["sections_html"] = cast(tuple[str, str], figures_html)
        context.update(
            region=region,
            code=code,
            level=level,
            breadcrumbs=self._breadcrumbs(user, code),
            refresh=refresh,
            updating=_request_refresh(refresh) or figures_updating(),
            records_url=self._records_url(user, code, level),
            area_zone=area_time_zone(code),
            options=options,
            periods=periods_available(),
            report_year=(options.period or _latest_year()).year,
        )
        return context

    def _render(self, partial: str, **context: Any) -> str:
        return render_to_string(f"{self.template_name}#{partial}", context, request=self.request)

    def _figures_html(self, code: str, level: int, options: Options, exact: bool, listed: bool) -> tuple[str, str]:
        headlines, sections = figures_for(code, options, exact=exact)
        # The lists are of the register now, of every village: they match the figures of now, of
        # all villages, or of a village.
        linked = options.period is None and (not options.programme_only or level == 4)
        for headline in headlines:
            if linked and listed and headline.slug in HEADLINE_LISTS and (exact or not headline.children):
                url_name, params = HEADLINE_LISTS[headline.slug]
                query = urlencode({**({"area": code} if code else {}), **params})
                headline.url = reverse(url_name) + (f"?{query}" if query else "")
        return (
            self._render("headlines", headlines=headlines),
            self._render(
                "sections", sections=sections, headlines=headlines, csv_base=area_url(code), keep=options.query
            ),
        )

    def _sort(self, options: Options) -> tuple[str, bool]:
        sort = self.request.GET.get("sort", "code")
        if sort not in {"code", "name", *(column for column, _label in child_columns(options))}:
            sort = "code"
        return sort, self.request.GET.get("dir") == "desc"

    @staticmethod
    def _breadcrumbs(user: AnyUser, code: str) -> list[tuple[str, str | None]]:
        """Areas above this one; linked only where the user may open them."""
        scope = scope_for(user, Action.STATS)
        crumbs: list[tuple[str, str | None]] = []
        if code:
            crumbs.append((_("Indonesia"), area_url("") if scope.contains("") else None))
        for ancestor in ancestor_codes(code):
            region = cached_region(ancestor)
            url = area_url(ancestor) if scope.contains(ancestor) else None
            crumbs.append((region.name if region else ancestor, url))
        return crumbs

    @staticmethod
    def _records_url(user: AnyUser, code: str, level: int) -> str | None:
        if level == 4 and scope_for(user, Action.READ).contains(code):
            return reverse("households:list") + f"?area={code}"
        return None


@login_required
@require_GET
@read_from_replica()
def panel_csv(request: HttpRequest, panel: str, code: str = "") -> HttpResponse:
    """One panel's table as CSV, with the same suppression and options as the page."""
    area_or_404(request.user, code)
    options = Options.from_request(request)
    found = find_panel(code, options, panel, exact=exact_children(request.user, code))
    if found is None:
        raise Http404
    response = _csv_response(f"{panel}-{code or 'indonesia'}{_file_suffix(options)}.csv")
    rows = [found.columns, *(["<5" if value is None else value for value in row] for row in found.rows)]
    csv_write(response, rows + _as_of_rows(options))
    return response


def _file_suffix(options: Options, *, period: bool = True) -> str:
    return "".join(f"-{value}" for name, value in options.params.items() if period or name != "period")


def _csv_response(filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # so that Excel reads the UTF-8 right
    return response


def _as_of_rows(options: Options) -> list[list[str]]:
    refresh = last_refresh_shown()
    rows: list[list[str]] = [[], [options.describe()]]
    if refresh is not None:
        rows.append([_("Figures as of %(time)s") % {"time": timezone.localtime(refresh.started_at).isoformat()}])
    return rows


@login_required
@require_GET
@read_from_replica()
def child_areas_csv(request: HttpRequest, code: str = "") -> HttpResponse:
    """The child-area table as CSV, with the same suppression and options as the page."""
    area_or_404(request.user, code)
    level = code_level(code)
    if level >= 4:
        raise Http404
    options = Options.from_request(request)
    columns = child_columns(options)
    rows = child_rows(request.user, code, level, options, "code", descending=False)
    table = [
        [_("Code"), _("Name"), *(label for _column, label in columns)],
        *(
            [row["code"], row["name"], *("<5" if row[column] is None else row[column] for column, _label in columns)]
            for row in rows
        ),
    ]
    response = _csv_response(f"areas-{code or 'indonesia'}{_file_suffix(options)}.csv")
    csv_write(response, table + _as_of_rows(options))
    return response


def _report(request: HttpRequest, code: str, year: int) -> Report:
    """The report of ``code`` for ``year`` (404 for a year that cannot be read yet)."""
    area_or_404(request.user, code)
    period = Period.parse(str(year))
    if period is None or period.quarter is not None:
        raise Http404
    options = dataclasses.replace(Options.from_request(request), period=period)
    # As the dashboard's parts: the report changes only at a refresh, so it is kept under the
    # refresh's id with whatever else changes it (the language, the options, exact children's
    # counts in the area and in the areas below).
    refresh = last_refresh_shown()
    exact = exact_children(request.user, code)
    level = code_level(code)
    write = scope_for(request.user, Action.WRITE)
    writable = ",".join(sorted(area for area in write.areas if code_level(area) <= level + 1))
    key = f"report:{refresh.pk if refresh else 0}:{get_language()}:{code}:{options.cache_key}:{int(exact)}:{writable}"

    def compose() -> Report:
        headlines, sections = figures_for(code, options, exact=exact)
        rows = child_rows(request.user, code, level, options, "code", descending=False) if level < 4 else []
        return Report(code, options, headlines, sections, child_columns(options), rows)

    return cast(Report, cache.get_or_set(key, compose, DASHBOARD_CACHE_SECONDS))


class ReportView(LoginRequiredMixin, ReplicaReadMixin, TemplateView):
    """The annual programme report of an area, printable on A4 and downloadable."""

    template_name = "dashboards/report.html"
    request: AuthenticatedHttpRequest

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        code = kwargs.get("code", "")
        report = _report(self.request, code, kwargs["year"])
        query = report.options.query
        context.update(
            report=report,
            region=cached_region(code) if code else None,
            level=code_level(code),
            refresh=last_refresh_shown(),
            area_zone=area_time_zone(code),
            dashboard_url=area_url(code) + "?" + urlencode(report.options.params),
            years=[period for period in periods_available() if period.quarter is None],
            xlsx_url=_download_url(code, kwargs["year"], "xlsx", query),
            csv_url=_download_url(code, kwargs["year"], "csv", query),
        )
        return context


def _download_url(code: str, year: int, fmt: str, query: str) -> str:
    if code:
        url = reverse("dashboards:area-report-download", args=[code, year, fmt])
    else:
        url = reverse("dashboards:national-report-download", args=[year, fmt])
    return url + (f"?{query}" if query else "")


@login_required
@require_GET
@read_from_replica()
def report_download(request: HttpRequest, year: int, fmt: str, code: str = "") -> HttpResponse:
    """The annual report as one XLSX workbook (a sheet per table) or one CSV (the tables one
    after the other), with the same suppression as the page."""
    if fmt not in {"xlsx", "csv"}:
        raise Http404
    report = _report(request, code, year)
    name = f"laporan-desmigratif-{code or 'indonesia'}-{year}{_file_suffix(report.options, period=False)}"
    about = [[report.options.describe()], *_as_of_rows(report.options)[2:]]
    if fmt == "csv":
        response = _csv_response(f"{name}.csv")
        rows: list[list] = [*about]
        for title, columns, table in report.tables():
            rows += [[], [title], columns, *table]
        csv_write(response, rows)
        return response
    # A sheet per table, numbered: titles must be unique in 31 characters.
    sheets: dict[str, Iterable[Iterable[Any]]] = {_("About"): [[_("Annual report")], *about]}
    for number, (title, columns, table) in enumerate(report.tables(), start=1):
        sheets[f"{number} {_SHEET_UNSAFE.sub(' ', title)}"[:31]] = [columns, *table]
    response = HttpResponse(
        xlsx_workbook(sheets), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


# Characters a sheet's title cannot hold.
_SHEET_UNSAFE = re.compile(r"[\\[\]:*?/\\]")
