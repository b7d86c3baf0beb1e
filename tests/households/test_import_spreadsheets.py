"""Spreadsheets as villages really have them (issue 13): columns Excel rounded, dates typed
every which way, labels in either language and in Dukcapil's and OpenSID's spellings, an
OpenSID population export as it comes out of OpenSID, title rows, stray bytes, the template's
example row, line breaks in cells, and the error file taken through Excel and back."""

from __future__ import annotations

import datetime
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from households.imports.columns import COLUMNS
from households.imports.template import template_csv
from households.imports.values import parse_date
from households.models import Household, ImportBatch, MigrationEpisode, Person, PlacementAgency
from tests.conftest import VILLAGE_A
from tests.households.imports import check, check_and_write, excel_csv, preview, workbook, write

pytestmark = pytest.mark.django_db

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
REQUIRED = ("No KK", "Kode Desa", "NIK", "Nama", "Jenis Kelamin", "Hubungan Keluarga")
KK, V = "3212161503180007", "3212162004"  # a family card of Kenanga, and Kenanga's code without dots


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def column(key):
    return next(c for c in COLUMNS if c.key == key)


# --- Excel damage -----------------------------------------------------------------------------------------


def excel_rounded(number: str) -> str:
    """What Excel keeps of a 16-digit number typed into a number cell: 15 significant digits."""
    return str(int(float(f"{float(number):.15g}")))


def village_file(niks_as=str, kks_as=str) -> bytes:
    """Six families of three, as a village keeps them, with each identifier column passed
    through ``*_as`` (what Excel did to it)."""
    rows = [REQUIRED]
    members = (("L", "Kepala Keluarga", "12", "04", 90), ("P", "Istri", "45", "11", 95), ("L", "Anak", "15", "07", 10))
    for family in range(6):
        kk = f"32121615{family + 1:02d}18{family + 11:04d}"
        for member, (sex, relationship, day, month, year) in enumerate(members):
            nik = f"321216{day}{month}{year + family:02d}{family * 10 + member + 1:04d}"
            rows.append((kks_as(kk), "32.12.16.2004", niks_as(nik), f"Warga {family}-{member}", sex, relationship))
    return excel_csv(rows)


def test_a_nik_column_excel_rounded_is_refused_with_the_fix(officer_a):
    batch = check(officer_a, village_file(niks_as=excel_rounded))
    assert batch.status == ImportBatch.Status.FAILED
    assert "NIK column was damaged by Excel" in batch.message and "Text" in batch.message
    assert "No KK column" not in batch.message
    assert not batch.rows.exists()


def test_a_kk_column_excel_rounded_is_refused(officer_a):
    batch = check(officer_a, village_file(kks_as=excel_rounded))
    assert batch.status == ImportBatch.Status.FAILED and "No KK column was damaged by Excel" in batch.message


def test_families_collapsed_into_one_kk_are_caught_even_in_a_small_file(officer_a):
    rows = [
        REQUIRED,
        (excel_rounded("3212161503180011"), "3212162004", "3212161204900001", "Ahmad", "L", "Kepala Keluarga"),
        (excel_rounded("3212161503180014"), "3212162004", "3212165506880004", "Dewi", "P", "Kepala Keluarga"),
        (excel_rounded("3212161001240021"), "3212162004", "3212161507100003", "Budi", "L", "Kepala Keluarga"),
        (excel_rounded("3212161001240023"), "3212162004", "3212164511950002", "Siti", "P", "Kepala Keluarga"),
    ]
    batch = check(officer_a, excel_csv(rows))
    assert batch.status == ImportBatch.Status.FAILED and "damaged by Excel" in batch.message


def test_exact_numbers_that_merely_end_in_zero_are_accepted(officer_a):
    rows = [
        REQUIRED,
        ("3212161503180010", "3212162004", "3212161204900010", "Ahmad", "L", "Kepala Keluarga"),
        ("3212161503180010", "3212162004", "3212164511950020", "Siti", "P", "Istri"),
        ("3212161001240003", "3212162004", "3212165506880004", "Dewi", "P", "Kepala Keluarga"),
        ("3212161001240003", "3212162004", "3212161507100003", "Budi", "L", "Anak"),
        ("3212161001240107", "3212162004", "3212161507100017", "Joko", "L", "Kepala Keluarga"),
    ]
    batch = check(officer_a, excel_csv(rows))
    assert batch.status == ImportBatch.Status.VALIDATED and batch.counts["problems"] == 0


# --- dates ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("17/08/1990", datetime.date(1990, 8, 17)),
        ("17-08-1990", datetime.date(1990, 8, 17)),
        ("17.08.1990", datetime.date(1990, 8, 17)),
        ("1990-08-17", datetime.date(1990, 8, 17)),
        ("1990-08-17 00:00:00", datetime.date(1990, 8, 17)),
        ("17/08/1990 0:00", datetime.date(1990, 8, 17)),
        ("17 Agustus 1990", datetime.date(1990, 8, 17)),
        ("17 agu 1990", datetime.date(1990, 8, 17)),
        ("17-Aug-1990", datetime.date(1990, 8, 17)),
        ("17 August 1990", datetime.date(1990, 8, 17)),
        ("August 17, 1990", datetime.date(1990, 8, 17)),
        ("3 Pebruari 1985", datetime.date(1985, 2, 3)),
        ("1 Nopember 2001", datetime.date(2001, 11, 1)),
        ("5 Mei 1979", datetime.date(1979, 5, 5)),
        ("12/09/1976", datetime.date(1976, 9, 12)),  # ambiguous: day first, as documented
        (32975, datetime.date(1990, 4, 12)),  # a number cell of a workbook is Excel's serial
        (datetime.datetime(1990, 4, 12), datetime.date(1990, 4, 12)),  # noqa: DTZ001 - a workbook's date cell
    ],
)
def test_dates_as_indonesian_offices_write_them(raw, expected):
    assert parse_date(raw) == (expected, "")


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        ("1989", "full date"),
        ("2019", "full date"),
        ("32975", "full date"),  # text of digits, as a CSV has it: never a serial
        ("12/04/90", "four digits"),
        ("31/02/2020", "day first"),
        ("12/31/1976", "day first"),  # a US date: read day first, 31 is no month
        ("17 Agustusan 1990", "day first"),
    ],
)
def test_dates_that_are_not_dates_say_what_to_write(raw, says):
    value, error = parse_date(raw)
    assert value is None and raw in error and says in error


EXCEL_SERIAL_1995_11_05 = (datetime.date(1995, 11, 5) - datetime.date(1899, 12, 30)).days


def test_a_year_in_a_csv_date_column_is_refused_but_a_workbook_date_is_read(officer_a):
    header = (*REQUIRED, "Tanggal Lahir")
    refused = check(
        officer_a,
        excel_csv([header, ("3212161503180007", "3212162004", "3212161204900001", "Ahmad", "L", "KK", "1990")]),
    )
    problem = preview(refused).problems[0]
    assert (problem.row, problem.column, problem.value) == (2, "Tanggal Lahir", "1990")
    data = workbook(
        [
            header,
            ("3212161503180007", "3212162004", "3212161204900001", "Ahmad", "L", "KK", datetime.datetime(1990, 4, 12)),  # noqa: DTZ001
            ("3212161503180007", "3212162004", "3212164511950002", "Siti", "P", "Istri", EXCEL_SERIAL_1995_11_05),
        ],
        text_columns=(0, 2),
    )
    batch = check_and_write(officer_a, data, name="register.xlsx")
    assert batch.status == ImportBatch.Status.COMMITTED, batch.message
    assert Person.objects.get(name="Siti").birth_date == datetime.date(1995, 11, 5)


# --- labels, spellings, names -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "written", "code"),
    [
        ("religion", "KATHOLIK", "catholic"),
        ("religion", "Kepercayaan Terhadap Tuhan YME / Lainnya", "belief"),
        ("religion", "KEPERCAYAAN TERHADAP TUHAN YME / LAINNYA", "belief"),
        ("religion", "3", "catholic"),
        ("education", "AKADEMI/ DIPLOMA III/S. MUDA", "diploma_3"),
        ("education", "DIPLOMA I / II", "diploma_1_2"),
        ("education", "DIPLOMA IV/ STRATA I", "bachelor"),
        ("education", "TIDAK / BELUM SEKOLAH", "none"),
        ("education", "SLTA / SEDERAJAT", "senior_secondary"),
        ("marital_status", "BELUM KAWIN", "single"),
        ("marital_status", "CERAI HIDUP", "divorced"),
        ("marital_status", "KAWIN TERCATAT", "married"),
        ("relationship", "KEPALA KELUARGA", "head"),
        ("relationship", "KEPALAKELUARGA", "head"),
        ("relationship", "FAMILI LAIN", "other_relative"),
        ("relationship", "Orang Tua", "parent"),
        ("sex", "LAKI-LAKI", "M"),
        ("sex", "Perempuan", "F"),
        ("sex", "2", "F"),
    ],
)
def test_dukcapil_and_opensid_spellings(key, written, code):
    assert column(key).lookup(written) == code


@pytest.mark.parametrize("language", ["en", "id"])
def test_labels_in_either_language_whatever_the_active_one(officer_a, language):
    header = (*REQUIRED, "Agama", "Status Perkawinan", "Pendidikan")
    rows = [
        header,
        (KK, V, "3212161204900001", "Ahmad", "Laki-laki", "Kepala Keluarga", "Islam", "Kawin", "Tamat SD/sederajat"),
        (KK, V, "3212164511950002", "Siti", "Female", "Wife", "Catholicism", "Married", "Junior secondary (SLTP)"),
    ]
    with translation.override(language):
        batch = check(officer_a, excel_csv(rows))
    assert batch.counts["problems"] == 0, batch.problems
    write(batch)
    siti = Person.objects.get(name="Siti")
    assert (siti.sex, siti.relationship, siti.religion, siti.education) == ("F", "wife", "catholic", "junior_secondary")


def test_jobs_agencies_and_countries_by_their_common_names(officer_a):
    PlacementAgency.objects.create(name="PT Bina Karya Mandiri", licence_number="KEP.123/2019")
    header = (*REQUIRED, "Status Migrasi", "Negara Tujuan", "Jabatan", "P3MI", "Tanggal Berangkat")
    places = [
        ("Arab Saudi", "SA"),
        ("Saudi", "SA"),
        ("UEA", "AE"),
        ("Uni Emirat Arab", "AE"),
        ("Brunei", "BN"),
        ("Hongkong", "HK"),
        ("Korea Selatan", "KR"),
        ("Taiwan", "TW"),
    ]
    rows = [header]
    for index, (country, _code) in enumerate(places):
        kk = f"32121615031800{index + 10:02d}"
        nik = f"3212161204900{index + 10:03d}"
        job = ("PRT", "Pekerja rumah tangga", "caregiver", "Perawat lansia")[index % 4]
        agency = ("Bina Karya Mandiri, PT", "PT. BINA KARYA MANDIRI", "KEP.123/2019", "")[index % 4]
        rows.append(
            (
                kk,
                "3212162004",
                nik,
                f"Pekerja {index}",
                "L",
                "Kepala Keluarga",
                "Bekerja",
                country,
                job,
                agency,
                "01/02/2023",
            )
        )
    batch = check(officer_a, excel_csv(rows))
    assert batch.counts["problems"] == 0, batch.problems
    write(batch)
    stays = MigrationEpisode.objects.order_by("person__nik")
    assert [stay.destination_country for stay in stays] == [code for _country, code in places]
    assert {stay.job.code for stay in stays} == {"domestic-worker", "caregiver"}
    assert stays.filter(agency__name="PT Bina Karya Mandiri").count() == 6


# --- OpenSID ----------------------------------------------------------------------------------------------

OPENSID_HEADER = [
    "alamat",
    "dusun",
    "rw",
    "rt",
    "nama",
    "no_kk",
    "nik",
    "sex",
    "tempatlahir",
    "tanggallahir",
    "agama_id",
    "pendidikan_kk_id",
    "pendidikan_sedang_id",
    "pekerjaan_id",
    "status_kawin",
    "kk_level",
    "warganegara_id",
    "ayah_nik",
    "nama_ayah",
    "ibu_nik",
    "nama_ibu",
    "golongan_darah_id",
    "akta_lahir",
    "dokumen_pasport",
    "tanggal_akhir_paspor",
    "dokumen_kitas",
    "akta_perkawinan",
    "tanggalperkawinan",
    "akta_perceraian",
    "tanggalperceraian",
    "cacat_id",
    "cara_kb_id",
    "hamil",
    "ktp_el",
    "status_rekam",
    "alamat_sekarang",
    "status_dasar",
    "suku",
    "tag_id_card",
    "id_asuransi",
    "no_asuransi",
    "lat",
    "lng",
]


def opensid_row(**values: str) -> list[str]:
    """One row of OpenSID's Ekspor Penduduk: every cell a string, blanks where nothing is known."""
    return [values.get(name, "") for name in OPENSID_HEADER]


def opensid_export(huruf: bool = False) -> bytes:
    """penduduk_DD_MM_YYYY.xlsx as OpenSID writes it: one sheet "Sheet1", the header on row 1,
    numeric ids (or, from the Huruf button, labels), dates as YYYY-MM-DD text, "-" for no RW."""
    family = {"alamat": "Jl. Kenanga No. 5", "dusun": "KRAJAN", "rw": "-", "rt": "004", "no_kk": "3212161503180007"}
    people = [
        ("AHMAD SURYANA", "3212161204900001", "1", "1990-04-12", "1", "5", "9", "2", "1", "1"),
        ("SITI ROHMAH", "3212164511950002", "2", "1995-11-05", "3", "7", "2", "2", "3", "1"),
        ("BUDI", "3212161507100003", "1", "2010-07-15", "1", "3", "3", "1", "4", "1"),
        ("KAKEK WARSO", "3212160101400005", "1", "1940-01-01", "1", "1", "89", "4", "7", "2"),  # died
    ]
    labels = {
        "sex": {"1": "LAKI-LAKI", "2": "PEREMPUAN"},
        "agama_id": {"1": "ISLAM", "3": "KATHOLIK"},
        "pendidikan_kk_id": {"5": "SLTA / SEDERAJAT", "7": "AKADEMI/ DIPLOMA III/S. MUDA", "3": "TAMAT SD / SEDERAJAT"}
        | {"1": "TIDAK / BELUM SEKOLAH"},
        "pekerjaan_id": {
            "9": "PETANI/PEKEBUN",
            "2": "MENGURUS RUMAH TANGGA",
            "3": "PELAJAR/MAHASISWA",
            "89": "LAINNYA",
        },
        "status_kawin": {"2": "KAWIN", "1": "BELUM KAWIN", "4": "CERAI MATI"},
        "kk_level": {"1": "KEPALA KELUARGA", "3": "ISTRI", "4": "ANAK", "7": "ORANGTUA"},
        "status_dasar": {"1": "Hidup", "2": "Mati"},
    }
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Sheet1"
    sheet.append(OPENSID_HEADER)
    for name, nik, sex, born, religion, education, job, marital, level, status in people:
        codes = {
            "sex": sex,
            "agama_id": religion,
            "pendidikan_kk_id": education,
            "pekerjaan_id": job,
            "status_kawin": marital,
            "kk_level": level,
            "status_dasar": status,
        }
        if huruf:
            codes = {key: labels[key][value] for key, value in codes.items()}
        row = opensid_row(**family, nama=name, nik=nik, tempatlahir="INDRAMAYU", tanggallahir=born, **codes)
        row[OPENSID_HEADER.index("warganegara_id")] = "WNI" if huruf else "1"
        row[OPENSID_HEADER.index("dokumen_pasport")] = "C7654321" if name == "SITI ROHMAH" else ""
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("huruf", [False, True], ids=["ids", "labels"])
def test_an_opensid_population_export_as_it_comes_out_of_opensid(officer_a, huruf):
    batch = check(officer_a, opensid_export(huruf), name="penduduk_29_11_2026.xlsx")
    assert batch.status == ImportBatch.Status.VALIDATED and batch.counts["problems"] == 0, (
        batch.message,
        batch.problems,
    )
    notes = " ".join(batch.notes)
    assert "no village column" in notes and "Kenanga" in notes
    assert "1 rows of people who have died" in notes
    assert "Columns of OpenSID that the portal does not keep" in notes
    write(batch)
    household = Household.objects.get()
    assert (household.village_id, household.rt, household.rw, household.dusun) == (VILLAGE_A, "004", "", "KRAJAN")
    siti = Person.objects.get(nik="3212164511950002")
    assert (siti.sex, siti.religion, siti.education, siti.relationship) == ("F", "catholic", "diploma_3", "wife")
    assert siti.occupation == "MENGURUS RUMAH TANGGA" and siti.birth_date == datetime.date(1995, 11, 5)
    assert Person.objects.get(nik="3212161204900001").occupation == "PETANI/PEKEBUN"
    assert not Person.objects.filter(name="KAKEK WARSO").exists()
    assert not MigrationEpisode.objects.exists()  # a passport among a person's papers is not a stay abroad


def test_an_opensid_export_for_an_officer_of_two_villages_asks_which_village(officer_a):
    from tests.factories import AssignmentFactory

    AssignmentFactory(user=officer_a, role="officer", area="32.12.16.2005")
    refused = check(officer_a, opensid_export())
    assert refused.status == ImportBatch.Status.FAILED and "Kode Desa" in refused.message
    from desmigratif.models import Village

    chosen = check(officer_a, opensid_export(), village=Village.objects.get(pk="32.12.16.2005"))
    assert chosen.status == ImportBatch.Status.VALIDATED and chosen.villages == ["32.12.16.2005"]


def test_a_temporary_opensid_nik_asks_for_the_real_one(officer_a):
    rows = [REQUIRED, ("3212161503180007", "3212162004", "0321216200400001", "Bayi", "P", "Anak")]
    problem = preview(check(officer_a, excel_csv(rows))).problems[0]
    assert "temporary NIK" in problem.message


# --- how files arrive -------------------------------------------------------------------------------------


def test_a_workbook_with_title_rows_and_an_instruction_sheet_first(officer_a):
    book = openpyxl.Workbook()
    book.active.title = "Petunjuk"
    book.active.append(["Isi data mulai baris 5 pada lembar Data."])
    data = book.create_sheet("Data")
    data.append(["DATA KELUARGA PEKERJA MIGRAN DESA KENANGA"])
    data.append(["Dicetak 01/11/2026"])
    data.append([])
    data.append(list(REQUIRED))
    data.append(["3212161503180007", "3212162004", "3212161204900001", "Ahmad", "L", "Kepala Keluarga"])
    buffer = io.BytesIO()
    book.save(buffer)
    batch = check(officer_a, buffer.getvalue(), name="data.xlsx")
    assert batch.counts["persons_create"] == 1 and batch.counts["problems"] == 0
    assert any("Data" in note for note in batch.notes) and any("row 4" in note for note in batch.notes)


def test_excel_unicode_text_with_a_title_row(officer_a):
    text = "Data penduduk\r\n" + "\t".join(REQUIRED) + "\r\n"
    text += "\t".join(("3212161503180007", "3212162004", "3212161204900001", "Ahmad Fauzi", "L", "Kepala Keluarga"))
    batch = check(officer_a, b"\xff\xfe" + (text + "\r\n").encode("utf-16-le"), name="data.txt")
    assert batch.counts["persons_create"] == 1 and batch.counts["problems"] == 0


def test_a_few_stray_bytes_flag_their_rows_and_garble_nobody_else(officer_a):
    rows = [
        ";".join(REQUIRED).encode(),
        "3212161503180007;3212162004;3212161204900001;André Nguyễn;L;Kepala Keluarga".encode(),
        b"3212161503180007;3212162004;3212164511950002;Siti " + "Rohmah".encode("cp1252") + b"\xe9;P;Istri",
        "3212161001240003;3212162004;3212165506880004;Désirée Lestari;P;Kepala Keluarga".encode(),
    ]
    batch = check(officer_a, b"\r\n".join(rows) + b"\r\n")
    shown = preview(batch)
    assert [(p.row, p.column) for p in shown.problems] == [(3, "Nama")]
    assert "could not be read" in shown.problems[0].message
    assert [row.name for row in shown.rows if row.is_valid] == ["André Nguyễn", "Désirée Lestari"]


def test_the_templates_example_row_is_never_imported(officer_a):
    template = template_csv().decode("utf-8-sig")
    data = template + ";".join(
        {"kk_number": "3212161001240003", "village": "32.12.16.2004", "nik": "3212165506880004", "name": "Dewi"}.get(
            c.key, {"sex": "P", "relationship": "Kepala Keluarga"}.get(c.key, "")
        )
        for c in COLUMNS
    )
    batch = check(officer_a, data + "\r\n")
    assert batch.counts["rows"] == 1 and batch.counts["persons_create"] == 1, batch.problems
    assert any("example row" in note for note in batch.notes)
    write(batch)
    assert list(Person.objects.values_list("name", flat=True)) == ["Dewi"]


def test_row_numbers_match_the_spreadsheet_after_line_breaks_in_cells(officer_a):
    header = ";".join((*REQUIRED, "Alamat"))
    text = (
        f"{header}\r\n"
        '3212161503180007;3212162004;3212161204900001;Ahmad;L;Kepala Keluarga;"Jl. Kenanga No. 5\nRT 1 RW 2"\r\n'
        '3212161503180007;3212162004;3212164511950002;Siti;P;Istri;"Blok A\nGang 3\nNo. 7"\r\n'
        "3212161503180007;3212162004;3212161507100003;Budi;X;Anak;\r\n"
    )
    errors = [p for p in preview(check(officer_a, text)).problems if p.severity == "error"]
    assert [(p.row, p.column, p.value) for p in errors] == [(4, "Jenis Kelamin", "X")]


# --- the error file ---------------------------------------------------------------------------------------


@override_settings(TASKS=IMMEDIATE)
def test_the_error_file_survives_a_round_trip_through_excel(client, officer_a):
    """The officer downloads the rows to fix as XLSX, fixes them in Excel, uploads that file."""
    header = (*REQUIRED, "Telepon", "RT", "Tanggal Lahir")
    rows = [
        header,
        (
            "3212161503180007",
            "3212162004",
            "3212161204900001",
            "Ahmad",
            "L",
            "Kepala Keluarga",
            "081234567890",
            "001",
            "12/04/1990",
        ),
        ("3212161503180007", "3212162004", "3212164511950002", "Siti", "X", "Istri", "", "001", "05/11/1995"),
        ("3212161001240003", "3212162004", "3212165506880004", "Dewi", "P", "Kepala Keluarga", "0812", "007", "1988"),
    ]
    client.force_login(officer_a)
    client.post(reverse("households:import"), {"file": SimpleUploadedFile("data.csv", excel_csv(rows))})
    batch = ImportBatch.objects.get()
    client.post(reverse("households:import-confirm", args=[batch.pk]), {"mode": "valid"})
    assert Person.objects.count() == 1  # Ahmad; Siti's and Dewi's rows to fix

    response = client.get(reverse("households:import-errors", args=[batch.pk, "xlsx"]))
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    with translation.override("id"):  # the page's language
        added = [str(translation.gettext(name)) for name in ("Row in the checked file", "Errors", "Warnings")]
    assert values[0][:9] == list(header) and values[0][9:] == added
    assert [row[2] for row in values[1:]] == ["3212164511950002", "3212165506880004"]  # all 16 digits, as text
    assert all(cell.data_type == "s" for row in sheet.iter_rows(min_row=2) for cell in row if cell.value)
    assert values[2][6] == "0812" and values[2][7] == "007"  # leading zeros kept, no apostrophe
    assert "Jenis Kelamin" in values[1][10] and "Tanggal Lahir" in values[2][10]

    sheet["E2"] = "P"  # Siti's sex
    sheet["G3"] = "081298765432"  # Dewi's phone
    sheet["I3"] = "15/06/1988"  # Dewi's birth date
    fixed = io.BytesIO()
    book.save(fixed)
    client.post(reverse("households:import"), {"file": SimpleUploadedFile("kesalahan.xlsx", fixed.getvalue())})
    again = ImportBatch.objects.latest("pk")
    assert again.counts["problems"] == 0 and again.notes == [], (again.problems, again.notes)
    client.post(reverse("households:import-confirm", args=[again.pk]), {"mode": "all"})
    assert Person.objects.count() == 3
    assert Person.objects.get(name="Dewi").household.phone == "+6281298765432"


@override_settings(TASKS=IMMEDIATE)
def test_the_csv_error_file_escapes_its_header_like_its_data(client, officer_a):
    rows = [
        (*REQUIRED, "=Catatan"),
        ("3212161503180007", "3212162004", "3.21216E+15", "Ahmad", "L", "Kepala Keluarga", "=1+1"),
    ]
    client.force_login(officer_a)
    client.post(reverse("households:import"), {"file": SimpleUploadedFile("data.csv", excel_csv(rows))})
    batch = ImportBatch.objects.get()
    text = client.get(reverse("households:import-errors", args=[batch.pk, "csv"])).content.decode("utf-8-sig")
    header, row = text.splitlines()[:2]
    assert header.split(";")[6] == "'=Catatan" and row.split(";")[6] == "'=1+1"


def test_nik_warnings_are_in_the_preview_and_the_error_file(officer_a):
    from households.imports.errors import error_cells_ensure, error_file_csv

    header = (*REQUIRED, "Tanggal Lahir")
    batch = check(
        officer_a,
        excel_csv(
            [
                header,
                ("3212161503180007", "3212162004", "3212161204900001", "Ahmad", "P", "Kepala Keluarga", "13/04/1990"),
            ]
        ),
    )
    warnings = {p.message for p in preview(batch).problems if p.severity == "warning"}
    assert any("birth date in the NIK" in w for w in warnings) and any("woman" in w for w in warnings)
    assert batch.counts.get("rows_invalid", 0) == 0
    error_cells_ensure(batch)
    text = error_file_csv(batch).decode("utf-8-sig")
    assert "birth date in the NIK" in text.splitlines()[1]


def test_exported_phones_are_text_cells_without_an_apostrophe(client, officer_a):
    from django.contrib.auth.models import Permission

    from tests.factories import PersonFactory

    PersonFactory(household__village_id=VILLAGE_A, household__phone="+6281234567890", name='=HYPERLINK("x")')
    officer_a.user_permissions.add(Permission.objects.get(codename="export_household"))
    client.force_login(officer_a)
    response = client.get(reverse("households:export"), {"format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    phone = sheet.cell(row=2, column=9)
    assert (phone.value, phone.data_type) == ("+6281234567890", "s")
    assert sheet.cell(row=2, column=10).data_type == "s"  # the formula-like name is text, not a formula
    streamed = client.get(reverse("households:export"), {"format": "csv"}).streaming_content
    csv_text = b"".join(streamed).decode("utf-8-sig")
    assert "'+6281234567890" in csv_text and "'=HYPERLINK" in csv_text
