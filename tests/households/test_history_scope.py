"""History shows a record's versions only while it lay inside the viewer's scope (issue 14): a
member who moved to another village takes what happens there with them, in the portal and in
the admin."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from households.models import Person
from households.services import record_save
from tests.conftest import VILLAGE_A, VILLAGE_B
from tests.factories import AssignmentFactory, EpisodeFactory, HouseholdFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def moved(officer_a, officer_b):
    """Rahmat, of a household in village A, recorded abroad there; then moved to a household of
    village B, where his name, his stay's employer and passport were changed."""
    home = HouseholdFactory(village_id=VILLAGE_A)
    person = PersonFactory(household=home, name="Rahmat")
    stay = EpisodeFactory(person=person)
    stay.employer_name = "PT Lama"
    record_save(instance=stay, expected_version=stay.version, user=officer_a)
    person.name = "Rahmat Hidayat"
    record_save(instance=person, expected_version=person.version, user=officer_a)
    person.household = HouseholdFactory(village_id=VILLAGE_B)
    record_save(instance=person, expected_version=person.version, user=officer_a)
    person.name = "Rahmat Baru Kuripan"
    record_save(instance=person, expected_version=person.version, user=officer_b)
    stay.employer_name = "Majikan Rahasia"
    stay.passport_number = "X9876543"
    record_save(instance=stay, expected_version=stay.version, user=officer_b)
    return home, person


def test_the_household_history_stops_when_a_member_moves_away(client, officer_a, moved):
    home, _person = moved
    client.force_login(officer_a)
    html = client.get(reverse("households:history", args=[home.pk])).content.decode()
    assert "Rahmat Hidayat" in html and "PT Lama" in html
    for later in ("Rahmat Baru Kuripan", "Majikan Rahasia", "X9876543", "officer.b"):
        assert later not in html


def test_the_new_village_sees_only_what_happened_since_the_member_came(client, officer_b, moved):
    _home, person = moved
    client.force_login(officer_b)
    html = client.get(reverse("households:history", args=[person.household_id])).content.decode()
    assert "Rahmat Baru Kuripan" in html and "Majikan Rahasia" in html
    # The stay as it came (employer PT Lama) is theirs to see; what was done to it before is not.
    assert "“PT Lama” → “Majikan Rahasia”" in html
    assert "“—” → “PT Lama”" not in html and "“Rahmat” → “Rahmat Hidayat”" not in html


def test_the_admin_history_shows_only_the_versions_in_scope(client, moved):
    _home, person = moved
    staff_b = UserFactory(username="staff.b", is_staff=True)
    AssignmentFactory(user=staff_b, role="officer", area=VILLAGE_B)
    staff_b.user_permissions.set(Permission.objects.filter(codename__in=["view_person", "change_person"]))
    client.force_login(staff_b)
    html = client.get(reverse("admin:households_person_history", args=[person.pk])).content.decode()
    assert "Rahmat Baru Kuripan" in html
    before = Person.history.filter(id=person.pk, household__village_id=VILLAGE_A).order_by("history_id")
    assert before.exists()
    for version in before:
        url = reverse("admin:households_person_simple_history", args=[person.pk, version.history_id])
        assert client.get(url).status_code == 404
        assert client.post(url, {}).status_code == 404
