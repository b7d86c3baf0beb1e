"""Search pickers: a village of 1,000 households is chosen from by search, never drawn whole.
The same page answers the picker's searches (``?pick=<field>``), inside the user's scope."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from childcare.models import Child
from households.models import Household, Person
from tests.conftest import VILLAGE_B
from tests.factories import (
    VILLAGE_A,
    PersonFactory,
    big_village,
    cooperative,
    learning_house,
    session,
    training,
)

pytestmark = pytest.mark.django_db


def ticked(html: str, name: str) -> list[str]:
    return re.findall(rf'name="{name}" value="(\d+)"[^>]*checked', html)


def offered(html: str, name: str) -> list[str]:
    return re.findall(rf'name="{name}" value="(\d+)"', html)


def test_attendance_for_a_village_of_a_thousand_households_is_chosen_by_search(client, officer_a):
    big_village()
    outsider = PersonFactory(household__village_id=VILLAGE_B, name="Siti Rahayu Luar")
    event = training()
    url = reverse("enterprises:training-attendance", args=[event.pk])
    client.force_login(officer_a)

    page = client.get(url).content.decode()
    assert len(page.encode()) < 100_000
    assert len(offered(page, "persons")) == 20  # the first twenty, not 4,000
    assert "Menampilkan 20 dari 4.000" in page

    found = client.get(url, {"pick": "persons", "persons__q": "siti rahayu"}).content.decode()
    siti_rahayu = Person.objects.filter(name__startswith="Siti Rahayu", household__village_id=VILLAGE_A)
    assert {int(pk) for pk in offered(found, "persons")} <= set(siti_rahayu.values_list("pk", flat=True))
    assert "Siti Rahayu" in found and outsider.name not in found and "<html" not in found

    # The dusun narrows the search; what is ticked stays ticked and on top across searches.
    chosen = Person.objects.filter(household__dusun="Blok Melati").order_by("pk")[0]
    narrowed = client.get(
        url, {"pick": "persons", "persons__q": "siti", "persons__dusun": "Sukamaju", "persons": [chosen.pk]}
    ).content.decode()
    assert ticked(narrowed, "persons") == [str(chosen.pk)] and offered(narrowed, "persons")[0] == str(chosen.pk)
    others = Person.objects.filter(pk__in=[int(pk) for pk in offered(narrowed, "persons")[1:]])
    assert others and {p.household.dusun for p in others} == {"Sukamaju"}
    assert all(p.name.startswith("Siti") for p in others)

    # Saving what was found; the page then opens with the participants ticked on top.
    picked = [chosen.pk, others[0].pk]
    assert client.post(url, {"persons": picked}).status_code == 302
    assert set(event.participants.values_list("pk", flat=True)) == set(picked)
    reopened = client.get(url).content.decode()
    assert sorted(ticked(reopened, "persons")) == sorted(str(pk) for pk in picked)
    assert offered(reopened, "persons")[:2] == ticked(reopened, "persons")


def test_a_picker_search_finds_only_the_users_village(client, officer_b):
    big_village(households=5)
    PersonFactory(household__village_id=VILLAGE_B, name="Siti Kuripan")
    event = training(village=VILLAGE_B)
    client.force_login(officer_b)
    found = client.get(
        reverse("enterprises:training-attendance", args=[event.pk]), {"pick": "persons", "persons__q": "siti"}
    ).content.decode()
    assert "Siti Kuripan" in found and "Rahayu" not in found
    # Ids of another village sent as "chosen" are not drawn.
    other = Person.objects.filter(household__village_id=VILLAGE_A).first()
    sneaked = client.get(
        reverse("enterprises:training-attendance", args=[event.pk]), {"pick": "persons", "persons": [other.pk]}
    ).content.decode()
    assert other.name not in sneaked


def test_a_search_for_a_field_that_is_no_picker_is_not_found(client, officer_a):
    event = training()
    client.force_login(officer_a)
    url = reverse("enterprises:training-attendance", args=[event.pk])
    assert client.get(url, {"pick": "csrfmiddlewaretoken"}).status_code == 404
    assert client.get(reverse("enterprises:training-update", args=[event.pk]), {"pick": "topic"}).status_code == 404


def test_a_cooperative_member_is_found_by_name_or_family_card(client, officer_a):
    families = big_village(households=300)
    coop = cooperative()
    url = reverse("cooperatives:member-create", args=[coop.pk])
    client.force_login(officer_a)
    page = client.get(url).content.decode()
    assert len(offered(page, "household")) == 20 and 'type="radio"' in page

    wanted = families[123]
    by_card = client.get(url, {"pick": "household", "household__q": wanted.kk_number}).content.decode()
    assert offered(by_card, "household") == [str(wanted.pk)]
    head = wanted.members.get(relationship="head")
    assert head.name in by_card and wanted.kk_number in by_card  # a family is named by its head, with its KK

    by_member = client.get(url, {"pick": "household", "household__q": head.name}).content.decode()
    assert str(wanted.pk) in offered(by_member, "household")

    response = client.post(
        url, {"household": wanted.pk, "joined_on": "2026-11-01", "share_capital": "0", "savings": "0", "version": 1}
    )
    assert response.status_code == 302 and coop.memberships.get().household == wanted


def test_a_cooperative_member_opened_from_a_household_is_chosen(client, officer_a):
    families = big_village(households=50)
    coop = cooperative()
    client.force_login(officer_a)
    page = client.get(
        reverse("cooperatives:member-create", args=[coop.pk]), {"household": families[42].pk}
    ).content.decode()
    assert ticked(page, "household") == [str(families[42].pk)]


def test_a_sessions_children_are_found_by_name(client, officer_a):
    event = session()
    house = event.learning_house
    kids = [Child.objects.create(person=PersonFactory(name=f"Anak {n}"), learning_house=house) for n in range(25)]
    kids.append(Child.objects.create(person=PersonFactory(name="Dimas Pratama"), learning_house=house))
    Child.objects.create(person=PersonFactory(name="Dimas Lain"), learning_house=learning_house(name="Lain"))
    url = reverse("childcare:session-create", args=[house.pk])
    client.force_login(officer_a)
    page = client.get(url).content.decode()
    assert len(offered(page, "children")) == 20
    found = client.get(url, {"pick": "children", "children__q": "dimas"}).content.decode()
    assert offered(found, "children") == [str(kids[-1].pk)]


def test_households_found_by_a_former_family_card(officer_a):
    household = big_village(households=3)[1]
    household.kk_numbers.create(number="3212160101990001")
    assert list(Household.objects.found_by("3212 1601 0199 0001")) == [household]


def test_a_stays_agency_is_found_by_name_and_can_be_none(client, officer_a):
    from households.models import PlacementAgency

    for n in range(30):
        PlacementAgency.objects.create(name=f"PT Duta Tenaga {n:02d}", licence_number=f"L-{n}")
    PlacementAgency.objects.create(name="PT Bina Mandiri Lama", licence_number="L-old", is_active=False)
    person = PersonFactory()
    url = reverse("households:episode-create", args=[person.pk])
    client.force_login(officer_a)
    page = client.get(url).content.decode()
    assert len(offered(page, "agency")) == 20 and 'name="agency" value=""' in page  # "none" is a choice
    found = client.get(url, {"pick": "agency", "agency__q": "tenaga 2"}).content.decode()
    assert [int(pk) for pk in offered(found, "agency")] == list(
        PlacementAgency.objects.filter(name__contains="Tenaga 2").order_by("name").values_list("pk", flat=True)
    )
    assert "Lama" not in client.get(url, {"pick": "agency", "agency__q": "bina"}).content.decode()
