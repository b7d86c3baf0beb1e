"""Imports under faults: the database connection dies in the middle of a write, and the
task worker is killed in the middle of one. Either way the batch ends failed with a clear
message, nothing is half-written, and writing it again works. Real connections, a real
worker process; the faults come from PostgreSQL itself (a trigger on the person table)."""

from __future__ import annotations

import pathlib
import signal
import sys
import tempfile
import time

import pytest
from django.db import InterfaceError, OperationalError, connection
from django.urls import reverse

from households.imports import batches
from households.imports.tasks import commit_import
from households.models import Household, ImportBatch, Person
from tests.conftest import VILLAGE_A
from tests.households.imports import admin_connection
from tests.workers import start_worker

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def staged_batch(user, households: int = 20) -> ImportBatch:
    from django.conf import settings

    sys.path.insert(0, str(settings.BASE_DIR / "benchmarks"))
    from reference_file import write_reference_file

    with tempfile.TemporaryDirectory() as folder:
        path = pathlib.Path(folder) / "file.csv"
        write_reference_file(path, households, [VILLAGE_A])
        data = path.read_bytes()
    batch = batches.batch_upload(user=user, file_name="file.csv", data=data, background=False)
    result = batches.batch_validate(batch_id=batch.pk)
    assert not result.fatal
    return ImportBatch.objects.get(pk=batch.pk)


def confirm(batch: ImportBatch) -> None:
    """The uploader confirms; the task is queued for a worker (run here with ``commit_import.call``)."""
    batches.batch_confirm(batch=batch, user=batch.user, mode=ImportBatch.Mode.VALID_ONLY)


@pytest.fixture
def fault(transactional_db):
    """Install a trigger on the person table for the test, and drop it afterwards."""
    own = admin_connection()

    def install(body: str) -> None:
        with own.cursor() as cursor:
            cursor.execute(
                f"CREATE OR REPLACE FUNCTION test_fault() RETURNS trigger AS $$ BEGIN {body} END $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                "CREATE TRIGGER test_fault BEFORE INSERT ON households_person "
                "FOR EACH STATEMENT EXECUTE FUNCTION test_fault()"
            )

    def remove() -> None:
        with own.cursor() as cursor:
            cursor.execute("DROP TRIGGER IF EXISTS test_fault ON households_person")
            cursor.execute("DROP FUNCTION IF EXISTS test_fault()")

    # The fixture's value is the function, carrying what a test needs besides (attributes of a
    # function object, which mypy does not follow).
    install.remove = remove  # type: ignore[attr-defined]
    install.connection = own  # type: ignore[attr-defined]
    yield install
    remove()
    own.close()


def test_the_database_going_away_in_a_write_leaves_nothing_and_the_batch_failed(officer_a, fault):
    batch = staged_batch(officer_a)
    before = (Household.objects.count(), Person.objects.count())
    # What a database restart looks like from the portal: its connection is cut mid-statement.
    fault("PERFORM pg_terminate_backend(pg_backend_pid()); RETURN NULL;")

    confirm(batch)
    with pytest.raises((OperationalError, InterfaceError)):
        commit_import.call(batch.pk)

    connection.close()
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.FAILED and batch.write_failed
    # The task writes its messages in Indonesian, whatever language is active.
    assert batch.message.startswith("Penulisan gagal dan tidak ada yang ditulis.")
    assert (Household.objects.count(), Person.objects.count()) == before
    assert batch.is_writable

    fault.remove()
    confirm(batch)
    commit_import.call(batch.pk)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.COMMITTED
    assert Household.objects.filter(village_id=VILLAGE_A).count() == before[0] + batch.counts["households_created"]


def test_a_worker_killed_in_a_write_does_not_leave_the_batch_running(client, officer_a, fault):
    batch = staged_batch(officer_a)
    before = (Household.objects.count(), Person.objects.count())
    own = fault.connection
    with own.cursor() as cursor:
        # So that PostgreSQL notices a vanished client even while a statement is running.
        cursor.execute(
            f'ALTER DATABASE "{connection.settings_dict["NAME"]}" SET client_connection_check_interval = 200'
        )
    fault("PERFORM pg_sleep(60); RETURN NEW;")  # the write hangs in the middle
    client.force_login(officer_a)
    client.post(reverse("households:import-confirm", args=[batch.pk]), {"mode": ImportBatch.Mode.VALID_ONLY})
    worker = start_worker()
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with own.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'PgSleep'")
                if cursor.fetchone()[0]:
                    break
            time.sleep(0.2)
        else:
            pytest.fail("the worker never reached the write")
        page = client.get(reverse("households:import-detail", args=[batch.pk]))
        assert ImportBatch.objects.get(pk=batch.pk).status == ImportBatch.Status.COMMITTING  # alive: left alone
        assert page.status_code == 200

        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:  # PostgreSQL ends the orphaned statement and its transaction
            client.get(reverse("households:import-detail", args=[batch.pk]), HTTP_ACCEPT_LANGUAGE="en")
            if ImportBatch.objects.get(pk=batch.pk).status == ImportBatch.Status.FAILED:
                break
            time.sleep(0.3)
    finally:
        if worker.poll() is None:
            worker.kill()
        with own.cursor() as cursor:
            cursor.execute(
                f'ALTER DATABASE "{connection.settings_dict["NAME"]}" RESET client_connection_check_interval'
            )

    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.FAILED, batch.status
    assert batch.write_failed
    assert batch.message.startswith("The background worker stopped while writing this file. Nothing was written;")
    assert (Household.objects.count(), Person.objects.count()) == before

    fault.remove()
    response = client.post(reverse("households:import-confirm", args=[batch.pk]), {"mode": ImportBatch.Mode.VALID_ONLY})
    assert response.status_code == 302
    commit_import.call(batch.pk)  # what the next worker does
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.COMMITTED
