"""Pages of pillar 1. Every queryset goes through desmigratif.access."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.views.generic import DetailView

from desmigratif.access import Action, ScopedQuerysetMixin, can_see_full_nik
from households.models import Household, KKNumber, MigrationEpisode, Person, ServiceRequest
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
