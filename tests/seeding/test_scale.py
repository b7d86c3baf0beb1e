"""The benchmark dataset: valid identifiers, plausible proportions, every table filled."""

import pytest
from django.core.management import CommandError, call_command

from childcare.models import Child
from cooperatives.models import Cooperative, Facility
from enterprises.models import Enterprise
from households.models import Household, KKNumber, MigrationEpisode, Person
from households.validators import check_kk, check_nik

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("activity_kinds", "categories")]


def test_seed_scale_writes_valid_records_in_plausible_proportions(capsys):
    from seeding.scale import scale_seed

    report = scale_seed(households=1200, seed=3)
    households = Household.objects.count()
    assert households == 1200 == report.counts["household"] == KKNumber.objects.count()
    persons = Person.objects.count()
    assert 2.5 * households < persons < 4.5 * households
    assert 0.5 * households < MigrationEpisode.objects.count() < 0.8 * households
    assert (
        Enterprise.objects.exists()
        and Child.objects.exists()
        and Cooperative.objects.exists()
        and Facility.objects.exists()
    )
    # Children are linked to their parent abroad, and come to their learning house's sessions.
    assert Child.objects.filter(parents_abroad__status="abroad").exists()
    assert Child.objects.filter(sessions__isnull=False).exists()
    for person in Person.objects.order_by("?")[:200]:
        _value, facts, findings = check_nik(person.nik, birth_date=person.birth_date, sex=person.sex)
        assert facts is not None and not [f for f in findings if f.is_error], person.nik
    for household in Household.objects.order_by("?")[:100]:
        assert not [f for f in check_kk(household.kk_number)[1] if f.is_error]
        assert household.village_id[:2] in {"32", "33", "35", "52", "18", "51", "12", "36", "61", "73"}


def test_seed_scale_refuses_nonsense():
    with pytest.raises(CommandError):
        call_command("seed_scale", "--households", "0")
