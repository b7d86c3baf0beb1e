"""The scoping rules, for every member of the cast."""

import datetime

import pytest
from django.http import Http404
from django.utils import timezone

from desmigratif.access import (
    Action,
    Scope,
    can,
    can_see_full_nik,
    forget,
    get_scoped_object_or_404,
    scope_for,
    scoped,
)
from desmigratif.models import Assignment, District, Province, Regency, Role, Village
from tests.conftest import OTHER_REGENCY_SAME_PROVINCE, REGENCY_A, VILLAGE_A, VILLAGE_A_NEIGHBOUR, VILLAGE_B
from tests.factories import AssignmentFactory, UserFactory

pytestmark = pytest.mark.django_db


def village_codes(queryset):
    return set(queryset.values_list("code", flat=True))


def test_scope_prefixes_do_not_leak_into_sibling_codes():
    scope = Scope.of(["32.1"])  # not a real code, but a naive startswith would match 32.12 and 32.13
    assert not scope.contains("32.12.16.2004")
    assert Scope.of(["32.12"]).contains("32.12.16.2004")
    assert not Scope.of(["32.12"]).contains("32.13.01.2001")
    assert not Scope.of(["32.12.16.2004"]).contains("32.12.16.20041")


def test_scope_touches_ancestors_but_contains_only_its_area():
    scope = Scope.of([VILLAGE_A])
    assert scope.touches("32") and scope.touches("32.12") and scope.touches("32.12.16")
    assert not scope.contains("32.12.16")
    assert not scope.touches("33")


def test_scope_drops_areas_inside_wider_ones():
    assert Scope.of([VILLAGE_A, REGENCY_A, "32.12.16"]).areas == {REGENCY_A}
    assert Scope.of([VILLAGE_A, ""]).is_unlimited


def test_officer_reads_and_writes_only_their_village(officer_a):
    for action in (Action.READ, Action.WRITE, Action.STATS):
        assert village_codes(scoped(Village.objects.all(), officer_a, action)) == {VILLAGE_A}
    assert scope_for(officer_a, Action.APPROVE).is_empty
    assert can(officer_a, Action.WRITE, VILLAGE_A)
    assert not can(officer_a, Action.READ, VILLAGE_A_NEIGHBOUR)
    assert not can(officer_a, Action.READ, VILLAGE_B)


def test_officer_of_other_village_sees_nothing_of_village_a(officer_b):
    assert village_codes(scoped(Village.objects.all(), officer_b)) == {VILLAGE_B}
    with pytest.raises(Http404):
        get_scoped_object_or_404(Village.objects.all(), officer_b, Action.READ, code=VILLAGE_A)


def test_officer_walks_only_the_regions_above_their_village(officer_a):
    assert set(scoped(Province.objects.all(), officer_a, Action.STATS).values_list("code", flat=True)) == {"32"}
    assert set(scoped(Regency.objects.all(), officer_a, Action.STATS).values_list("code", flat=True)) == {REGENCY_A}
    assert set(scoped(District.objects.all(), officer_a, Action.STATS).values_list("code", flat=True)) == {"32.12.16"}


def test_coordinator_reads_the_regency_but_writes_nothing(coordinator):
    readable = village_codes(scoped(Village.objects.all(), coordinator, Action.READ))
    assert VILLAGE_A in readable and VILLAGE_A_NEIGHBOUR in readable
    assert all(code.startswith(REGENCY_A + ".") for code in readable)
    assert not any(code.startswith(OTHER_REGENCY_SAME_PROVINCE + ".") for code in readable)
    assert scoped(Village.objects.all(), coordinator, Action.WRITE).count() == 0
    assert can(coordinator, Action.APPROVE, VILLAGE_A)
    assert not can(coordinator, Action.APPROVE, VILLAGE_B)


def test_analyst_gets_aggregates_everywhere_and_no_records(analyst):
    assert scope_for(analyst, Action.STATS).is_unlimited
    assert scoped(Village.objects.all(), analyst, Action.READ).count() == 0
    assert scoped(Village.objects.all(), analyst, Action.WRITE).count() == 0
    assert not can_see_full_nik(analyst, VILLAGE_A)


def test_administrator_acts_everywhere(administrator):
    for action in Action:
        assert scope_for(administrator, action).is_unlimited
    assert scoped(Village.objects.all(), administrator).count() == Village.objects.count()


def test_anonymous_sees_nothing(anonymous):
    for action in Action:
        assert scope_for(anonymous, action).is_empty
    assert scoped(Village.objects.all(), anonymous).count() == 0


def test_nik_shown_whole_only_to_those_covering_the_village(cast):
    assert can_see_full_nik(cast["officer_a"], VILLAGE_A)
    assert can_see_full_nik(cast["coordinator"], VILLAGE_A)
    assert can_see_full_nik(cast["administrator"], VILLAGE_A)
    assert not can_see_full_nik(cast["coordinator"], VILLAGE_B)
    assert not can_see_full_nik(cast["officer_b"], VILLAGE_A)
    assert not can_see_full_nik(cast["analyst"], VILLAGE_A)
    assert not can_see_full_nik(cast["anonymous"], VILLAGE_A)


def test_assignment_outside_its_period_grants_nothing():
    today = timezone.localdate()
    user = UserFactory(username="former.officer")
    AssignmentFactory(user=user, area=VILLAGE_A, ends_on=today - datetime.timedelta(days=1))
    AssignmentFactory(user=user, area=VILLAGE_B, starts_on=today + datetime.timedelta(days=1))
    assert scope_for(user, Action.READ).is_empty


def test_deactivated_user_loses_scope(officer_a):
    officer_a.is_active = False
    forget(officer_a)
    assert scope_for(officer_a, Action.READ).is_empty


def test_several_assignments_add_up():
    user = UserFactory(username="two.villages")
    AssignmentFactory(user=user, area=VILLAGE_A)
    AssignmentFactory(user=user, area=VILLAGE_B)
    assert village_codes(scoped(Village.objects.all(), user, Action.WRITE)) == {VILLAGE_A, VILLAGE_B}


def test_assignments_are_scoped_by_the_area_they_grant(cast):
    province_admin = UserFactory(username="admin.jabar")
    AssignmentFactory(user=province_admin, role=Role.ADMINISTRATOR, area="32")
    visible = scoped(Assignment.objects.all(), province_admin, Action.WRITE)
    users = set(visible.values_list("user__username", flat=True))
    assert {"officer.a", "coordinator.a", "admin.jabar"} <= users
    assert "officer.b" not in users and "analyst" not in users  # Jawa Tengah, national


def test_scope_filter_on_a_village_code_needs_no_join():
    # Records keyed by a village code are filtered on their own column: no join to the region tables.
    queryset = Scope.of([REGENCY_A, VILLAGE_B]).filter(Assignment.objects.order_by(), "village__code")
    sql = str(queryset.query)
    assert "JOIN" not in sql
    assert "LIKE" in sql
