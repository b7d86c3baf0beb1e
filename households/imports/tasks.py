"""The background side of imports (django-tasks, database backend): each task holds the batch
(households.imports.workers) and runs one step of its life cycle (households.imports.batches)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from desmigratif.idempotency import submission_keys_purge
from households.imports import batches
from households.imports.workers import BatchProgress, worker_on

logger = logging.getLogger(__name__)

try:
    from django.tasks import task
except ImportError:  # Django 5.2: the django-tasks backport
    from django_tasks import task


def _step(batch_id: int, step: Callable[..., object], failure: Promise) -> None:
    """Run one step of the batch's life while holding the batch, with its progress shown. A
    batch moved on meanwhile (a task delivered twice, a batch expired) is left alone; a step
    that fails says so on the batch, and its transaction has written nothing."""
    with override("id"), worker_on(batch_id), BatchProgress(batch_id) as progress:
        try:
            step(batch_id=batch_id, progress=progress)
        except batches.BatchStateError:
            return
        except Exception:
            batches.batch_fail(batch_id=batch_id, message=str(failure))
            raise


@task()
def validate_import(batch_id: int) -> None:
    """Check every row of an uploaded file and store the preview on the batch."""
    _step(batch_id, batches.batch_validate, _("Checking failed. Upload the file again, or ask your administrator."))


@task()
def commit_import(batch_id: int) -> None:
    """Write a batch the uploader confirmed (or a coordinator approved)."""
    _step(
        batch_id,
        batches.batch_commit,
        _("Writing failed and nothing was written. You can write it again, or ask your administrator."),
    )


@task()
def rollback_import(batch_id: int) -> None:
    """Undo a written batch."""
    _step(
        batch_id,
        batches.batch_rollback,
        _("Rolling back failed and nothing was rolled back. Try again, or ask your administrator."),
    )


@task()
def purge_imports() -> None:
    """The daily purge of import files and rows kept past their time; queues tomorrow's."""
    with override("id"):
        result = batches.batches_purge()
    keys = submission_keys_purge()  # the nightly clean-up of what forms keep, too
    logger.info(
        "Import purge: %s batches expired, %s error files deleted, %s admin import files deleted; "
        "%s submission keys forgotten",
        result.expired,
        result.error_files,
        result.admin_files,
        keys,
    )
    batches.purge_schedule()
