"""Reading uploaded files (issue 4, first part): encodings, delimiters, Excel quirks, hostile files,
and the column specification shared by importer, template and docs."""

import codecs
import csv
import datetime
import io
import re
import struct
import zipfile
import zlib
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
from placements.columns import format_section
from tests.households.imports import HEADER_CELLS, rewrite_entry, workbook_bytes, zip_bomb

HEADER = ";".join(HEADER_CELLS)  # No KK;Kode Desa;NIK;Nama;Jenis Kelamin;Hubungan Keluarga
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
    ("data", "encoding", "name"),
    [
        (f"{HEADER}\n{ROW}\n".encode(), "utf-8", "Ahmad Suryana"),
        (b"\xef\xbb\xbf" + f"{HEADER}\n{ROW}\n".encode(), "utf-8-sig", "Ahmad Suryana"),
        (f"{HEADER}\n{ROW.replace('Ahmad', 'André Désirée')}\n".encode("cp1252"), "cp1252", "André Désirée Suryana"),
    ],
)
def test_encodings(data, encoding, name):
    table = read_table(data)
    assert table.encoding == encoding and table.headers[0] == "No KK"
    assert rows(table)[0][1][3] == name


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
    # Excel's row numbers: the blank lines are rows, the record with a line break is one row.
    assert [number for number, _cells in result] == [3, 5]


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
    with pytest.raises(ReadError, match="suspicious size"):
        read_table(zip_bomb())


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
        (32975, datetime.date(1990, 4, 12)),  # a number cell of a workbook
        (32975.0, datetime.date(1990, 4, 12)),
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
    data = workbook["Data"]
    text_columns = {header.value for header in data[1] if data.cell(2, header.column).number_format == "@"}
    assert text_columns == {"No KK", "Kode Desa", "RT", "RW", "Telepon", "NIK", "No BPJS"}  # kept as typed
    assert workbook["Kode"].max_row > 20
    xlsx_table = read_table(template_xlsx())  # the code list on the second sheet is not the data
    assert xlsx_table.sheet == "Data" and xlsx_table.headers == csv_table.headers


@pytest.mark.django_db
def test_import_format_doc_is_current():
    committed = (Path(settings.BASE_DIR) / "docs" / "import-format.md").read_text()
    assert committed == format_document() + "\n" + format_section(), "run `manage.py import_format_doc`"


# Files as real programs write them.

ROW_CELLS = ROW.split(";")
WIFE_CELLS = ["3212161503180007", "32.12.16.2004", "3212164511950002", "Désirée Nguyễn", "P", "Istri"]
TITLE_ROWS = [["DATA PENDUDUK DESA KENANGA"], [], ["Dicetak 01/11/2026"]]


def written(rows, *, delimiter, line_end, pad):
    """Rows as a spreadsheet program writes them: quotes only where a cell needs them and,
    for Excel and LibreOffice, every row padded with delimiters to the sheet's used width."""
    width = max(len(row) for row in rows)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=line_end)
    for row in rows:
        writer.writerow([*row, *[""] * (width - len(row))] if pad else row)
    return buffer.getvalue()


def excel_csv_utf8(rows):
    """Excel's "CSV UTF-8" with an Indonesian list separator: BOM, `;`, CRLF."""
    return codecs.BOM_UTF8 + written(rows, delimiter=";", line_end="\r\n", pad=True).encode()


def libreoffice_csv(rows):
    """LibreOffice Calc's default CSV export: UTF-8 without BOM, `,`, LF."""
    return written(rows, delimiter=",", line_end="\n", pad=True).encode()


def script_csv(rows):
    """A hand-written or scripted CSV: no padding, a one-cell title line stays one cell."""
    return written(rows, delimiter=";", line_end="\n", pad=False).encode()


def excel_unicode_text(rows, *, big_endian=False):
    """Excel's "Unicode Text (*.txt)": UTF-16 with BOM, tab-separated, CRLF."""
    text = written(rows, delimiter="\t", line_end="\r\n", pad=True)
    if big_endian:
        return codecs.BOM_UTF16_BE + text.encode("utf-16-be")
    return codecs.BOM_UTF16_LE + text.encode("utf-16-le")


@pytest.mark.parametrize("write", [excel_csv_utf8, libreoffice_csv, script_csv, excel_unicode_text])
def test_title_rows_above_the_header_are_skipped(write):
    table = read_table(write([*TITLE_ROWS, HEADER_CELLS, ROW_CELLS, WIFE_CELLS]))
    assert table.headers == HEADER_CELLS
    assert [(number, cells[3]) for number, cells in table.rows] == [(5, "Ahmad Suryana"), (6, "Désirée Nguyễn")]
    assert table.notes == ["The header was found in row 4; the rows above it were skipped."]


def test_a_header_on_the_first_row_needs_no_note():
    table = read_table(excel_csv_utf8([HEADER_CELLS, ROW_CELLS]))
    assert table.notes == [] and table.sheet == ""


def test_title_lines_with_commas_do_not_decide_the_delimiter():
    # A village report header: the sniffer alone would take the commas of the title lines.
    text = (
        "Desa Kenanga, Kecamatan Sindang, Kabupaten Indramayu\n"
        "Dicetak: 01/11/2026, 10.00, oleh Operator Desa\n"
        f"{HEADER}\n{ROW}\n"
    )
    table = read_table(text.encode())
    assert table.delimiter == ";" and table.headers == HEADER_CELLS
    assert [number for number, _cells in table.rows] == [4]


@pytest.mark.parametrize(("titles", "found"), [(19, True), (20, False)])
def test_the_header_is_looked_for_in_the_first_20_rows(titles, found):
    lines = [f"Keterangan {n}" for n in range(1, titles + 1)]
    data = "\n".join([*lines, HEADER, ROW, ""]).encode()
    if found:
        assert read_table(data).headers == HEADER_CELLS
    else:  # as before: the first row is the header, and it has one column
        with pytest.raises(ReadError, match="one column"):
            read_table(data)


def test_without_a_recognisable_header_the_first_row_is_the_header():
    table = read_table(b"Warna;Rasa;Nama\nmerah;manis;Ahmad\n")
    assert table.headers == ["Warna", "Rasa", "Nama"] and table.notes == []
    assert {c.key for c in match_headers(table.headers).missing} == {
        "kk_number",
        "village",
        "nik",
        "sex",
        "relationship",
    }


@pytest.mark.parametrize(
    ("first_line", "delimiter"),
    [
        (b"\xef\xbb\xbfsep=;\r\n", ";"),
        (b"sep=;\r\n", ";"),
        (b"SEP=,\n", ","),
        (b"sep=\t\r\n", "\t"),
        (b'"sep=;";;;;;\r\n', ";"),  # opened and saved again in LibreOffice
    ],
)
def test_excel_sep_line_sets_the_delimiter_and_is_not_a_row(first_line, delimiter):
    # Cells with the other delimiters in them: only the sep line can tell.
    header = HEADER.replace(";", delimiter)
    row = ROW.replace(";", delimiter).replace("Ahmad Suryana", '"Suryana, Ahmad; bin Umar"')
    table = read_table(first_line + f"{header}\r\n{row}\r\n".encode())
    assert table.delimiter == delimiter and table.headers == HEADER_CELLS
    assert [(number, cells[3]) for number, cells in table.rows] == [(2, "Suryana, Ahmad; bin Umar")]


def test_sep_line_with_a_header_further_down():
    data = b"sep=;\r\nDATA PENDUDUK DESA KENANGA;;;;;\r\n;;;;;\r\n" + f"{HEADER}\r\n{ROW}\r\n".encode()
    table = read_table(data)
    assert table.headers == HEADER_CELLS
    assert [number for number, _cells in table.rows] == [4]
    assert table.notes == ["The header was found in row 3; the rows above it were skipped."]


@pytest.mark.parametrize("big_endian", [False, True])
def test_excel_unicode_text_is_utf16(big_endian):
    address = ["Jl. Kenanga No. 5\nRT 001"]  # Excel quotes a cell with a line break
    data = excel_unicode_text(
        [[*HEADER_CELLS, "Alamat"], [*ROW_CELLS, *address], [*WIFE_CELLS, *address]], big_endian=big_endian
    )
    table = read_table(data)
    assert table.encoding == "utf-16" and table.delimiter == "\t" and table.notes == []
    assert table.headers == [*HEADER_CELLS, "Alamat"]
    result = rows(table)
    assert [number for number, _cells in result] == [2, 3]
    assert result[1][1][3] == "Désirée Nguyễn" and result[1][1][6] == "Jl. Kenanga No. 5\nRT 001"


def png_bytes():
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    chunk = struct.pack(">I", len(header)) + b"IHDR" + header
    return b"\x89PNG\r\n\x1a\n" + chunk + struct.pack(">I", zlib.crc32(b"IHDR" + header)) + b"\x00" * 40


@pytest.mark.parametrize(
    "data",
    [
        png_bytes(),
        f"{HEADER}\n{ROW}\n".encode() + b"\x00\x00\x12\x00",  # NULs and no UTF-16 BOM
        codecs.BOM_UTF16_LE + b"\x00\x00\x89\x50\x4e\x47" * 20,  # a BOM by chance, then binary
    ],
)
def test_binary_files_are_still_refused(data):
    with pytest.raises(ReadError, match="not a spreadsheet"):
        read_table(data)


def test_utf8_file_with_a_few_windows_1252_bytes_stays_utf8():
    names = ["Désirée Nguyễn", "André Siregar", "Nguyễn Thị Lan", "Dewi Łucja"]
    lines = [HEADER] + [ROW.replace("Ahmad Suryana", name) for name in names]
    # One cell pasted from a Windows-1252 file into an otherwise UTF-8 file.
    data = ("\r\n".join(lines) + "\r\n").encode() + ROW.replace("Ahmad Suryana", "José").encode("cp1252") + b"\r\n"
    table = read_table(data)
    assert table.encoding == "utf-8"
    assert [cells[3] for _number, cells in table.rows] == [*names, "Jos\ufffd"]
    assert table.notes == [
        "Some characters in this file could not be read and were replaced by “\ufffd”; "
        "the cells that hold them are marked."
    ]


def test_more_stray_bytes_than_utf8_characters_is_windows_1252():
    # A Windows-1252 file in which one name happens to be valid UTF-8 ("Ã©" = C3 A9).
    names = ["André", "Désirée", "Zoë", "JosÃ©"]
    data = "\n".join([HEADER] + [ROW.replace("Ahmad Suryana", name) for name in names]).encode("cp1252")
    table = read_table(data)
    assert table.encoding == "cp1252" and table.notes == []
    assert [cells[3] for _number, cells in table.rows] == names


@pytest.mark.parametrize("before_boundary", [1, 2])
def test_a_character_split_between_two_megabyte_blocks_is_not_a_stray_byte(before_boundary):
    # The encoding check reads a megabyte at a time: an "ễ" (3 bytes) straddles the first boundary.
    head = f"{HEADER}\n{ROW.replace('Ahmad Suryana', 'Nguyễn')}\n".encode()
    filler = f"{ROW}\n".encode() * (((1 << 20) - len(head)) // (len(ROW) + 1) - 1)
    name_start = len(ROW) - len("Ahmad Suryana;L;Kepala Keluarga")
    padding = (1 << 20) - before_boundary - len(head) - len(filler) - name_start
    last = f"{ROW[:name_start]}{'x' * padding}ễn;L;Istri\n".encode()
    data = head + filler + last + b"\xe9"  # and the file ends inside a sequence
    assert data[(1 << 20) - before_boundary : (1 << 20) - before_boundary + 3] == "ễ".encode()
    table = read_table(data)
    assert table.encoding == "utf-8"  # 2 valid multi-byte characters, 1 invalid byte
    result = rows(table)
    assert result[0][1][3] == "Nguyễn" and result[-2][1][3] == "x" * padding + "ễn"
    assert result[-1][1] == ["\ufffd"]
    assert len(table.notes) == 1


def test_row_numbers_are_the_spreadsheets():
    address = "Jl. Kenanga No. 5\nRT 001 / RW 002"  # two lines in one cell
    data = (
        excel_csv_utf8(
            [
                [*HEADER_CELLS, "Alamat"],
                [*ROW_CELLS, address],  # row 2
                [],  # row 3: padded with delimiters, blank
                [*WIFE_CELLS, address],  # row 4
            ]
        )
        + f"\r\n{ROW};\r\n".encode()
    )  # row 5 is an empty line, row 6
    assert [number for number, _cells in read_table(data).rows] == [2, 4, 6]


def test_a_row_the_csv_module_cannot_read_is_a_read_error():
    # Among the first lines (read to find the header), a line over the portal's bound is refused
    # before any row is read; further down, a cell over the csv module's limit (131,072 characters).
    data = f"{HEADER}\n{ROW}\n{ROW};{'x' * 110_000}\n".encode()
    with pytest.raises(ReadError, match="Row 3 is longer than"):
        rows(read_table(data))
    further = f"{HEADER}\n" + f"{ROW}\n" * 300 + f"{ROW};{'x' * 140_000}\n"
    with pytest.raises(ReadError, match="Row 302 could not be read"):
        rows(read_table(further.encode()))


def build_workbook(sheets, states=None):
    """``sheets``: title -> rows (None for an empty cell); ``states``: title -> hidden/veryHidden."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, sheet_rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in sheet_rows:
            sheet.append(row)
        sheet.sheet_state = (states or {}).get(title, "visible")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


INSTRUCTIONS = [
    ["Petunjuk pengisian"],
    ["1. Isi satu baris untuk setiap anggota keluarga."],
    ["NIK", "16 digit, format kolom sebagai Teks"],
]
CODE_LIST = [["Kolom", "Kode", "Arti"], ["Jenis Kelamin", "L", "Laki-laki"], ["Agama", "islam", "Islam"]]


def test_xlsx_sheet_with_the_header_is_read_past_instructions_and_codes():
    data_sheet = [
        ["DATA PENDUDUK DESA KENANGA"],
        [None],
        ["Dicetak 01/11/2026"],
        HEADER_CELLS,
        ROW_CELLS,
        [None] * 6,
        WIFE_CELLS,
    ]
    table = read_table(build_workbook({"Petunjuk": INSTRUCTIONS, "Kode": CODE_LIST, "Data": data_sheet}))
    assert table.sheet == "Data" and table.headers == HEADER_CELLS
    assert [(number, cells[3]) for number, cells in table.rows] == [(5, "Ahmad Suryana"), (7, "Désirée Nguyễn")]
    assert table.notes == [
        "Sheet “Data” was read; the other sheets were ignored.",
        "The header was found in row 4; the rows above it were skipped.",
    ]


def test_xlsx_hidden_sheets_are_not_read():
    old = [[*HEADER_CELLS, "Telepon", "Agama"], ROW_CELLS]  # names more columns, but nobody sees it
    table = read_table(
        build_workbook(
            {"Lama": old, "Rahasia": old, "Data": [HEADER_CELLS, WIFE_CELLS]},
            states={"Lama": "hidden", "Rahasia": "veryHidden"},
        )
    )
    assert table.sheet == "Data"
    assert [cells[3] for _number, cells in table.rows] == ["Désirée Nguyễn"]


def test_xlsx_without_a_header_reads_the_first_visible_sheet():
    table = read_table(
        build_workbook(
            {
                "Lama": [HEADER_CELLS, ROW_CELLS],
                "Lembar1": [["Warna", "Rasa"], ["merah", "manis"]],
                "Lembar2": [["Nama"]],
            },
            states={"Lama": "hidden"},
        )
    )
    assert table.sheet == "Lembar1" and table.headers == ["Warna", "Rasa"]
    assert table.notes == ["Sheet “Lembar1” was read; the other sheets were ignored."]


def test_xlsx_one_sheet_gets_no_sheet_note():
    table = read_table(workbook_bytes(HEADER_CELLS, ROW_CELLS))
    assert table.sheet == "Sheet" and table.notes == []


def person_row(n):
    return ["3212161503180007", "32.12.16.2004", f"32121612049{n:05d}", f"Orang {n}", "L", "Anak"]


@pytest.mark.parametrize("stored", ["A1:B2", "A1"])
def test_xlsx_with_a_wrong_stored_used_range_is_read_whole(stored):
    # Some programs write the used range of an empty sheet and then the data.
    header = [*HEADER_CELLS, "Dusun", "RT", "RW", "Alamat", "Telepon"]  # to column K
    data = workbook_bytes(
        header, *([*person_row(n), "Krajan", "001", "002", "Jl. Kenanga", "0812"] for n in range(2, 51))
    )

    def wrong_dimension(xml):
        right = re.compile(rb'<dimension ref="A1:K50"\s*/>')
        assert right.search(xml)
        return right.sub(f'<dimension ref="{stored}"/>'.encode(), xml)

    table = read_table(rewrite_entry(data, "xl/worksheets/sheet1.xml", wrong_dimension))
    assert table.headers == header
    result = rows(table)
    assert [number for number, _cells in result] == list(range(2, 51))
    assert all(len(cells) == 11 for _number, cells in result) and result[-1][1][10] == "0812"


def test_xlsx_broken_further_down_is_a_read_error():
    data = workbook_bytes(HEADER_CELLS, *(person_row(n) for n in range(2, 1502)))
    cut = rewrite_entry(data, "xl/worksheets/sheet1.xml", lambda xml: xml[: len(xml) * 3 // 4])
    table = read_table(cut)  # the first rows, where the header is, are whole
    with pytest.raises(ReadError, match="workbook could not be read"):
        rows(table)


def ods_bytes():
    """The smallest OpenDocument spreadsheet LibreOffice opens: ``mimetype`` first, stored."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        archive.writestr(
            "META-INF/manifest.xml",
            '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
            'manifest:version="1.2"><manifest:file-entry manifest:full-path="/" '
            'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
            '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
            "</manifest:manifest>",
        )
        archive.writestr(
            "content.xml",
            '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
            'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
            'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
            '<office:body><office:spreadsheet><table:table table:name="Data"><table:table-row>'
            "<table:table-cell><text:p>NIK</text:p></table:table-cell>"
            "<table:table-cell><text:p>Nama</text:p></table:table-cell>"
            "</table:table-row></table:table></office:spreadsheet></office:body></office:document-content>",
        )
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "filename"), [(ods_bytes(), ""), (ods_bytes(), "data.xlsx"), (b"NIK;Nama\n", "Data.ODS")]
)
def test_opendocument_spreadsheets_are_refused_with_what_to_do(data, filename):
    with pytest.raises(ReadError) as refusal:
        read_table(data, filename)
    assert refusal.value.message == (
        "This is an OpenDocument spreadsheet (.ods). Open it in LibreOffice or Excel, "
        "save it as .xlsx and upload it again."
    )
