"""Reading uploaded files (issue 4, first part): encodings, delimiters, Excel quirks, hostile files,
and the column specification shared by importer, template and docs."""

import datetime
import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings
from django.utils import translation

from households.imports.columns import COLUMNS, match_headers
from households.imports.reading import MAX_UPLOAD_BYTES, ReadError, read_table
from households.imports.template import format_document, template_csv, template_xlsx
from households.imports.values import number_text, parse_choice, parse_date
from households.models import Relationship
from households.validators import check_nik

HEADER = "No KK;Kode Desa;NIK;Nama;Jenis Kelamin;Hubungan Keluarga"
ROW = "3212161503180007;32.12.16.2004;3212161204900001;Ahmad Suryana;L;Kepala Keluarga"


@pytest.fixture(autouse=True)
def english():
    # Messages are matched in English here; the Indonesian default is checked below.
    with translation.override("en"):
        yield


def test_messages_are_indonesian_by_default():
    with translation.override("id"), pytest.raises(ReadError) as refusal:
        read_table(b"")
    assert refusal.value.message == "Berkas kosong."


def rows(table):
    return list(table.rows)


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (f"{HEADER}\n{ROW}\n".encode(), "utf-8"),
        (b"\xef\xbb\xbf" + f"{HEADER}\n{ROW}\n".encode(), "utf-8-sig"),
        (f"{HEADER}\n{ROW.replace('Ahmad', 'André Désirée')}\n".encode("cp1252"), "cp1252"),
    ],
)
def test_encodings(data, encoding):
    table = read_table(data)
    assert table.encoding == encoding and table.headers[0] == "No KK"
    assert rows(table)[0][1][3] in {"Ahmad Suryana", "André Désirée Suryana"}


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_delimiters_are_sniffed(delimiter):
    text = f"{HEADER}\n{ROW}\n".replace(";", delimiter)
    table = read_table(text.encode())
    assert table.delimiter == delimiter and len(table.headers) == 6


def test_quoted_newlines_blank_lines_and_trailing_spaces():
    text = f'{HEADER}\n\n{ROW}   \n\n3212161503180007;32.12.16.2004;3212164511950002;"Siti\nRohmah";P;Istri\n'
    table = read_table(text.encode())
    result = rows(table)
    assert len(result) == 2
    assert result[0][1][5].strip() == "Kepala Keluarga"  # the importer strips what it keeps
    assert result[1][1][3] == "Siti\nRohmah"
    assert result[1][0] == 6  # the line where that record ends, as the user can find it


def test_windows_line_ends_across_blocks_keep_row_numbers():
    # 3,000 rows of CRLF lines: several 64 KB blocks, some ending between \r and \n.
    lines = [HEADER] + [ROW.replace("0001", f"{n:04d}") + ";" + "x" * (n % 7) for n in range(1, 3001)]
    table = read_table(("\r\n".join(lines) + "\r\n").encode())
    numbers = [number for number, _cells in table.rows]
    assert numbers == list(range(2, 3002))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"   \n\n", "empty"),
        (b"\x00\x01\x02\x03binary\xff\xfe" * 50, "not a spreadsheet"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, ".xls"),
        (b"PK\x03\x04 not really a zip", "not a spreadsheet"),
        (b"just one column\nvalue\n", "one column"),
    ],
)
def test_unreadable_files_give_a_message(data, message):
    with pytest.raises(ReadError) as refusal:
        read_table(data)
    assert message in refusal.value.message


def test_file_over_the_size_limit():
    with pytest.raises(ReadError, match="larger than"):
        read_table(b"a;b\n" + b"x" * (MAX_UPLOAD_BYTES + 1))


def test_zip_bomb_is_refused_before_parsing():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", "0" * (50 * 1024 * 1024))
    with pytest.raises(ReadError, match="suspicious size"):
        read_table(buffer.getvalue())


def workbook_bytes(*rows):
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_xlsx_with_numbers_and_dates_as_excel_stores_them():
    data = workbook_bytes(
        ["No KK", "NIK", "Nama", "Tanggal Lahir"],
        [3212161503180007, 3.21216e15, "Ahmad", datetime.datetime(1990, 4, 12)],  # noqa: DTZ001 - Excel cells have no time zone
        [None, None, None, None],
        ["3212161503180007", "321216120490000", "Siti", 35000],
    )
    table = read_table(data)
    assert table.format == "xlsx" and table.headers == ["No KK", "NIK", "Nama", "Tanggal Lahir"]
    first, second = rows(table)
    assert number_text(first[1][0]) == "3212161503180007"
    nik_text = number_text(first[1][1])
    assert "E+15" in nik_text
    assert check_nik(nik_text)[2][0].code == "excel_scientific"
    assert first[1][3] == datetime.date(1990, 4, 12)
    assert second[0] == 4  # the empty row 3 is skipped, numbering follows the sheet
    assert parse_date(second[1][3]) == (datetime.date(1995, 10, 28), "")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12/04/1990", datetime.date(1990, 4, 12)),
        ("1-2-2023", datetime.date(2023, 2, 1)),
        ("1990-04-12", datetime.date(1990, 4, 12)),
        ("32975", datetime.date(1990, 4, 12)),
        ("32975.0", datetime.date(1990, 4, 12)),
        ("", None),
    ],
)
def test_dates_in_every_shape(raw, expected):
    assert parse_date(raw) == (expected, "")


@pytest.mark.parametrize("raw", ["31/02/2020", "kemarin", "12/13/1990"])
def test_bad_dates_say_so(raw):
    value, error = parse_date(raw)
    assert value is None and raw in error


def test_choices_by_code_label_or_indonesian_short_form():
    choices = list(Relationship.choices)
    assert parse_choice("head", choices)[0] == "head"
    assert parse_choice("Kepala Keluarga", choices, {"kepalakeluarga": "head"})[0] == "head"
    assert parse_choice("ISTRI", choices, {"istri": "wife"})[0] == "wife"
    value, error = parse_choice("tetangga", choices)
    assert value == "" and "tetangga" in error


def test_headers_match_in_either_language_and_any_case():
    matched = match_headers(["no_kk", "VILLAGE CODE", "nik", "Full Name", "JK", "SHDK", "Warna Favorit"])
    assert {c.key for c in matched.columns.values()} == {"kk_number", "village", "nik", "name", "sex", "relationship"}
    assert matched.missing == [] and matched.unknown == ["Warna Favorit"]
    assert {c.key for c in match_headers(["Nama"]).missing} == {"kk_number", "village", "nik", "sex", "relationship"}


@pytest.mark.django_db
def test_templates_come_from_the_specification():
    csv_table = read_table(template_csv())
    assert csv_table.headers == [column.header for column in COLUMNS]
    assert not match_headers(csv_table.headers).missing
    workbook = openpyxl.load_workbook(io.BytesIO(template_xlsx()))
    assert [cell.value for cell in workbook["Data"][1]] == [column.header for column in COLUMNS]
    assert workbook["Data"]["C2"].number_format == "@" or workbook["Data"]["A2"].number_format == "@"
    assert workbook["Kode"].max_row > 20


@pytest.mark.django_db
def test_import_format_doc_is_current():
    committed = (Path(settings.BASE_DIR) / "docs" / "import-format.md").read_text()
    assert committed == format_document(), "run `manage.py import_format_doc`"
