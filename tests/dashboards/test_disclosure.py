"""Counts of children cannot be recovered by subtraction: an analyst downloads every table a
regency's dashboards offer (the area tables of the regency and the district, the panels of
both, a past year's report) and tries to pin down a village's hidden count from the totals."""

import csv
import datetime
import io
import itertools

import pytest
from django.urls import reverse

from childcare.models import Child
from dashboards.panels import child_count_shown
from dashboards.services import figures_refresh
from tests.conftest import SMALL_VILLAGE, VILLAGE_A, VILLAGE_A_NEIGHBOUR
from tests.factories import HouseholdFactory, PersonFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()  # noqa: DTZ011 - birth dates
DISTRICT = VILLAGE_A[:8]
REGENCY = VILLAGE_A[:5]
# Children per village: village A's 3 are what the attacker is after.
CHILDREN = {
    VILLAGE_A: {"attending": 2, "dropped_out": 1},
    VILLAGE_A_NEIGHBOUR: {"attending": 12},
    SMALL_VILLAGE: {"attending": 7},
}


@pytest.fixture
def children(db):
    for village, statuses in CHILDREN.items():
        home = HouseholdFactory(village_id=village)
        for status, count in statuses.items():
            for n in range(count):
                born = TODAY - datetime.timedelta(days=365 * (5 + n % 10))
                kid = PersonFactory(household=home, relationship="child", birth_date=born)
                Child.objects.create(person=kid, school_status=status)
    figures_refresh()


def download(client, url):
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def shown_as(cell: str):
    """The true counts a downloaded cell allows."""
    if cell == "<5":
        return range(1, 5)
    value = int(cell)
    return [t for t in range(0, value + 3) if child_count_shown(t) == value or (t == 0 and value == 0)]


def areas(client, code):
    rows = download(client, reverse("dashboards:area-areas-csv", args=[code]))
    column = rows[0].index("Children")
    return {row[0]: row[column] for row in rows[1:] if row and row[0][:1].isdigit()}


def panel_rows(client, code, slug, query=""):
    rows = download(client, reverse("dashboards:area-csv", args=[code, slug]) + query)
    return {row[0]: row[1:] for row in rows[1:] if len(row) > 1}


def test_the_subtraction_attacks_leave_the_hidden_count_unknown(client, analyst, children):
    client.force_login(analyst)
    regency_areas = areas(client, REGENCY)  # districts of the regency
    district_areas = areas(client, DISTRICT)  # villages of A's district
    regency_total = panel_rows(client, REGENCY, "children")["Children"][0]
    assert district_areas[VILLAGE_A] == "<5"
    # Without rounding, regency - other district - neighbour would give 22 - 7 - 12 = 3.

    # Attack 1: the regency's total, its districts, and the district's villages.
    found = set()
    for a, neighbour, small in itertools.product(
        shown_as(district_areas[VILLAGE_A]),
        shown_as(district_areas[VILLAGE_A_NEIGHBOUR]),
        shown_as(regency_areas[SMALL_VILLAGE[:8]]),
    ):
        district = a + neighbour
        if district in shown_as(regency_areas[DISTRICT]) and district + small in shown_as(regency_total):
            found.add(a)
    assert len(found) >= 2, found

    # Attack 2: across a panel's rows, the district's children by schooling against its total.
    schooling = panel_rows(client, DISTRICT, "children-school")
    district_total = panel_rows(client, DISTRICT, "children")["Children"][0]
    found = set()
    for attending, dropped in itertools.product(shown_as(schooling["At school"][0]), range(1, 5)):
        if schooling["Dropped out"][0] == "<5" and attending + dropped in shown_as(district_total):
            found.add(dropped)
    assert len(found) >= 2, found

    # Attack 3: a past year's figures against now's (the report's trend of children by year).
    year = TODAY.year - 1
    trend = panel_rows(client, REGENCY, "children-trend", f"?period={year}")
    assert all(row[0] == "0" or row[0] == "<5" or int(row[0]) % 5 == 0 for row in trend.values())


def test_the_village_s_own_officer_sees_exact_counts_and_others_do_not(client, officer_a, officer_b, children):
    client.force_login(officer_a)
    rows = panel_rows(client, VILLAGE_A, "children-school")
    assert rows["At school"][0] == "2" and rows["Dropped out"][0] == "1"
    client.force_login(officer_b)
    assert client.get(reverse("dashboards:area-csv", args=[VILLAGE_A, "children-school"])).status_code == 404


def test_counts_that_are_not_about_children_are_shown_exactly(client, analyst, children):
    from childcare.models import LearningHouse

    for n in range(7):
        LearningHouse.objects.create(village_id=VILLAGE_A_NEIGHBOUR, name=f"Rumah Belajar {n}")
    figures_refresh()
    client.force_login(analyst)
    rows = panel_rows(client, REGENCY, "children")
    assert rows["Learning houses"][0] == "7"  # not rounded: not a count of children
    assert rows["Children"][0] == "20"  # 22, rounded
