"""Fixtures of pillar 1's tests."""

import pytest

from desmigratif.models import Village
from households.models import ServiceRequest
from tests.factories import VILLAGE_A, EpisodeFactory, PersonFactory


@pytest.fixture
def service_case():
    """A complaint at village A's service post: a mother (with a phone) about her daughter, who
    works in Malaysia for Tuan Lim, passport C1234567."""
    mother = PersonFactory(household__village_id=VILLAGE_A, household__phone="+6281234567890", name="Ibu Warsini")
    worker = PersonFactory(household=mother.household, name="Rina Lestari", sex="F", relationship="child")
    EpisodeFactory(person=worker, destination_country="MY", employer_name="Tuan Lim", passport_number="C1234567")
    return ServiceRequest.objects.create(
        village=Village.objects.get(pk=VILLAGE_A),
        kind="complaint",
        person_served=mother,
        worker=worker,
        description="Gaji tidak dibayar tiga bulan.",
    )
