"""Committing a validated import and rolling it back (issue 4)."""

import pytest
from django.utils import translation

from households.models import Household, ImportBatch, ImportRow, KKNumber, MigrationEpisode, Person
from tests.conftest import VILLAGE_A
from tests.factories import PersonFactory
from tests.households.imports import FILE, commit, roll_back

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_commit_writes_everything_tagged_with_the_batch(officer_a):
    batch = commit(officer_a)
    assert batch.status == ImportBatch.Status.COMMITTED
    assert Household.objects.count() == 2 and Person.objects.count() == 3
    assert MigrationEpisode.objects.get().destination_country == "TW"
    assert batch.counts["households_created"] == 2 and batch.counts["persons_created"] == 3
    created = {change.model: len(change.object_ids) for change in batch.changes.filter(action="create")}
    assert created == {"household": 2, "person": 3, "episode": 1}
    siti = Person.objects.get(name="Siti")
    assert siti.history.get().history_user == officer_a and siti.history.get().history_type == "+"
    assert siti.household.kk_numbers.get().number == "3212161503180007"
    assert siti.household.history.count() == 1 and KKNumber.history.count() == 2
    assert len(batch.sha256) == 64 and batch.file_name == "register.csv"
    assert not ImportRow.objects.exists()  # the staging rows go once written
    assert batch.upload is None


def test_reimporting_the_same_file_changes_nothing_and_says_so(officer_a):
    commit(officer_a)
    again = commit(officer_a)
    assert again.changes.count() == 0
    assert "Nothing to write" in again.message
    assert again.counts["persons_unchanged"] == 3 and again.counts["households_unchanged"] == 2


def test_all_or_nothing_refuses_a_file_with_one_bad_row(officer_a):
    bad = FILE + "3212161503180007;32.12.16.2004;3.21216E+15;Rusak;L;;Anak;;;\n"
    refused = commit(officer_a, bad)
    assert refused.status == ImportBatch.Status.VALIDATED and "1 rows have errors" in refused.message
    assert not Person.objects.exists()
    assert not ImportBatch.objects.filter(status=ImportBatch.Status.COMMITTED).exists()
    batch = commit(officer_a, bad, mode=ImportBatch.Mode.VALID_ONLY)
    assert Person.objects.count() == 3 and batch.counts["rows_skipped"] == 1


def test_an_officer_cannot_import_into_another_village(officer_b):
    refused = commit(officer_b)
    assert refused.status == ImportBatch.Status.VALIDATED and "errors" in refused.message
    assert not Household.objects.exists()


def test_rollback_removes_what_was_created_and_restores_what_was_changed(officer_a):
    existing = PersonFactory(
        nik="3212161204900001",
        name="Ahmad Lama",
        household__village_id=VILLAGE_A,
        household__kk_number="3212161503180007",
        household__dusun="Lama",
    )
    batch = commit(officer_a)
    existing.refresh_from_db()
    # The file has no Dusun column: the registered dusun stays.
    assert existing.name == "Ahmad" and existing.household.dusun == "Lama" and existing.version == 2
    assert existing.history.first().history_type == "~"
    roll_back(batch)
    existing.refresh_from_db()
    assert existing.name == "Ahmad Lama" and existing.household.dusun == "Lama"
    assert existing.history.count() == 3 and existing.history.first().name == "Ahmad Lama"
    assert list(Person.objects.values_list("nik", flat=True)) == ["3212161204900001"]
    assert not MigrationEpisode.objects.exists()
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.ROLLED_BACK and batch.rolled_back_by == officer_a


def test_rollback_is_refused_when_records_were_edited_since(officer_a):
    from households.services import record_save

    batch = commit(officer_a)
    siti = Person.objects.get(name="Siti")
    siti.occupation = "Perawat"
    record_save(instance=siti, expected_version=siti.version, user=officer_a)
    refused = roll_back(batch)
    assert refused.status == ImportBatch.Status.COMMITTED and "edited after the import" in refused.message
    assert Person.objects.count() == 3


def test_rollback_restores_changed_warnings_and_dates(officer_a):
    PersonFactory(
        nik="3212161204900001",
        name="Ahmad",
        birth_date="1990-04-21",
        sex="M",
        household__village_id=VILLAGE_A,
        household__kk_number="3212161503180007",
        validation_warnings=[{"field": "x", "code": "old", "params": {}}],
    )
    batch = commit(officer_a)
    ahmad = Person.objects.get(nik="3212161204900001")
    assert str(ahmad.birth_date) == "1990-04-12" and ahmad.validation_warnings == []
    roll_back(batch)
    ahmad.refresh_from_db()
    assert str(ahmad.birth_date) == "1990-04-21" and ahmad.validation_warnings[0]["code"] == "old"


def test_command_line_import(tmp_path, officer_a, officer_b, capsys):
    from django.core.management import CommandError, call_command

    path = tmp_path / "register.csv"
    path.write_text(FILE)
    call_command("import_households", str(path), "--user", "officer.a", "--dry-run")
    assert "persons_create" in capsys.readouterr().out and not Person.objects.exists()
    call_command("import_households", str(path), "--user", "officer.a")
    assert "records written" in capsys.readouterr().out
    assert Person.objects.count() == 3
    with pytest.raises(CommandError, match="rows have errors"):
        call_command("import_households", str(path), "--user", "officer.b")


def test_rollback_is_refused_when_new_records_were_used_since(officer_a):
    from tests.factories import EpisodeFactory

    batch = commit(officer_a)
    EpisodeFactory(person=Person.objects.get(name="Budi"))  # recorded by hand after the import
    refused = roll_back(batch)
    assert refused.status == ImportBatch.Status.COMMITTED and "used by other records" in refused.message
    assert Person.objects.count() == 3


def test_rollback_records_who_removed_what(officer_a):
    batch = commit(officer_a)
    roll_back(batch)
    assert not Household.objects.exists() and not KKNumber.objects.exists()
    deleted = Person.history.filter(history_type="-")
    assert deleted.count() == 3 and {h.history_user for h in deleted} == {officer_a}


def test_a_person_found_by_nik_moves_to_the_household_of_the_file(officer_a):
    PersonFactory(
        nik="3212161507100003", name="Budi", household__village_id=VILLAGE_A, household__kk_number="3212160101200001"
    )
    commit(officer_a)
    assert Person.objects.get(nik="3212161507100003").household.kk_number == "3212161001240003"


def test_a_household_found_by_a_former_kk_keeps_its_current_one(officer_a):
    """An old spreadsheet is not a reason to go back to an old family card (docs/decisions.md):
    the household is found by its former number, updated, and keeps its current number."""
    from households.services import household_kk_change

    commit(officer_a)
    household = Household.objects.get(kk_number="3212161001240003")
    household_kk_change(household=household, number="3212161001250004", user=officer_a)
    household.save()
    household.refresh_from_db()
    assert household.kk_number == "3212161001250004"  # the change really happened
    history = list(KKNumber.objects.filter(household=household).values_list("number", "replaced_on"))
    again = commit(officer_a)
    household.refresh_from_db()
    assert household.kk_number == "3212161001250004" and Household.objects.count() == 2
    assert list(KKNumber.objects.filter(household=household).values_list("number", "replaced_on")) == history
    assert again.counts.get("households_create", 0) == 0 and again.counts["households_unchanged"] == 2
    assert "Nothing to write" in again.message
    assert any("former No. KK" in p["message"] for p in again.problems)
