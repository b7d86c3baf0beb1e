"""The error file: the rows of a batch that have problems, as they were typed, with what is
wrong with each, to fix in Excel and upload again.

XLSX by default: every cell is stored as text, so Excel keeps all 16 digits of a NIK, the
leading 0 of a phone and of an RT, and cannot take a cell for a formula (no apostrophe
needed). CSV for those who prefer it: UTF-8 with a BOM and `;`, cells that a spreadsheet
would run as a formula made inert. Uploading the fixed file again works: the columns the
error file adds are recognised and passed over (households.imports.columns)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext as _

from desmigratif.exports import csv_write, xlsx_cell
from households.imports.columns import ERROR_FILE_COLUMNS
from households.imports.reading import read_table
from households.imports.staging import cells_keep
from households.models import ImportBatch, ImportRow

ROW, ERRORS, WARNINGS = ERROR_FILE_COLUMNS


def _rows(batch: ImportBatch) -> Iterator[list[str]]:
    width = len(batch.headers)
    staged = (
        ImportRow.objects.filter(batch=batch)
        .exclude(problems=[])
        .exclude(cells__isnull=True)
        .order_by("number")
        .values_list("number", "cells", "problems")
    )
    for number, cells, problems in staged.iterator(chunk_size=2000):
        errors = [p for p in problems if p["severity"] == "error"]
        warnings = [p for p in problems if p["severity"] != "error"]
        yield [
            *((cells or []) + [""] * width)[:width],
            str(number),
            " | ".join(f"{p['column']}: {p['message']}" for p in errors),
            " | ".join(f"{p['column']}: {p['message']}" for p in warnings),
        ]


def _headers(batch: ImportBatch) -> list[str]:
    return [*batch.headers, str(_(ROW)), str(_(ERRORS)), str(_(WARNINGS))]


def has_error_file(batch: ImportBatch) -> bool:
    """Rows with problems, whose cells are kept or can still be read from the upload."""
    with_problems = ImportRow.objects.filter(batch=batch).exclude(problems=[])
    kept = ImportBatch.objects.filter(pk=batch.pk, upload__isnull=False)
    return with_problems.exists() and (kept.exists() or with_problems.exclude(cells__isnull=True).exists())


def error_cells_ensure(batch: ImportBatch) -> None:
    """Keep the cells of the rows with problems, read from the upload, if not kept yet."""
    if not ImportRow.objects.filter(batch=batch, cells__isnull=True).exclude(problems=[]).exists():
        return
    upload = ImportBatch.objects.only("upload").get(pk=batch.pk).unpacked()
    if upload is not None:
        cells_keep(batch, lambda: read_table(io.BytesIO(upload), batch.file_name))


def error_file_csv(batch: ImportBatch) -> bytes:
    buffer = io.StringIO()
    csv_write(buffer, (_headers(batch), *_rows(batch)), delimiter=";")
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def error_file_xlsx(batch: ImportBatch) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(str(_("Rows to fix")))
    headers = _headers(batch)
    for index, header in enumerate(headers):
        sheet.column_dimensions[_letter(index)].width = 40 if index >= len(headers) - 2 else max(12, len(header) + 2)
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")

    def text(value: Any, **style: Any) -> Any:
        return xlsx_cell(sheet, str(value), **style)  # text, even "=…": never a formula

    sheet.append([text(header, font=bold) for header in headers])
    for row in _rows(batch):
        sheet.append([text(value, alignment=wrap) if i >= len(row) - 2 else text(value) for i, value in enumerate(row)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)
