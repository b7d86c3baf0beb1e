"""Pages of pillar 1. Every queryset goes through desmigratif.access."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django.views.generic import DetailView, ListView

from desmigratif.access import Action, Scope, ScopedQuerysetMixin, can_see_full_nik, scope_required, scoped
from desmigratif.pagination import keyset_page
from households.exports import household_list_export
from households.forms import HouseholdFilterForm
from households.models import Household, KKNumber, MigrationEpisode, Person, Relationship, ServiceRequest
from households.validators import mask_nik, render_warning


class HouseholdDetailView(ScopedQuerysetMixin, DetailView):
    """A household at a glance: members, each worker's episodes, KK history, changes."""

    model = Household
    scope_action = Action.READ
    template_name = "households/household_detail.html"

    def get_queryset(self) -> QuerySet[Household]:
        episodes = MigrationEpisode.objects.select_related("job", "agency").order_by("-departure_date", "-id")
        members = Person.objects.prefetch_related(Prefetch("episodes", queryset=episodes)).order_by("id")
        return (
            super()
            .get_queryset()
            .select_related("village__district__regency__province")
            .prefetch_related(
                Prefetch("members", queryset=members),
                Prefetch("kk_numbers", queryset=KKNumber.objects.order_by("-recorded_on", "-id")),
            )
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        household = self.object
        full_nik = can_see_full_nik(self.request.user, household.village_id)
        context.update(
            members=[
                {
                    "person": person,
                    "nik": person.nik if full_nik else mask_nik(person.nik),
                    "warnings": [render_warning(w) for w in person.validation_warnings],
                    "episodes": [
                        {"episode": e, "warnings": [render_warning(w) for w in e.validation_warnings]}
                        for e in person.episodes.all()
                    ],
                }
                for person in household.members.all()
            ],
            household_warnings=[render_warning(w) for w in household.validation_warnings],
            requests=ServiceRequest.objects.filter(village_id=household.village_id)
            .filter(person_served__household=household)
            .union(ServiceRequest.objects.filter(worker__household=household))
            .order_by("-opened_on"),
            history=household.history.select_related("history_user").order_by("-history_date")[:20],
        )
        return context


class ServiceRequestDetailView(ScopedQuerysetMixin, DetailView):
    model = ServiceRequest
    scope_action = Action.READ
    template_name = "households/servicerequest_detail.html"

    def get_queryset(self) -> QuerySet[ServiceRequest]:
        return super().get_queryset().select_related("village", "person_served", "worker")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["history"] = self.object.history.select_related("history_user").order_by("-history_date")[:20]
        return context


class HouseholdListView(ScopedQuerysetMixin, ListView):
    """Search, filter and sort the households in the user's scope. Keyset pages: no
    request counts the whole table, and page 20,000 costs what page 1 does."""

    model = Household
    scope_action = Action.READ
    template_name = "households/household_list.html"
    page_size = 25

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = HouseholdFilterForm(self.request.GET or None, user=self.request.user)
        households = self.object_list.select_related("village")
        order = HouseholdFilterForm.SORTS["newest"]
        if form.is_bound and form.is_valid():
            households = form.filter(households)
            order = form.order()
        elif form.is_bound:
            households = households.none()
        page = keyset_page(households, order=order, cursor=self.request.GET.get("after"), size=self.page_size)
        context.update(
            form=form,
            page=page,
            rows=self._rows(page.items),
            query_without_cursor=self._query_without("after"),
            can_export=self.request.user.has_perm("households.export_household"),
        )
        return context

    def _query_without(self, name: str) -> str:
        query = self.request.GET.copy()
        query.pop(name, None)
        return query.urlencode()

    @staticmethod
    def _rows(households: list[Household]) -> list[dict[str, Any]]:
        ids = [h.pk for h in households]
        members: dict[int, list[Person]] = {}
        for person in Person.objects.filter(household__in=ids).order_by("id"):
            members.setdefault(person.household_id, []).append(person)
        abroad = dict(
            MigrationEpisode.objects.abroad()
            .filter(person__household__in=ids)
            .values("person__household")
            .annotate(n=Count("person", distinct=True))
            .values_list("person__household", "n")
        )
        rows = []
        for household in households:
            people = members.get(household.pk, [])
            head = next((p for p in people if p.relationship == Relationship.HEAD), people[0] if people else None)
            rows.append(
                {"household": household, "head": head, "members": len(people), "abroad": abroad.get(household.pk, 0)}
            )
        return rows


@require_GET
@scope_required(Action.READ)
def household_export(request: HttpRequest, scope: Scope) -> HttpResponse:
    """The filtered list as CSV or XLSX, for users with the export permission."""
    if not request.user.has_perm("households.export_household"):
        raise PermissionDenied
    form = HouseholdFilterForm(request.GET, user=request.user)
    if not form.is_valid():
        return HttpResponseBadRequest(_("The filters are not valid."))
    households = form.filter(scoped(Household.objects.all(), request.user, Action.READ))
    filters = {key: value for key, value in request.GET.items() if key not in {"format", "after"}}
    dataset = household_list_export(households=households, user=request.user, filters=filters)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(
            dataset.export("xlsx"), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = f'attachment; filename="rumah-tangga-{stamp}.xlsx"'
        return response
    # A BOM so that Excel opens the UTF-8 file with the right characters.
    response = HttpResponse("\ufeff" + dataset.export("csv"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="rumah-tangga-{stamp}.csv"'
    return response
