"""The household edit form draws saved members closed: their fields are fetched (htmx) when the
officer opens one, and a closed member is posted by its id alone and kept as it is."""

import datetime

import pytest
from django.urls import reverse

from desmigratif.models import AccessLog
from households.models import Person
from tests.conftest import VILLAGE_A, VILLAGE_B
from tests.factories import HouseholdFactory, PersonFactory
from tests.households.pages import posted_fields

pytestmark = pytest.mark.django_db


@pytest.fixture
def household():
    household = HouseholdFactory(village_id=VILLAGE_A, address="Jl. Lama")
    born = datetime.date(1990, 4, 12)
    PersonFactory(household=household, name="Ahmad Fauzi", nik="3212161204900001", birth_date=born)
    PersonFactory(household=household, name="Siti Aminah", sex="F", relationship="wife", nik="3212164511950002")
    return household


def edit_page(client, household, **query):
    response = client.get(reverse("households:update", args=[household.pk]), query, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response.content.decode()


def test_saved_members_are_drawn_closed_without_their_niks(client, officer_a, household):
    client.force_login(officer_a)
    html = edit_page(client, household)
    assert "Ahmad Fauzi" in html and "Siti Aminah" in html and "Edit this member" in html
    assert 'name="members-0-name"' not in html and 'name="members-0-closed" value="1"' in html
    assert "3212161204900001" not in html
    assert not AccessLog.objects.filter(kind=AccessLog.Kind.NIK_VIEW).exists()  # no whole NIK was shown
    assert 'name="members-2-name"' in html  # the empty row for one more member is open


def test_the_page_as_posted_saves_the_household_and_keeps_the_members(client, officer_a, household):
    client.force_login(officer_a)
    before = list(Person.objects.filter(household=household).order_by("id").values_list("name", "nik", "version"))
    data = posted_fields(edit_page(client, household))
    data["address"] = "Jl. Baru 7"
    response = client.post(reverse("households:update", args=[household.pk]), data)
    assert response.status_code == 302
    household.refresh_from_db()
    assert household.address == "Jl. Baru 7"
    after = list(Person.objects.filter(household=household).order_by("id").values_list("name", "nik", "version"))
    assert after == before


def test_an_opened_member_is_edited_beside_closed_ones(client, officer_a, household):
    client.force_login(officer_a)
    siti = household.members.get(name="Siti Aminah")
    data = posted_fields(edit_page(client, household))
    row = client.get(reverse("households:member-row"), {"index": "1", "member": siti.pk}).content.decode()
    assert 'name="members-1-nik"' in row and 'value="3212164511950002"' in row and "members-1-closed" not in row
    assert AccessLog.objects.get(kind=AccessLog.Kind.NIK_VIEW).what == f"household {household.pk} edit form"
    # The browser swaps the row in: the closed row's inputs go, the opened row's come.
    data = {key: value for key, value in data.items() if not key.startswith("members-1-")}
    data.update(posted_fields(f'<form method="post">{row}</form>'))
    data["members-1-occupation"] = "Pedagang"
    assert client.post(reverse("households:update", args=[household.pk]), data).status_code == 302
    siti.refresh_from_db()
    assert siti.occupation == "Pedagang" and siti.version == 2
    assert household.members.get(name="Ahmad Fauzi").version == 1


def test_a_refused_save_draws_closed_members_closed_again(client, officer_a, household):
    client.force_login(officer_a)
    data = posted_fields(edit_page(client, household))
    data["kk_number"] = "12"
    response = client.post(reverse("households:update", args=[household.pk]), data, HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 200 and response.context["form"].errors["kk_number"]
    assert 'name="members-0-closed" value="1"' in html and 'name="members-0-name"' not in html
    assert Person.objects.filter(household=household, name="Ahmad Fauzi").exists()


def test_every_members_fields_on_request_and_logged(client, officer_a, household):
    client.force_login(officer_a)
    html = edit_page(client, household, members="open")
    assert 'name="members-0-name"' in html and "3212161204900001" in html and "members-0-closed" not in html
    assert AccessLog.objects.get(kind=AccessLog.Kind.NIK_VIEW).rows == 2


def test_a_member_of_another_village_is_not_opened(client, officer_a, officer_b, household):
    other = PersonFactory(household=HouseholdFactory(village_id=VILLAGE_B), nik="3307104511950002")
    client.force_login(officer_a)
    assert client.get(reverse("households:member-row"), {"index": "0", "member": other.pk}).status_code == 404
    assert client.get(reverse("households:member-row"), {"index": "0", "member": "x"}).status_code == 400
    client.force_login(officer_b)
    siti = household.members.get(name="Siti Aminah")
    assert client.get(reverse("households:member-row"), {"index": "0", "member": siti.pk}).status_code == 404
