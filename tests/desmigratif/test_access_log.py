"""The access log (UU PDP): exports, imports, children's records and whole NIKs, who and
when, readable by administrators only."""

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from desmigratif.models import AccessLog
from households.models import Household
from tests.admin_pages import preview
from tests.conftest import VILLAGE_A
from tests.factories import HouseholdFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_household_page_with_whole_niks_is_logged(client, officer_a, coordinator):
    household = HouseholdFactory(village_id=VILLAGE_A)
    PersonFactory(household=household)
    client.force_login(officer_a)
    client.get(reverse("households:detail", args=[household.pk]))
    log = AccessLog.objects.get()
    assert (log.user, log.kind, log.what, log.rows) == (officer_a, "nik_view", f"household {household.pk}", 1)


def test_a_household_without_niks_shown_is_not_logged(client, officer_a):
    household = HouseholdFactory(village_id=VILLAGE_A)
    PersonFactory(household=household, nik=None)
    client.force_login(officer_a)
    client.get(reverse("households:detail", args=[household.pk]))
    assert not AccessLog.objects.exists()


def test_an_admin_export_is_logged(administrator):
    HouseholdFactory(village_id=VILLAGE_A)
    request = RequestFactory().get("/")
    request.user = administrator
    model_admin = admin.site._registry[Household]
    model_admin.get_data_for_export(request, Household.objects.all())
    log = AccessLog.objects.get()
    assert (log.user, log.kind, log.what, log.rows) == (administrator, "export", "admin households.Household", 1)


def test_the_log_is_for_administrators_only(client, administrator):
    AccessLog.objects.create(user=administrator, kind=AccessLog.Kind.EXPORT, what="households", rows=3)
    url = reverse("admin:desmigratif_accesslog_changelist")
    client.force_login(administrator)
    assert client.get(url).status_code == 200
    staff = UserFactory(username="staff", is_staff=True)
    client.force_login(staff)
    assert client.get(url).status_code == 403
    entry = AccessLog.objects.get()
    client.force_login(administrator)
    assert (
        client.post(reverse("admin:desmigratif_accesslog_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403
    )
    assert AccessLog.objects.count() == 1


# --- the admin logs what the portal logs (issue 14) ----------------------------------------------------


def admin_staff(user, *codenames: str):
    from django.contrib.auth.models import Permission

    user.is_staff = True
    user.save()
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return type(user)._default_manager.get(pk=user.pk)


def logged(kind: str) -> list[tuple]:
    return list(AccessLog.objects.filter(kind=kind).order_by("pk").values_list("user__username", "what", "rows"))


def test_whole_niks_in_the_admin_are_logged(client, officer_a):
    from households.models import Person

    household = HouseholdFactory(village_id=VILLAGE_A)
    person = PersonFactory(household=household, name="Sri Wahyuni")
    PersonFactory(household=household, nik=None)
    client.force_login(admin_staff(officer_a, "view_person", "change_person", "import_person"))
    assert person.nik in client.get(reverse("admin:households_person_changelist")).content.decode()
    assert person.nik in client.get(reverse("admin:households_person_change", args=[person.pk])).content.decode()
    assert client.get(reverse("admin:households_person_history", args=[person.pk])).status_code == 200
    assert logged("nik_view") == [
        ("officer.a", "admin households.Person list", 1),
        ("officer.a", f"admin households.Person {person.pk}", 1),
        ("officer.a", f"admin households.Person {person.pk} history", 1),
    ]
    AccessLog.objects.all().delete()
    header = "id,household,nik,name,sex,birth_date,birth_place,relationship,education,marital_status,job\n"
    page = preview(client, Person, header + f"{person.pk},{household.pk},{person.nik},Sri W,P,,,head,,,\n")
    assert page.status_code == 200 and "result" in page.context
    assert logged("nik_view") == [("officer.a", "admin households.Person import preview", 1)]


def test_children_in_the_admin_are_logged_and_hidden_from_coordinators(client, officer_a, coordinator):
    import datetime

    from childcare.models import Child

    kid = PersonFactory(
        household=HouseholdFactory(village_id=VILLAGE_A),
        relationship="child",
        birth_date=datetime.date.today() - datetime.timedelta(days=2500),  # noqa: DTZ011
    )
    child = Child.objects.create(person=kid)
    client.force_login(admin_staff(officer_a, "view_child", "change_child"))
    assert client.get(reverse("admin:childcare_child_changelist")).status_code == 200
    assert client.get(reverse("admin:childcare_child_change", args=[child.pk])).status_code == 200
    assert logged("child_view") == [
        ("officer.a", "admin childcare.Child list", 1),
        ("officer.a", f"admin childcare.Child {child.pk}", 1),
    ]
    client.force_login(admin_staff(coordinator, "view_child", "view_session", "view_person"))
    assert client.get(reverse("childcare:child-detail", args=[child.pk])).status_code == 404  # the portal
    assert client.get(reverse("admin:childcare_child_change", args=[child.pk])).status_code == 404  # the admin
    assert kid.name not in client.get(reverse("admin:childcare_child_changelist")).content.decode()
    assert client.get(reverse("admin:childcare_child_history", args=[child.pk])).status_code == 404
    assert len(logged("child_view")) == 2


def test_the_household_edit_form_with_whole_niks_is_logged(client, officer_a):
    household = HouseholdFactory(village_id=VILLAGE_A)
    PersonFactory(household=household)
    PersonFactory(household=household, relationship="child")
    client.force_login(officer_a)
    # Saved members are drawn closed, without their NIKs: every member's fields on request.
    assert client.get(reverse("households:update", args=[household.pk])).status_code == 200
    assert not AccessLog.objects.filter(kind=AccessLog.Kind.NIK_VIEW).exists()
    assert client.get(reverse("households:update", args=[household.pk]), {"members": "open"}).status_code == 200
    entry = AccessLog.objects.get(kind=AccessLog.Kind.NIK_VIEW)
    assert entry.user == officer_a and entry.what == f"household {household.pk} edit form" and entry.rows == 2


def test_the_history_page_logs_the_whole_niks_it_shows(client, officer_a):
    from households.services import record_save

    household = HouseholdFactory(village_id=VILLAGE_A)
    person = PersonFactory(household=household, nik="3212161204900001")
    person.nik = "3212161204900002"
    record_save(instance=person, expected_version=person.version, user=officer_a)
    client.force_login(officer_a)
    html = client.get(reverse("households:history", args=[household.pk])).content.decode()
    assert "3212161204900001" in html and "3212161204900002" in html
    entry = AccessLog.objects.get(kind=AccessLog.Kind.NIK_VIEW)
    assert entry.what == f"household {household.pk} history" and entry.rows == 2
