"""Validating a whole import file at once: every problem with row, column, value and message;
the user's scope per row; what a commit would create, update or refuse."""

import datetime

import pytest
from django.utils import translation

from tests.conftest import VILLAGE_A, VILLAGE_B
from tests.factories import PersonFactory
from tests.households.imports import HEADER, line, run

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_a_clean_file_counts_what_a_commit_would_do(officer_a):
    analysis = run(
        officer_a,
        line(),
        line(
            nik="3212164511950002",
            name="Siti",
            sex="P",
            born="1995-11-05",
            rel="Istri",
            country="Hong Kong",
            status="bekerja",
            departure="01/02/2023",
        ),
        line(kk="3212161001240003", nik="3212161507100003", name="Budi", born="15 Juli 2010", rel="Kepala Keluarga"),
    )
    assert not analysis.fatal and analysis.problems == []
    assert {key: value for key, value in analysis.counts.items() if value and key not in {"rows", "problems"}} == {
        "persons_create": 3,
        "households_create": 2,
        "episodes_create": 1,
    }
    siti = analysis.rows[1]
    assert siti.sex == "F" and siti.relationship == "wife"
    assert (siti.destination_country, siti.status, siti.departure_date) == ("HK", "abroad", datetime.date(2023, 2, 1))
    assert siti.has_migration and not analysis.rows[0].has_migration
    assert analysis.rows[0].village == VILLAGE_A
    assert analysis.rows[2].birth_date == datetime.date(2010, 7, 15)


def test_missing_required_columns_are_named(officer_a):
    analysis = run(officer_a, "x;y", header="Nama;Alamat")
    assert analysis.fatal and "No KK" in analysis.fatal and "NIK" in analysis.fatal


def test_unknown_columns_are_reported_and_ignored(officer_a):
    analysis = run(officer_a, line() + ";biru", header=HEADER + ";Warna Favorit")
    assert analysis.problems == [] and "Warna Favorit" in analysis.notes[0]


def test_every_problem_has_row_column_value_and_message(officer_a):
    analysis = run(
        officer_a,
        line(nik="3.21216E+15"),
        line(nik="321216120490000", name="Dua", rel="Anak"),
        line(nik="3212161204900009", name="Tiga", born="31/02/1990", rel="Anak"),
        line(nik="3212161204900010", name="Empat", village="3307102004", rel="Anak"),  # Kuripan: not the officer's
        line(nik="3212161204900011", name="Lima", sex="X", rel="Anak"),
        line(nik="3212161204900012", name="Enam", status="abroad", departure="01/01/2099", rel="Anak"),
    )
    problems = {(p.row, p.column): p for p in analysis.problems}
    assert "Excel" in problems[(2, "NIK")].message and problems[(2, "NIK")].value == "3.21216E+15"
    assert "15 digits" in problems[(3, "NIK")].message
    assert "31/02/1990" in problems[(4, "Tanggal Lahir")].message
    assert "not in your area" in problems[(5, "Kode Desa")].message
    assert problems[(6, "Jenis Kelamin")].value == "X"
    assert "future" in problems[(7, "Tanggal Berangkat")].message
    assert analysis.counts["rows_invalid"] == 6 and analysis.counts["persons_create"] == 0


def test_the_same_nik_twice_in_the_file(officer_a):
    analysis = run(officer_a, line(), line(name="Ahmad lagi", rel="Anak"))
    messages = [p.message for p in analysis.problems]
    assert len(messages) == 2 and all("rows 2, 3" in m for m in messages)


def test_existing_records_are_updates_and_other_areas_reveal_nothing(officer_a):
    PersonFactory(nik="3212161204900001", household__village_id=VILLAGE_A, household__kk_number="3212161503180007")
    PersonFactory(nik="3307101204900001", household__village_id=VILLAGE_B)
    analysis = run(officer_a, line(), line(nik="3307101204900001", name="Orang Kuripan", rel="Anak"))
    # The file gives the household nothing but its village: it stays as registered.
    assert analysis.counts["persons_update"] == 1 and analysis.counts["households_unchanged"] == 1
    refused = [p for p in analysis.problems if p.row == 3]
    assert len(refused) == 1 and "cannot be imported here" in refused[0].message
    assert "33.07" not in refused[0].message


def test_possible_duplicate_by_name_birth_date_and_village(officer_a):
    PersonFactory(nik="3212161204900055", name="Ahmad", birth_date="1990-04-12", household__village_id=VILLAGE_A)
    analysis = run(officer_a, line())
    assert analysis.counts["possible_duplicates"] == 1
    assert analysis.problems[0].severity == "warning" and analysis.rows[0].is_valid


def test_formula_in_a_text_cell_is_kept_as_text(officer_a):
    analysis = run(officer_a, line(name='=HYPERLINK("http://x";"klik")'))
    assert analysis.rows[0].name.startswith("=HYPERLINK")


def test_empty_data_rows(officer_a):
    assert run(officer_a).fatal


def test_trailing_spaces_and_blank_lines_do_not_matter(officer_a):
    analysis = run(officer_a, "", line(name="Ahmad  ", rel="Kepala Keluarga  ") + "  ", "   ")
    assert analysis.problems == [] and analysis.rows[0].name == "Ahmad" and analysis.rows[0].relationship == "head"


def test_a_contract_may_end_in_the_future_but_a_departure_may_not(officer_a):
    header = HEADER + ";Akhir Kontrak"
    analysis = run(officer_a, line(status="abroad", departure="01/02/2025") + ";01/02/2099", header=header)
    assert analysis.problems == [] and analysis.rows[0].contract_end == datetime.date(2099, 2, 1)


def test_one_kk_in_two_villages(administrator):
    analysis = run(
        administrator,
        line(),
        line(nik="3212164511950002", name="Siti", sex="P", born="05/11/1995", rel="Istri", village="3212162005"),
    )
    assert {p.column for p in analysis.problems} == {"Kode Desa"}
    assert all("different villages" in p.message for p in analysis.problems)


def test_a_kk_registered_in_another_village_cannot_be_taken_over(officer_a):
    from tests.factories import HouseholdFactory

    HouseholdFactory(kk_number="3212161503180007", village_id=VILLAGE_B)
    analysis = run(officer_a, line())
    assert analysis.counts["rows_invalid"] == 1
    assert "No. KK cannot be imported here" in analysis.problems[0].message


def test_passport_and_bpjs_only_warn_and_are_kept_for_the_episode(officer_a):
    header = HEADER + ";No Paspor;No BPJS"
    analysis = run(officer_a, line(status="abroad", departure="01/02/2025") + ";12;abc", header=header)
    assert {p.severity for p in analysis.problems} == {"warning"} and analysis.rows[0].is_valid
    assert {w["code"] for w in analysis.rows[0].episode_warnings} == {"passport_format", "bpjs_format"}
