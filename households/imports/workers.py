"""Knowing whether a background worker is still on an import batch.

A worker holds a PostgreSQL advisory lock on the batch for as long as it works on it. The
lock belongs to its database session, so it goes when the worker's connection goes: a
worker killed in the middle of a task, or a database restart, frees it. A batch that says
a worker is on it while its lock is free has lost that worker; it is marked failed, and
since the write is one transaction, nothing of it was written.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager

from django.db import DatabaseError, connection, connections
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from households.models import ImportBatch

# First key of the two-key advisory locks on import batches (the second is the batch id).
LOCK_SPACE = 4271
WORKING = (ImportBatch.Status.VALIDATING, ImportBatch.Status.COMMITTING, ImportBatch.Status.ROLLING_BACK)


class BatchProgress:
    """A batch's progress, written on a database connection of its own from a thread of its
    own: the work's transaction stays open for seconds, and the page polling the batch must
    see the bar move meanwhile. A step is skipped while the previous one is still being
    written, so a slow database never queues them. The work must not lock the batch's row
    before it calls ``flush``: this connection would wait for it."""

    def __init__(self, batch_id: int) -> None:
        self.batch_id = batch_id
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="progress")
        self.pending: Future | None = None
        self.shown = -1

    def __call__(self, percent: int) -> None:
        if percent <= self.shown or (self.pending is not None and not self.pending.done()):
            return
        self.shown = percent
        self.pending = self.executor.submit(self._write, percent)

    def _write(self, percent: int) -> None:
        ImportBatch.objects.filter(pk=self.batch_id, progress__lt=percent).update(progress=percent)

    def flush(self) -> None:
        if self.pending is not None:
            self.pending.result()

    def close(self) -> None:
        self.flush()
        self.executor.submit(connections.close_all).result()
        self.executor.shutdown()

    def __enter__(self) -> BatchProgress:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


@contextmanager
def worker_on(batch_id: int) -> Iterator[None]:
    """Hold the batch's lock while the block runs, and say so on the batch."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s, %s)", [LOCK_SPACE, batch_id])
    ImportBatch.objects.filter(pk=batch_id).update(worker_started_at=timezone.now())
    try:
        yield
    finally:
        try:
            ImportBatch.objects.filter(pk=batch_id).update(worker_started_at=None)
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_SPACE, batch_id])
        except DatabaseError:
            pass  # the connection is gone, and its lock with it


def _worker_alive(batch_id: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [LOCK_SPACE, batch_id])
        free = cursor.fetchone()[0]
        if free:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_SPACE, batch_id])
    return not free


def stalled_batches_fail(*, batches: QuerySet[ImportBatch]) -> list[int]:
    """Mark failed the batches among ``batches`` whose worker has gone; their ids."""
    failed = []
    for batch in batches.filter(status__in=WORKING, worker_started_at__isnull=False).only(
        "pk", "status", "worker_started_at"
    ):
        if _worker_alive(batch.pk):
            continue
        writing = batch.status == ImportBatch.Status.COMMITTING
        rolling_back = batch.status == ImportBatch.Status.ROLLING_BACK
        if rolling_back:
            message = _(
                "The background worker stopped while rolling this batch back. Nothing was rolled back; you can "
                "try again."
            )
        elif writing:
            message = _(
                "The background worker stopped while writing this file. Nothing was written; you can write it again."
            )
        else:
            message = _("The background worker stopped while checking this file. Upload it again.")
        # Only if nothing moved since: a worker that just finished set its own status.
        updated = ImportBatch.objects.filter(
            pk=batch.pk, status=batch.status, worker_started_at=batch.worker_started_at
        ).update(
            status=ImportBatch.Status.COMMITTED if rolling_back else ImportBatch.Status.FAILED,
            write_failed=writing,
            worker_started_at=None,
            progress=100,
            message=message,
        )
        if updated:
            failed.append(batch.pk)
    return failed
