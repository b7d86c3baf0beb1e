"""Two officers saving the same household at the same moment, on two real database
connections: exactly one save wins, the other is refused, nothing is lost."""

import threading

import pytest
from django.db import connection

from desmigratif.services import regions_load
from households.models import Household, Job
from households.services import StaleRecordError, record_save
from tests.conftest import VILLAGE_A, sample_regions
from tests.factories import HouseholdFactory


@pytest.fixture
def restore_shared_data(django_db_blocker):
    # A transactional test ends with a flush of every table; put back what the
    # rest of the session relies on (the region sample and the job list).
    yield
    with django_db_blocker.unblock():
        regions_load(regions=sample_regions())
        from importlib import import_module

        for code, name in import_module("households.migrations.0002_jobs").JOBS:
            Job.objects.get_or_create(code=code, defaults={"name": name})


def test_parallel_saves_of_one_household(restore_shared_data, transactional_db):
    household = HouseholdFactory(village_id=VILLAGE_A)
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def save(address: str) -> None:
        try:
            mine = Household.objects.get(pk=household.pk)  # both read version 1
            barrier.wait(timeout=10)
            mine.address = address
            record_save(instance=mine, expected_version=1)
            outcomes[address] = "saved"
        except StaleRecordError:
            outcomes[address] = "refused"
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(address,)) for address in ("Jl. Satu", "Jl. Dua")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes.values()) == ["refused", "saved"]
    winner = next(address for address, outcome in outcomes.items() if outcome == "saved")
    household.refresh_from_db()
    assert household.address == winner and household.version == 2
