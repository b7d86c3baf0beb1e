"""Pillar 2: the records' rules, every page through the access module, the admin, stats."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from desmigratif.access import Action, scope_for
from enterprises import stats
from enterprises.models import Attendance, Category, Enterprise, EquipmentAid, MentoringVisit, Training
from tests.conftest import VILLAGE_A, VILLAGE_B
from tests.factories import HouseholdFactory, PersonFactory, enterprise, training
from tests.pages import picked

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()  # noqa: DTZ011 - dates of records


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_categories_are_seeded():
    assert set(Category.objects.values_list("code", flat=True)) >= {"food", "crafts", "garment", "fisheries"}


def test_owner_must_live_in_the_enterprise_village():
    item = enterprise()
    item.owner = HouseholdFactory(village_id=VILLAGE_B)
    with pytest.raises(ValidationError, match="owner household"):
        item.full_clean()


def test_dates_in_the_future_are_refused():
    item = enterprise()
    tomorrow = TODAY + datetime.timedelta(days=1)
    item.started_on = tomorrow
    with pytest.raises(ValidationError):
        item.full_clean()
    with pytest.raises(ValidationError):
        MentoringVisit(enterprise=item, visited_on=tomorrow, mentor="Pak Dodi").full_clean()
    with pytest.raises(ValidationError):
        EquipmentAid(enterprise=item, item="Oven", value=1, given_on=tomorrow, source="apbn").full_clean()


def test_a_training_cannot_end_before_it_starts():
    with pytest.raises(ValidationError):
        Training(
            village_id=VILLAGE_A, kind="mtu", topic="x", starts_on=TODAY, ends_on=TODAY - datetime.timedelta(1)
        ).full_clean()


def test_officer_registers_an_enterprise_from_the_household_page(client, officer_a):
    owner = HouseholdFactory(village_id=VILLAGE_A)
    wife = PersonFactory(household=owner, name="Siti")
    client.force_login(officer_a)
    page = client.get(owner.get_absolute_url())
    assert reverse("enterprises:create", args=[owner.pk]) in page.content.decode()
    response = client.post(
        reverse("enterprises:create", args=[owner.pk]),
        {
            "name": "Keripik Bu Siti",
            "category": Category.objects.get(code="food").pk,
            "members": [wife.pk],
            "status": "active",
            "channels": ["market", "social"],
            "version": 1,
        },
    )
    item = Enterprise.objects.get()
    assert response.status_code == 302 and item.village_id == VILLAGE_A and item.owner == owner
    assert list(item.members.all()) == [wife] and item.channels == ["market", "social"]
    assert {h.history_user for h in item.history.all()} == {officer_a}
    client.post(
        reverse("enterprises:aid-create", args=[item.pk]),
        {
            "item": "Wajan",
            "quantity": 2,
            "value": "Rp 750.000",  # as an officer types it
            "given_on": TODAY.isoformat(),
            "source": "apbn",
            "version": 1,
        },
    )
    client.post(
        reverse("enterprises:visit-create", args=[item.pk]),
        {"visited_on": TODAY.isoformat(), "mentor": "Pak Dodi", "version": 1},
    )
    detail = client.get(item.get_absolute_url()).content.decode()
    assert "Wajan" in detail and "Pak Dodi" in detail and "Media sosial, WhatsApp" in detail
    assert item.aid.get().value == 750_000 and item.visits.get().mentor == "Pak Dodi"


def test_other_villages_see_none_of_it(client, officer_b):
    item = enterprise()
    event = training()
    client.force_login(officer_b)
    assert "Keripik" not in client.get(reverse("enterprises:index")).content.decode()
    for url in (
        item.get_absolute_url(),
        reverse("enterprises:update", args=[item.pk]),
        reverse("enterprises:aid-create", args=[item.pk]),
        reverse("enterprises:visit-create", args=[item.pk]),
        reverse("enterprises:create", args=[item.owner.pk]),
        event.get_absolute_url(),
        reverse("enterprises:training-update", args=[event.pk]),
        reverse("enterprises:training-attendance", args=[event.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert "Pengemasan" not in client.get(reverse("enterprises:training-list")).content.decode()


def test_anonymous_users_are_sent_to_login(client):
    item = enterprise()
    for url in (reverse("enterprises:index"), item.get_absolute_url(), reverse("enterprises:training-list")):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_a_training_with_many_participants_at_once(client, officer_a):
    people = [PersonFactory(household__village_id=VILLAGE_A) for _ in range(3)]
    outsider = PersonFactory(household__village_id=VILLAGE_B)
    client.force_login(officer_a)
    response = client.post(
        reverse("enterprises:training-create"),
        {
            **picked(VILLAGE_A),
            "kind": "mtu",
            "topic": "Menjahit",
            "starts_on": TODAY.isoformat(),
            "ends_on": TODAY.isoformat(),
            "version": 1,
        },
    )
    event = Training.objects.get()
    assert response.url == reverse("enterprises:training-attendance", args=[event.pk])
    page = client.get(response.url).content.decode()
    assert people[0].name in page and outsider.name not in page
    client.post(response.url, {"persons": [p.pk for p in people]})
    assert event.participants.count() == 3
    response = client.post(response.url, {"persons": [people[0].pk, outsider.pk]})
    assert response.status_code == 200 and event.participants.count() == 3  # the outsider is not a choice
    client.post(reverse("enterprises:training-attendance", args=[event.pk]), {"persons": [people[0].pk]})
    assert list(event.participants.all()) == [people[0]]
    assert Attendance.history.filter(history_type="-").count() == 2


def test_training_outside_the_area_cannot_be_created(client, officer_a):
    client.force_login(officer_a)
    response = client.post(
        reverse("enterprises:training-create"),
        {
            **picked(VILLAGE_B),
            "kind": "mtu",
            "topic": "x",
            "starts_on": TODAY.isoformat(),
            "ends_on": TODAY.isoformat(),
        },
    )
    assert response.status_code == 200 and not Training.objects.exists()


def test_admin_lists_are_scoped_and_import_needs_its_permission(client, officer_a, administrator):
    enterprise(name="Usaha A")
    enterprise(village=VILLAGE_B, name="Usaha B")
    officer_a.is_staff = True
    officer_a.save()
    from django.contrib.auth.models import Permission

    officer_a.user_permissions.add(Permission.objects.get(codename="view_enterprise"))
    client.force_login(officer_a)
    page = client.get(reverse("admin:enterprises_enterprise_changelist")).content.decode()
    assert "Usaha A" in page and "Usaha B" not in page
    assert client.get(reverse("admin:enterprises_enterprise_import")).status_code == 403
    client.force_login(administrator)
    page = client.get(reverse("admin:enterprises_enterprise_changelist")).content.decode()
    assert "Usaha A" in page and "Usaha B" in page


def test_stats_against_hand_counted_fixtures():
    first = enterprise(started_on=datetime.date(2024, 3, 1), export_ready=True)
    enterprise(category="crafts", started_on=datetime.date(2025, 5, 1), status="paused")
    enterprise(village=VILLAGE_B, category="crafts")
    EquipmentAid.objects.create(enterprise=first, item="Oven", value=2_000_000, given_on=TODAY, source="apbn")
    EquipmentAid.objects.create(enterprise=first, item="Wajan", value=500_000, given_on=TODAY, source="local")
    event = training(kind="mtu")
    training(kind="mtu")
    person = PersonFactory(household__village_id=VILLAGE_A)
    Attendance.objects.create(training=event, person=person)
    Attendance.objects.create(training=training(kind="productive"), person=person)

    village_a = scope_for_area(VILLAGE_A)
    assert stats.enterprises_by_category(village_a) == [("Crafts", 1), ("Food and drink", 1)]  # viewer's language
    with translation.override("id"):
        assert stats.enterprises_by_category(village_a) == [("Kerajinan", 1), ("Makanan dan minuman", 1)]
    assert stats.enterprises_by_status(village_a) == [("Active", 1), ("Paused", 1), ("Closed", 0)]
    assert stats.enterprises_started_by_year(village_a) == [(2024, 1), (2025, 1)]
    assert stats.export_ready_count(village_a) == 1
    assert stats.trainings_by_kind(village_a) == [
        ("Productive-enterprise training", 1, 1),
        ("Mobile training unit (MTU)", 2, 1),
        ("Entrepreneurship training", 0, 0),
        ("Instructor mentoring", 0, 0),
    ]
    assert stats.trained_persons(village_a) == 1
    assert stats.aid_value_by_source(village_a)[:2] == [
        ("APBN (Ministry of Manpower)", 2_000_000),
        ("Local government", 500_000),
    ]
    national = scope_for_area("")
    assert sum(n for _label, n in stats.enterprises_by_category(national)) == 3


def scope_for_area(code):
    from desmigratif.access import Scope

    return Scope.everywhere() if code == "" else Scope.of([code])


def test_the_analyst_sees_aggregates_but_no_records(client, analyst):
    enterprise()
    client.force_login(analyst)
    assert scope_for(analyst, Action.READ).is_empty
    assert "Keripik" not in client.get(reverse("enterprises:index")).content.decode()


def test_demo_enterprises_are_valid_and_added_once():
    from seeding.enterprises import demo_enterprises_seed
    from seeding.households import demo_population_seed

    demo_population_seed(households_per_village=8)
    first = demo_enterprises_seed()
    assert first.enterprises >= 3 and first.trainings >= 9 and first.attendances >= first.enterprises
    for item in Enterprise.objects.all():
        item.full_clean()
        assert all(person.household.village_id == item.village_id for person in item.members.all())
    for attendance in Attendance.objects.select_related("training", "person__household"):
        assert attendance.person.household.village_id == attendance.training.village_id
    assert demo_enterprises_seed().enterprises == 0


def test_aid_needs_a_quantity_and_a_person_attends_a_training_once():
    from django.db import IntegrityError, transaction

    item = enterprise()
    with pytest.raises(ValidationError):
        EquipmentAid(enterprise=item, item="Oven", quantity=0, value=1, given_on=TODAY, source="apbn").full_clean()
    event = training()
    person = PersonFactory(household__village_id=VILLAGE_A)
    Attendance.objects.create(training=event, person=person)
    with pytest.raises(IntegrityError), transaction.atomic():
        Attendance.objects.create(training=event, person=person)


def test_the_enterprise_page_lists_only_trainings_the_user_may_see(client, officer_a):
    record = enterprise(VILLAGE_A)
    member = PersonFactory(household=record.owner)
    record.members.add(member)
    for village, topic in ((VILLAGE_A, "Pelatihan Kenanga"), (VILLAGE_B, "Pelatihan Kuripan")):
        training = Training.objects.create(village_id=village, kind="mtu", topic=topic, starts_on=TODAY, ends_on=TODAY)
        Attendance.objects.create(training=training, person=member)
    client.force_login(officer_a)
    html = client.get(reverse("enterprises:detail", args=[record.pk])).content.decode()
    assert "Pelatihan Kenanga" in html and "Pelatihan Kuripan" not in html
