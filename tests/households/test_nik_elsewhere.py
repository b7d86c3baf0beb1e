"""A NIK registered outside the user's area (issue 14): officers are told ("cannot be registered
here"), each such answer is written to the access log, and the answers are bounded per user over
24 hours, in the household form, the import and the admin's import alike. Past the bound no new
NIK is checked at all, so the refusal cannot be used to test NIKs against the register."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.utils import translation

from desmigratif.models import AccessLog
from households.forms import PersonForm
from households.models import Person
from households.resources import PersonResource
from tests.conftest import VILLAGE_A, VILLAGE_B
from tests.factories import HouseholdFactory, PersonFactory
from tests.households.imports import line, run

pytestmark = pytest.mark.django_db

KURIPAN = ["3307101204900001", "3307104505920002", "3307100101850003", "3307101212700004"]  # registered in B
NEW = "3212164107950009"  # nobody's


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def registered_in_b(db):
    household = HouseholdFactory(village_id=VILLAGE_B)
    for nik in KURIPAN:
        PersonFactory(household=household, nik=nik)


def nik_error(user, nik: str) -> str:
    form = PersonForm(
        data={"nik": nik, "name": "Warga Baru", "sex": "F" if int(nik[6:8]) > 40 else "M", "relationship": "child"},
        user=user,
        instance=Person(household=HouseholdFactory(village_id=VILLAGE_A)),
    )
    form.is_valid()
    return " ".join(form.errors.get("nik", []))


def told(user) -> int:
    return sum(entry.rows for entry in AccessLog.objects.filter(user=user, kind=AccessLog.Kind.NIK_ELSEWHERE))


@override_settings(NIK_ELSEWHERE_LIMIT=3)
def test_the_form_tells_logs_and_then_stops_checking(officer_a, registered_in_b):
    for nik in KURIPAN[:3]:
        assert "cannot be registered here" in nik_error(officer_a, nik)
    assert told(officer_a) == 3
    # The bound is reached: a NIK registered elsewhere and one that is nobody's get the same answer.
    assert "Too many NIKs" in nik_error(officer_a, KURIPAN[3])
    assert "Too many NIKs" in nik_error(officer_a, NEW)
    assert told(officer_a) == 3
    # What the officer can see is still shown, and their own records keep their NIKs.
    mine = PersonFactory(household__village_id=VILLAGE_A, nik="3212161204900001")
    assert "already registered" in nik_error(officer_a, mine.nik)


@override_settings(NIK_ELSEWHERE_LIMIT=3)
def test_the_bound_is_per_user(officer_a, officer_b, coordinator, registered_in_b):
    for nik in KURIPAN[:3]:
        nik_error(officer_a, nik)
    assert nik_error(coordinator, NEW) == ""  # another user: checked as usual


@override_settings(NIK_ELSEWHERE_LIMIT=3)
def test_the_import_tells_within_the_bound_and_nothing_beyond_it(officer_a, registered_in_b):
    first = run(officer_a, line(nik=KURIPAN[0]), line(nik=KURIPAN[1], name="Dua", rel="Anak"))
    assert sum("cannot be imported here" in p.message for p in first.problems) == 2
    assert told(officer_a) == 2
    # Two more registered elsewhere with one left: the file learns none of them.
    second = run(
        officer_a,
        line(nik=KURIPAN[2]),
        line(nik=KURIPAN[3], name="Dua", rel="Anak"),
        line(nik=NEW, name="Tiga", rel="Anak"),
    )
    assert {p.row for p in second.problems if "Too many NIKs" in p.message} == {2, 3, 4}
    assert not any("cannot be imported here" in p.message for p in second.problems)
    assert told(officer_a) == 3


@override_settings(NIK_ELSEWHERE_LIMIT=1)
def test_the_admin_import_keeps_the_same_bound(officer_a, registered_in_b):
    import tablib

    household = HouseholdFactory(village_id=VILLAGE_A)
    dataset = tablib.Dataset(headers=["household", "nik", "name", "sex", "relationship"])
    dataset.append([household.pk, KURIPAN[0], "Satu", "M", "child"])
    dataset.append([household.pk, KURIPAN[1], "Dua", "F", "child"])
    result = PersonResource(user=officer_a).import_data(dataset, dry_run=True)
    messages = [str(error) for row in result.invalid_rows for error in row.error_dict.get("nik", [])]
    assert "cannot be registered here" in messages[0] and "Too many NIKs" in messages[1]
    assert told(officer_a) == 1
