"""Screening an uploaded spreadsheet before anything parses it: what can be said of a file
cheaply enough for the web request that takes it (its size, its kind, and that it stays inside
the bounds a register keeps), so that a hostile or broken file costs neither minutes of CPU nor
the memory of a worker, and every refusal says why. The household import (and the admin's
import) parse only files that passed, and in a worker.

The bounds: 200 columns (the import template has 30), lines of 100,000 characters, an XLSX of at
most 400 MB unpacked and 100 times its packed size, a text table (shared strings) of 32 MB, and
sheets declaring at most 200 columns and 1,000,000 rows."""

from __future__ import annotations

import codecs
import io
import re
import zipfile
from typing import BinaryIO

from django.utils.translation import gettext_lazy as _

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
MAX_XLSX_UNCOMPRESSED = 400 * 1024 * 1024
MAX_XLSX_RATIO = 100  # uncompressed / compressed; real workbooks stay far below
# Bounds a household register stays far inside (its template has 30 columns), checked before the
# file is parsed, so that a hostile or broken file costs neither minutes of a worker nor its memory.
MAX_COLUMNS = 200
MAX_ROWS = 1_000_000
MAX_LINE_CHARS = 100_000  # a CSV line: 200 columns of 500 characters
MAX_SHARED_STRINGS_BYTES = 32 * 1024 * 1024  # an XLSX's text table, unpacked (155,000 rows need about 12 MB)
HEAD_MAX_CHARS = 1 << 20  # bytes of a CSV looked at for its first lines
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"


class ReadError(Exception):
    """The file cannot be read as a table; ``message`` says why, for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


Source = bytes | memoryview | BinaryIO


def file_screen(source: Source, filename: str = "", *, max_bytes: int | None = MAX_UPLOAD_BYTES) -> str:
    """What can be said of a file without parsing it, cheaply enough for the web request that
    takes the upload (the worker parses it): its size, its kind ("csv" or "xlsx"), and that it
    stays inside the bounds a register keeps (an XLSX's declared size and text table, a CSV's
    first lines). Raises ReadError with the reason for the user."""
    stream = io.BytesIO(source) if isinstance(source, (bytes, memoryview)) else source
    size = stream.seek(0, io.SEEK_END)
    stream.seek(0)
    head = stream.read(4096)
    stream.seek(0)
    if not head.strip():
        raise ReadError(str(_("The file is empty.")))
    if max_bytes is not None and size > max_bytes:
        raise ReadError(
            str(
                _("The file is larger than %(limit)s MB. Split it into smaller files.")
                % {"limit": max_bytes // (1024 * 1024)}
            )
        )
    if filename.lower().endswith(".ods"):
        raise ods_refusal()
    if head[:4] == b"PK\x03\x04":
        _check_zip(stream)
        stream.seek(0)
        return "xlsx"
    if head[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ReadError(str(_("This is an old Excel file (.xls). Save it as .xlsx or CSV and upload it again.")))
    _check_csv_lines(stream)
    return "csv"


def _check_csv_lines(stream: BinaryIO) -> None:
    """The first lines of a CSV are of a register's length: a file of one endless line (or a
    header cell of 200,000 characters) is refused before anything reads it as rows."""
    sample = stream.read(HEAD_MAX_CHARS)
    stream.seek(0)
    if b"\x00" in sample and sample[:2] not in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        raise not_a_spreadsheet()  # NUL bytes outside UTF-16: a binary file (the worker checks the rest)
    # Bytes, not characters: four bytes a character at most (UTF-8), two in UTF-16.
    for number, line in enumerate(sample.splitlines(), start=1):
        if len(line) > MAX_LINE_CHARS * 2:
            raise long_line(number)
    if len(sample) == HEAD_MAX_CHARS and len(sample.splitlines()) <= 1:
        raise long_line(1)


def long_line(number: int) -> ReadError:
    return ReadError(
        str(
            _(
                "Row %(row)s is longer than %(limit)s characters: this is not a household register as a "
                "spreadsheet saves it. Check that the right file was chosen."
            )
            % {"row": number, "limit": f"{MAX_LINE_CHARS:,}".replace(",", ".")}
        )
    )


def too_many_columns(count: int) -> ReadError:
    return ReadError(
        str(
            _(
                "The file has %(count)s columns; at most %(limit)s are read. Delete the empty or extra "
                "columns to the right of the data and upload it again."
            )
            % {"count": f"{count:,}".replace(",", "."), "limit": MAX_COLUMNS}
        )
    )


def not_a_spreadsheet() -> ReadError:
    return ReadError(str(_("This file is not a spreadsheet (CSV or XLSX).")))


def ods_refusal() -> ReadError:
    return ReadError(
        str(
            _(
                "This is an OpenDocument spreadsheet (.ods). Open it in LibreOffice or Excel, "
                "save it as .xlsx and upload it again."
            )
        )
    )


def _check_zip(stream: BinaryIO) -> None:
    try:
        archive = zipfile.ZipFile(stream)
    except zipfile.BadZipFile:
        raise not_a_spreadsheet() from None
    with archive:
        names = archive.namelist()
        # The size bound keeps a hostile "mimetype" entry from being unpacked whole.
        if (
            "mimetype" in names
            and archive.getinfo("mimetype").file_size <= 200
            and archive.read("mimetype").strip().startswith(ODS_MIMETYPE)
        ):
            raise ods_refusal()
        if "xl/workbook.xml" not in names:
            raise not_a_spreadsheet()
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
        if "xl/sharedStrings.xml" in names and archive.getinfo("xl/sharedStrings.xml").file_size > (
            MAX_SHARED_STRINGS_BYTES
        ):
            raise ReadError(
                str(
                    _(
                        "This workbook holds more text than a household register (%(size)s MB unpacked). "
                        "Save the sheet as CSV, or split it, and upload it again."
                    )
                    % {"size": archive.getinfo("xl/sharedStrings.xml").file_size // (1024 * 1024)}
                )
            )
        for name in names:
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                _check_declared_size(archive, name)


_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]{1,3})?(\d+)?(?::([A-Z]{1,3})(\d+))?"')


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - ord("A") + 1
    return number


def _check_declared_size(archive: zipfile.ZipFile, name: str) -> None:
    """A sheet declares its used range near its start (``<dimension ref="A1:K50"/>``): a sheet
    that claims more columns or rows than a register could have is refused unread (openpyxl
    would otherwise walk every cell of the claimed range)."""
    with archive.open(name) as sheet:
        start = sheet.read(4096)
    match = _DIMENSION.search(start)
    if match is None or match.group(3) is None:
        return
    columns, rows = _column_number(match.group(3)), int(match.group(4))
    if columns > MAX_COLUMNS:
        raise too_many_columns(columns)
    if rows > MAX_ROWS:
        raise ReadError(
            str(
                _(
                    "A sheet of this workbook claims %(rows)s rows; at most %(limit)s are read. "
                    "Delete the empty rows below the data, or save the sheet as CSV, and upload it again."
                )
                % {"rows": f"{rows:,}".replace(",", "."), "limit": f"{MAX_ROWS:,}".replace(",", ".")}
            )
        )
