"""Turning an uploaded file into header + rows, whatever Excel or a village laptop did to it.

CSV: UTF-8 with or without BOM, UTF-16 with a BOM (Excel's "Unicode Text"), else
Windows-1252. A UTF-8 file with a few stray bytes from another program stays UTF-8: the
stray bytes become U+FFFD, which the importer flags, and a note says so. An Excel
``sep=`` first line sets the delimiter and is not a row; otherwise the delimiter (`,` `;`
or tab) is the one under which a row names most import columns, else sniffed. Quoted
fields may hold newlines; blank lines are skipped. Row numbers are the spreadsheet's: one
per record, blank lines included, as Excel shows the file.

XLSX: read-only and streaming, with the stored used range ignored (some programs write a
wrong one). The sheet read is the visible sheet whose header names most import columns,
so instruction and code-list sheets are passed over. A file whose uncompressed size is
out of proportion (a zip bomb) is refused before openpyxl opens it.

Both: the header is the row naming most import columns among the first 20 non-blank rows,
so title rows above it are skipped (with a note); if no row names two, the first non-blank
row is the header and the importer reports what is missing. OpenDocument (.ods) and old
.xls files are refused with what to do instead. Every refusal is a ReadError with a message
for the user, never an exception that ends in a 500.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import re
from collections.abc import Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import chain, islice
from typing import Any, BinaryIO, cast

from django.utils.translation import gettext_lazy as _

from desmigratif.uploads import (
    MAX_COLUMNS,
    MAX_LINE_CHARS,
    MAX_UPLOAD_BYTES,
    ReadError,
    Source,
    file_screen,
    long_line,
    not_a_spreadsheet,
    too_many_columns,
)
from households.imports.columns import header_score

DELIMITERS = [",", ";", "\t"]
HEADER_SEARCH_ROWS = 20  # non-blank rows in which the header is looked for
MIN_HEADER_SCORE = 2  # known column names a row needs to be taken for the header
# CSV lines kept for choosing the delimiter: enough for the header search and the sniffer,
# and bounded, since they are held in memory until the reader has passed them.
HEAD_LINES, HEAD_CHARS, HEAD_MAX_CHARS = 200, 20_000, 1 << 20
XLSX_HEADER_SCAN = 1000  # rows of a sheet looked at, blank ones included, for its header
_UTF8_LEADS = bytes(range(0xC0, 0x100))
_SEP_LINE = re.compile(r'"?sep=(\\t|[,;|\t])"?[,;|\t]*\s*', re.IGNORECASE)


@dataclass
class Table:
    headers: list[str]
    rows: Iterator[tuple[int, list[object]]]  # (row number as the user sees it, cells)
    format: str
    encoding: str = ""
    delimiter: str = ""
    notes: list[str] = field(default_factory=list)
    sheet: str = ""
    source: BinaryIO | None = None  # the file the caller opened for it, closed with the table

    def close(self) -> None:
        """Let go of the file (and the workbook), whether the rows were read or not."""
        close_rows = getattr(self.rows, "close", None)
        if close_rows is not None:
            close_rows()
        if self.source is not None:
            self.source.close()


def read_table(source: Source, filename: str = "", *, max_bytes: int | None = MAX_UPLOAD_BYTES) -> Table:
    """The header and a stream of rows of ``source`` (the file's bytes, or a binary file
    opened for reading, which is never read into memory whole). CSV cells come as typed,
    unstripped; the importer strips what it keeps. ``max_bytes=None`` lifts the size limit
    (the command line, for files too big to upload)."""
    stream = io.BytesIO(source) if isinstance(source, (bytes, memoryview)) else source
    kind = file_screen(stream, filename, max_bytes=max_bytes)
    return _read_xlsx(stream) if kind == "xlsx" else _read_csv(stream)


def _header_position(rows: Iterable[Sequence[object]]) -> tuple[int, int, int]:
    """(best score, index of the first row with it, index of the first non-blank row) among
    the first non-blank ``rows``; indexes count blank rows too, and are -1 when all are blank."""
    best_score, best_index, first_index, seen = 0, -1, -1, 0
    for index, row in enumerate(rows):
        if not any(cell.strip() if isinstance(cell, str) else cell is not None for cell in row):
            continue
        if first_index < 0:
            first_index = index
        score = header_score(list(row))
        if score > best_score:
            best_score, best_index = score, index
        seen += 1
        if seen == HEADER_SEARCH_ROWS:
            break
    return best_score, best_index, first_index


def _header_note(row_number: int) -> str:
    return str(_("The header was found in row %(row)s; the rows above it were skipped.") % {"row": row_number})


def _damaged_note() -> str:
    return str(
        _(
            "Some characters in this file could not be read and were replaced by “�”; "
            "the cells that hold them are marked."
        )
    )


# CSV


def _open_sequence(data: bytes) -> int:
    """How many bytes at the end of ``data`` begin a UTF-8 sequence that the next block may
    complete: they are judged with that block, not as an error here."""
    for back in range(1, min(4, len(data)) + 1):
        byte = data[-back]
        if byte < 0x80:
            return 0
        if byte >= 0xC0:
            length = 2 if byte < 0xE0 else 3 if byte < 0xF0 else 4
            return back if length > back else 0
    return 0


def _utf8_counts(data: bytes) -> tuple[int, int]:
    """(invalid sequences, valid multi-byte sequences) in ``data``, at C speed: an invalid
    sequence decodes to one U+FFFD, and U+FFFD written in the file (EF BF BD) is told apart."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("utf-8", errors="replace")
        invalid = text.count("\ufffd") - data.count(b"\xef\xbf\xbd")
        return invalid, len(text) - len(text.encode("ascii", errors="ignore")) - invalid
    return 0, len(data) - len(data.translate(None, _UTF8_LEADS))  # one lead byte per sequence


def _encoding(stream: BinaryIO) -> tuple[str, bool]:
    """The file's encoding, and whether some of its bytes will be read as U+FFFD.

    A UTF-16 BOM means UTF-16. Otherwise the whole file is looked at, a megabyte at a time:
    one accented name in the last row of a Windows-1252 file must not be misread. A file
    whose invalid UTF-8 is outnumbered by valid multi-byte characters is UTF-8 with a few
    stray bytes (a cell pasted from another program); reading it all as Windows-1252 would
    garble every valid name. A BOM says UTF-8 whatever follows. NUL bytes outside UTF-16
    mean a binary file."""
    start = stream.read(3)
    stream.seek(0)
    if start[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        return "utf-16", _utf16_damaged(stream)
    bom = start == codecs.BOM_UTF8
    if bom:
        stream.seek(3)
    invalid = multibyte = 0
    carry = b""
    while chunk := stream.read(1 << 20):
        if b"\x00" in chunk:
            raise not_a_spreadsheet()
        data = carry + chunk if carry else chunk
        if data.isascii():
            carry = b""
            continue
        cut = len(data) - _open_sequence(data)
        carry = data[cut:]
        bad, good = _utf8_counts(data[:cut])
        invalid += bad
        multibyte += good
    if carry:  # the file ends inside a sequence
        invalid += _utf8_counts(carry)[0]
    stream.seek(0)
    if bom:
        return "utf-8-sig", invalid > 0
    if not invalid:
        return "utf-8", False
    if multibyte >= invalid:
        return "utf-8", True
    return "cp1252", False


def _utf16_damaged(stream: BinaryIO) -> bool:
    """Whether the UTF-16 file holds undecodable units. A U+0000 in the text means the BOM
    was a coincidence at the start of a binary file."""
    decoder = codecs.getincrementaldecoder("utf-16")(errors="replace")
    damaged = False
    while chunk := stream.read(1 << 20):
        text = decoder.decode(chunk)
        if "\x00" in text:
            raise not_a_spreadsheet()
        damaged = damaged or "\ufffd" in text
    damaged = damaged or "\ufffd" in decoder.decode(b"", final=True)  # an odd last byte
    stream.seek(0)
    return damaged


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


def _declared_delimiter(line: str) -> str:
    """The delimiter of an Excel ``sep=`` line, or "" if ``line`` is not one."""
    match = _SEP_LINE.fullmatch(line.lstrip("\ufeff"))
    if not match:
        return ""
    return "\t" if match.group(1) == "\\t" else match.group(1)


def _records(lines: list[str], delimiter: str) -> Iterator[list[str]]:
    """The records of the first lines; a record the csv module refuses ends them (the
    reader proper reports it with its row number)."""
    reader = csv.reader(lines, delimiter=delimiter)
    try:
        yield from reader
    except csv.Error:
        return


def _layout(head: list[str], declared: str) -> tuple[str, int, int]:
    """(delimiter, index of the header record, index of the first non-blank record). Title
    lines are one cell under every delimiter, so they cannot tip the choice: the delimiter
    is the one under which a row names most import columns."""
    candidates = [declared] if declared else DELIMITERS
    found = {delimiter: _header_position(_records(head, delimiter)) for delimiter in candidates}
    delimiter = max(candidates, key=lambda d: found[d][0])
    score, best, first = found[delimiter]
    if score >= MIN_HEADER_SCORE:
        return delimiter, best, first
    if not declared:
        delimiter = _sniff_delimiter("".join(head)[:HEAD_CHARS])
        first = _header_position(_records(head, delimiter))[2]
    return delimiter, first, first


def _read_csv(stream: BinaryIO) -> Table:
    encoding, damaged = _encoding(stream)
    notes = [_damaged_note()] if damaged else []
    lines = _lines(stream, encoding)
    head: list[str] = []
    declared = ""
    chars = 0
    for line in lines:
        if not head and not declared and (declared := _declared_delimiter(line)):
            continue  # Excel hides this line: it is not a row
        if len(line) > MAX_LINE_CHARS:
            raise long_line(len(head) + 1 + bool(declared))
        head.append(line)
        chars += len(line)
        if (len(head) >= HEAD_LINES and chars >= HEAD_CHARS) or chars >= HEAD_MAX_CHARS:
            break
    delimiter, header_index, first_index = _layout(head, declared)
    if header_index < 0:
        raise ReadError(str(_("The file is empty.")))
    reader = csv.reader(chain(head, lines), delimiter=delimiter)
    try:
        for _skipped in islice(reader, header_index):
            pass
        headers = [cell.strip() for cell in next(reader)]
    except csv.Error as error:
        raise _row_error(header_index + 1, error) from None
    if len(headers) < 2:
        raise ReadError(str(_("Only one column was found. Use a comma, semicolon or tab between columns.")))
    if len(headers) > MAX_COLUMNS:
        raise too_many_columns(len(headers))
    header_number = header_index + 1  # records are the spreadsheet's rows, from 1
    if first_index < header_index:
        notes.append(_header_note(header_number))

    def rows() -> Iterator[tuple[int, list[object]]]:
        number = header_number
        try:
            for number, row in enumerate(reader, header_number + 1):
                # "".join is one C call; only a row of blanks is skipped.
                if "".join(row).strip():
                    # Every reader's rows are lists of cells (a CSV's cells all text).
                    cells = cast(list[object], row)
                    yield number, cells if len(cells) <= MAX_COLUMNS else cells[:MAX_COLUMNS]
        except csv.Error as error:
            raise _row_error(number + 1, error) from None

    return Table(headers=headers, rows=rows(), format="csv", encoding=encoding, delimiter=delimiter, notes=notes)


def _row_error(number: int, error: csv.Error) -> ReadError:
    return ReadError(str(_("Row %(row)s could not be read (%(error)s).") % {"row": number, "error": error}))


# XLSX


def _workbook_error(error: Exception) -> ReadError:
    return ReadError(str(_("The workbook could not be read (%(error)s).") % {"error": type(error).__name__}))


@dataclass
class _SheetStart:
    """The first rows of a sheet, read to find its header; ``rest`` goes on after them."""

    sheet: Any
    rest: Generator[tuple, None, None]
    first_rows: list[list[object]]  # converted cells; row n of the sheet at index n - 1
    score: int
    header_index: int
    first_index: int

    @classmethod
    def read(cls, sheet: Any) -> _SheetStart:
        # The stored used range may be wrong (A1:B2 on a sheet that goes to K50): ignore it.
        sheet.reset_dimensions()
        rest = sheet.iter_rows(values_only=True)
        first_rows: list[list[object]] = []

        def converted() -> Iterator[list[object]]:
            for values in islice(rest, XLSX_HEADER_SCAN):
                first_rows.append([_xlsx_cell(v) for v in values])
                yield first_rows[-1]

        score, header_index, first_index = _header_position(converted())
        return cls(sheet, rest, first_rows, score, header_index, first_index)

    def close(self) -> None:
        self.rest.close()  # openpyxl's row generator holds the sheet's XML open


def _read_xlsx(stream: BinaryIO) -> Table:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(stream, read_only=True, data_only=True)
    except Exception as error:  # noqa: BLE001 - any parser failure is an unreadable file for the user
        raise _workbook_error(error) from None
    try:
        start = _header_sheet(workbook.worksheets)
    except Exception as error:  # noqa: BLE001 - a broken sheet is an unreadable file for the user
        workbook.close()
        raise _workbook_error(error) from None
    if start is None or start.first_index < 0:
        workbook.close()
        if start is not None and len(start.first_rows) >= XLSX_HEADER_SCAN:
            raise ReadError(
                str(
                    _(
                        "The first %(rows)s rows of sheet “%(sheet)s” are empty. Delete the empty rows above "
                        "the data and upload it again."
                    )
                    % {"rows": f"{XLSX_HEADER_SCAN:,}".replace(",", "."), "sheet": start.sheet.title}
                )
            )
        raise ReadError(str(_("The file is empty.")))
    header_index = start.header_index if start.score >= MIN_HEADER_SCORE else start.first_index
    headers = [str(cell) for cell in start.first_rows[header_index]]
    while headers and not headers[-1]:
        headers.pop()
    if len(headers) > MAX_COLUMNS:
        workbook.close()
        raise too_many_columns(len(headers))
    width = len(headers)
    notes = []
    if len(workbook.worksheets) > 1:
        notes.append(
            str(_("Sheet “%(sheet)s” was read; the other sheets were ignored.") % {"sheet": start.sheet.title})
        )
    if start.first_index < header_index:
        notes.append(_header_note(header_index + 1))
    after_header = start.first_rows[header_index + 1 :]
    next_number = len(start.first_rows) + 1

    def rows() -> Iterator[tuple[int, list[object]]]:
        try:
            for number, row in enumerate(after_header, header_index + 2):
                if any(cell != "" for cell in row[:width]):
                    yield number, row[:width]
            for number, values in enumerate(start.rest, next_number):
                row = [_xlsx_cell(v) for v in values[:width]]
                if any(cell != "" for cell in row):
                    yield number, row
        except Exception as error:  # noqa: BLE001 - a sheet broken further down is an unreadable file too
            raise _workbook_error(error) from None
        finally:
            workbook.close()

    return Table(headers=headers, rows=rows(), format="xlsx", notes=notes, sheet=start.sheet.title)


def _header_sheet(sheets: list[Any]) -> _SheetStart | None:
    """The visible sheet whose header names most import columns (the first of equals), so
    that an instructions sheet ("Petunjuk") or a code list ("Kode") before the data is
    passed over; the first visible sheet if none has a header."""
    visible = [sheet for sheet in sheets if sheet.sheet_state == "visible"] or sheets[:1]
    chosen: _SheetStart | None = None
    for sheet in visible:
        start = _SheetStart.read(sheet)
        if start.score >= MIN_HEADER_SCORE and (chosen is None or start.score > chosen.score):
            if chosen is not None:
                chosen.close()
            chosen = start
        else:
            start.close()
    if chosen is None and visible:
        chosen = _SheetStart.read(visible[0])
    return chosen


def _xlsx_cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, datetime.datetime) and value.time() == datetime.time(0):
        return value.date()
    return value
