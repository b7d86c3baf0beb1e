"""Turning an uploaded file into header + rows, whatever Excel or a village laptop did to it.

CSV: UTF-8 with or without BOM, else Windows-1252; the delimiter (`,` `;` or tab) is
sniffed; quoted fields may hold newlines; blank lines are skipped. XLSX: the first
sheet, read-only and streaming; a file whose uncompressed size is out of proportion
(a zip bomb) is refused before openpyxl opens it. Every refusal is a ReadError with a
message for the user, never an exception that ends in a 500.
"""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
MAX_XLSX_UNCOMPRESSED = 400 * 1024 * 1024
MAX_XLSX_RATIO = 100  # uncompressed / compressed; real workbooks stay far below
DELIMITERS = [",", ";", "\t"]


class ReadError(Exception):
    """The file cannot be read as a table; ``message`` says why, for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Table:
    headers: list[str]
    rows: Iterator[tuple[int, list[object]]]  # (row number as the user sees it, cells)
    format: str
    encoding: str = ""
    delimiter: str = ""
    notes: list[str] = field(default_factory=list)


def read_table(data: bytes, filename: str = "") -> Table:
    if not data or not data.strip():
        raise ReadError(str(_("The file is empty.")))
    if len(data) > MAX_UPLOAD_BYTES:
        raise ReadError(
            str(
                _("The file is larger than %(limit)s MB. Split it into smaller files.")
                % {"limit": MAX_UPLOAD_BYTES // (1024 * 1024)}
            )
        )
    if data[:4] == b"PK\x03\x04":
        return _read_xlsx(data)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ReadError(str(_("This is an old Excel file (.xls). Save it as .xlsx or CSV and upload it again.")))
    return _read_csv(data)


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if b"\x00" in data[:4096]:
        raise ReadError(str(_("This file is not a spreadsheet (CSV or XLSX).")))
    return data.decode("cp1252", errors="replace"), "cp1252"


def _sniff_delimiter(text: str) -> str:
    sample = "\n".join(line for line in text[:20000].splitlines() if line.strip())[:10000]
    try:
        return csv.Sniffer().sniff(sample, delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        first = sample.splitlines()[0] if sample else ""
        return max(DELIMITERS, key=first.count)


def _read_csv(data: bytes) -> Table:
    text, encoding = _decode(data)
    if "\x00" in text[:4096]:
        raise ReadError(str(_("This file is not a spreadsheet (CSV or XLSX).")))
    delimiter = _sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    headers: list[str] | None = None
    for row in reader:
        if any(cell.strip() for cell in row):
            headers = [cell.strip() for cell in row]
            break
    if headers is None:
        raise ReadError(str(_("The file is empty.")))
    if len(headers) < 2:
        raise ReadError(str(_("Only one column was found. Use a comma, semicolon or tab between columns.")))

    def rows() -> Iterator[tuple[int, list[object]]]:
        for row in reader:
            if any(cell.strip() for cell in row):
                yield reader.line_num, [cell.strip() for cell in row]

    return Table(headers=headers, rows=rows(), format="csv", encoding=encoding, delimiter=delimiter)


def _check_zip(data: bytes) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise ReadError(str(_("This file is not a spreadsheet (CSV or XLSX)."))) from None
    with archive:
        names = archive.namelist()
        if "xl/workbook.xml" not in names:
            raise ReadError(str(_("This file is not a spreadsheet (CSV or XLSX).")))
        uncompressed = sum(info.file_size for info in archive.infolist())
        compressed = max(1, sum(info.compress_size for info in archive.infolist()))
        if uncompressed > MAX_XLSX_UNCOMPRESSED or uncompressed / compressed > MAX_XLSX_RATIO:
            raise ReadError(
                str(
                    _(
                        "This workbook unpacks to a suspicious size and was refused. "
                        "Save it again from Excel, or as CSV."
                    )
                )
            )


def _read_xlsx(data: bytes) -> Table:
    _check_zip(data)
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # noqa: BLE001 - any parser failure is an unreadable file for the user
        raise ReadError(
            str(_("The workbook could not be read (%(error)s).") % {"error": type(error).__name__})
        ) from None
    sheet = workbook.worksheets[0]
    cells = sheet.iter_rows(values_only=True)
    headers: list[str] | None = None
    number = 0
    for values in cells:
        number += 1
        if any(_xlsx_cell(v) for v in values):
            headers = [str(_xlsx_cell(v)) for v in values]
            break
    if headers is None:
        workbook.close()
        raise ReadError(str(_("The file is empty.")))
    while headers and not headers[-1]:
        headers.pop()
    start = number

    def rows() -> Iterator[tuple[int, list[object]]]:
        line = start
        try:
            for values in cells:
                line += 1
                row = [_xlsx_cell(v) for v in values[: len(headers)]]
                if any(cell not in ("", None) for cell in row):
                    yield line, row
        finally:
            workbook.close()

    return Table(headers=headers, rows=rows(), format="xlsx")


def _xlsx_cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, datetime.datetime) and value.time() == datetime.time(0):
        return value.date()
    return value
