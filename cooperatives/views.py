"""Pages of pillar 4 and of village facilities, scoped by the access module."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView, ListView

from cooperatives.forms import CooperativeForm, FacilityForm, MembershipForm
from cooperatives.models import Cooperative, Facility, Membership
from desmigratif.access import Action, ScopedQuerysetMixin, ScopeRequiredMixin, can, get_scoped_object_or_404
from desmigratif.pagination import KeysetListMixin
from desmigratif.views import VersionedFormView


class CooperativeListView(ScopedQuerysetMixin, KeysetListMixin, ListView):
    model = Cooperative
    scope_action = Action.READ
    template_name = "cooperatives/cooperative_list.html"
    keyset_order = ("name", "id")

    def get_queryset(self) -> QuerySet[Cooperative]:
        current = Q(memberships__left_on__isnull=True)
        return (
            super()
            .get_queryset()
            .select_related("village")
            .annotate(member_count=Count("memberships", filter=current))
            .order_by("name", "id")
        )


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
        return Membership(cooperative=cooperative)


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
