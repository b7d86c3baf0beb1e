"""The demo population: plausible, valid against the identifier rules, idempotent, scoped."""

import collections

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from desmigratif.models import User
from households.models import Household, MigrationEpisode, Person, ServiceRequest
from households.validators import check_kk, check_nik
from seeding.households import demo_population_seed

pytestmark = pytest.mark.django_db


def test_demo_population_is_valid_and_added_once():
    first = demo_population_seed(households_per_village=12)
    assert first.villages >= 3 and first.households == 12 * first.villages
    for person in Person.objects.all():
        _, facts, findings = check_nik(person.nik, birth_date=person.birth_date, sex=person.sex)
        assert facts is not None and not findings, (person.nik, [f.code for f in findings])
    for household in Household.objects.all():
        assert 2 <= household.members.count() <= 7
        assert not [f for f in check_kk(household.kk_number)[1] if f.is_error]
    assert MigrationEpisode.objects.filter(status="abroad").exists()
    assert MigrationEpisode.objects.filter(status="returned").exists()
    assert set(ServiceRequest.objects.values_list("kind", flat=True)) == {
        "information",
        "documents",
        "trafficking",
        "family_inquiry",
        "mediation",
        "complaint",
    }
    countries = collections.Counter(MigrationEpisode.objects.values_list("destination_country", flat=True))
    assert countries.most_common(1)[0][0] in {"HK", "TW", "MY"}

    again = demo_population_seed(households_per_village=12)
    assert (again.households, again.persons, again.episodes, again.requests) == (0, 0, 0, 0)


@override_settings(DEBUG=True)
def test_demo_officer_sees_only_kenanga(client):
    call_command("seed_demo")
    client.force_login(User.objects.get(username="petugas.kenanga"))
    rows = client.get(reverse("households:list")).context["rows"]
    assert rows and {row["household"].village_id for row in rows} == {"32.12.16.2004"}
