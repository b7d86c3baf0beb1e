"""Running a file through the import as the portal does (the batch life cycle, without the
background worker), and files as villages make them: CSV saved by Excel with `;` and a BOM,
XLSX written cell by cell."""

from __future__ import annotations

import io
from collections.abc import Iterable
from types import SimpleNamespace
from typing import Any

import openpyxl

from households.imports import batches
from households.imports.staging import kept_problems
from households.models import ImportBatch


def excel_csv(rows: Iterable[Iterable[Any]]) -> bytes:
    """What Excel in an Indonesian locale saves as "CSV UTF-8": a BOM, `;` between cells, CRLF."""
    lines = [";".join("" if cell is None else str(cell) for cell in row) for row in rows]
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")


def workbook(rows: Iterable[Iterable[Any]], *, text_columns: Iterable[int] = ()) -> bytes:
    """An XLSX file; ``text_columns`` (0-based) formatted as Text, as the template does."""
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(list(row))
    for index in text_columns:
        for cell in next(sheet.iter_cols(min_col=index + 1, max_col=index + 1)):
            cell.number_format = "@"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def check(user, data: bytes | str, *, name: str = "register.csv", village=None) -> ImportBatch:
    """Upload and check ``data`` as ``user``; the batch with its preview."""
    if isinstance(data, str):
        data = data.encode()
    batch = batches.batch_upload(user=user, file_name=name, data=data, village=village, background=False)
    batches.batch_validate(batch_id=batch.pk)
    return ImportBatch.objects.get(pk=batch.pk)


def write(batch: ImportBatch, mode: str = ImportBatch.Mode.ALL_OR_NOTHING) -> ImportBatch:
    """Confirm a checked batch as its uploader, and write it."""
    batches.batch_confirm(batch=batch, user=batch.user, mode=mode, background=False)
    return ImportBatch.objects.get(pk=batch.pk)


def check_and_write(user, data: bytes | str, mode: str = ImportBatch.Mode.ALL_OR_NOTHING, **kwargs) -> ImportBatch:
    return write(check(user, data, **kwargs), mode)


def roll_back(batch: ImportBatch, user=None) -> ImportBatch:
    batches.batch_rollback_request(batch=batch, user=user or batch.user, background=False)
    return ImportBatch.objects.get(pk=batch.pk)


def preview(batch: ImportBatch) -> SimpleNamespace:
    """What the preview page shows, as attributes."""
    return SimpleNamespace(
        counts=batch.counts,
        problems=[SimpleNamespace(**problem) for problem in kept_problems(batch)],
        rows=list(batch.rows.order_by("number")),
        notes=batch.notes,
        fatal=batch.message if batch.status == ImportBatch.Status.FAILED else "",
        review=batch.review,
    )
