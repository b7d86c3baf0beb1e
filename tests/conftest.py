"""Shared fixtures: a slice of the real region list, and the cast of users every
surface is tested with (officer of village A, officer of village B, coordinator
of A's regency, ministry analyst, administrator, anonymous)."""

from __future__ import annotations

import contextlib
import datetime
import os
from importlib import import_module
from pathlib import Path

import factory.random
import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client

from desmigratif import embedded_postgres
from desmigratif.models import Role, region_codes_forget
from desmigratif.regions_source import RegionList, kemendagri_2025
from desmigratif.services import regions_load
from tests.factories import VILLAGE_A, AssignmentFactory, HouseholdFactory, PersonFactory, UserFactory

# VILLAGE_A is 32.12.16.2004: Kenanga, Sindang, Indramayu, Jawa Barat (tests/factories.py)
VILLAGE_A_NEIGHBOUR = "32.12.16.2005"  # another village of Sindang
VILLAGE_B = "33.07.10.2004"  # Kuripan, Garung, Wonosobo, Jawa Tengah
REGENCY_A = "32.12"
OTHER_REGENCY_SAME_PROVINCE = "32.13"  # Subang
DISTRICTS = ("32.12.16", "32.12.01", "32.13.01", "33.07.10")
SMALL_VILLAGE = "32.12.01.2007"  # a village of another district of A's regency, with two children (``programme``)


def sample_regions() -> RegionList:
    """Every province and regency, and the villages of a few districts: enough to
    exercise scoping at every level while keeping the test database small."""
    full = kemendagri_2025()
    return RegionList(
        provinces=full.provinces,
        regencies=full.regencies,
        districts=[row for row in full.districts if row[0].startswith(("32.12.", "32.13.", "33.07."))],
        villages=[row for row in full.villages if row[0][:8] in DISTRICTS],
        description="test sample",
    )


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    # All of the shared data, not only the regions: a reused test database may have been
    # emptied by the last transactional test of an earlier run, code lists included.
    with django_db_blocker.unblock():
        seed_shared_data()


BASE_DIR = Path(__file__).resolve().parent.parent


def pytest_configure(config):
    config.embedded_was_running = embedded_postgres.is_running(BASE_DIR)


def pytest_sessionfinish(session, exitstatus):
    # Leave the machine as we found it: stop the embedded server if it was down when this run
    # began. Under pytest-xdist only the controller decides, once every worker has ended.
    if os.environ.get("PYTEST_XDIST_WORKER") or os.environ.get("DATABASE_URL"):
        return
    if not session.config.embedded_was_running and embedded_postgres.is_running(BASE_DIR):
        embedded_postgres.stop(BASE_DIR)


@contextlib.contextmanager
def in_language(code: str):
    """``translation.override`` that leaves the thread's translation exactly as it found it.
    (override restores a language *code*, which activates a catalogue where none was active
    and changes the language the next test starts in.)"""
    from django.utils import translation
    from django.utils.translation import trans_real

    saved = getattr(trans_real._active, "value", None)
    translation.activate(code)
    try:
        yield
    finally:
        if saved is None:
            translation.deactivate()
        else:
            trans_real._active.value = saved


class VerifiedClient(Client):
    """``force_login`` as a login that is complete: for a user who needs a second factor (or
    has one), the session has passed it too. Tests of the second factor itself use Django's
    plain ``Client``."""

    def force_login(self, user, backend=None):
        super().force_login(user, backend)
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from desmigratif.accounts import requires_two_factor

        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None and requires_two_factor(user):
            device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
        if device is not None:
            session = self.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()


@pytest.fixture
def client():
    return VerifiedClient()


def seed_shared_data() -> None:
    """What every test may rely on: the region sample and the code lists of the data migrations."""
    from households.models import Job

    regions_load(regions=sample_regions())
    english = import_module("households.migrations.0018_job_name_en").ENGLISH
    for code, name in import_module("households.migrations.0002_jobs").JOBS:
        Job.objects.get_or_create(code=code, defaults={"name": name, "name_en": english[code]})
    categories_put_back()
    activity_kinds_put_back()


def categories_put_back() -> None:
    """The enterprise categories as their data migrations make them, English names included."""
    from enterprises.models import Category

    english = import_module("enterprises.migrations.0004_category_name_en").ENGLISH
    for code, name in import_module("enterprises.migrations.0002_categories").CATEGORIES:
        Category.objects.get_or_create(code=code, defaults={"name": name, "name_en": english[code]})
        Category.objects.filter(code=code, name_en="").update(name_en=english[code])  # a database kept from before


def activity_kinds_put_back() -> None:
    from childcare.models import ActivityKind

    english = import_module("childcare.migrations.0004_activitykind_name_en").ENGLISH
    for code, name, carers in import_module("childcare.migrations.0002_activity_kinds").ACTIVITY_KINDS:
        ActivityKind.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": english[code], "for_caregivers": carers}
        )


@pytest.fixture(autouse=True)
def shared_data_back(request, django_db_blocker):
    """A transactional test (a live server, real parallel connections) ends by emptying every
    table; the next database test puts the shared data back before it starts."""
    if request.node.get_closest_marker("django_db") is None and not {"db", "transactional_db"} & set(
        request.fixturenames
    ):
        return
    # Asked for only here: a session of tests that need no database must not touch one.
    request.getfixturevalue("django_db_setup")
    from desmigratif.models import Village

    with django_db_blocker.unblock():
        if not Village.objects.exists():
            seed_shared_data()


@pytest.fixture(autouse=True)
def seeded_factories(request):
    """Every test gets the same generated data on every run, whatever runs before it: the
    factories' random source (Faker's names included) starts from the test's own id."""
    factory.random.reseed_random(request.node.nodeid)


@pytest.fixture(autouse=True)
def documents_storage(tmp_path, monkeypatch):
    """Documents and photos are stored in a folder of the test's own, never under .data/."""
    from django.core.files.storage import FileSystemStorage

    from households.models import Document

    folder = FileSystemStorage(location=tmp_path / "documents")
    monkeypatch.setattr(Document._meta.get_field("file"), "storage", folder)
    return folder


@pytest.fixture(autouse=True)
def empty_cache():
    # Rendered dashboards are cached per refresh id, and ids repeat across rolled-back tests.
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def fresh_region_codes():
    # The validators cache region codes per process; tests load different lists.
    region_codes_forget()
    yield
    region_codes_forget()


@pytest.fixture
def officer_a(db):
    return AssignmentFactory(user=UserFactory(username="officer.a"), role=Role.OFFICER, area=VILLAGE_A).user


@pytest.fixture
def officer_b(db):
    return AssignmentFactory(user=UserFactory(username="officer.b"), role=Role.OFFICER, area=VILLAGE_B).user


@pytest.fixture
def coordinator(db):
    return AssignmentFactory(user=UserFactory(username="coordinator.a"), role=Role.COORDINATOR, area=REGENCY_A).user


@pytest.fixture
def analyst(db):
    return AssignmentFactory(user=UserFactory(username="analyst"), role=Role.ANALYST, area="").user


@pytest.fixture
def administrator(db):
    return UserFactory(username="administrator", is_staff=True, is_superuser=True)


@pytest.fixture
def anonymous():
    return AnonymousUser()


@pytest.fixture
def cast(officer_a, officer_b, coordinator, analyst, administrator, anonymous):
    return {
        "officer_a": officer_a,
        "officer_b": officer_b,
        "coordinator": coordinator,
        "analyst": analyst,
        "administrator": administrator,
        "anonymous": anonymous,
    }


# --- the code lists and the demo programme, for the directories and modules that ask for them ---------
# Not autouse here: a directory's conftest or a module's ``pytestmark`` asks for them.


@pytest.fixture
def categories(db):
    """The category list comes from a data migration; a transactional test elsewhere empties
    the tables after itself, so it is put back here."""
    categories_put_back()


@pytest.fixture
def activity_kinds(db):
    """The list comes from a data migration; a transactional test elsewhere empties the tables."""
    activity_kinds_put_back()


@pytest.fixture
def code_lists(categories, activity_kinds):
    """Both lists come from data migrations; a transactional test elsewhere empties the tables."""


@pytest.fixture
def programme(db):
    """The demo programme in villages A, B and A's neighbour, plus a small village with two children."""
    from childcare.models import Child
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
