"""One life cycle for every import, whichever door it comes in by (issue 13): guarded state
changes, rollback in the background with progress and the user's area checked again, the
command line through the same steps as the web, the progress bar moving in steps, and the
purge of what personal data imports leave behind (UU PDP)."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone, translation

from dashboards.models import FigureRefresh
from desmigratif.models import AccessLog, AdminImportFile, Assignment
from households.imports import batches
from households.imports.batches import BatchStateError
from households.imports.workers import BatchProgress
from households.models import Household, ImportBatch, ImportRow, ImportSeen, Person
from tests.conftest import VILLAGE_A, VILLAGE_A_NEIGHBOUR
from tests.factories import AssignmentFactory
from tests.households.imports import FILE, admin_connection, check, check_and_write, excel_csv, write

pytestmark = pytest.mark.django_db
Status = ImportBatch.Status


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def village_file(households: int) -> bytes:
    """A village's register: ``households`` families of a head, a wife abroad and a child."""
    rows = [("No KK", "Kode Desa", "NIK", "Nama", "Jenis Kelamin", "Hubungan Keluarga", "Status Migrasi", "Negara")]
    for n in range(households):
        kk = f"321216{(n % 28) + 1:02d}0318{n + 1:04d}"
        rows += [
            (
                kk,
                "32.12.16.2004",
                f"32121612049{n % 10}{n + 1:04d}"[:16],
                f"Kepala {n}",
                "L",
                "Kepala Keluarga",
                "",
                "",
            ),
            (kk, "32.12.16.2004", f"32121645119{n % 10}{n + 1:04d}"[:16], f"Istri {n}", "P", "Istri", "Bekerja", "HK"),
            (kk, "32.12.16.2004", f"32121615071{n % 10}{n + 1:04d}"[:16], f"Anak {n}", "L", "Anak", "", ""),
        ]
    return excel_csv(rows)


# --- guarded steps ----------------------------------------------------------------------------------------


def test_each_step_moves_the_batch_only_from_the_states_it_allows(officer_a, officer_b, coordinator):
    batch = check(officer_a, FILE)
    with pytest.raises(BatchStateError):
        batches.batch_confirm(batch=batch, user=officer_b, mode="all", background=False)  # not the uploader
    with pytest.raises(BatchStateError):
        batches.batch_approve(batch=batch, user=coordinator, background=False)  # not waiting for approval
    with pytest.raises(BatchStateError):
        batches.batch_rollback_request(batch=batch, user=officer_a, background=False)  # not written
    batches.batch_confirm(batch=batch, user=officer_a, mode="all")  # queued for the worker
    with pytest.raises(BatchStateError, match="cannot do that now"):
        batches.batch_confirm(batch=batch, user=officer_a, mode="all")  # a second click
    with pytest.raises(BatchStateError):
        batches.batch_recheck(batch=batch, user=officer_a, background=False)
    batches.batch_commit(batch_id=batch.pk)
    assert ImportBatch.objects.get(pk=batch.pk).status == Status.COMMITTED
    assert not ImportSeen.objects.filter(batch=batch).exists()
    with pytest.raises(BatchStateError):
        batches.batch_commit(batch_id=batch.pk)  # a task delivered twice


def test_a_refused_write_goes_back_to_the_preview_saying_why(officer_a):
    bad = FILE + "3212161503180007;32.12.16.2004;3.21216E+15;Rusak;L;;Anak;;;\n"
    batch = write(check(officer_a, bad))
    assert batch.status == Status.VALIDATED and "rows have errors" in batch.message
    assert write(batch, ImportBatch.Mode.VALID_ONLY).status == Status.COMMITTED


# --- rollback ---------------------------------------------------------------------------------------------


def test_rollback_runs_in_the_background_with_progress(client, officer_a):
    batch = check_and_write(officer_a, FILE)
    client.force_login(officer_a)
    client.post(reverse("households:import-rollback", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == Status.ROLLING_BACK and batch.rolled_back_by == officer_a
    page = client.get(reverse("households:import-detail", args=[batch.pk])).content.decode()
    assert "<progress" in page and "hx-trigger" in page
    assert Person.objects.count() == 3  # nothing undone until the worker runs
    steps = []
    batches.batch_rollback(batch_id=batch.pk, progress=steps.append)
    batch.refresh_from_db()
    assert batch.status == Status.ROLLED_BACK and not Person.objects.exists()
    assert len(steps) >= 3 and steps == sorted(steps)


def test_rollback_checks_the_users_area_again(officer_a):
    batch = check_and_write(officer_a, FILE)
    Assignment.objects.filter(user=officer_a).delete()  # moved to the neighbouring village
    AssignmentFactory(user=officer_a, role="officer", area=VILLAGE_A_NEIGHBOUR)
    from desmigratif.access import forget

    forget(officer_a)
    batches.batch_rollback_request(batch=batch, user=officer_a, background=False)
    batch.refresh_from_db()
    assert batch.status == Status.COMMITTED and "outside your area" in batch.message
    assert Person.objects.count() == 3


def test_a_failed_rollback_leaves_the_batch_written(officer_a):
    batch = check_and_write(officer_a, FILE)
    batches.batch_rollback_request(batch=batch, user=officer_a)
    batches.batch_fail(batch_id=batch.pk, message="worker lost")
    batch.refresh_from_db()
    assert (batch.status, batch.message) == (Status.COMMITTED, "worker lost")


# --- progress ---------------------------------------------------------------------------------------------


def test_the_progress_bar_moves_in_steps_for_a_village_file(officer_a):
    seen: list[int] = []
    batch = batches.batch_upload(user=officer_a, file_name="desa.csv", data=village_file(700), background=False)
    batches.batch_validate(batch_id=batch.pk, progress=seen.append)
    assert ImportBatch.objects.get(pk=batch.pk).counts["rows"] == 2100
    checking = [step for step in seen if step < 75]
    assert len(set(checking)) >= 5, seen  # the rows are checked in chunks, each reported
    assert seen == sorted(seen) and 0 < seen[-1] < 100
    steps: list[int] = []
    batches.batch_confirm(batch=batch, user=officer_a, mode="all")
    batches.batch_commit(batch_id=batch.pk, progress=steps.append)
    assert len(set(steps)) >= 8 and steps == sorted(steps)


@pytest.mark.django_db(transaction=True)
def test_progress_is_seen_by_the_page_while_the_write_is_open(officer_a):
    batch = ImportBatch.objects.create(user=officer_a, file_name="x.csv", sha256="x", status=Status.COMMITTING)
    outside = admin_connection()
    try:
        with transaction.atomic(), BatchProgress(batch.pk) as progress:
            Household.objects.create(village_id=VILLAGE_A, kk_number="3212161503180007")  # the write, still open
            progress(40)
            progress.flush()
            with outside.cursor() as cursor:
                cursor.execute("SELECT progress FROM households_importbatch WHERE id = %s", [batch.pk])
                assert cursor.fetchone()[0] == 40
    finally:
        outside.close()


# --- the command line -------------------------------------------------------------------------------------


def register_file(tmp_path, text: str = FILE):
    path = tmp_path / "register.csv"
    path.write_text(text)
    return str(path)


@override_settings(IMPORT_APPROVAL_REQUIRED=True)
def test_the_command_line_waits_for_approval_like_the_web(tmp_path, officer_a, coordinator, capsys):
    call_command("import_households", register_file(tmp_path), "--user", "officer.a")
    assert "waits for a coordinator's approval" in capsys.readouterr().out
    batch = ImportBatch.objects.get()
    assert batch.status == Status.AWAITING_APPROVAL and not Person.objects.exists()
    log = AccessLog.objects.get(kind=AccessLog.Kind.IMPORT)
    assert (log.user, log.detail["batch"]) == (officer_a, batch.pk)
    batches.batch_approve(batch=batch, user=coordinator, background=False)
    assert Person.objects.count() == 3


def test_the_command_line_refreshes_the_dashboards(tmp_path, officer_a):
    call_command("import_households", register_file(tmp_path), "--user", "officer.a")
    assert Person.objects.count() == 3 and FigureRefresh.objects.exists()


def test_a_read_only_coordinator_is_refused_up_front(tmp_path, coordinator):
    with pytest.raises(CommandError, match="may not write"):
        call_command("import_households", register_file(tmp_path), "--user", "coordinator.a")
    assert not ImportBatch.objects.exists()


def test_the_command_line_takes_the_village_of_a_file_without_one(tmp_path, administrator):
    header = "No KK;NIK;Nama;Jenis Kelamin;Hubungan Keluarga\n"
    text = header + "3212161503180007;3212161204900001;Ahmad;L;Kepala Keluarga\n"
    with pytest.raises(CommandError, match="Kode Desa"):
        call_command("import_households", register_file(tmp_path, text), "--user", "administrator")
    call_command("import_households", register_file(tmp_path, text), "--user", "administrator", "--village", VILLAGE_A)
    assert Household.objects.get().village_id == VILLAGE_A


# --- purge ------------------------------------------------------------------------------------------------


def aged(batch: ImportBatch, days: int, **fields) -> ImportBatch:
    when = timezone.now() - datetime.timedelta(days=days)
    ImportBatch.objects.filter(pk=batch.pk).update(created_at=when, **dict.fromkeys(fields, when))
    return ImportBatch.objects.get(pk=batch.pk)


def test_the_purge_deletes_what_imports_keep_past_their_time(officer_a, capsys):
    bad = FILE + "3212161503180007;32.12.16.2004;3.21216E+15;Rusak;L;;Anak;;;\n"
    forgotten = aged(check(officer_a, bad), 8)
    recent = aged(check(officer_a, bad), 3)
    old_written = aged(write(check(officer_a, bad), ImportBatch.Mode.VALID_ONLY), 31, committed_at=True)
    assert old_written.status == Status.COMMITTED and ImportRow.objects.filter(batch=old_written).exists()
    new_written = aged(check_and_write(officer_a, FILE), 10, committed_at=True)

    abandoned = AdminImportFile.objects.create(name="abandoned", user=officer_a, session_key="s", data=b"NIK")
    AdminImportFile.objects.filter(pk=abandoned.pk).update(created_at=timezone.now() - datetime.timedelta(days=2))
    in_use = AdminImportFile.objects.create(name="in-use", user=officer_a, session_key="s", data=b"NIK")

    call_command("purge_imports")
    assert "1 batches expired, 1 error files deleted, 1 admin import files deleted" in capsys.readouterr().out
    assert list(AdminImportFile.objects.all()) == [in_use]

    forgotten.refresh_from_db()
    assert forgotten.status == Status.EXPIRED and forgotten.upload is None and forgotten.problems == []
    assert not ImportRow.objects.filter(batch=forgotten).exists() and forgotten.purged_at is not None
    recent.refresh_from_db()
    assert recent.status == Status.VALIDATED and recent.upload and ImportRow.objects.filter(batch=recent).exists()
    old_written.refresh_from_db()
    assert old_written.problems == [] and not ImportRow.objects.filter(batch=old_written).exists()
    assert old_written.status == Status.COMMITTED and old_written.counts  # what it did stays
    new_written.refresh_from_db()
    assert new_written.purged_at is None


def test_the_worker_purges_every_night(officer_a):
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from households.imports.tasks import purge_imports

    queued = DBTaskResult.objects.filter(task_path=purge_imports.module_path, status=TaskResultStatus.READY)
    batches.purge_schedule()
    batches.purge_schedule()
    assert queued.count() == 1
    run_after = timezone.localtime(queued.get().run_after)
    now = timezone.localtime()
    assert run_after.hour == 2 and now < run_after <= now + datetime.timedelta(hours=26)  # the coming night
    check(officer_a, FILE)  # an upload makes sure the purge is queued, without queuing a second
    assert queued.count() == 1
    queued.delete()
    purge_imports.call()  # the nightly run queues the next night's
    assert queued.count() == 1
