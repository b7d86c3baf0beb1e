"""The placement list extracts: upload and list (coordinators and administrators upload),
one extract's three lists per village with the review of matches by name, and the one-shot
actions (apply, revert, discard, a review decision, an officer's follow-up done)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from django.views.generic import DetailView, FormView

from desmigratif.access import (
    Action,
    Scope,
    ScopeRequiredMixin,
    get_scoped_object_or_404,
    scope_for,
    scope_required,
)
from desmigratif.http import AuthenticatedHttpRequest
from placements.forms import PlacementUploadForm
from placements.lists import batch_lists, open_gaps, placement_batches_for
from placements.models import PlacementBatch, PlacementGap, PlacementRecord
from placements.services import (
    PlacementFileError,
    PlacementStateError,
    placement_batch_apply,
    placement_batch_discard,
    placement_batch_revert,
    placement_batch_upload,
    placement_decide,
    placement_gap_check,
)


class PlacementIndexView(ScopeRequiredMixin, FormView):
    """The extracts of the user's areas, the upload for those who coordinate, and the
    follow-ups of the user's villages."""

    template_name = "placements/index.html"
    form_class = PlacementUploadForm
    scope_action = Action.READ
    request: AuthenticatedHttpRequest

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            batches=placement_batches_for(self.request.user),
            gaps=open_gaps(self.request.user),
            may_upload=not scope_for(self.request.user, Action.APPROVE).is_empty,
            section="households",
        )
        return context

    def post(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        if scope_for(request.user, Action.APPROVE).is_empty:
            raise Http404
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: PlacementUploadForm) -> HttpResponse:
        upload = form.cleaned_data["file"]
        try:
            batch = placement_batch_upload(
                user=self.request.user,
                data=upload.read(),
                file_name=upload.name,
                area=form.cleaned_data["area"],
                source=form.cleaned_data["source"],
                extracted_on=form.cleaned_data["extracted_on"],
            )
        except (PlacementFileError, PlacementStateError) as refusal:
            form.add_error("file", str(refusal))
            return self.form_invalid(form)
        return redirect(batch)


def _batch_of(user: Any, pk: int) -> PlacementBatch:
    batch = next((b for b in placement_batches_for(user) if b.pk == pk), None)
    if batch is None:
        raise Http404
    return batch


def _coordinated(user: Any, pk: int) -> PlacementBatch:
    """An extract the user may act on: one of an area inside their approval scope."""
    batch = _batch_of(user, pk)
    if not scope_for(user, Action.APPROVE).contains(batch.area_code):
        raise Http404
    return batch


class PlacementDetailView(LoginRequiredMixin, DetailView):
    template_name = "placements/detail.html"
    context_object_name = "batch"
    request: AuthenticatedHttpRequest

    def get_object(self, queryset: Any = None) -> PlacementBatch:
        return _batch_of(self.request.user, self.kwargs["pk"])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        batch = self.object
        lists = batch_lists(batch, self.request.user)
        return super().get_context_data(
            lists=lists,
            may_act=scope_for(self.request.user, Action.APPROVE).contains(batch.area_code),
            pending=lists.total("pending"),
            section="households",
            **kwargs,
        )


def _done(request: AuthenticatedHttpRequest, batch: PlacementBatch, action: Any) -> HttpResponse:
    try:
        message = action()
    except PlacementStateError as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, message)
    return redirect(batch)


@require_POST
@scope_required(Action.APPROVE)
def placement_apply_view(request: AuthenticatedHttpRequest, pk: int, scope: Scope) -> HttpResponse:
    batch = _coordinated(request.user, pk)

    def apply() -> str:
        count = placement_batch_apply(batch=batch, user=request.user)
        return ngettext(
            "Applied: %(count)d stay abroad is marked confirmed by the placement list.",
            "Applied: %(count)d stays abroad are marked confirmed by the placement list.",
            count,
        ) % {"count": count}

    return _done(request, batch, apply)


@require_POST
@scope_required(Action.APPROVE)
def placement_revert_view(request: AuthenticatedHttpRequest, pk: int, scope: Scope) -> HttpResponse:
    batch = _coordinated(request.user, pk)

    def revert() -> str:
        count = placement_batch_revert(batch=batch, user=request.user)
        return _("Reverted: %(count)d stays abroad have their earlier mark again.") % {"count": count}

    return _done(request, batch, revert)


@require_POST
@scope_required(Action.APPROVE)
def placement_discard_view(request: AuthenticatedHttpRequest, pk: int, scope: Scope) -> HttpResponse:
    batch = _coordinated(request.user, pk)
    try:
        placement_batch_discard(batch=batch)
    except PlacementStateError as refusal:
        messages.error(request, str(refusal))
        return redirect(batch)
    messages.success(request, _("The extract was discarded and its rows deleted."))
    return redirect("placements:index")


@require_POST
@scope_required(Action.APPROVE)
def placement_decide_view(request: AuthenticatedHttpRequest, pk: int, scope: Scope) -> HttpResponse:
    record = get_object_or_404(PlacementRecord.objects.select_related("batch"), pk=pk)
    batch = _coordinated(request.user, record.batch_id)
    confirmed = request.POST.get("decision") == "confirm"

    def decide() -> str:
        placement_decide(record=record, user=request.user, confirmed=confirmed)
        return _("The match was confirmed.") if confirmed else _("The match was rejected.")

    return _done(request, batch, decide)


@require_POST
@scope_required(Action.WRITE)
def placement_gap_check_view(request: AuthenticatedHttpRequest, pk: int, scope: Scope) -> HttpResponse:
    gap = get_scoped_object_or_404(PlacementGap.objects.all(), request.user, Action.WRITE, pk=pk)
    placement_gap_check(gap=gap, user=request.user)
    messages.success(request, _("Marked as asked about."))
    return redirect("placements:index")
