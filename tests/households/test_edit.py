"""Registering and editing a household with its members, including two officers at once."""

import pytest
from django.urls import reverse

from households.models import Household, Person
from tests.conftest import VILLAGE_A, VILLAGE_B
from tests.households.pages import household_post, management, member

pytestmark = pytest.mark.django_db


def test_officer_registers_a_household_with_two_members(client, officer_a):
    client.force_login(officer_a)
    assert client.get(reverse("households:create")).status_code == 200
    data = {
        **household_post(),
        **management(2),
        **member(0, nik="3212161204900001", name="Ahmad", relationship="head", birth_date="1990-04-12"),
        **member(1, nik="3212164511950002", name="Siti", sex="F", relationship="wife", birth_date="1995-11-06"),
    }
    response = client.post(reverse("households:create"), data)
    household = Household.objects.get()
    assert response.status_code == 302 and response.url == household.get_absolute_url()
    assert household.phone == "+85291234567" and household.rt == "001"
    assert list(household.members.values_list("name", flat=True)) == ["Ahmad", "Siti"]
    siti = Person.objects.get(name="Siti")
    assert [w["code"] for w in siti.validation_warnings] == ["nik_birth_date_differs"]
    assert household.history.first().history_user == officer_a
    assert household.kk_numbers.get().number == "3212161503180007"


def test_errors_name_the_field_and_write_nothing(client, officer_a):
    client.force_login(officer_a)
    data = {**household_post(kk_number="3.21216E+15"), **management(1), **member(0, nik="12", name="Ahmad")}
    response = client.post(reverse("households:create"), data)
    assert response.status_code == 200
    assert "Excel" in response.content.decode()
    assert response.context["formset"].forms[0].errors["nik"]
    assert not Household.objects.exists()


def test_officer_cannot_register_in_another_village(client, officer_a):
    client.force_login(officer_a)
    data = {
        **household_post(
            **{
                "village__province": "33",
                "village__regency": "33.07",
                "village__district": "33.07.10",
                "village__village": VILLAGE_B,
            }
        ),
        **management(1),
        **member(0, name="X", relationship="head"),
    }
    assert client.post(reverse("households:create"), data).status_code == 200
    assert not Household.objects.exists()


@pytest.mark.parametrize("member_name", ["coordinator", "analyst", "officer_b"])
def test_only_writers_reach_the_forms(client, cast, member_name):
    client.force_login(cast[member_name])
    assert client.get(reverse("households:create")).status_code == (404 if member_name != "officer_b" else 200)


def make_household(client, officer):
    client.force_login(officer)
    client.post(
        reverse("households:create"),
        {**household_post(), **management(1), **member(0, name="Ahmad", relationship="head")},
    )
    return Household.objects.get()


def edit_post(household, version, **overrides):
    person = household.members.get()
    return {
        **household_post(version=str(version), **overrides),
        **management(1, 1),
        **member(0, id=str(person.pk), household=str(household.pk), name="Ahmad", relationship="head"),
    }


def test_edit_and_its_scope(client, officer_a, officer_b, coordinator):
    household = make_household(client, officer_a)
    url = reverse("households:update", args=[household.pk])
    for other in (officer_b, coordinator):
        client.force_login(other)
        assert client.get(url).status_code == 404
    client.force_login(officer_a)
    response = client.post(url, edit_post(household, 1, address="Jl. Kenanga 5", kk_number="3212161001240003"))
    assert response.status_code == 302
    household.refresh_from_db()
    assert household.address == "Jl. Kenanga 5" and household.version == 2
    assert Household.objects.filter(kk_numbers__number="3212161503180007").get() == household


def test_second_officer_to_save_gets_a_conflict_and_nothing_is_overwritten(client, officer_a):
    household = make_household(client, officer_a)
    url = reverse("households:update", args=[household.pk])
    colleague = type(officer_a).objects.create_user("officer.a2", password="x" * 12)
    from tests.factories import AssignmentFactory

    AssignmentFactory(user=colleague, area=VILLAGE_A)
    # Both opened the form at version 1.
    client.force_login(officer_a)
    assert client.post(url, edit_post(household, 1, address="Jl. Pertama")).status_code == 302
    client.force_login(colleague)
    response = client.post(url, edit_post(household, 1, address="Jl. Kedua", dusun="Blok B"))
    assert response.status_code == 409
    html = response.content.decode()
    assert "Jl. Pertama" in html and "officer.a" in html
    household.refresh_from_db()
    assert household.address == "Jl. Pertama" and household.dusun == "Blok A" and household.version == 2


def test_member_row_fragment(client, officer_a):
    client.force_login(officer_a)
    html = client.get(reverse("households:member-row"), {"index": "3"}).content.decode()
    assert 'name="members-3-name"' in html
    assert 'value="4" id="id_members-TOTAL_FORMS" hx-swap-oob="true"' in html
    assert client.get(reverse("households:member-row"), {"index": "x"}).status_code == 400


def test_a_family_card_has_exactly_one_head_and_the_first_member_starts_as_head(client, officer_a):
    client.force_login(officer_a)
    page = client.get(reverse("households:create"), HTTP_ACCEPT_LANGUAGE="en")
    assert page.context["formset"].forms[0]["relationship"].value() == "head"
    no_head = {**household_post(), **management(1), **member(0, name="Ahmad", relationship="child")}
    response = client.post(reverse("households:create"), no_head, HTTP_ACCEPT_LANGUAGE="en")
    assert "Mark one member as the head of family" in response.content.decode()
    two_heads = {
        **household_post(),
        **management(2),
        **member(0, name="Ahmad", relationship="head"),
        **member(1, name="Budi", relationship="head"),
    }
    response = client.post(reverse("households:create"), two_heads, HTTP_ACCEPT_LANGUAGE="en")
    assert "Ahmad, Budi are all marked as head" in response.content.decode()
    assert not Household.objects.exists()


def test_errors_are_summed_up_at_the_top_with_links_to_their_fields(client, officer_a):
    client.force_login(officer_a)
    data = {**household_post(kk_number="12"), **management(1), **member(0, nik="12", name="", relationship="head")}
    html = client.post(reverse("households:create"), data, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    summary = html[html.index('id="form-errors"') : html.index("</div>", html.index('id="form-errors"'))]
    assert 'href="#id_kk_number"' in summary and 'href="#id_members-0-nik"' in summary
    assert 'href="#id_members-0-name"' in summary and "Member 1" in summary


def test_the_household_page_is_headed_by_the_family_and_flags_a_card_without_a_head(client, officer_a):
    from tests.factories import HouseholdFactory, PersonFactory

    household = HouseholdFactory(village_id=VILLAGE_A)
    PersonFactory(household=household, name="Sri Wahyuni", relationship="wife")
    client.force_login(officer_a)
    html = client.get(household.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "No member is marked as head of family" in html
    PersonFactory(household=household, name="Slamet Riyadi", relationship="head")
    html = client.get(household.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Family of Slamet Riyadi" in html and household.kk_number in html
    assert "No member is marked as head of family" not in html
