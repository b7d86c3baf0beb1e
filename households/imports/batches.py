"""The life of an import batch, in one place: the web pages, the background tasks and the
command line all move a batch through these functions, so it obeys the same rules whichever
door it came in by.

    upload → validating → validated → (awaiting approval) → committing → committed
                     ↘ failed            ↘ rejected        ↘ validated (refused: says why)
    committed → rolling back → rolled back (or committed again, saying why not)
    not written within IMPORT_UNCONFIRMED_DAYS → expired (file and rows deleted)

Each step is a guarded state change: one UPDATE that moves the batch only from the states
the step allows, so two clicks, two workers or a click and a worker cannot both move it.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from desmigratif.access import Action, AnyUser, scope_for
from desmigratif.models import AccessLog, AdminImportFile, User, Village
from desmigratif.records import figures_changed_in_bulk
from households.imports.commit import ImportRefusedError, import_commit, import_rollback, written_message
from households.imports.errors import error_cells_ensure
from households.imports.reading import MAX_UPLOAD_BYTES, ReadError, Table, file_screen, read_table
from households.imports.staging import StageResult, import_stage, kept_problems, staged_villages
from households.models import ImportBatch, ImportRow, ImportSeen

try:
    from django.tasks import TaskResultStatus, default_task_backend
except ImportError:  # Django 5.2: the django-tasks backport
    from django_tasks import TaskResultStatus, default_task_backend

logger = logging.getLogger(__name__)
Status = ImportBatch.Status
Progress = Callable[[int], None]
# The states a step may start from.
CHECKABLE = {Status.UPLOADED, Status.VALIDATED}
WRITABLE = {Status.VALIDATED}
UNFINISHED = {Status.UPLOADED, Status.VALIDATED, Status.AWAITING_APPROVAL, Status.FAILED}


class BatchStateError(ImportRefusedError):
    """The batch is not in a state that allows the step (someone or something moved it)."""


def _move(batch: ImportBatch | int, *, allowed: Iterable[str], to: str, **fields: Any) -> None:
    """Move the batch to ``to`` if it is in one of the ``allowed`` states, else refuse."""
    pk = batch if isinstance(batch, int) else batch.pk
    allowed = set(allowed)
    query = Q(status__in=allowed)
    if Status.FAILED in allowed:  # a failed write that wrote nothing may be written again
        query = Q(status__in=allowed - {Status.FAILED}) | Q(status=Status.FAILED, write_failed=True)
    if not ImportBatch.objects.filter(query, pk=pk).update(status=to, **fields):
        current = ImportBatch.objects.filter(pk=pk).values_list("status", flat=True).first()
        label = dict(Status.choices).get(current or "", current)
        raise BatchStateError(_("This batch cannot do that now: it is “%(status)s”.") % {"status": label})


def _reload(batch_id: int) -> ImportBatch:
    # The uploaded file (megabytes) is read only where it is needed (_upload).
    return ImportBatch.objects.select_related("user", "village").defer("upload").get(pk=batch_id)


def _upload(batch_id: int) -> bytes | None:
    return ImportBatch.objects.only("upload").get(pk=batch_id).unpacked()


# --- who sees and approves what -------------------------------------------------------------------------


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
    waiting = ImportBatch.objects.defer("upload").filter(status=Status.AWAITING_APPROVAL)
    return [batch for batch in waiting if can_approve(user, batch)]


def needs_approval(user: AnyUser, batch: ImportBatch) -> bool:
    return settings.IMPORT_APPROVAL_REQUIRED and not user.is_superuser and not can_approve(user, batch)


def upload_kept(batch: ImportBatch) -> bool:
    """Whether the batch still has its file, without reading it."""
    return ImportBatch.objects.filter(pk=batch.pk, upload__isnull=False).exists()


def can_write(user: AnyUser, batch: ImportBatch) -> bool:
    """Confirm or roll back: the uploader, or an administrator."""
    return batch.user_id == user.pk or user.is_superuser


# --- the steps -------------------------------------------------------------------------------------------


def batch_upload(
    *,
    user: User,
    file_name: str,
    data: bytes | None = None,
    path: Path | None = None,
    village: Village | None = None,
    background: bool = True,
) -> ImportBatch:
    """Take a file: refuse a user who may not write anywhere and a file that is not a
    spreadsheet at once; otherwise record the batch (and who imported what, in the access
    log) and have it checked. The web keeps the file in the batch until it is written; the
    command line reads it from ``path``, whatever its size."""
    if scope_for(user, Action.WRITE).is_empty:
        raise ImportRefusedError(_("Your account may not write records in any village, so it cannot import."))
    if village is not None and not scope_for(user, Action.WRITE).contains(village.code):
        raise ImportRefusedError(
            _("Village %(code)s is not in your area (or does not exist).") % {"code": village.code}
        )
    if data is not None:
        source: BinaryIO = io.BytesIO(data)
    elif path is not None:
        source = path.open("rb")
    else:
        raise TypeError("batch_upload() needs the file's data or its path")
    with source:
        # What can be refused without parsing is refused at once; the worker parses the file.
        file_screen(source, file_name, max_bytes=None if data is None else MAX_UPLOAD_BYTES)
        digest, size = _digest(source)
    batch = ImportBatch.objects.create(
        user=user,
        file_name=file_name[:255],
        sha256=digest,
        size=size,
        upload=None if data is None else ImportBatch.packed(data),
        village=village,
        status=Status.UPLOADED,
        progress=0,
    )
    AccessLog.objects.create(
        user=user,
        kind=AccessLog.Kind.IMPORT,
        what="households",
        detail={"batch": batch.pk, "file": batch.file_name, "sha256": batch.sha256},
    )
    purge_schedule()
    if background:
        from households.imports.tasks import validate_import

        validate_import.enqueue(batch.pk)
    return batch


def _digest(source: Any) -> tuple[str, int]:
    source.seek(0)
    digest, size = hashlib.sha256(), 0
    while chunk := source.read(1 << 20):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def _read_path(path: Path, name: str) -> Table:
    """A file on disk read as a stream; the table closes it (households.imports.staging does)."""
    handle = path.open("rb")
    try:
        table = read_table(handle, name, max_bytes=None)
    except BaseException:
        handle.close()
        raise
    table.source = handle
    return table


def _opener(batch: ImportBatch, path: Path | None, data: bytes | None) -> Callable[[], Table]:
    if path is not None:
        return lambda: _read_path(path, batch.file_name)
    if not data:
        raise ImportRefusedError(_("The uploaded file is no longer kept: upload it again."))
    return lambda: read_table(io.BytesIO(data), batch.file_name)


def _expected_rows(path: Path | None, data: bytes | None) -> int:
    if path is not None:
        with path.open("rb") as handle:
            return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))
    return (data or b"").count(b"\n")


def batch_validate(*, batch_id: int, path: Path | None = None, progress: Progress | None = None) -> StageResult:
    """Check every row and store the preview on the batch (uploaded, or validated and being
    checked again because the register moved)."""
    _move(batch_id, allowed=CHECKABLE, to=Status.VALIDATING, progress=0, message="")
    batch = _reload(batch_id)
    data = None if path is not None else _upload(batch_id)
    try:
        result = import_stage(
            batch=batch,
            open_table=_opener(batch, path, data),
            user=batch.user,
            progress=progress,
            expected_rows=_expected_rows(path, data) or None,
            # The error file's cells: from a file on disk now, from an upload when first
            # needed (households.imports.errors), so the preview is on screen sooner.
            keep_cells=path is not None,
        )
    except (ReadError, ImportRefusedError) as refusal:
        result = StageResult(fatal=[refusal.message])
    if result.fatal:
        ImportRow.objects.filter(batch_id=batch_id).delete()
        ImportSeen.objects.filter(batch_id=batch_id).delete()
    _move(
        batch_id,
        allowed={Status.VALIDATING},
        to=Status.FAILED if result.fatal else Status.VALIDATED,
        message=" ".join(result.fatal),
        counts=result.counts,
        problems=[] if result.fatal else kept_problems(batch),
        notes=result.notes,
        review=result.review,
        headers=result.headers,
        villages=[] if result.fatal else staged_villages(batch),
        checked_at=timezone.now(),
        progress=100,
        write_failed=False,
    )
    return result


def batch_recheck(*, batch: ImportBatch, user: AnyUser, background: bool = True) -> None:
    """Check a validated batch again, against the register as it is now."""
    if not can_write(user, batch):
        raise BatchStateError(_("Only the person who uploaded this file can check it again."))
    if not upload_kept(batch):
        raise BatchStateError(_("The uploaded file is no longer kept: upload it again."))
    _move(batch, allowed=CHECKABLE, to=Status.UPLOADED, progress=0, message="")
    if background:
        from households.imports.tasks import validate_import

        validate_import.enqueue(batch.pk)
    else:
        batch_validate(batch_id=batch.pk)


def batch_confirm(*, batch: ImportBatch, user: AnyUser, mode: str, background: bool = True) -> None:
    """The uploader asks for the batch to be written: at once, or after a coordinator's
    approval when IMPORT_APPROVAL_REQUIRED is on."""
    if not can_write(user, batch):
        raise BatchStateError(_("Only the person who uploaded this file can write it."))
    if mode not in ImportBatch.Mode.values:
        raise BatchStateError(_("Choose how the batch is written."))
    if needs_approval(user, batch):
        _move(batch, allowed=WRITABLE | {Status.FAILED}, to=Status.AWAITING_APPROVAL, mode=mode, message="")
        return
    _move(
        batch,
        allowed=WRITABLE | {Status.FAILED},
        to=Status.COMMITTING,
        mode=mode,
        progress=0,
        message="",
        write_failed=False,
    )
    _run_commit(batch.pk, background)


def batch_approve(*, batch: ImportBatch, user: AnyUser, background: bool = True) -> None:
    if not can_approve(user, batch):
        raise BatchStateError(_("This batch is not waiting for your approval."))
    _move(
        batch,
        allowed={Status.AWAITING_APPROVAL},
        to=Status.COMMITTING,
        progress=0,
        message="",
        approved_by=user,
        approved_at=timezone.now(),
    )
    _run_commit(batch.pk, background)


def batch_reject(*, batch: ImportBatch, user: User) -> None:
    if not can_approve(user, batch):
        raise BatchStateError(_("This batch is not waiting for your approval."))
    _move(
        batch,
        allowed={Status.AWAITING_APPROVAL},
        to=Status.REJECTED,
        message=_("Rejected by %(user)s.") % {"user": user.get_display_name()},
    )


def _run_commit(batch_id: int, background: bool) -> None:
    if background:
        from households.imports.tasks import commit_import

        commit_import.enqueue(batch_id)
    else:
        batch_commit(batch_id=batch_id)


def batch_commit(*, batch_id: int, progress: Progress | None = None, path: Path | None = None) -> ImportBatch:
    """Write a batch that is being committed. Refused (the register moved, the rows have
    errors, the area changed): back to validated, saying why. Staged rows lost (a database
    restored without them): staged again from the upload first."""
    batch = _reload(batch_id)
    if batch.status != Status.COMMITTING:
        raise BatchStateError(_("This batch is not being written."))
    report = progress or (lambda percent: None)
    if not ImportRow.objects.filter(batch=batch).exists():
        result = import_stage(
            batch=batch,
            open_table=_opener(batch, path, None if path is not None else _upload(batch_id)),
            user=batch.user,
            keep_cells=path is not None,
        )
        if result.fatal:
            batch_fail(batch_id=batch_id, message=" ".join(result.fatal))
            return _reload(batch_id)
    try:
        with transaction.atomic():
            counts = import_commit(batch=batch, user=batch.user, mode=batch.mode, progress=report)
            _flush(report)  # before this transaction locks the batch's row
            _move(
                batch,
                allowed={Status.COMMITTING},
                to=Status.COMMITTED,
                counts=counts,
                committed_at=timezone.now(),
                progress=100,
                message=written_message(counts),
            )
            ImportSeen.objects.filter(batch=batch).delete()
    except BatchStateError:
        raise
    except ImportRefusedError as refusal:
        _move(batch, allowed={Status.COMMITTING}, to=Status.VALIDATED, message=refusal.message, progress=100)
        return _reload(batch_id)
    # Written: the rows live in the register now, and the file goes, once the rows the error
    # file repeats are kept.
    error_cells_ensure(_reload(batch_id))
    ImportBatch.objects.filter(pk=batch_id).update(upload=None)
    figures_refresh()
    return _reload(batch_id)


def batch_rollback_request(*, batch: ImportBatch, user: AnyUser, background: bool = True) -> None:
    """The uploader (or an administrator) asks for a written batch to be undone."""
    if not can_write(user, batch) or scope_for(user, Action.WRITE).is_empty:
        raise BatchStateError(_("Only the person who uploaded this file can roll it back."))
    _move(batch, allowed={Status.COMMITTED}, to=Status.ROLLING_BACK, rolled_back_by=user, progress=0, message="")
    if background:
        from households.imports.tasks import rollback_import

        rollback_import.enqueue(batch.pk)
    else:
        batch_rollback(batch_id=batch.pk)


def batch_rollback(*, batch_id: int, progress: Progress | None = None) -> ImportBatch:
    """Undo a batch being rolled back; refused, it is committed again and says why."""
    batch = _reload(batch_id)
    if batch.status != Status.ROLLING_BACK or batch.rolled_back_by is None:
        raise BatchStateError(_("This batch is not being rolled back."))
    report = progress or (lambda percent: None)
    try:
        with transaction.atomic():
            import_rollback(batch=batch, user=batch.rolled_back_by, progress=report)
            _flush(report)
            _move(
                batch,
                allowed={Status.ROLLING_BACK},
                to=Status.ROLLED_BACK,
                rolled_back_at=timezone.now(),
                progress=100,
                message=_("The batch was rolled back."),
            )
    except BatchStateError:
        raise
    except ImportRefusedError as refusal:
        _move(
            batch,
            allowed={Status.ROLLING_BACK},
            to=Status.COMMITTED,
            rolled_back_by=None,
            message=refusal.message,
            progress=100,
        )
        return _reload(batch_id)
    figures_refresh()
    return _reload(batch_id)


def _flush(progress: Progress) -> None:
    """Wait for the progress being written on its own connection (workers.BatchProgress)."""
    flush = getattr(progress, "flush", None)
    if flush is not None:
        flush()


def batch_fail(*, batch_id: int, message: str) -> None:
    """Say on the batch that its step failed, on a new connection if the old one died with the
    database (a restart, a dropped link): the step's own transaction is rolled back either way,
    so a failed write or rollback changed nothing."""
    for attempt in (1, 2):
        try:
            current = ImportBatch.objects.filter(pk=batch_id).values_list("status", flat=True).first()
            if current == Status.ROLLING_BACK:
                ImportBatch.objects.filter(pk=batch_id).update(
                    status=Status.COMMITTED, rolled_back_by=None, progress=100, message=message
                )
            else:
                ImportBatch.objects.filter(pk=batch_id).update(
                    status=Status.FAILED, progress=100, message=message, write_failed=current == Status.COMMITTING
                )
            return
        except (OperationalError, InterfaceError):
            connection.close()
            if attempt == 2:
                raise


def figures_refresh() -> None:
    """Recount the villages an import or rollback wrote, so the dashboards show it at once. A
    failure here does not undo the import: the next refresh catches up."""
    try:
        figures_changed_in_bulk()
    except Exception:
        logger.exception("Refreshing the dashboards' figures after an import failed")


# --- keeping personal data no longer than needed (UU PDP) -------------------------------------------------


@dataclass
class PurgeResult:
    expired: int = 0  # batches never written: file and staged rows deleted
    error_files: int = 0  # written or rolled back batches: the rows kept for the error file deleted
    admin_files: int = 0  # admin import files left between preview and confirmation for a day


def batches_purge(*, now: datetime.datetime | None = None) -> PurgeResult:
    """Delete the uploaded files and staged rows of batches not written within
    IMPORT_UNCONFIRMED_DAYS, and the rows kept for error files (and the problems and changes
    shown on the batch, which quote them) IMPORT_ERROR_FILE_DAYS after the batch was written.
    The batch itself stays: who imported which file when, and what it did."""
    now = now or timezone.now()
    result = PurgeResult()
    stale = now - datetime.timedelta(days=settings.IMPORT_UNCONFIRMED_DAYS)
    expired = ImportBatch.objects.filter(status__in=UNFINISHED, created_at__lt=stale, worker_started_at__isnull=True)
    for pk in expired.values_list("pk", flat=True):
        with transaction.atomic():
            moved = ImportBatch.objects.filter(pk=pk, status__in=UNFINISHED).update(
                status=Status.EXPIRED,
                upload=None,
                problems=[],
                review={},
                purged_at=now,
                message=_("Not written within %(days)s days: the file and its rows were deleted.")
                % {"days": settings.IMPORT_UNCONFIRMED_DAYS},
            )
            if moved:
                ImportRow.objects.filter(batch_id=pk).delete()
                ImportSeen.objects.filter(batch_id=pk).delete()
                result.expired += 1
    old = now - datetime.timedelta(days=settings.IMPORT_ERROR_FILE_DAYS)
    written = ImportBatch.objects.filter(
        Q(status=Status.COMMITTED, committed_at__lt=old) | Q(status=Status.ROLLED_BACK, committed_at__lt=old),
        purged_at__isnull=True,
    )
    for pk in written.values_list("pk", flat=True):
        with transaction.atomic():
            ImportRow.objects.filter(batch_id=pk).delete()
            ImportBatch.objects.filter(pk=pk).update(problems=[], review={}, upload=None, purged_at=now)
            result.error_files += 1
    # An admin import is confirmed minutes after its preview; a file still here a day later was
    # abandoned (desmigratif.admin.SessionUploadStorage).
    result.admin_files, _deleted = AdminImportFile.objects.filter(
        created_at__lt=now - datetime.timedelta(days=1)
    ).delete()
    return result


def purge_schedule(*, at: datetime.datetime | None = None) -> None:
    """Have the task worker purge once a day: queue the purge for the coming night unless one
    is queued already. Backends that cannot run a task later (tests' immediate one) skip it."""
    from django_tasks_db.models import DBTaskResult

    from households.imports.tasks import purge_imports

    if not getattr(default_task_backend, "supports_defer", False):
        return
    if DBTaskResult.objects.filter(status=TaskResultStatus.READY, task_path=purge_imports.module_path).exists():
        return
    if at is None:
        local = timezone.localtime()
        at = (local + datetime.timedelta(days=1)).replace(hour=2, minute=0, second=0, microsecond=0)
    purge_imports.using(run_after=at).enqueue()
