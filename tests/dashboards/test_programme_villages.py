"""The register of Desmigratif villages: kept by administrators within their areas (admin and
CSV import), counted on the dashboards by cohort and status."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from dashboards import stats as dashboard_stats
from dashboards.services import figures_refresh
from desmigratif.access import Scope
from desmigratif.models import ProgrammeVillage, Role, Village
from tests.conftest import SMALL_VILLAGE, VILLAGE_A, VILLAGE_A_NEIGHBOUR, VILLAGE_B
from tests.factories import AssignmentFactory, UserFactory

pytestmark = pytest.mark.django_db


def register(code, cohort, status="active", **values):
    return ProgrammeVillage.objects.create(village=Village.objects.get(pk=code), cohort=cohort, status=status, **values)


def test_villages_are_counted_by_cohort_and_status_on_the_dashboards(client, coordinator):
    register(VILLAGE_A, 2017)
    register(VILLAGE_A_NEIGHBOUR, 2019, "graduated")
    register(SMALL_VILLAGE, 2019)
    register(VILLAGE_B, 2018)
    regency = Scope.of(["32.12"])
    assert dashboard_stats.programme_villages_by_cohort(regency) == [
        (2017, {"active": 1, "graduated": 0, "left": 0}),
        (2018, {"active": 0, "graduated": 0, "left": 0}),  # every year between, so the chart has no gap
        (2019, {"active": 1, "graduated": 1, "left": 0}),
    ]
    assert dashboard_stats.programme_villages_active(regency) == 2
    figures_refresh()
    client.force_login(coordinator)
    page = client.get(reverse("dashboards:area", args=["32.12"])).content.decode()
    assert 'id="headline-programme-villages">2<' in page and 'id="panel-programme-villages"' in page
    national = dashboard_stats.programme_villages_by_cohort(Scope.of([""]))
    assert [year for year, _ in national] == [2017, 2018, 2019]


def test_a_change_to_the_register_reaches_the_figures(coordinator):
    from dashboards.services import changed_villages

    since = timezone.now() - datetime.timedelta(seconds=1)
    register(VILLAGE_A, 2017)
    assert VILLAGE_A in changed_villages(since)


def test_the_register_refuses_what_cannot_be(db):
    future = register(VILLAGE_A, timezone.localdate().year + 1)
    with pytest.raises(ValidationError) as refused:
        future.full_clean()
    assert list(refused.value.message_dict) == ["cohort"]  # a year still to come
    elsewhere = AssignmentFactory(user=UserFactory(), role=Role.COORDINATOR, area="33.07").user
    wrong = ProgrammeVillage(village_id=VILLAGE_B, cohort=2018, coordinator=elsewhere)
    wrong.full_clean()  # 33.07 is the coordinator's regency: accepted
    wrong.village_id = SMALL_VILLAGE
    with pytest.raises(ValidationError) as refused:
        wrong.full_clean()
    assert list(refused.value.message_dict) == ["coordinator"]


def test_an_import_of_the_register_keeps_to_the_administrators_area(db):
    import tablib

    from desmigratif.resources import ProgrammeVillageResource

    regional = AssignmentFactory(user=UserFactory(is_staff=True), role=Role.ADMINISTRATOR, area="32.12").user
    rows = tablib.Dataset(headers=["village", "cohort", "status"])
    rows.append([VILLAGE_A, 2017, "active"])
    rows.append([VILLAGE_B, 2018, "active"])  # another province's village
    result = ProgrammeVillageResource(user=regional).import_data(rows, dry_run=False, raise_errors=False)
    assert result.has_validation_errors() or result.has_errors()
    assert not ProgrammeVillage.objects.filter(village_id=VILLAGE_B).exists()
    again = tablib.Dataset(headers=["village", "cohort", "status"])
    again.append([VILLAGE_A, 2017, "graduated"])
    ProgrammeVillageResource(user=regional).import_data(again, dry_run=False, raise_errors=True)
    ProgrammeVillageResource(user=regional).import_data(again, dry_run=False, raise_errors=True)
    assert ProgrammeVillage.objects.get().status == "graduated"  # updated by its village, never twice

    # A register from Dukcapil or OpenSID writes the code as ten digits.
    digits = tablib.Dataset(headers=["village", "cohort", "status"])
    digits.append([VILLAGE_A_NEIGHBOUR.replace(".", ""), 2019, "active"])
    ProgrammeVillageResource(user=regional).import_data(digits, dry_run=False, raise_errors=True)
    assert ProgrammeVillage.objects.filter(village_id=VILLAGE_A_NEIGHBOUR, cohort=2019).exists()
