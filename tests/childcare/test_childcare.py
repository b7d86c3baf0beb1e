"""Pillar 3: learning houses, children (the most sensitive records), sessions."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from childcare import stats
from childcare.models import ActivityKind, Child, LearningHouse, Session
from desmigratif.access import Scope
from desmigratif.models import AccessLog
from tests.conftest import VILLAGE_A, VILLAGE_B
from tests.factories import family, learning_house
from tests.pages import picked

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()  # noqa: DTZ011 - dates of records


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_only_a_person_under_18_can_be_a_child():
    _household, mother, _grandmother, kid = family()
    Child(person=kid).full_clean()
    with pytest.raises(ValidationError, match="under 18"):
        Child(person=mother).full_clean()


def test_learning_house_and_caregiver_must_be_in_the_child_village():
    _household, _mother, _grandmother, kid = family()
    other = family(VILLAGE_B)
    with pytest.raises(ValidationError):
        Child(person=kid, learning_house=learning_house(VILLAGE_B)).full_clean()
    with pytest.raises(ValidationError):
        Child(person=kid, caregiver=other[2]).full_clean()


def test_officer_registers_a_child_from_the_household_page_and_views_are_logged(client, officer_a):
    household, mother, grandmother, kid = family()
    home = learning_house()
    client.force_login(officer_a)
    assert reverse("childcare:child-create", args=[kid.pk]) in client.get(household.get_absolute_url()).content.decode()
    response = client.post(
        reverse("childcare:child-create", args=[kid.pk]),
        {
            "learning_house": home.pk,
            "parents_abroad": [mother.episodes.get().pk],
            "caregiver": grandmother.pk,
            "caregiver_relationship": "grandparent",
            "school_status": "attending",
            "school_level": "primary",
            "version": 1,
        },
    )
    child = Child.objects.get()
    assert response.status_code == 302 and child.caregiver == grandmother
    assert list(child.parents_abroad.all()) == [mother.episodes.get()]
    page = client.get(child.get_absolute_url())
    assert page.status_code == 200 and "Nenek" in page.content.decode()
    country = mother.episodes.get().destination_country_name
    assert f"{mother.name} (" in page.content.decode() and f", {country})" in page.content.decode()  # by name
    log = AccessLog.objects.get(kind=AccessLog.Kind.CHILD_VIEW)
    assert log.user == officer_a and log.what == f"child {child.pk}"
    assert household.programme_reach()["children_in_learning_house"] == 1


def test_children_names_are_for_the_village_officers_only(client, officer_b, coordinator, analyst):
    _household, _mother, _grandmother, kid = family()
    home = learning_house()
    child = Child.objects.create(person=kid, learning_house=home)
    client.force_login(coordinator)
    assert client.get(child.get_absolute_url()).status_code == 404
    page = client.get(home.get_absolute_url()).content.decode()
    assert "Rumah Belajar Kenanga" in page and "Dimas Pratama" not in page and child.get_absolute_url() not in page
    for user in (officer_b, analyst):
        client.force_login(user)
        assert client.get(child.get_absolute_url()).status_code == 404
        assert client.get(home.get_absolute_url()).status_code == 404
        assert client.get(reverse("childcare:child-create", args=[kid.pk])).status_code == 404
    assert not AccessLog.objects.filter(kind=AccessLog.Kind.CHILD_VIEW).exists()


def test_a_session_with_children_and_caregivers_for_a_parenting_class(client, officer_a):
    _household, _mother, grandmother, kid = family()
    home = learning_house()
    child = Child.objects.create(person=kid, learning_house=home, caregiver=grandmother)
    client.force_login(officer_a)
    url = reverse("childcare:session-create", args=[home.pk])
    reading = ActivityKind.objects.get(code="reading")
    response = client.post(
        url, {"kind": reading.pk, "held_on": TODAY.isoformat(), "children": [child.pk], "caregivers": [grandmother.pk]}
    )
    assert response.status_code == 200 and not Session.objects.exists()  # caregivers only in parenting classes
    parenting = ActivityKind.objects.get(code="parenting-class")
    client.post(url, {"kind": parenting.pk, "held_on": TODAY.isoformat(), "caregivers": [grandmother.pk]})
    client.post(url, {"kind": reading.pk, "held_on": TODAY.isoformat(), "children": [child.pk]})
    assert Session.objects.count() == 2
    assert stats.sessions_by_kind(Scope.of([VILLAGE_A]))
    rows = {name: (n, kids, carers) for name, n, kids, carers in stats.sessions_by_kind(Scope.of([VILLAGE_A]))}
    assert rows["Membaca"] == (1, 1, 0) and rows["Kelas pengasuhan untuk pengasuh"] == (1, 0, 1)


def test_learning_house_pages_are_scoped(client, officer_a, officer_b):
    client.force_login(officer_a)
    response = client.post(
        reverse("childcare:house-create"), {**picked(VILLAGE_A), "name": "RB Melati", "is_active": "on", "version": 1}
    )
    home = LearningHouse.objects.get()
    assert response.status_code == 302 and home.village_id == VILLAGE_A
    client.post(reverse("childcare:house-create"), {**picked(VILLAGE_B), "name": "RB Lain", "version": 1})
    assert LearningHouse.objects.count() == 1
    client.force_login(officer_b)
    assert "RB Melati" not in client.get(reverse("childcare:index")).content.decode()
    assert client.get(reverse("childcare:house-update", args=[home.pk])).status_code == 404


def test_stats_against_hand_counted_fixtures():
    _h, mother, _g, kid = family()
    _h2, _m2, _g2, kid2 = family()
    _h3, _m3, _g3, kid3 = family(VILLAGE_B)
    home = learning_house()
    first = Child.objects.create(person=kid, learning_house=home, school_status="attending")
    first.parents_abroad.add(mother.episodes.get())
    Child.objects.create(person=kid2, school_status="dropped_out")
    Child.objects.create(person=kid3, school_status="attending")
    Child.objects.create(person=family()[3])  # school not recorded
    scope = Scope.of([VILLAGE_A])
    assert stats.learning_houses(scope) == 1 and stats.children(scope) == 3
    assert stats.children_in_learning_houses(scope) == 1 and stats.children_with_a_parent_abroad(scope) == 1
    by_school = stats.children_by_school_status(scope)
    assert by_school == [
        ("Not yet at school", 0),
        ("At school", 1),
        ("Dropped out", 1),
        ("Finished school", 0),
        ("Not recorded", 1),
    ]
    assert sum(n for _label, n in by_school) == stats.children(scope)  # the rows add up
    assert stats.children(Scope.everywhere()) == 4


def test_a_learning_house_lists_its_sessions_newest_first_before_its_children(client, officer_a):
    home = learning_house()
    kind, _ = ActivityKind.objects.get_or_create(code="reading", defaults={"name": "Membaca"})
    for day in (datetime.date(2026, 3, 1), datetime.date(2026, 9, 1), datetime.date(2026, 6, 1)):
        Session.objects.create(learning_house=home, kind=kind, held_on=day)
    client.force_login(officer_a)
    html = client.get(home.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert html.index("01-09-2026") < html.index("01-06-2026") < html.index("01-03-2026")
    assert html.index('<h2 class="h5 mt-4">Sessions') < html.index('<h2 class="h5 mt-4">Children')
