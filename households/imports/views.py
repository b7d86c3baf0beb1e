"""The import pages: upload, progress and preview, confirm, approve, check again, error
file, roll back. Thin: every step is a call into households.imports.batches."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST
from django.views.generic import DetailView, FormView, TemplateView

from desmigratif.access import Action, Scope, ScopeRequiredMixin, scope_for, scope_required
from desmigratif.forms import VillageField, form_field
from desmigratif.http import AuthenticatedHttpRequest
from households.imports import batches, review
from households.imports.batches import BatchStateError, batches_of, can_approve, can_write, upload_kept
from households.imports.commit import ImportRefusedError
from households.imports.errors import error_cells_ensure, error_file_csv, error_file_xlsx, has_error_file
from households.imports.reading import MAX_UPLOAD_BYTES, ReadError
from households.imports.template import template_csv, template_xlsx
from households.imports.workers import stalled_batches_fail
from households.models import ImportBatch

COUNT_LABELS = {
    "rows": gettext_lazy("Rows in the file"),
    "problems": gettext_lazy("Problems found"),
    "rows_invalid": gettext_lazy("Rows with errors"),
    "rows_held_back": gettext_lazy("Rows held back with their head of family"),
    "rows_warned": gettext_lazy("Rows with warnings"),
    "duplicates_in_file": gettext_lazy("NIKs repeated in the file"),
    "possible_duplicates": gettext_lazy("Possible duplicates of registered persons"),
    "rows_skipped": gettext_lazy("Rows skipped"),
    "households_create": gettext_lazy("Households to create"),
    "households_update": gettext_lazy("Households to update"),
    "households_unchanged": gettext_lazy("Households unchanged"),
    "persons_create": gettext_lazy("Persons to create"),
    "persons_update": gettext_lazy("Persons to update"),
    "persons_unchanged": gettext_lazy("Persons unchanged"),
    "episodes_create": gettext_lazy("Migration episodes to create"),
    "episodes_update": gettext_lazy("Migration episodes to update"),
    "episodes_unchanged": gettext_lazy("Migration episodes unchanged"),
    "households_created": gettext_lazy("Households created"),
    "households_updated": gettext_lazy("Households updated"),
    "persons_created": gettext_lazy("Persons created"),
    "persons_updated": gettext_lazy("Persons updated"),
    "episodes_created": gettext_lazy("Migration episodes created"),
    "episodes_updated": gettext_lazy("Migration episodes updated"),
}
KIND_LABELS = {
    "household": gettext_lazy("Household"),
    "person": gettext_lazy("Person"),
    "episode": gettext_lazy("Stay abroad"),
}
RUNNING = {
    ImportBatch.Status.UPLOADED,
    ImportBatch.Status.VALIDATING,
    ImportBatch.Status.COMMITTING,
    ImportBatch.Status.ROLLING_BACK,
}


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("CSV or XLSX file"))
    village = VillageField(
        required=False,
        label=gettext_lazy("Village of the rows"),
        help_text=gettext_lazy(
            "Only for a file without a Kode Desa column, such as an OpenSID export. Not needed if your "
            "account has one village."
        ),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "village", VillageField).limit_to(user, Action.WRITE)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(limit)s MB. Split it into smaller files.")
                % {"limit": MAX_UPLOAD_BYTES // (1024 * 1024)}
            )
        return upload


class ConfirmForm(forms.Form):
    mode = forms.ChoiceField(
        label=gettext_lazy("Write"),
        choices=ImportBatch.Mode.choices,
        initial=ImportBatch.Mode.ALL_OR_NOTHING,
        widget=forms.RadioSelect,
    )


class ImportHomeView(ScopeRequiredMixin, FormView):
    """Upload a file; the user's recent imports."""

    scope_action = Action.WRITE
    form_class = UploadForm
    template_name = "households/import_home.html"
    request: AuthenticatedHttpRequest

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "batches": batches_of(self.request.user)[:50]}

    def form_valid(self, form: UploadForm) -> HttpResponse:
        upload = form.cleaned_data["file"]
        try:
            batch = batches.batch_upload(
                user=self.request.user, file_name=upload.name, data=upload.read(), village=form.cleaned_data["village"]
            )
        except (ReadError, ImportRefusedError) as refusal:
            form.add_error("file", refusal.message)
            return self.form_invalid(form)
        return redirect("households:import-detail", pk=batch.pk)


class ImportApprovalsView(LoginRequiredMixin, TemplateView):
    """Batches waiting for this coordinator's approval."""

    template_name = "households/import_approvals.html"
    request: AuthenticatedHttpRequest

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        if scope_for(self.request.user, Action.APPROVE).is_empty:
            raise Http404
        return {**super().get_context_data(**kwargs), "batches": batches.awaiting_approval_by(self.request.user)}


class ImportDetailView(LoginRequiredMixin, DetailView):
    """A batch: its progress while a step runs, then its preview or what it did. The part that
    moves is a partial the page polls with htmx."""

    template_name = "households/import_detail.html"
    context_object_name = "batch"
    request: AuthenticatedHttpRequest
    http_method_names = ["get"]

    def get_queryset(self):
        return batches_of(self.request.user)

    def get_object(self, queryset: Any = None) -> ImportBatch:
        batch = super().get_object(queryset)
        if batch.status in RUNNING and stalled_batches_fail(batches=ImportBatch.objects.filter(pk=batch.pk)):
            batch = super().get_object(queryset)  # its worker had gone: it says so now
        return batch

    def get_template_names(self) -> list[str]:
        return [self.template_name + ("#batch-status" if self.request.htmx else "")]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        batch: ImportBatch = self.object
        user = self.request.user
        owner = can_write(user, batch)
        counts = dict(batch.counts)
        removed = counts.pop("values_removed", None)
        return {
            **super().get_context_data(**kwargs),
            "running": batch.status in RUNNING,
            "confirm": ConfirmForm() if batch.is_writable and owner else None,
            "recheck": owner and batch.status == ImportBatch.Status.VALIDATED and upload_kept(batch),
            "rollback": owner and batch.status == ImportBatch.Status.COMMITTED,
            "approve": batch.status == ImportBatch.Status.AWAITING_APPROVAL and can_approve(user, batch),
            "problems": batch.problems[:200],
            # In the order of COUNT_LABELS: the file, its problems, then what would be written.
            "counts": [(label, counts[key]) for key, label in COUNT_LABELS.items() if key in counts],
            "values_removed": removed,
            "changes": _changes(batch.review.get("changes", {})),
            "disagreements": batch.review.get("disagreements", {}),
            "error_file": has_error_file(batch),
        }


def _changes(summary: dict[str, Any]) -> list[dict[str, Any]]:
    """The preview's field-by-field changes, with labels and values as officers read them."""
    shown = []
    for entry in summary.get("fields", []):
        kind, column = entry["kind"], entry["field"]
        shown.append(
            {
                "kind": KIND_LABELS[kind],
                "field": review.field_label(kind, column),
                "changed": entry["changed"],
                "removed": entry["removed"],
                "examples": [
                    (label, review.describe(kind, column, before), review.describe(kind, column, after))
                    for label, before, after in entry["examples"]
                ],
            }
        )
    return shown


def _batch(request: AuthenticatedHttpRequest, pk: int) -> ImportBatch:
    return get_object_or_404(batches_of(request.user), pk=pk)


def _step(request: AuthenticatedHttpRequest, batch: ImportBatch, step: Any, **kwargs: Any) -> HttpResponse:
    """Run one step of the batch's life; a refusal is a message on the batch's page."""
    try:
        step(batch=batch, user=request.user, **kwargs)
    except BatchStateError as refusal:
        messages.error(request, refusal.message)
    return redirect("households:import-detail", pk=batch.pk)


@require_POST
@scope_required(Action.WRITE)
def import_confirm(request: AuthenticatedHttpRequest, pk: int, scope: Scope) -> HttpResponse:
    batch = _batch(request, pk)
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose how the batch is written."))
        return redirect("households:import-detail", pk=batch.pk)
    response = _step(request, batch, batches.batch_confirm, mode=form.cleaned_data["mode"])
    batch.refresh_from_db(fields=["status"])
    if batch.status == ImportBatch.Status.AWAITING_APPROVAL:
        messages.info(request, _("The batch waits for your coordinator's approval before it is written."))
    return response


@require_POST
@scope_required(Action.WRITE)
def import_recheck(request: AuthenticatedHttpRequest, pk: int, scope: Scope) -> HttpResponse:
    return _step(request, _batch(request, pk), batches.batch_recheck)


@require_POST
@scope_required(Action.APPROVE)
def import_approve(request: AuthenticatedHttpRequest, pk: int, scope: Scope) -> HttpResponse:
    """A coordinator approves (or rejects) an officer's batch for their area."""
    batch = get_object_or_404(ImportBatch.objects.defer("upload"), pk=pk, status=ImportBatch.Status.AWAITING_APPROVAL)
    if not can_approve(request.user, batch):
        raise Http404
    if request.POST.get("decision") == "reject":
        return _step(request, batch, batches.batch_reject)
    return _step(request, batch, batches.batch_approve)


@require_POST
@scope_required(Action.WRITE)
def import_rollback(request: AuthenticatedHttpRequest, pk: int, scope: Scope) -> HttpResponse:
    return _step(request, _batch(request, pk), batches.batch_rollback_request)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"


def _download(content: bytes, kind: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX if kind == "xlsx" else CSV)
    response["Content-Disposition"] = f'attachment; filename="{name}.{kind}"'
    return response


@require_GET
@scope_required(Action.WRITE)
def import_error_file(request: AuthenticatedHttpRequest, pk: int, scope: Scope, kind: str) -> HttpResponse:
    """The rows with problems as they were typed, with what is wrong, to fix and upload again."""
    if kind not in {"xlsx", "csv"}:
        raise Http404
    batch = _batch(request, pk)
    error_cells_ensure(batch)
    content = error_file_xlsx(batch) if kind == "xlsx" else error_file_csv(batch)
    return _download(content, kind, f"kesalahan-{batch.pk}")


@require_GET
@scope_required(Action.WRITE)
def import_template(request: AuthenticatedHttpRequest, scope: Scope, kind: str) -> HttpResponse:
    if kind not in {"csv", "xlsx"}:
        raise Http404
    return _download(template_xlsx() if kind == "xlsx" else template_csv(), kind, "templat-rumah-tangga")
