"""Dashboards: one page per area, from the country down to a village, read from the summary.

An area answers 404 unless the user's statistics scope holds all of it. Children's
figures from 1 to 4 are shown as "<5" unless the user works in the area (write scope),
and no page here shows a name or a NIK: only counts of the summary."""

from __future__ import annotations

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
from dashboards.services import last_refresh_shown
from dashboards.summary import CHILD_COLUMNS, SummaryFigures, child_figures
from dashboards.tasks import figures_refresh_request
from desmigratif.access import Action, AnyUser, scope_for
from desmigratif.exports import csv_write
from desmigratif.models import REGION_MODELS, Region, ancestor_codes, cached_region, code_level
from desmigratif.routers import ReplicaReadMixin, read_from_replica
from desmigratif.timezones import area_time_zone

# Cached pages are keyed on the refresh, so this only bounds how long dead keys linger.
DASHBOARD_CACHE_SECONDS = 24 * 3600

SORTABLE = ["code", "name", *(column for column, _measure in CHILD_COLUMNS)]


def area_url(code: str) -> str:
    return reverse("dashboards:area", args=[code]) if code else reverse("dashboards:national")


def _area_or_404(user: AnyUser, code: str) -> Region | None:
    """The region (None for the country) if the user's statistics scope holds all of it."""
    if not scope_for(user, Action.STATS).contains(code):
        raise Http404
    if not code:
        return None
    region = cached_region(code)
    if region is None:
        raise Http404
    return region


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


def _exact_children(user: AnyUser, code: str) -> bool:
    """Children's small counts are shown exactly only to those who work in the area."""
    return scope_for(user, Action.WRITE).contains(code)


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
        region = _area_or_404(user, code)
        level = code_level(code)
        refresh = last_refresh_shown()
        sort, descending = self._sort()
        base = f"dashboard:{refresh.pk if refresh else 0}:{get_language()}:{code}"
        if level < 4:
            write = scope_for(user, Action.WRITE)
            # Only areas down to the children's level decide which children's cells are exact.
            writable = ",".join(sorted(area for area in write.areas if code_level(area) <= level + 1))
            context["child_areas_html"] = cache.get_or_set(
                f"{base}:children:{sort}:{int(descending)}:{writable}",
                lambda: self._render(
                    "child-areas",
                    child_level_name=REGION_MODELS[level + 1]._meta.verbose_name,
                    children=self._children(user, code, level, sort, descending),
                    child_columns=self._child_columns(),
                    sort=sort,
                    descending=descending,
                ),
                DASHBOARD_CACHE_SECONDS,
            )
        if self.child_areas_only():
            return context
        exact = _exact_children(user, code)
        listed = scope_for(user, Action.READ).contains(code)
        figures_html = cache.get_or_set(
            f"{base}:figures:{int(exact)}:{int(listed)}",
            lambda: self._figures_html(code, exact, listed),
            DASHBOARD_CACHE_SECONDS,
        )
        context["headlines_html"], context["sections_html"] = cast(tuple[str, str], figures_html)
        context.update(
            region=region,
            code=code,
            level=level,
            breadcrumbs=self._breadcrumbs(user, code),
            refresh=refresh,
            stale=_request_refresh(refresh),
            records_url=self._records_url(user, code, level),
            area_zone=area_time_zone(code),
        )
        return context

    def _render(self, partial: str, **context: Any) -> str:
        return render_to_string(f"{self.template_name}#{partial}", context, request=self.request)

    def _figures_html(self, code: str, exact: bool, listed: bool) -> tuple[str, str]:
        figures = SummaryFigures(code)
        sections = [
            (title, [panel if exact or not panel.children else panel.suppressed() for panel in panels])
            for title, panels in dashboard_panels.sections(figures)
        ]
        headlines = dashboard_panels.headlines(figures)
        for headline in headlines:
            if headline.children and not exact and dashboard_panels.is_small_cell(headline.value):
                headline.value = None
            if listed and headline.slug in HEADLINE_LISTS and (exact or not headline.children):
                url_name, params = HEADLINE_LISTS[headline.slug]
                query = urlencode({**({"area": code} if code else {}), **params})
                headline.url = reverse(url_name) + (f"?{query}" if query else "")
        return (
            self._render("headlines", headlines=headlines),
            self._render("sections", sections=sections, headlines=headlines, csv_base=area_url(code)),
        )

    def _sort(self) -> tuple[str, bool]:
        sort = self.request.GET.get("sort", "code")
        if sort not in SORTABLE:
            sort = "code"
        return sort, self.request.GET.get("dir") == "desc"

    @staticmethod
    def _child_columns() -> list[tuple[str, str]]:
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
    def _children(user: AnyUser, code: str, level: int, sort: str, descending: bool) -> list[dict[str, Any]]:
        model = REGION_MODELS[level + 1]
        regions = model.objects.active()
        if code:
            regions = regions.filter(code__startswith=code + ".")
        figures = child_figures(code, level)
        names = dict(regions.values_list("code", "name"))
        # Areas with figures under a retired code still appear, under their code.
        write = scope_for(user, Action.WRITE)
        rows = []
        for child in sorted(set(names) | set(figures)):
            values: dict[str, int | None] = {
                column: figures.get(child, {}).get(column, 0) for column, _measure in CHILD_COLUMNS
            }
            kids = values["children"]
            if dashboard_panels.is_small_cell(kids) and not write.contains(child):
                values["children"] = None
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

    @staticmethod
    def _records_url(user: AnyUser, code: str, level: int) -> str | None:
        if level == 4 and scope_for(user, Action.READ).contains(code):
            return reverse("households:list") + f"?area={code}"
        return None


@login_required
@require_GET
@read_from_replica()
def panel_csv(request: HttpRequest, panel: str, code: str = "") -> HttpResponse:
    """One panel's table as CSV, with the same suppression as the page."""
    _area_or_404(request.user, code)
    figures = SummaryFigures(code)
    found = dashboard_panels.panel(figures, panel)
    if found is None:
        raise Http404
    if found.children and not _exact_children(request.user, code):
        found = found.suppressed()
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{panel}-{code or "indonesia"}.csv"'
    response.write("\ufeff")  # so that Excel reads the UTF-8 right
    rows = [found.columns, *(["<5" if value is None else value for value in row] for row in found.rows)]
    refresh = last_refresh_shown()
    if refresh is not None:
        rows += [[], [_("Figures as of %(time)s") % {"time": timezone.localtime(refresh.started_at).isoformat()}]]
    csv_write(response, rows)
    return response
