"""Running a file through the import as the portal does (the batch life cycle, without the
background worker), and files as villages make them: CSV saved by Excel with `;` and a BOM,
XLSX written cell by cell; files no register is; a connection to the test database of our own."""

from __future__ import annotations

import io
import zipfile
from collections import defaultdict
from collections.abc import Iterable
from types import SimpleNamespace
from typing import Any

import openpyxl
import psycopg2
from django.db import connection

from households.imports import batches
from households.imports.staging import kept_problems
from households.models import ImportBatch

# The columns of a register with migration details, and a file of it: two households, three persons,
# one of them abroad.
HEADER = (
    "No KK;Kode Desa;NIK;Nama;Jenis Kelamin;Tanggal Lahir;Hubungan Keluarga;Negara Tujuan;Status Migrasi;"
    "Tanggal Berangkat"
)
FILE = (
    "\n".join(
        [
            HEADER,
            "3212161503180007;32.12.16.2004;3212161204900001;Ahmad;L;12/04/1990;Kepala Keluarga;;;",
            "3212161503180007;32.12.16.2004;3212164511950002;Siti;P;05/11/1995;Istri;TW;abroad;01/02/2023",
            "3212161001240003;32.12.16.2004;3212161507100003;Budi;L;15/07/2010;Kepala Keluarga;;;",
        ]
    )
    + "\n"
)
# The required columns only, as cells.
HEADER_CELLS = ["No KK", "Kode Desa", "NIK", "Nama", "Jenis Kelamin", "Hubungan Keluarga"]


def line(
    kk="3212161503180007",
    village="3212162004",
    nik="3212161204900001",
    name="Ahmad",
    sex="L",
    born="12/04/1990",
    rel="Kepala Keluarga",
    country="",
    status="",
    departure="",
):
    """One line of a file with ``HEADER``'s columns."""
    return ";".join([kk, village, nik, name, sex, born, rel, country, status, departure])


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


def workbook_bytes(*rows) -> bytes:
    """An XLSX file of ``rows``, every cell as openpyxl stores it."""
    return workbook(rows)


def rewrite_entry(data, name, change):
    """The workbook with one of its zip entries rewritten, the others copied as they are."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            target.writestr(info, change(content) if info.filename == name else content)
    return buffer.getvalue()


def zip_bomb() -> bytes:
    """An XLSX whose one sheet unpacks to 50 MB of zeros."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", "0" * (50 * 1024 * 1024))
    return buffer.getvalue()


def hostile_uploads() -> list[tuple[str, bytes]]:
    """Files that are no register: (name, content)."""
    return [
        ("empty.csv", b""),
        ("photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00\xff" * 200),
        ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512),
        ("bomb.xlsx", zip_bomb()),
        ("fake.xlsx", b"PK\x03\x04 this is not a zip"),
    ]


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


def commit(user, text=FILE, mode=ImportBatch.Mode.ALL_OR_NOTHING) -> ImportBatch:
    """Check and write ``text`` (``FILE`` unless told) as ``user``."""
    return check_and_write(user, text, mode)


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


def run(user, *lines, header=HEADER):
    """Check the lines as a file for ``user``; what the preview would show."""
    batch = check(user, "\n".join([header, *lines]) + "\n", name="t.csv")
    shown = preview(batch)
    shown.counts = defaultdict(int, shown.counts)
    return shown


def admin_connection():
    """A connection of our own to the test database, beside Django's."""
    settings = connection.settings_dict
    params = {
        "dbname": settings["NAME"],
        "user": settings["USER"] or None,
        "password": settings["PASSWORD"] or None,
        "host": settings["OPTIONS"].get("host") or settings["HOST"] or None,
        "port": settings["PORT"] or None,
    }
    own = psycopg2.connect(**{key: value for key, value in params.items() if value})
    own.autocommit = True
    return own
