"""Update imports never lose or corrupt what is registered (issue 13): a blank is not an
instruction, placeholders are blanks, the household comes from its head's row, a household
whose head is refused is not written, a person has one open stay, the preview shows every
change field by field, and a write after the register moved is refused.

The register is built by importing a village's full spreadsheet, as a village does; each test
then imports what villages really send next (a newborn on the six required columns, a status
list without dates, a sheet sorted by name) and compares the register before and after."""

from __future__ import annotations

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation

from households.forms import EpisodeForm
from households.imports import batches
from households.imports.columns import COLUMNS
from households.models import Household, ImportBatch, KKNumber, MigrationEpisode, Person
from households.services import record_save
from tests.households.imports import check, check_and_write, excel_csv, preview, roll_back, write

pytestmark = pytest.mark.django_db

# A village's full register: the template's columns but the placement's details.
PLACEMENT_DETAILS = {"scheme", "procedural", "agency", "employer_name", "employer_kind", "sector", "return_reason"}
FULL = tuple(column.header for column in COLUMNS if column.key not in {*PLACEMENT_DETAILS, "bpjs_number"})
KK_1, KK_2 = "3212161503180007", "3212161001240003"
HOUSEHOLD_1 = {
    "No KK": KK_1,
    "Kode Desa": "32.12.16.2004",
    "Dusun": "Krajan",
    "RT": "001",
    "RW": "002",
    "Alamat": "Jl. Kenanga No. 5",
    "Telepon": "081234567890",
}
HOUSEHOLD_2 = {
    "No KK": KK_2,
    "Kode Desa": "32.12.16.2004",
    "Dusun": "Karanganyar",
    "RT": "003",
    "RW": "001",
    "Alamat": "Gg. Melati 2",
    "Telepon": "+886912345678",
}
PEOPLE = [
    {
        **HOUSEHOLD_1,
        "NIK": "3212161204900001",
        "Nama": "Ahmad",
        "Jenis Kelamin": "L",
        "Tanggal Lahir": "12/04/1990",
        "Tempat Lahir": "Indramayu",
        "Hubungan Keluarga": "Kepala Keluarga",
        "Agama": "Islam",
        "Pendidikan": "SMA",
        "Pekerjaan": "Petani",
        "Status Perkawinan": "Kawin",
    },
    {
        **HOUSEHOLD_1,
        "NIK": "3212164511950002",
        "Nama": "Siti Rohmah",
        "Jenis Kelamin": "P",
        "Tanggal Lahir": "05/11/1995",
        "Tempat Lahir": "Indramayu",
        "Hubungan Keluarga": "Istri",
        "Agama": "Islam",
        "Pendidikan": "SMP",
        "Pekerjaan": "Mengurus rumah tangga",
        "Status Perkawinan": "Kawin",
        "Status Migrasi": "Bekerja",
        "Negara Tujuan": "Hong Kong",
        "Tanggal Berangkat": "01/02/2023",
        "Akhir Kontrak": "01/02/2027",
        "Jabatan": "PRT",
        "No Paspor": "C1234567",
    },
    {
        **HOUSEHOLD_1,
        "NIK": "3212161507100003",
        "Nama": "Budi",
        "Jenis Kelamin": "L",
        "Tanggal Lahir": "15/07/2010",
        "Tempat Lahir": "Indramayu",
        "Hubungan Keluarga": "Anak",
        "Agama": "Islam",
        "Pendidikan": "SD",
        "Pekerjaan": "Pelajar",
        "Status Perkawinan": "Belum kawin",
    },
    {
        **HOUSEHOLD_2,
        "NIK": "3212165506880004",
        "Nama": "Dewi Lestari",
        "Jenis Kelamin": "P",
        "Tanggal Lahir": "15/06/1988",
        "Tempat Lahir": "Cirebon",
        "Hubungan Keluarga": "Kepala Keluarga",
        "Agama": "Islam",
        "Pendidikan": "SMA",
        "Pekerjaan": "Pedagang",
        "Status Perkawinan": "Cerai hidup",
        "Status Migrasi": "Purna",
        "Negara Tujuan": "Taiwan",
        "Tanggal Berangkat": "10/03/2015",
        "Akhir Kontrak": "10/03/2018",
        "Tanggal Pulang": "12/03/2018",
        "Jabatan": "Perawat lansia",
    },
]
REGISTER = [FULL, *(tuple(person.get(header, "") for header in FULL) for person in PEOPLE)]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def register(user) -> ImportBatch:
    batch = check_and_write(user, excel_csv(REGISTER))
    assert batch.status == ImportBatch.Status.COMMITTED, batch.message
    return batch


def snapshot() -> dict:
    """Every value of every household, person and stay, by id: the register to compare."""
    return {
        model.__name__: {row["id"]: row for row in model.objects.values()}
        for model in (Household, Person, MigrationEpisode, KKNumber)
    }


def required_only(*rows) -> bytes:
    return excel_csv([("No KK", "Kode Desa", "NIK", "Nama", "Jenis Kelamin", "Hubungan Keluarga"), *rows])


def test_a_newborn_added_on_the_six_required_columns_touches_nobody_else(officer_a):
    register(officer_a)
    before = snapshot()
    batch = check(
        officer_a,
        required_only(
            (KK_1, "32.12.16.2004", "3212161204900001", "Ahmad", "L", "Kepala Keluarga"),
            (KK_1, "32.12.16.2004", "3212164511950002", "Siti Rohmah", "P", "Istri"),
            (KK_1, "32.12.16.2004", "3212161507100003", "Budi", "L", "Anak"),
            (KK_1, "32.12.16.2004", "3212165003260005", "Bayi Perempuan", "P", "Anak"),
        ),
    )
    assert batch.counts["values_removed"] == 0 and batch.review["changes"]["fields"] == []
    assert batch.counts["persons_create"] == 1 and batch.counts["persons_unchanged"] == 3
    assert batch.counts["households_unchanged"] == 1 and "episodes_update" not in batch.counts
    write(batch)
    after = snapshot()
    newborn = Person.objects.get(nik="3212165003260005")
    del after["Person"][newborn.pk]
    assert after == before  # address, phone, birth dates, religion, education, occupation, stays: all as they were
    assert newborn.household.address == "Jl. Kenanga No. 5"


OPTIONAL = [header for header in FULL if header not in {"No KK", "Kode Desa", "NIK", "Nama", "Jenis Kelamin"}]
OPTIONAL.remove("Hubungan Keluarga")


@pytest.mark.parametrize("way", ["blank", "missing"])
def test_an_update_leaves_every_unspecified_value_untouched(officer_a, way):
    """Each optional column in turn left blank in every row, or left out of the file: the
    register does not move, the preview says so, nothing is removed."""
    register(officer_a)
    before = snapshot()
    for header in OPTIONAL:
        position = FULL.index(header)
        if way == "blank":
            rows = [FULL, *([*row[:position], "", *row[position + 1 :]] for row in REGISTER[1:])]
        else:
            rows = [[cell for index, cell in enumerate(row) if index != position] for row in REGISTER]
        batch = check(officer_a, excel_csv(rows))
        assert batch.counts["values_removed"] == 0 and batch.counts["problems"] == 0, (header, batch.problems)
        assert batch.review["changes"]["fields"] == [], header
        batch = write(batch)
        assert "Nothing to write" in batch.message, (header, batch.counts)
        assert snapshot() == before, header


@pytest.mark.parametrize("placeholder", ["-", "--", "tidak ada", "n/a", "belum ada", "Tidak Ada", " - "])
def test_placeholders_are_blanks_not_errors(officer_a, placeholder):
    register(officer_a)
    before = snapshot()
    rows = [FULL]
    for row in REGISTER[1:]:
        row = list(row)
        for header in ("Dusun", "Alamat", "Tempat Lahir", "Tanggal Lahir", "Agama", "Pendidikan", "Pekerjaan"):
            row[FULL.index(header)] = placeholder
        row[FULL.index("Telepon")] = "0"
        rows.append(row)
    batch = check(officer_a, excel_csv(rows))
    assert batch.counts["problems"] == 0 and batch.counts["values_removed"] == 0
    assert write(batch).status == ImportBatch.Status.COMMITTED
    assert snapshot() == before


def test_placeholders_give_a_new_record_blank_values(officer_a):
    row = list(REGISTER[1])
    row[FULL.index("Alamat")], row[FULL.index("Telepon")], row[FULL.index("Pekerjaan")] = "-", "0", "tidak ada"
    check_and_write(officer_a, excel_csv([FULL, row]))
    ahmad = Person.objects.get(nik="3212161204900001")
    assert (ahmad.household.address, ahmad.household.phone, ahmad.occupation) == ("", "", "")


def test_household_fields_come_from_the_heads_row_whatever_the_order(officer_a):
    """A sheet sorted by name: the wife's row first with an old address, the head's last."""
    header = ("No KK", "Kode Desa", "Alamat", "RT", "Telepon", "NIK", "Nama", "Jenis Kelamin", "Hubungan Keluarga")
    rows = [
        header,
        (KK_1, "3212162004", "Jl. Lama 1", "004", "", "3212164511950002", "Aisyah", "P", "Istri"),
        (KK_1, "3212162004", "", "001", "081234567890", "3212161507100003", "Budi", "L", "Anak"),
        (KK_1, "3212162004", "Jl. Kenanga No. 5", "", "", "3212161204900001", "Zainal", "L", "Kepala Keluarga"),
    ]
    batch = check(officer_a, excel_csv(rows))
    shown = preview(batch)
    disagreement = batch.review["disagreements"]
    assert disagreement["households"] == 1
    fields = disagreement["listed"][0]["fields"]
    assert fields["Alamat"]["used"] == "Jl. Kenanga No. 5"
    assert [value for value, _rows in fields["Alamat"]["values"]] == ["Jl. Lama 1", "Jl. Kenanga No. 5"]
    assert fields["RT"]["used"] == "004"  # the head's row leaves RT blank: the first row that fills it
    warned = {(p.row, p.column) for p in shown.problems if p.severity == "warning"}
    assert (2, "Alamat") in warned and (4, "Alamat") not in warned
    write(batch)
    household = Household.objects.get()
    assert (household.address, household.rt, household.phone) == ("Jl. Kenanga No. 5", "004", "+6281234567890")


def test_a_household_whose_head_is_refused_is_held_back_whole(officer_a):
    rows = [
        FULL,
        (*REGISTER[1][:7], "3.21216E+15", *REGISTER[1][8:]),  # the head's NIK, damaged by Excel
        REGISTER[2],
        REGISTER[3],
        REGISTER[4],
    ]
    batch = check(officer_a, excel_csv(rows))
    shown = preview(batch)
    assert batch.counts["rows_invalid"] == 3 and batch.counts["rows_held_back"] == 2
    held = [p for p in shown.problems if "Held back" in p.message]
    assert {p.row for p in held} == {3, 4} and all("row 2" in p.message for p in held)
    assert batch.counts["households_create"] == 1  # only Dewi's
    write(batch, ImportBatch.Mode.VALID_ONLY)
    assert list(Household.objects.values_list("kk_number", flat=True)) == [KK_2]
    assert not Person.objects.filter(household__kk_number=KK_1).exists()


def test_a_new_household_needs_its_head_and_one_head_only(officer_a):
    batch = check(
        officer_a,
        required_only(
            (KK_1, "32.12.16.2004", "3212164511950002", "Siti Rohmah", "P", "Istri"),
            (KK_2, "32.12.16.2004", "3212165506880004", "Dewi Lestari", "P", "Kepala Keluarga"),
            (KK_2, "32.12.16.2004", "3212161204900001", "Ahmad", "L", "Kepala Keluarga"),
        ),
    )
    messages = {p.row: p.message for p in preview(batch).problems}
    assert "not registered yet" in messages[2] and "Kepala Keluarga" in messages[2]
    assert "more than one head" in messages[3] and "rows 3, 4" in messages[3]
    assert batch.counts["rows_invalid"] == 3


def test_a_status_list_without_dates_recognises_the_open_stay(officer_a):
    register(officer_a)
    siti = Person.objects.get(nik="3212164511950002")
    stay = siti.episodes.get()
    status_list = excel_csv(
        [
            ("No KK", "Kode Desa", "NIK", "Nama", "Jenis Kelamin", "Hubungan Keluarga", "Status PMI", "Tgl Pulang"),
            (KK_1, "32.12.16.2004", "3212164511950002", "Siti Rohmah", "P", "Istri", "Bekerja", ""),
        ]
    )
    unchanged = check_and_write(officer_a, status_list)
    assert "Nothing to write" in unchanged.message and siti.episodes.count() == 1
    returned = excel_csv(
        [
            ("No KK", "Kode Desa", "NIK", "Nama", "Jenis Kelamin", "Hubungan Keluarga", "Status PMI", "Tgl Pulang"),
            (KK_1, "32.12.16.2004", "3212164511950002", "Siti Rohmah", "P", "Istri", "Purna", "10/10/2025"),
        ]
    )
    batch = check_and_write(officer_a, returned)
    assert batch.counts["episodes_updated"] == 1 and "episodes_created" not in batch.counts
    stay.refresh_from_db()
    assert (stay.status, stay.actual_return, stay.destination_country) == (
        "returned",
        datetime.date(2025, 10, 10),
        "HK",
    )
    assert stay.departure_date == datetime.date(2023, 2, 1) and stay.passport_number == "C1234567"


def test_a_second_open_stay_is_refused_by_the_import(officer_a):
    register(officer_a)
    header = ("No KK", "Kode Desa", "NIK", "Nama", "Jenis Kelamin", "Hubungan Keluarga", "Status Migrasi")
    siti = (KK_1, "32.12.16.2004", "3212164511950002", "Siti Rohmah", "P", "Istri", "Bekerja")
    batch = check(officer_a, excel_csv([(*header, "Tanggal Berangkat"), (*siti, "01/03/2024")]))
    problem = preview(batch).problems[0]
    assert "already has a stay that has not ended" in problem.message and "01-02-2023" in problem.message
    assert batch.counts["rows_invalid"] == 1


def test_one_open_stay_per_person_is_a_database_rule(officer_a):
    register(officer_a)
    siti = Person.objects.get(nik="3212164511950002")
    with pytest.raises(IntegrityError), transaction.atomic():
        MigrationEpisode.objects.create(person=siti, status="preparing")
    MigrationEpisode.objects.create(person=siti, status="returned", actual_return=datetime.date(2020, 1, 1))


def test_the_form_refuses_a_second_open_stay(officer_a):
    register(officer_a)
    siti = Person.objects.get(nik="3212164511950002")
    with translation.override("en"):
        form = EpisodeForm(
            {"status": "preparing", "procedural": "unknown", "destination_country": "TW"},
            instance=MigrationEpisode(person=siti),
            user=officer_a,
        )
        assert not form.is_valid()
        assert "already has a stay that has not ended" in form.errors["status"][0]
        own = siti.episodes.get()
        edit = EpisodeForm(
            {"status": "abroad", "procedural": "unknown", "destination_country": "HK", "departure_date": "2023-02-01"},
            instance=own,
            user=officer_a,
        )
        assert edit.is_valid(), edit.errors  # the open stay itself may be edited


def test_the_preview_shows_each_change_field_by_field(client, officer_a):
    register(officer_a)
    header = ("No KK", "Kode Desa", "Alamat", "NIK", "Nama", "Jenis Kelamin", "Hubungan Keluarga", "Pekerjaan")
    batch = check(
        officer_a,
        excel_csv(
            [
                header,
                (
                    KK_1,
                    "3212162004",
                    "Jl. Kenanga No. 7",
                    "3212161204900001",
                    "Ahmad",
                    "L",
                    "Kepala Keluarga",
                    "Nelayan",
                ),
                (KK_1, "3212162004", "", "3212164511950002", "Siti Rohmah", "P", "Istri", "Pedagang"),
                (KK_1, "3212162004", "", "3212161507100003", "Budi", "L", "Anak", ""),
            ]
        ),
    )
    fields = {(entry["kind"], entry["field"]): entry for entry in batch.review["changes"]["fields"]}
    assert set(fields) == {("household", "address"), ("person", "occupation")}
    assert fields[("household", "address")]["examples"] == [["Ahmad", "Jl. Kenanga No. 5", "Jl. Kenanga No. 7"]]
    occupation = fields[("person", "occupation")]
    assert occupation["changed"] == 2 and occupation["removed"] == 0
    assert ["Siti Rohmah", "Mengurus rumah tangga", "Pedagang"] in occupation["examples"]
    assert batch.counts["values_removed"] == 0
    client.force_login(officer_a)
    page = client.get(reverse("households:import-detail", args=[batch.pk])).content.decode()
    assert 'id="values-removed"' in page and "alert-success" in page
    assert "Jl. Kenanga No. 5 → Jl. Kenanga No. 7" in page


def test_a_write_after_someone_else_changed_the_register_is_refused(officer_a):
    register(officer_a)
    header = ("No KK", "Kode Desa", "NIK", "Nama", "Jenis Kelamin", "Hubungan Keluarga", "Pekerjaan")
    batch = check(
        officer_a,
        excel_csv([header, (KK_1, "3212162004", "3212161204900001", "Ahmad", "L", "Kepala Keluarga", "Nelayan")]),
    )
    ahmad = Person.objects.get(nik="3212161204900001")
    ahmad.occupation = "Guru"  # another officer's edit, between the preview and the write
    record_save(instance=ahmad, expected_version=ahmad.version, user=officer_a)
    refused = write(batch)
    assert refused.status == ImportBatch.Status.VALIDATED
    assert "Ahmad" in refused.message and "Nothing was written" in refused.message
    ahmad.refresh_from_db()
    assert ahmad.occupation == "Guru"
    batches.batch_recheck(batch=refused, user=officer_a, background=False)
    rechecked = ImportBatch.objects.get(pk=batch.pk)
    assert rechecked.review["changes"]["fields"][0]["examples"] == [["Ahmad", "Guru", "Nelayan"]]
    assert write(rechecked).status == ImportBatch.Status.COMMITTED


def test_a_nik_registered_meanwhile_refuses_the_write(officer_a):
    batch = check(officer_a, excel_csv(REGISTER[:4]))
    check_and_write(officer_a, excel_csv([FULL, REGISTER[1]]))  # someone registers Ahmad meanwhile
    refused = write(batch)
    assert refused.status == ImportBatch.Status.VALIDATED and "Ahmad" in refused.message
    assert Person.objects.count() == 1


def test_batches_roll_back_newest_first(officer_a):
    """A then B on the same people: B rolled back, then A, and the register is as before A."""
    register(officer_a)
    before = snapshot()
    header = ("No KK", "Kode Desa", "NIK", "Nama", "Jenis Kelamin", "Hubungan Keluarga", "Pekerjaan")

    def occupation(name):
        return excel_csv([header, (KK_1, "3212162004", "3212161204900001", "Ahmad", "L", "Kepala Keluarga", name)])

    first = check_and_write(officer_a, occupation("Nelayan"))
    second = check_and_write(officer_a, occupation("Guru"))
    assert Person.objects.get(nik="3212161204900001").occupation == "Guru"
    assert roll_back(second).status == ImportBatch.Status.ROLLED_BACK
    assert Person.objects.get(nik="3212161204900001").occupation == "Nelayan"
    undone = roll_back(first)
    assert undone.status == ImportBatch.Status.ROLLED_BACK, undone.message
    after = snapshot()
    for rows in (before["Person"], after["Person"]):
        for row in rows.values():
            del row["version"], row["updated_at"]
    assert after["Person"] == before["Person"]


def test_an_import_by_a_former_kk_and_its_rollback_leave_the_kk_history_exactly(officer_a):
    from households.services import household_kk_change

    register(officer_a)
    household = Household.objects.get(kk_number=KK_1)
    household_kk_change(household=household, number="3212161001250004", on=datetime.date(2025, 1, 10))
    household.save()
    history = list(KKNumber.objects.order_by("id").values())
    header = ("No KK", "Kode Desa", "Alamat", "NIK", "Nama", "Jenis Kelamin", "Hubungan Keluarga")
    batch = check_and_write(
        officer_a,
        excel_csv([header, (KK_1, "3212162004", "Jl. Baru 9", "3212161204900001", "Ahmad", "L", "Kepala Keluarga")]),
    )
    household.refresh_from_db()
    assert household.address == "Jl. Baru 9" and household.kk_number == "3212161001250004"
    assert list(KKNumber.objects.order_by("id").values()) == history
    roll_back(batch)
    household.refresh_from_db()
    assert household.address == "Jl. Kenanga No. 5"
    assert list(KKNumber.objects.order_by("id").values()) == history
