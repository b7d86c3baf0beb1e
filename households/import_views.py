"""The import pages: upload, progress and preview, confirm, error file, history, rollback."""

from __future__ import annotations

import csv
import io
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from desmigratif.access import Action, AnyUser, Scope, scope_for, scope_required
from desmigratif.models import AccessLog
from households.imports.commit import ImportRefusedError, file_digest, import_rollback
from households.imports.reading import MAX_UPLOAD_BYTES, ReadError, read_table
from households.imports.template import template_csv, template_xlsx
from households.imports.workers import stalled_batches_fail
from households.models import ImportBatch, ImportRow
from households.tasks import commit_import, validate_import
from households.validators import escape_formula
from households.views import figures_changed

COUNT_LABELS = {
    "rows": gettext_lazy("Rows in the file"),
    "problems": gettext_lazy("Problems found"),
    "rows_invalid": gettext_lazy("Rows with errors"),
    "households_create": gettext_lazy("Households to create"),
    "households_update": gettext_lazy("Households to update"),
    "persons_create": gettext_lazy("Persons to create"),
    "persons_update": gettext_lazy("Persons to update"),
    "episodes_create": gettext_lazy("Migration episodes to create"),
    "episodes_update": gettext_lazy("Migration episodes to update"),
    "duplicates_in_file": gettext_lazy("NIKs repeated in the file"),
    "possible_duplicates": gettext_lazy("Possible duplicates of registered persons"),
    "rows_skipped": gettext_lazy("Rows skipped"),
    "households_created": gettext_lazy("Households created"),
    "households_updated": gettext_lazy("Households updated"),
    "households_unchanged": gettext_lazy("Households unchanged"),
    "persons_created": gettext_lazy("Persons created"),
    "persons_updated": gettext_lazy("Persons updated"),
    "persons_unchanged": gettext_lazy("Persons unchanged"),
    "episodes_created": gettext_lazy("Migration episodes created"),
    "episodes_updated": gettext_lazy("Migration episodes updated"),
    "episodes_unchanged": gettext_lazy("Migration episodes unchanged"),
}
RUNNING = {ImportBatch.Status.UPLOADED, ImportBatch.Status.VALIDATING, ImportBatch.Status.COMMITTING}


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("CSV or XLSX file"))

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


def batches_of(user: AnyUser) -> QuerySet[ImportBatch]:
    """Users see the batches they uploaded, and coordinators the batches waiting for their
    approval (every village of the batch inside their approval scope); superusers see all."""
    queryset = ImportBatch.objects.defer("upload").select_related("user")
    if user.is_superuser:
        return queryset
    return queryset.filter(
        Q(user=user) | Q(approved_by=user) | Q(pk__in=[batch.pk for batch in awaiting_approval_by(user)])
    )


def can_approve(user: AnyUser, batch: ImportBatch) -> bool:
    scope = scope_for(user, Action.APPROVE)
    return bool(batch.villages) and all(scope.contains(code) for code in batch.villages)


def awaiting_approval_by(user: AnyUser) -> list[ImportBatch]:
    if scope_for(user, Action.APPROVE).is_empty:
        return []
    waiting = ImportBatch.objects.defer("upload").filter(status=ImportBatch.Status.AWAITING_APPROVAL)
    return [batch for batch in waiting if can_approve(user, batch)]


def _needs_approval(user: AnyUser, batch: ImportBatch) -> bool:
    return settings.IMPORT_APPROVAL_REQUIRED and not user.is_superuser and not can_approve(user, batch)


@scope_required(Action.WRITE)
def import_home(request: HttpRequest, scope: Scope) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data["file"].read()
        try:
            read_table(data, form.cleaned_data["file"].name)  # refuse unreadable files at once
        except ReadError as refusal:
            form.add_error("file", refusal.message)
        else:
            batch = ImportBatch.objects.create(
                user=request.user,
                file_name=form.cleaned_data["file"].name[:255],
                sha256=file_digest(data),
                size=len(data),
                upload=data,
                status=ImportBatch.Status.UPLOADED,
                progress=0,
            )
            AccessLog.objects.create(
                user=request.user,
                kind=AccessLog.Kind.IMPORT,
                what="households",
                detail={"batch": batch.pk, "file": batch.file_name, "sha256": batch.sha256},
            )
            validate_import.enqueue(batch.pk)
            return redirect("households:import-detail", pk=batch.pk)
    return render(request, "households/import_home.html", {"form": form, "batches": batches_of(request.user)[:50]})


@login_required
def import_approvals(request: HttpRequest) -> HttpResponse:
    """Batches waiting for this coordinator's approval."""
    if scope_for(request.user, Action.APPROVE).is_empty:
        raise Http404
    return render(request, "households/import_approvals.html", {"batches": awaiting_approval_by(request.user)})


def _batch(request: HttpRequest, pk: int) -> ImportBatch:
    return get_object_or_404(batches_of(request.user), pk=pk)


@require_GET
@login_required
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    if batch.status in RUNNING and stalled_batches_fail(batches=ImportBatch.objects.filter(pk=batch.pk)):
        batch = _batch(request, pk)  # its worker had gone: it says so now
    context: dict[str, Any] = {
        "batch": batch,
        "running": batch.status in RUNNING,
        "confirm": ConfirmForm() if batch.is_writable and batch.user_id == request.user.pk else None,
        "approve": batch.status == ImportBatch.Status.AWAITING_APPROVAL and can_approve(request.user, batch),
        "problems": batch.problems[:200],
        "counts": [(COUNT_LABELS.get(key, key), value) for key, value in batch.counts.items()],
    }
    template = "households/import_detail.html"
    if request.htmx:
        template += "#batch-status"
    return render(request, template, context)


@require_POST
@scope_required(Action.WRITE)
def import_confirm(request: HttpRequest, pk: int, scope: Scope) -> HttpResponse:
    batch = _batch(request, pk)
    form = ConfirmForm(request.POST)
    if not batch.is_writable or not form.is_valid():
        messages.error(request, _("This batch cannot be written now."))
        return redirect("households:import-detail", pk=batch.pk)
    mode = form.cleaned_data["mode"]
    if _needs_approval(request.user, batch):
        ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.AWAITING_APPROVAL, mode=mode)
        messages.info(request, _("The batch waits for your coordinator's approval before it is written."))
        return redirect("households:import-detail", pk=batch.pk)
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=ImportBatch.Status.COMMITTING, progress=0, message="", write_failed=False
    )
    commit_import.enqueue(batch.pk, mode)
    return redirect("households:import-detail", pk=batch.pk)


@require_POST
@scope_required(Action.APPROVE)
def import_approve(request: HttpRequest, pk: int, scope: Scope) -> HttpResponse:
    """A coordinator approves (or rejects) an officer's batch for their area."""
    batch = get_object_or_404(ImportBatch.objects.defer("upload"), pk=pk, status=ImportBatch.Status.AWAITING_APPROVAL)
    if not can_approve(request.user, batch):
        raise Http404
    if request.POST.get("decision") == "reject":
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=ImportBatch.Status.FAILED,
            message=_("Rejected by %(user)s.") % {"user": request.user.get_display_name()},
        )
        return redirect("households:import-detail", pk=batch.pk)
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=ImportBatch.Status.COMMITTING,
        progress=0,
        message="",
        approved_by=request.user,
        approved_at=timezone.now(),
    )
    commit_import.enqueue(batch.pk, batch.mode)
    return redirect("households:import-detail", pk=batch.pk)


@require_POST
@scope_required(Action.WRITE)
def import_rollback_view(request: HttpRequest, pk: int, scope: Scope) -> HttpResponse:
    batch = _batch(request, pk)
    try:
        import_rollback(batch=batch, user=request.user)
    except ImportRefusedError as refusal:
        messages.error(request, refusal.message)
    else:
        figures_changed()
        messages.success(request, _("The batch was rolled back."))
    return redirect("households:import-detail", pk=batch.pk)


@require_GET
@scope_required(Action.WRITE)
def import_error_file(request: HttpRequest, pk: int, scope: Scope) -> HttpResponse:
    """The original rows plus an error column, to fix in Excel and upload again."""
    batch = get_object_or_404(ImportBatch.objects.filter(pk__in=batches_of(request.user).values("pk")), pk=pk)
    if not batch.upload:
        raise Http404
    table = read_table(bytes(batch.upload), batch.file_name)
    by_row: dict[int, list[str]] = {}
    staged = ImportRow.objects.filter(batch=batch).exclude(problems=[]).values_list("number", "problems")
    for number, problems in staged.iterator(chunk_size=2000):
        by_row[number] = [f"{problem['column']}: {problem['message']}" for problem in problems]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow([*table.headers, _("Errors")])
    for number, cells in table.rows:
        if number in by_row:
            writer.writerow([*(escape_formula(cell) for cell in cells), " | ".join(by_row[number])])
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="kesalahan-{batch.pk}.csv"'
    return response


@require_GET
@scope_required(Action.WRITE)
def import_template(request: HttpRequest, scope: Scope, kind: str) -> HttpResponse:
    if kind not in {"csv", "xlsx"}:
        raise Http404
    if kind == "xlsx":
        response = HttpResponse(
            template_xlsx(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    else:
        response = HttpResponse(template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="templat-rumah-tangga.{kind}"'
    return response
