"""Pages of pillar 3. Learning houses and sessions follow the read scope; children's records
(names, parents abroad, caregivers) need the village's write scope, and each view of one
is logged."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView, ListView

from childcare.forms import ChildForm, LearningHouseForm, SessionForm
from childcare.models import Child, LearningHouse, Session
from desmigratif.access import Action, ScopedQuerysetMixin, ScopeRequiredMixin, can, get_scoped_object_or_404
from desmigratif.http import AuthenticatedHttpRequest
from desmigratif.models import AccessLog
from desmigratif.pagination import KeysetListMixin
from desmigratif.views import VersionedFormView
from households.models import Person


class LearningHouseListView(ScopedQuerysetMixin, KeysetListMixin, ListView):
    model = LearningHouse
    scope_action = Action.READ
    template_name = "childcare/house_list.html"
    keyset_order = ("name", "id")

    def get_queryset(self) -> QuerySet[LearningHouse]:
        return (
            super()
            .get_queryset()
            .select_related("village")
            .annotate(child_count=Count("children", distinct=True), session_count=Count("sessions", distinct=True))
            .order_by("name", "id")
        )


class LearningHouseDetailView(ScopedQuerysetMixin, DetailView):
    model = LearningHouse
    scope_action = Action.READ
    template_name = "childcare/house_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        house = self.object
        may_see_children = can(self.request.user, Action.WRITE, house.village_id)
        return {
            **super().get_context_data(**kwargs),
            "can_edit": may_see_children,
            "children": house.children.select_related("person") if may_see_children else None,
            "child_count": house.children.count(),
            # Newest first: the learning house's latest activity is what its visitors look for.
            "sessions": house.sessions.select_related("kind")
            .annotate(child_count=Count("children", distinct=True), caregiver_count=Count("caregivers", distinct=True))
            .order_by("-held_on", "-id"),
        }


class LearningHouseCreateView(ScopeRequiredMixin, VersionedFormView):
    scope_action = Action.WRITE  # the form offers only villages the user may write in
    form_class = LearningHouseForm
    title = gettext_lazy("New learning house")

    def record(self) -> LearningHouse:
        return LearningHouse()


class LearningHouseUpdateView(VersionedFormView):
    form_class = LearningHouseForm
    title = gettext_lazy("Edit learning house")

    def record(self) -> LearningHouse:
        return get_scoped_object_or_404(
            LearningHouse.objects.all(), self.request.user, Action.WRITE, pk=self.kwargs["pk"]
        )


class ChildCreateView(VersionedFormView):
    """Started from the household page, for a member under 18."""

    form_class = ChildForm
    title = gettext_lazy("Register a child")

    def record(self) -> Child:
        person = get_scoped_object_or_404(
            Person.objects.select_related("household"), self.request.user, Action.WRITE, pk=self.kwargs["person_pk"]
        )
        return getattr(person, "child", None) or Child(person=person)


class ChildUpdateView(VersionedFormView):
    form_class = ChildForm
    title = gettext_lazy("Edit child's record")

    def record(self) -> Child:
        return get_scoped_object_or_404(
            Child.objects.select_related("person__household"), self.request.user, Action.WRITE, pk=self.kwargs["pk"]
        )


class ChildDetailView(ScopedQuerysetMixin, DetailView):
    model = Child
    scope_action = Action.WRITE  # the village's officers only
    template_name = "childcare/child_detail.html"
    request: AuthenticatedHttpRequest

    def get_queryset(self) -> QuerySet[Child]:
        return (
            super()
            .get_queryset()
            .select_related("person__household", "learning_house", "caregiver")
            .prefetch_related("parents_abroad__person")
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        AccessLog.objects.create(
            user=self.request.user,
            kind=AccessLog.Kind.CHILD_VIEW,
            what=f"child {self.object.pk}",
            detail={"village": self.object.person.household.village_id},
        )
        return {
            **super().get_context_data(**kwargs),
            "sessions": self.object.sessions.select_related("kind", "learning_house")[:50],
        }


class SessionCreateView(VersionedFormView):
    form_class = SessionForm
    title = gettext_lazy("New session")

    def record(self) -> Session:
        house = get_scoped_object_or_404(
            LearningHouse.objects.all(), self.request.user, Action.WRITE, pk=self.kwargs["pk"]
        )
        return Session(learning_house=house)
