"""Pages of pillar 2: enterprises, trainings with attendance, mentoring visits, equipment aid.
Every queryset goes through the access module: other villages' records answer 404."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, QuerySet, Sum
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView, ListView

from desmigratif.access import (
    Action,
    ScopedQuerysetMixin,
    ScopeRequiredMixin,
    can,
    get_scoped_object_or_404,
    scoped,
)
from desmigratif.http import AuthenticatedHttpRequest
from desmigratif.pagination import KeysetListMixin
from desmigratif.pickers import picker_response
from desmigratif.views import VersionedFormView
from enterprises.forms import AttendanceForm, EnterpriseForm, EquipmentAidForm, MentoringVisitForm, TrainingForm
from enterprises.models import Category, Enterprise, EnterpriseStatus, EquipmentAid, MentoringVisit, Training
from enterprises.services import training_attendance_set
from households.models import Household


class EnterpriseListView(ScopedQuerysetMixin, KeysetListMixin, ListView):
    model = Enterprise
    scope_action = Action.READ
    template_name = "enterprises/enterprise_list.html"
    keyset_order = ("name", "id")

    def get_queryset(self) -> QuerySet[Enterprise]:
        queryset = super().get_queryset().select_related("village", "category", "owner")
        if category := self.request.GET.get("category"):
            queryset = queryset.filter(category__code=category)
        if (status := self.request.GET.get("status")) in EnterpriseStatus.values:
            queryset = queryset.filter(status=status)
        return queryset.order_by("name", "id")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {
            **super().get_context_data(**kwargs),
            "categories": Category.objects.active(),
            "statuses": EnterpriseStatus.choices,
            "category": self.request.GET.get("category", ""),
            "status": self.request.GET.get("status", ""),
        }


class EnterpriseDetailView(ScopedQuerysetMixin, DetailView):
    model = Enterprise
    scope_action = Action.READ
    template_name = "enterprises/enterprise_detail.html"

    def get_queryset(self) -> QuerySet[Enterprise]:
        return super().get_queryset().select_related("village", "category", "owner").prefetch_related("members")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        enterprise = self.object
        return {
            **super().get_context_data(**kwargs),
            "visits": enterprise.visits.all(),
            "aid": enterprise.aid.all(),
            "aid_total": enterprise.aid.aggregate(total=Sum("value"))["total"] or 0,
            # Its members' trainings the user may see: one held in another village is not theirs to read.
            "trainings": scoped(Training.objects.filter(participants__in=enterprise.members.all()), self.request.user)
            .distinct()
            .order_by("-starts_on"),
            "can_edit": can(self.request.user, Action.WRITE, enterprise.village_id),
        }


class EnterpriseCreateView(VersionedFormView):
    """Started from the owner household's page: village and owner come from it."""

    form_class = EnterpriseForm
    title = gettext_lazy("New enterprise")

    def record(self) -> Enterprise:
        household = get_scoped_object_or_404(
            Household.objects.select_related("village"), self.request.user, Action.WRITE, pk=self.kwargs["household_pk"]
        )
        return Enterprise(owner=household, village=household.village)


class EnterpriseUpdateView(VersionedFormView):
    form_class = EnterpriseForm
    title = gettext_lazy("Edit enterprise")

    def record(self) -> Enterprise:
        return get_scoped_object_or_404(
            Enterprise.objects.select_related("owner"), self.request.user, Action.WRITE, pk=self.kwargs["pk"]
        )


class MentoringVisitCreateView(VersionedFormView):
    form_class = MentoringVisitForm
    title = gettext_lazy("New mentoring visit")

    def record(self) -> MentoringVisit:
        enterprise = get_scoped_object_or_404(
            Enterprise.objects.all(), self.request.user, Action.WRITE, pk=self.kwargs["pk"]
        )
        return MentoringVisit(enterprise=enterprise)


class EquipmentAidCreateView(VersionedFormView):
    form_class = EquipmentAidForm
    title = gettext_lazy("New equipment aid")

    def record(self) -> EquipmentAid:
        enterprise = get_scoped_object_or_404(
            Enterprise.objects.all(), self.request.user, Action.WRITE, pk=self.kwargs["pk"]
        )
        return EquipmentAid(enterprise=enterprise)


class TrainingListView(ScopedQuerysetMixin, KeysetListMixin, ListView):
    model = Training
    scope_action = Action.READ
    template_name = "enterprises/training_list.html"
    keyset_order = ("-starts_on", "-id")

    def get_queryset(self) -> QuerySet[Training]:
        return (
            super()
            .get_queryset()
            .select_related("village")
            .annotate(participant_count=Count("attendances"))
            .order_by("-starts_on", "-id")
        )


class TrainingDetailView(ScopedQuerysetMixin, DetailView):
    model = Training
    scope_action = Action.READ
    template_name = "enterprises/training_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {
            **super().get_context_data(**kwargs),
            "participants": self.object.participants.select_related("household").order_by("name"),
            "can_edit": can(self.request.user, Action.WRITE, self.object.village_id),
        }


class TrainingCreateView(ScopeRequiredMixin, VersionedFormView[Training]):
    scope_action = Action.WRITE  # the form offers only villages the user may write in
    form_class = TrainingForm
    title = gettext_lazy("New training")

    def record(self) -> Training:
        return Training()

    def success_url(self, record: Training) -> str:
        return reverse("enterprises:training-attendance", args=[record.pk])


class TrainingUpdateView(VersionedFormView):
    form_class = TrainingForm
    title = gettext_lazy("Edit training")

    def record(self) -> Training:
        return get_scoped_object_or_404(Training.objects.all(), self.request.user, Action.WRITE, pk=self.kwargs["pk"])


@login_required
def training_attendance_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Tick the participants among the village's persons, all at once."""
    training = get_scoped_object_or_404(Training.objects.select_related("village"), request.user, Action.WRITE, pk=pk)
    form = AttendanceForm(request.POST or None, training=training, user=request.user)
    if picked := picker_response(request, form):
        return picked
    if request.method == "POST" and form.is_valid():
        added, removed = training_attendance_set(
            training=training, persons=form.cleaned_data["persons"], user=request.user
        )
        messages.success(
            request,
            _("Participants saved: %(added)s added, %(removed)s removed.") % {"added": added, "removed": removed},
        )
        return redirect(training)
    return render(request, "enterprises/training_attendance.html", {"training": training, "form": form})
