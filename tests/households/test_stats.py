"""Pillar 1 aggregates against hand-counted fixtures."""

import datetime

import pytest
from django.utils import translation

from desmigratif.access import Scope
from households import stats
from households.models import RequestStatus, ServiceRequest
from tests.conftest import VILLAGE_A, VILLAGE_B
from tests.factories import EpisodeFactory, HouseholdFactory, PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def register():
    a1 = HouseholdFactory(village_id=VILLAGE_A)
    a2 = HouseholdFactory(village_id=VILLAGE_A)
    HouseholdFactory(village_id=VILLAGE_A, is_archived=True)
    b1 = HouseholdFactory(village_id=VILLAGE_B)
    siti = PersonFactory(household=a1, sex="F")
    ahmad = PersonFactory(household=a1, sex="M")
    wati = PersonFactory(household=a2, sex="F")
    PersonFactory(household=b1, sex="F")
    EpisodeFactory(
        person=siti,
        status="abroad",
        destination_country="HK",
        sector="informal",
        procedural="procedural",
        departure_date=datetime.date(2023, 2, 1),
    )
    EpisodeFactory(
        person=wati,
        status="abroad",
        destination_country="TW",
        sector="informal",
        procedural="non_procedural",
        departure_date=datetime.date(2024, 3, 1),
    )
    EpisodeFactory(
        person=ahmad,
        status="returned",
        destination_country="MY",
        sector="formal",
        procedural="procedural",
        departure_date=datetime.date(2020, 1, 10),
        actual_return=datetime.date(2022, 1, 10),
        return_reason="contract_ended",
    )
    EpisodeFactory(
        person=PersonFactory(household=b1),
        status="abroad",
        destination_country="HK",
        departure_date=datetime.date(2023, 5, 1),
    )
    yesterday = datetime.date.today() - datetime.timedelta(days=1)  # noqa: DTZ011
    ServiceRequest.objects.create(
        village_id=VILLAGE_A,
        kind="information",
        description="x",
        status=RequestStatus.OPEN,
        opened_on=yesterday,
        follow_up_on=yesterday,
    )
    ServiceRequest.objects.create(
        village_id=VILLAGE_A,
        kind="complaint",
        description="x",
        status=RequestStatus.CLOSED,
        opened_on=yesterday,
        closed_on=yesterday,
    )
    ServiceRequest.objects.create(
        village_id=VILLAGE_B,
        kind="complaint",
        description="x",
        status=RequestStatus.OPEN,
        opened_on=yesterday,
        follow_up_on=yesterday,
    )


def test_pillar_1_figures_of_one_village(register):
    scope = Scope.of([VILLAGE_A])
    assert stats.registered(scope) == {"households": 2, "persons": 3}
    assert stats.abroad_by_country(scope) == [("HK", 1), ("TW", 1)]
    assert stats.abroad_by_sector(scope) == [("Formal", 0), ("Informal", 2), ("Not recorded", 0)]
    assert stats.abroad_by_sex(scope) == [("Male", 0), ("Female", 2)]
    assert stats.departures_by_year(scope) == [
        (2020, {"procedural": 1, "non_procedural": 0, "unknown": 0}),
        (2023, {"procedural": 1, "non_procedural": 0, "unknown": 0}),
        (2024, {"procedural": 0, "non_procedural": 1, "unknown": 0}),
    ]
    assert stats.returns_by_year(scope) == [(2022, 1)]
    assert dict(stats.return_reasons(scope))["Contract ended"] == 1
    by_kind = dict(stats.requests_by_kind_and_status(scope))
    assert by_kind["Safe-migration information"]["open"] == 1 and by_kind["Complaint"]["closed"] == 1
    assert stats.overdue_follow_ups(scope) == 1


def test_the_nation_adds_the_villages_up(register):
    nation, a, b = Scope.everywhere(), Scope.of([VILLAGE_A]), Scope.of([VILLAGE_B])
    assert stats.registered(nation)["persons"] == stats.registered(a)["persons"] + stats.registered(b)["persons"]
    assert dict(stats.abroad_by_country(nation)) == {"HK": 2, "TW": 1}
    assert stats.overdue_follow_ups(nation) == 2
