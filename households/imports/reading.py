"""Turning an uploaded file into header + rows, whatever Excel or a village laptop did to it.

CSV: UTF-8 with or without BOM, else Windows-1252; the delimiter (`,` `;` or tab) is
sniffed; quoted fields may hold newlines; blank lines are skipped. XLSX: the first
sheet, read-only and streaming; a file whose uncompressed size is out of proportion
(a zip bomb) is refused before openpyxl opens it. Every refusal is a ReadError with a
message for the user, never an exception that ends in a 500.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

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


Source = bytes | memoryview | BinaryIO


def read_table(source: Source, filename: str = "", *, max_bytes: int | None = MAX_UPLOAD_BYTES) -> Table:
    """The header and a stream of rows of ``source`` (the file's bytes, or a binary file
    opened for reading, which is never read into memory whole). CSV cells come as typed,
    unstripped; the importer strips what it keeps. ``max_bytes=None`` lifts the size limit
    (the command line, for files too big to upload)."""
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
    if head[:4] == b"PK\x03\x04":
        return _read_xlsx(stream)
    if head[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ReadError(str(_("This is an old Excel file (.xls). Save it as .xlsx or CSV and upload it again.")))
    return _read_csv(stream)


def _encoding(stream: BinaryIO) -> str:
    """UTF-8 (with or without BOM) if every byte decodes as UTF-8, else Windows-1252. The
    whole file is checked, a megabyte at a time: one accented name in the last row of a
    Windows-1252 file must not be misread."""
    not_a_spreadsheet = ReadError(str(_("This file is not a spreadsheet (CSV or XLSX).")))
    bom = stream.read(3) == b"\xef\xbb\xbf"
    if not bom:
        stream.seek(0)
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8 = True
    while chunk := stream.read(1 << 20):
        if b"\x00" in chunk:
            raise not_a_spreadsheet
        if utf8:
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                if bom:
                    raise not_a_spreadsheet from None
                utf8 = False
    stream.seek(0)
    return "utf-8-sig" if bom else "utf-8" if utf8 else "cp1252"


def _sniff_delimiter(text: str) -> str:
    sample = "\n".join(line for line in text.splitlines() if line.strip())[:10000]
    try:
        return csv.Sniffer().sniff(sample, delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        first = sample.splitlines()[0] if sample else ""
        return max(DELIMITERS, key=first.count)


def _lines(stream: BinaryIO, encoding: str) -> Iterator[str]:
    """The file's lines, decoded a block at a time, with their line ends (\n, \r\n or \r)
    as the csv module wants them. The caller's file is left open and unwrapped."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    pending = ""
    while block := stream.read(1 << 16):
        text = pending + decoder.decode(block)
        # A "\r" at the end of a block may be the first half of "\r\n": keep it back.
        cut = len(text) - 1 if text.endswith("\r") else len(text)
        lines = io.StringIO(text[:cut], newline="").readlines()
        pending = text[cut:]
        if lines and not lines[-1].endswith(("\n", "\r")):
            pending = lines.pop() + pending
        yield from lines
    tail = pending + decoder.decode(b"", final=True)
    if tail:
        yield from io.StringIO(tail, newline="").readlines()


def _read_csv(stream: BinaryIO) -> Table:
    encoding = _encoding(stream)
    sample = stream.read(20000).decode(encoding, errors="ignore")
    stream.seek(0)
    delimiter = _sniff_delimiter(sample)
    text = _lines(stream, encoding)
    reader = csv.reader(text, delimiter=delimiter)
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
            # "".join is one C call; only a row of blanks is skipped.
            if "".join(row).strip():
                yield reader.line_num, row

    return Table(headers=headers, rows=rows(), format="csv", encoding=encoding, delimiter=delimiter)


def _check_zip(stream: BinaryIO) -> None:
    try:
        archive = zipfile.ZipFile(stream)
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


def _read_xlsx(stream: BinaryIO) -> Table:
    _check_zip(stream)
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(stream, read_only=True, data_only=True)
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
