"""Factories for the records tests need; regions come from the real Kemendagri list (see conftest)."""

import factory

from desmigratif.models import Assignment, Role, User
from desmigratif.services import DEMO_PASSWORD


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

    village_id = "32.12.16.2004"
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
