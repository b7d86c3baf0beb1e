"""Pages of pillar 4 and of village facilities, scoped by the access module."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.http import HttpRequest
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView, ListView

from cooperatives.forms import CooperativeForm, FacilityForm, MembershipForm
from cooperatives.models import Cooperative, Facility, Membership
from desmigratif.access import Action, ScopedQuerysetMixin, ScopeRequiredMixin, can, get_scoped_object_or_404, scoped
from desmigratif.pagination import KeysetListMixin
from desmigratif.views import VersionedFormView
from households.models import Household


def household_from(request: HttpRequest) -> Household | None:
    """The household the officer came from (its page's "Add to a cooperative"), if they may write it."""
    pk = request.GET.get("household", "")
    if not pk.isdigit():
        return None
    return scoped(Household.objects.filter(pk=pk), request.user, Action.WRITE).first()


class CooperativeListView(ScopedQuerysetMixin, KeysetListMixin, ListView):
    model = Cooperative
    scope_action = Action.READ
    template_name = "cooperatives/cooperative_list.html"
    keyset_order = ("name", "id")

    def for_household(self) -> Household | None:
        return household_from(self.request)

    def get_queryset(self) -> QuerySet[Cooperative]:
        current = Q(memberships__left_on__isnull=True)
        cooperatives = super().get_queryset()
        household = self.for_household()
        if household is not None:  # the cooperatives serving its village
            served = Q(village_id=household.village_id) | Q(villages_served=household.village_id)
            cooperatives = cooperatives.filter(pk__in=Cooperative.objects.filter(served).values("pk"))
        return (
            cooperatives.select_related("village")
            .annotate(member_count=Count("memberships", filter=current))
            .order_by("name", "id")
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "for_household": self.for_household()}


class CooperativeDetailView(ScopedQuerysetMixin, DetailView):
    model = Cooperative
    scope_action = Action.READ
    template_name = "cooperatives/cooperative_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        cooperative = self.object
        memberships = cooperative.memberships.select_related("household", "person")
        return {
            **super().get_context_data(**kwargs),
            "memberships": memberships,
            "totals": memberships.filter(left_on__isnull=True).aggregate(
                capital=Sum("share_capital"), savings=Sum("savings")
            ),
            "can_edit": can(self.request.user, Action.WRITE, cooperative.village_id),
        }


class CooperativeCreateView(ScopeRequiredMixin, VersionedFormView):
    scope_action = Action.WRITE  # the form offers only villages the user may write in
    form_class = CooperativeForm
    title = gettext_lazy("New cooperative")

    def record(self) -> Cooperative:
        return Cooperative()


class CooperativeUpdateView(VersionedFormView):
    form_class = CooperativeForm
    title = gettext_lazy("Edit cooperative")

    def record(self) -> Cooperative:
        return get_scoped_object_or_404(
            Cooperative.objects.all(), self.request.user, Action.WRITE, pk=self.kwargs["pk"]
        )


class MembershipCreateView(VersionedFormView):
    form_class = MembershipForm
    title = gettext_lazy("New member")

    def record(self) -> Membership:
        cooperative = get_scoped_object_or_404(
            Cooperative.objects.all(), self.request.user, Action.WRITE, pk=self.kwargs["pk"]
        )
        # Opened from a household's page: that household, chosen (the form still checks it).
        return Membership(cooperative=cooperative, household=household_from(self.request))


class FacilityListView(ScopedQuerysetMixin, KeysetListMixin, ListView):
    model = Facility
    scope_action = Action.READ
    template_name = "cooperatives/facility_list.html"
    keyset_order = ("village_id", "kind", "id")
    page_size = 100

    def get_queryset(self) -> QuerySet[Facility]:
        return super().get_queryset().select_related("village")


class FacilityCreateView(ScopeRequiredMixin, VersionedFormView):
    scope_action = Action.WRITE  # the form offers only villages the user may write in
    form_class = FacilityForm
    title = gettext_lazy("New village facility")

    def record(self) -> Facility:
        return Facility()


class FacilityUpdateView(VersionedFormView):
    form_class = FacilityForm
    title = gettext_lazy("Edit village facility")

    def record(self) -> Facility:
        return get_scoped_object_or_404(Facility.objects.all(), self.request.user, Action.WRITE, pk=self.kwargs["pk"])
