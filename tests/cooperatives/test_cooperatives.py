"""Pillar 4 and village facilities: rules, scoped pages, admin, stats."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from cooperatives import stats
from cooperatives.models import Cooperative, Facility, Membership
from desmigratif.access import Scope
from tests.conftest import VILLAGE_A, VILLAGE_A_NEIGHBOUR, VILLAGE_B
from tests.factories import HouseholdFactory, cooperative, enterprise
from tests.pages import picked

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()  # noqa: DTZ011 - dates of records


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_a_registered_cooperative_has_number_and_date():
    with pytest.raises(ValidationError):
        Cooperative(village_id=VILLAGE_A, kind="koperasi", name="x", legal_number="AHU-0001").full_clean()
    Cooperative(village_id=VILLAGE_A, kind="koperasi", name="x", legal_number="AHU-0001", legal_date=TODAY).full_clean()


def test_members_live_in_a_village_served_and_leave_after_joining():
    coop = cooperative()
    member = Membership(cooperative=coop, household=HouseholdFactory(village_id=VILLAGE_A_NEIGHBOUR), joined_on=TODAY)
    with pytest.raises(ValidationError, match="serves"):
        member.full_clean()
    coop.villages_served.add(VILLAGE_A_NEIGHBOUR)
    member.full_clean()
    member.left_on = TODAY - datetime.timedelta(days=1)
    with pytest.raises(ValidationError):
        member.full_clean()
    with pytest.raises(ValidationError):
        Membership(cooperative=coop, joined_on=TODAY).full_clean()


def test_officer_runs_a_cooperative_with_members(client, officer_a):
    shop = enterprise()
    client.force_login(officer_a)
    response = client.post(
        reverse("cooperatives:create"),
        {
            **picked(VILLAGE_A),
            "kind": "bumdes",
            "name": "BUMDes Kenanga",
            "status": "active",
            "enterprises": [shop.pk],
            "version": 1,
        },
    )
    coop = Cooperative.objects.get()
    assert response.status_code == 302 and list(coop.enterprises.all()) == [shop]
    household = HouseholdFactory(village_id=VILLAGE_A)
    outsider = HouseholdFactory(village_id=VILLAGE_B)
    url = reverse("cooperatives:member-create", args=[coop.pk])
    assert (
        client.post(
            url, {"household": outsider.pk, "joined_on": TODAY.isoformat(), "share_capital": 1, "savings": 0}
        ).status_code
        == 200
    )
    client.post(
        url,
        {
            "household": household.pk,
            "joined_on": TODAY.isoformat(),
            "share_capital": 500000,
            "savings": 120000,
            "version": 1,
        },
    )
    assert coop.memberships.get().household == household
    assert household.programme_reach()["cooperatives"] == 1
    page = client.get(coop.get_absolute_url()).content.decode()
    assert household.kk_number in page


def test_other_villages_see_no_cooperative_or_facility(client, officer_b):
    coop = cooperative()
    facility = Facility.objects.create(village_id=VILLAGE_A, kind="solar", status="in_use")
    client.force_login(officer_b)
    assert "Sejahtera" not in client.get(reverse("cooperatives:index")).content.decode()
    assert "Solar" not in client.get(reverse("cooperatives:facility-list")).content.decode()
    for url in (
        coop.get_absolute_url(),
        reverse("cooperatives:update", args=[coop.pk]),
        reverse("cooperatives:member-create", args=[coop.pk]),
        reverse("cooperatives:facility-update", args=[facility.pk]),
    ):
        assert client.get(url).status_code == 404, url


def test_facilities_are_recorded_in_the_officer_village(client, officer_a):
    client.force_login(officer_a)
    client.post(
        reverse("cooperatives:facility-create"),
        {**picked(VILLAGE_A), "kind": "reservoir", "status": "built", "status_on": TODAY.isoformat(), "version": 1},
    )
    client.post(
        reverse("cooperatives:facility-create"), {**picked(VILLAGE_B), "kind": "road", "status": "built", "version": 1}
    )
    assert list(Facility.objects.values_list("village_id", "kind")) == [(VILLAGE_A, "reservoir")]


def test_admin_is_scoped(client, officer_a):
    from django.contrib.auth.models import Permission

    cooperative(name="Koperasi A")
    cooperative(village=VILLAGE_B, name="Koperasi B")
    officer_a.is_staff = True
    officer_a.save()
    officer_a.user_permissions.add(Permission.objects.get(codename="view_cooperative"))
    client.force_login(officer_a)
    page = client.get(reverse("admin:cooperatives_cooperative_changelist")).content.decode()
    assert "Koperasi A" in page and "Koperasi B" not in page
    assert client.get(reverse("admin:cooperatives_cooperative_export")).status_code == 403


def test_stats_against_hand_counted_fixtures():
    first = cooperative()
    cooperative(kind="bumdes")
    cooperative(village=VILLAGE_B)
    household = HouseholdFactory(village_id=VILLAGE_A)
    Membership.objects.create(cooperative=first, household=household, joined_on=TODAY, share_capital=100, savings=10)
    Membership.objects.create(
        cooperative=first,
        household=HouseholdFactory(village_id=VILLAGE_A),
        joined_on=TODAY,
        left_on=TODAY,
        share_capital=50,
    )
    Facility.objects.create(village_id=VILLAGE_A, kind="solar", status="in_use")
    Facility.objects.create(village_id=VILLAGE_A, kind="solar", status="broken")
    scope = Scope.of([VILLAGE_A])
    # Active, dormant, dissolved, current members.
    assert stats.cooperatives_by_kind(scope)[:2] == [
        ("Cooperative (koperasi)", 1, 0, 0, 1),
        ("Village-owned enterprise (BUMDes)", 1, 0, 0, 0),
    ]
    assert stats.member_households(scope) == 1
    assert stats.capital(scope) == {"share_capital": 100, "savings": 10}
    solar = dict(stats.facilities_by_kind_and_status(scope))["Solar panels"]
    assert solar == [0, 0, 1, 1]
    assert sum(sum(row[1:4]) for row in stats.cooperatives_by_kind(Scope.everywhere())) == 3


def test_demo_records_of_pillars_3_and_4_are_valid_and_added_once():
    from importlib import import_module

    from childcare.models import ActivityKind, Child
    from seeding.childcare import demo_childcare_seed
    from seeding.cooperatives import demo_cooperatives_seed
    from seeding.households import demo_population_seed

    for code, name, for_caregivers in import_module("childcare.migrations.0002_activity_kinds").ACTIVITY_KINDS:
        ActivityKind.objects.get_or_create(code=code, defaults={"name": name, "for_caregivers": for_caregivers})
    demo_population_seed(households_per_village=10)
    first = demo_childcare_seed()
    assert first.houses >= 3 and first.children > 0 and first.sessions == 12 * first.houses
    for child in Child.objects.select_related("person__household", "learning_house", "caregiver"):
        child.full_clean()
    coops = demo_cooperatives_seed()
    assert (
        coops.cooperatives >= 3 and coops.members >= coops.cooperatives and coops.facilities == 3 * coops.cooperatives
    )
    for membership in Membership.objects.select_related("cooperative", "household"):
        membership.full_clean()
    assert demo_childcare_seed().houses == 0 and demo_cooperatives_seed().cooperatives == 0


def test_a_facility_status_date_cannot_be_in_the_future():
    facility = Facility(village_id=VILLAGE_A, kind="road", status="built", status_on=TODAY + datetime.timedelta(days=1))
    with pytest.raises(ValidationError, match="future"):
        facility.full_clean()


def test_a_household_is_added_to_a_cooperative_from_its_page(client, officer_a, officer_b):
    household = HouseholdFactory(village_id=VILLAGE_A)
    serving = cooperative(VILLAGE_A, name="Koperasi Kenanga")
    elsewhere = cooperative(VILLAGE_A_NEIGHBOUR, name="Koperasi Tetangga")
    client.force_login(officer_a)
    page = client.get(household.get_absolute_url()).content.decode()
    link = f"{reverse('cooperatives:index')}?household={household.pk}"
    assert link in page
    listing = client.get(link).content.decode()
    assert "Koperasi Kenanga" in listing and "Koperasi Tetangga" not in listing  # those serving its village
    add = f"{reverse('cooperatives:member-create', args=[serving.pk])}?household={household.pk}"
    assert add in listing
    assert client.get(add).context["form"]["household"].value() == household.pk
    assert elsewhere.pk  # listed only without the household
    client.force_login(officer_b)  # not their household: the plain list, nothing chosen
    assert "Add as member" not in client.get(link, HTTP_ACCEPT_LANGUAGE="en").content.decode()
