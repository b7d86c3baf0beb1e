"""The background side of imports (django-tasks, database backend): each task holds the batch
(households.imports.workers) and runs one step of its life cycle (households.imports.batches)."""

from __future__ import annotations

import logging

from django.utils.translation import gettext as _
from django.utils.translation import override

from households.imports import batches
from households.imports.workers import BatchProgress, worker_on

logger = logging.getLogger(__name__)

try:
    from django.tasks import task
except ImportError:  # Django 5.2: the django-tasks backport
    from django_tasks import task


@task()
def validate_import(batch_id: int) -> None:
    """Check every row of an uploaded file and store the preview on the batch."""
    with override("id"), worker_on(batch_id), BatchProgress(batch_id) as progress:
        try:
            batches.batch_validate(batch_id=batch_id, progress=progress)
        except batches.BatchStateError:
            return  # moved on meanwhile (checked by someone else, or expired): nothing to do
        except Exception:
            batches.batch_fail(
                batch_id=batch_id, message=_("Checking failed. Upload the file again, or ask your administrator.")
            )
            raise


@task()
def commit_import(batch_id: int) -> None:
    """Write a batch the uploader confirmed (or a coordinator approved)."""
    with override("id"), worker_on(batch_id), BatchProgress(batch_id) as progress:
        try:
            batches.batch_commit(batch_id=batch_id, progress=progress)
        except batches.BatchStateError:
            return
        except Exception:
            batches.batch_fail(
                batch_id=batch_id,
                message=_("Writing failed and nothing was written. You can write it again, or ask your administrator."),
            )
            raise


@task()
def rollback_import(batch_id: int) -> None:
    """Undo a written batch."""
    with override("id"), worker_on(batch_id), BatchProgress(batch_id) as progress:
        try:
            batches.batch_rollback(batch_id=batch_id, progress=progress)
        except batches.BatchStateError:
            return
        except Exception:
            batches.batch_fail(
                batch_id=batch_id,
                message=_("Rolling back failed and nothing was rolled back. Try again, or ask your administrator."),
            )
            raise


@task()
def purge_imports() -> None:
    """The daily purge of import files and rows kept past their time; queues tomorrow's."""
    with override("id"):
        result = batches.batches_purge()
    logger.info("Import purge: %s batches expired, %s error files deleted", result.expired, result.error_files)
    batches.purge_schedule()
