import datetime
from importlib import import_module

import pytest
from django.core.cache import cache

from childcare.models import ActivityKind, Child
from enterprises.models import Category
from tests.factories import HouseholdFactory, PersonFactory

SMALL_VILLAGE = "32.12.01.2007"  # a village of another district of A's regency, with two children


@pytest.fixture(autouse=True)
def code_lists(db):
    """Both lists come from data migrations; a transactional test elsewhere empties the tables."""
    for code, name in import_module("enterprises.migrations.0002_categories").CATEGORIES:
        Category.objects.get_or_create(code=code, defaults={"name": name})
    for code, name, for_caregivers in import_module("childcare.migrations.0002_activity_kinds").ACTIVITY_KINDS:
        ActivityKind.objects.get_or_create(code=code, defaults={"name": name, "for_caregivers": for_caregivers})


@pytest.fixture(autouse=True)
def no_refresh_debounce():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def programme(db):
    """The demo programme in villages A, B and A's neighbour, plus a small village with two children."""
    from seeding.childcare import demo_childcare_seed
    from seeding.cooperatives import demo_cooperatives_seed
    from seeding.enterprises import demo_enterprises_seed
    from seeding.households import demo_population_seed

    demo_population_seed(households_per_village=12)
    demo_enterprises_seed()
    demo_childcare_seed()
    demo_cooperatives_seed()
    household = HouseholdFactory(village_id=SMALL_VILLAGE)
    today = datetime.date.today()  # noqa: DTZ011
    for years in (6, 9):
        born = today - datetime.timedelta(days=years * 366)
        kid = PersonFactory(household=household, relationship="child", birth_date=born)
        Child.objects.create(person=kid, school_status="attending")
