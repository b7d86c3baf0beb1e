"""Factories for the records tests need, of every pillar; regions come from the real Kemendagri
list (see conftest)."""

import datetime

import factory

from childcare.models import ActivityKind, Child, LearningHouse, Session
from cooperatives.models import Cooperative, Facility, Membership
from desmigratif.models import Assignment, Role, User
from desmigratif.services import DEMO_PASSWORD
from enterprises.models import Attendance, Category, Enterprise, EquipmentAid, MentoringVisit, Training

VILLAGE_A = "32.12.16.2004"  # Kenanga, Sindang, Indramayu, Jawa Barat: every record's default village
TODAY = datetime.date.today()  # noqa: DTZ011 - dates of records


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    # Account names that no person's name can contain (a test asserting a person's name is absent
    # from a page must not be fooled by the logged-in user's name in the menu).
    first_name = "Akun"
    last_name = factory.Sequence(lambda n: f"Uji-{n}")
    password = factory.PostGenerationMethodCall("set_password", DEMO_PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assignment

    user = factory.SubFactory(UserFactory)
    role = Role.OFFICER

    @classmethod
    def _create(cls, model_class, *args, area="", **kwargs):
        assignment = model_class(*args, **kwargs)
        assignment.set_area(area)
        assignment.full_clean()
        assignment.save()
        return assignment


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "households.Household"

    village_id = VILLAGE_A
    kk_number = factory.Sequence(lambda n: f"3212161503{18:02d}{n + 1:04d}")
    dusun = "Blok Kenanga"
    rt = "001"
    rw = "002"


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "households.Person"

    household = factory.SubFactory(HouseholdFactory)
    nik = factory.Sequence(lambda n: f"32121612049{n % 10}{n + 1:04d}"[:16])
    name = factory.Faker("name", locale="id_ID")
    sex = "M"
    relationship = "head"


class EpisodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "households.MigrationEpisode"

    person = factory.SubFactory(PersonFactory)
    status = "abroad"
    destination_country = "HK"
    sector = "informal"


# --- pillars 2-4: one record each, as the tests build them ----------------------------------------------


def enterprise(village=VILLAGE_A, **values):
    """Pillar 2: an enterprise of a new household of ``village`` (category "food" unless told)."""

    owner = HouseholdFactory(village_id=village)
    return Enterprise.objects.create(
        village_id=village,
        owner=owner,
        name=values.pop("name", "Keripik Bu Siti"),
        category=Category.objects.get(code=values.pop("category", "food")),
        **values,
    )


def training(village=VILLAGE_A, **values):
    """Pillar 2: a one-day training of ``village``, held today."""
    return Training.objects.create(
        village_id=village,
        kind=values.pop("kind", "productive"),
        topic=values.pop("topic", "Pengemasan produk"),
        starts_on=TODAY,
        ends_on=TODAY,
        **values,
    )


def attendance(village=VILLAGE_A, name="Peserta"):
    """Pillar 2: a person of ``village`` named ``name`` at a training (topic ``name``) there."""
    course = training(village, kind="mtu", topic=name)
    return Attendance.objects.create(training=course, person=PersonFactory(household__village_id=village, name=name))


def mentoring_visit(village=VILLAGE_A, name="Keripik Bu Siti"):
    """Pillar 2: a visit today to an enterprise of ``village`` named ``name``."""
    return MentoringVisit.objects.create(enterprise=enterprise(village, name=name), visited_on=TODAY, mentor="m")


def equipment_aid(village=VILLAGE_A, item="Oven"):
    """Pillar 2: ``item`` given today to an enterprise of ``village``."""
    return EquipmentAid.objects.create(
        enterprise=enterprise(village), item=item, value=1, given_on=TODAY, source="apbn"
    )


def family(village=VILLAGE_A):
    """Pillar 3's household: a mother abroad, a grandmother who cares, and a child of nine.
    (household, mother, grandmother, kid)."""
    household = HouseholdFactory(village_id=village)
    mother = PersonFactory(
        household=household, name="Siti", sex="F", relationship="wife", birth_date=datetime.date(1990, 1, 1)
    )
    EpisodeFactory(person=mother, status="abroad", destination_country="HK")
    grandmother = PersonFactory(
        household=household, name="Nenek", sex="F", relationship="parent", birth_date=datetime.date(1955, 1, 1)
    )
    kid = PersonFactory(
        household=household,
        name="Dimas Pratama",
        relationship="child",
        birth_date=TODAY - datetime.timedelta(days=9 * 365),
    )
    return household, mother, grandmother, kid


def learning_house(village=VILLAGE_A, name="Rumah Belajar Kenanga"):
    """Pillar 3: a learning house of ``village``."""
    return LearningHouse.objects.create(village_id=village, name=name)


def child(village=VILLAGE_A, name="Dimas Pratama"):
    """Pillar 3: a child of about eight of ``village``, named ``name``."""
    kid = PersonFactory(household__village_id=village, name=name, birth_date=TODAY - datetime.timedelta(days=3000))
    return Child.objects.create(person=kid)


def session(village=VILLAGE_A, name="Rumah Belajar Kenanga"):
    """Pillar 3: a reading session today at a learning house of ``village`` named ``name``."""
    kind, _ = ActivityKind.objects.get_or_create(code="reading", defaults={"name": "Membaca"})
    return Session.objects.create(learning_house=learning_house(village, name), kind=kind, held_on=TODAY)


def cooperative(village=VILLAGE_A, **values):
    """Pillar 4: a cooperative of ``village``."""
    return Cooperative.objects.create(
        village_id=village,
        kind=values.pop("kind", "koperasi"),
        name=values.pop("name", "Koperasi Migran Sejahtera"),
        **values,
    )


def membership(village=VILLAGE_A, name="Koperasi Migran Sejahtera"):
    """Pillar 4: a new household of ``village`` joining, today, a cooperative there named ``name``."""
    return Membership.objects.create(
        cooperative=cooperative(village, name=name), household=HouseholdFactory(village_id=village), joined_on=TODAY
    )


def facility(village=VILLAGE_A, funder="APBDes"):
    """Pillar 4: a village road paid for by ``funder``."""
    return Facility.objects.create(village_id=village, kind="road", funder=funder)


def pillar_record(model, village, marker):
    """One record of any model of pillars 2-4 in ``village`` whose admin change-list row shows ``marker``."""
    builders = {
        "enterprise": lambda: enterprise(village, name=marker),
        "training": lambda: training(village, kind="mtu", topic=marker),
        "attendance": lambda: attendance(village, marker),
        "mentoringvisit": lambda: mentoring_visit(village, marker),
        "equipmentaid": lambda: equipment_aid(village, marker),
        "learninghouse": lambda: learning_house(village, marker),
        "child": lambda: child(village, marker),
        "session": lambda: session(village, marker),
        "cooperative": lambda: cooperative(village, name=marker),
        "membership": lambda: membership(village, marker),
        "facility": lambda: facility(village, marker),
    }
    return builders[model._meta.model_name]()


DUSUNS = ("Blok Kenanga", "Blok Melati", "Blok Mawar", "Karanganyar", "Sukamaju")
GIVEN = ("Siti", "Budi", "Dewi", "Agus", "Sri", "Joko", "Rina", "Eko", "Wati", "Hendra")
FAMILY = ("Rahayu", "Santoso", "Lestari", "Wibowo", "Utami", "Saputra", "Kurniawan", "Hidayat")


def big_village(village=VILLAGE_A, households=1_000, per_household=4):
    """A real village's worth of families, fast (bulk inserts, no history): ``households``
    families of ``per_household`` persons spread over five dusun, with names built from a
    fixed list so a search's matches can be counted."""
    from households.models import Household, Person

    made = Household.objects.bulk_create(
        Household(village_id=village, kk_number=f"32121699{n:08d}", dusun=DUSUNS[n % len(DUSUNS)])
        for n in range(households)
    )
    Person.objects.bulk_create(
        Person(
            household=household,
            name=f"{GIVEN[(n + k) % len(GIVEN)]} {FAMILY[n % len(FAMILY)]} {n}",
            sex="F" if (n + k) % 2 else "M",
            relationship="head" if k == 0 else "child",
        )
        for n, household in enumerate(made)
        for k in range(per_household)
    )
    return made
