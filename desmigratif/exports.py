"""Every file the portal writes for a spreadsheet (CSV and XLSX: exports, dashboard tables, import
error files, templates) goes through this module, so no cell, header included, is run as a formula
when a village officer opens the file (OWASP "CSV injection")."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# What Excel and LibreOffice read as the start of a formula, the full-width forms an Indonesian or
# Asian keyboard layout types included; a tab or line break before one still starts one.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def escape_formula(value: object) -> object:
    """Text a spreadsheet would run as a formula, made inert with a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(row: Iterable[Any]) -> list[Any]:
    return [escape_formula(value) for value in row]


def csv_write(stream: Any, rows: Iterable[Iterable[Any]], *, delimiter: str = ",") -> None:
    """Write ``rows`` (the header row first) to ``stream`` as CSV, every cell escaped."""
    writer = csv.writer(stream, delimiter=delimiter)
    writer.writerows(safe_row(row) for row in rows)


def csv_stream(rows: Iterable[Iterable[Any]], *, lines_per_chunk: int = 500) -> Iterator[str]:
    """``rows`` (the header row first) as CSV text in chunks, every cell escaped, after a BOM
    (so Excel reads UTF-8): for a ``StreamingHttpResponse``, which sends a big export as it is
    read instead of holding it whole."""
    yield "\ufeff"
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for number, row in enumerate(rows, start=1):
        writer.writerow(safe_row(row))
        if number % lines_per_chunk == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate(0)
    yield buffer.getvalue()


def validate_no_formula(value: str) -> None:
    """For names that end up in exports and dashboard tables (code lists): refused on save, not
    only escaped on the way out, so a name reads the same everywhere."""
    if isinstance(value, str) and value.strip().startswith(FORMULA_STARTS):
        raise ValidationError(
            _("A name cannot start with =, +, -, @ or a tab: spreadsheets would read it as a formula."),
            code="formula",
        )


def xlsx_cell(sheet: Any, value: Any, **style: Any) -> Any:
    """A cell for a write-only openpyxl sheet: text stays text (never a formula, even "=…"), numbers
    and dates keep their type."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
        cell.number_format = "@"
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell


def xlsx_workbook(sheets: dict[str, Iterable[Iterable[Any]]]) -> bytes:
    """An XLSX workbook of plain tables (the header row first, in bold), every cell through
    :func:`xlsx_cell`."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title[:31])
        for number, row in enumerate(rows):
            style = {"font": bold} if number == 0 else {}
            sheet.append([xlsx_cell(sheet, value, **style) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
