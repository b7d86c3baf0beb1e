"""Background work of pillar 1 (django-tasks, database backend): checking and writing imports."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import override

from households.imports.commit import ImportRefusedError, import_commit
from households.imports.reading import ReadError, read_table
from households.imports.validation import Analysis, analyse
from households.models import ImportBatch

try:
    from django.tasks import task
except ImportError:  # Django 5.2: the django-tasks backport
    from django_tasks import task

PROBLEMS_KEPT = 5000


def _analyse(batch: ImportBatch) -> Analysis:
    data = bytes(batch.upload or b"")
    total = max(1, data.count(b"\n"))

    def progress(rows: int) -> None:
        ImportBatch.objects.filter(pk=batch.pk).update(progress=min(99, rows * 100 // total))

    return analyse(read_table(data, batch.file_name), user=batch.user, progress=progress)


@task()
def validate_import(batch_id: int) -> None:
    """Check every row of an uploaded file and store the preview on the batch."""
    batch = ImportBatch.objects.select_related("user").get(pk=batch_id)
    ImportBatch.objects.filter(pk=batch_id).update(status=ImportBatch.Status.VALIDATING, progress=0)
    with override("id"):
        try:
            analysis = _analyse(batch)
        except ReadError as refusal:
            ImportBatch.objects.filter(pk=batch_id).update(
                status=ImportBatch.Status.FAILED, message=refusal.message, progress=100
            )
            return
        problems = [
            {"row": p.row, "column": p.column, "value": p.value, "message": p.message, "severity": p.severity}
            for p in analysis.problems[:PROBLEMS_KEPT]
        ]
        villages = sorted({row.household["village"] for row in analysis.rows if row.household.get("village")})
        counts = dict(analysis.counts)
        counts["rows"] = len(analysis.rows)
        counts["problems"] = len(analysis.problems)
        ImportBatch.objects.filter(pk=batch_id).update(
            status=ImportBatch.Status.FAILED if analysis.fatal else ImportBatch.Status.VALIDATED,
            message=" ".join(analysis.fatal),
            counts=counts,
            problems=problems,
            notes=analysis.notes,
            villages=villages,
            progress=100,
        )


@task()
def commit_import(batch_id: int, mode: str) -> None:
    """Write a validated batch (the rows are checked again: the register may have changed)."""
    batch = ImportBatch.objects.select_related("user").get(pk=batch_id)
    with override("id"):
        try:
            analysis = _analyse(batch)
            import_commit(
                analysis=analysis,
                user=batch.user,
                file_name=batch.file_name,
                digest=batch.sha256,
                size=batch.size,
                mode=mode,
                batch=batch,
            )
        except (ImportRefusedError, ReadError) as refusal:
            ImportBatch.objects.filter(pk=batch_id).update(
                status=ImportBatch.Status.VALIDATED, message=refusal.message, progress=100
            )
        except Exception:
            ImportBatch.objects.filter(pk=batch_id).update(
                status=ImportBatch.Status.FAILED,
                progress=100,
                message=_("Writing failed and nothing was written. Try again, or ask your administrator."),
            )
            raise
