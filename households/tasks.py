"""Background work of pillar 1 (django-tasks, database backend): checking and writing imports."""

from __future__ import annotations

import io
import logging

from django.db import InterfaceError, OperationalError, connection
from django.utils.translation import gettext as _
from django.utils.translation import override

from households.imports.commit import ImportRefusedError, import_commit
from households.imports.reading import ReadError, read_table
from households.imports.staging import StageResult, import_stage, kept_problems, staged_villages
from households.imports.workers import worker_on
from households.models import ImportBatch, ImportRow

logger = logging.getLogger(__name__)

try:
    from django.tasks import task
except ImportError:  # Django 5.2: the django-tasks backport
    from django_tasks import task


def batch_stage(batch: ImportBatch) -> StageResult:
    """Stage the batch's upload (progress on the batch as it goes) and store the preview on it."""
    data = bytes(batch.upload or b"")
    total = max(1, data.count(b"\n"))

    def progress(rows: int) -> None:
        ImportBatch.objects.filter(pk=batch.pk).update(progress=min(99, rows * 100 // total))

    try:
        result = import_stage(
            batch=batch, table=read_table(io.BytesIO(data), batch.file_name), user=batch.user, progress=progress
        )
    except ReadError as refusal:
        result = StageResult(fatal=[refusal.message])
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=ImportBatch.Status.FAILED if result.fatal else ImportBatch.Status.VALIDATED,
        message=" ".join(result.fatal),
        counts=result.counts,
        problems=[] if result.fatal else kept_problems(batch),
        notes=result.notes,
        villages=[] if result.fatal else staged_villages(batch),
        progress=100,
    )
    return result


@task()
def validate_import(batch_id: int) -> None:
    """Check every row of an uploaded file and store the preview on the batch."""
    batch = ImportBatch.objects.select_related("user").get(pk=batch_id)
    ImportBatch.objects.filter(pk=batch_id).update(status=ImportBatch.Status.VALIDATING, progress=0)
    with override("id"), worker_on(batch_id):
        try:
            batch_stage(batch)
        except Exception:
            _mark_failed(batch_id, _("Checking failed. Upload the file again, or ask your administrator."))
            raise


def _mark_failed(batch_id: int, message: str, *, write_failed: bool = False) -> None:
    """Say on the batch that its task failed, on a new connection if the old one died with the
    database (a restart, a dropped link): the task's own transaction is rolled back either way."""
    for attempt in (1, 2):
        try:
            ImportBatch.objects.filter(pk=batch_id).update(
                status=ImportBatch.Status.FAILED, progress=100, message=message, write_failed=write_failed
            )
            return
        except (OperationalError, InterfaceError):
            connection.close()
            if attempt == 2:
                raise


def refresh_figures_after_import() -> None:
    """Recount the villages the import wrote, so the dashboards show it at once. A failure
    here does not undo the import: the next refresh catches up."""
    from dashboards.services import figures_refresh_changed  # reads every pillar: imported late

    try:
        figures_refresh_changed()
    except Exception:
        logger.exception("Refreshing the dashboards' figures after an import failed")


@task()
def commit_import(batch_id: int, mode: str) -> None:
    """Write a validated batch from its staged rows (staged again if they were lost)."""
    batch = ImportBatch.objects.select_related("user").get(pk=batch_id)
    with override("id"), worker_on(batch_id):
        try:
            if not ImportRow.objects.filter(batch=batch).exists() and batch_stage(batch).fatal:
                return
            import_commit(batch=batch, user=batch.user, mode=mode)
        except ImportRefusedError as refusal:
            ImportBatch.objects.filter(pk=batch_id).update(
                status=ImportBatch.Status.VALIDATED, message=refusal.message, progress=100
            )
            return
        except Exception:
            _mark_failed(
                batch_id,
                _("Writing failed and nothing was written. You can write it again, or ask your administrator."),
                write_failed=True,
            )
            raise
        refresh_figures_after_import()
