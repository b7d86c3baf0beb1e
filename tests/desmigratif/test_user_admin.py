"""Managing accounts in the admin (issue 14): an administrator of a province manages only the
portal accounts wholly inside it, grants only assignments inside it, and never staff rights,
superuser status, groups or permissions; superusers manage everyone."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from desmigratif.models import Assignment, Role, User
from tests.conftest import VILLAGE_A, VILLAGE_B
from tests.factories import AssignmentFactory, UserFactory

pytestmark = pytest.mark.django_db
LEVELS = ["province", "regency", "district", "village"]


@pytest.fixture
def admin_32(db):
    """The staff administrator of Jawa Barat (32), with the admin's user permissions."""
    user = UserFactory(username="admin.jabar", is_staff=True)
    AssignmentFactory(user=user, role=Role.ADMINISTRATOR, area="32")
    user.user_permissions.set(
        Permission.objects.filter(codename__in=["view_user", "add_user", "change_user"])
        | Permission.objects.filter(codename__in=["view_assignment", "add_assignment", "change_assignment"])
    )
    return user


def area_fields(prefix: str, code: str) -> dict[str, str]:
    parts = code.split(".")
    return {f"{prefix}area__{level}": ".".join(parts[: i + 1]) for i, level in enumerate(LEVELS[: len(parts)])}


def assignment_fields(prefix: str, *, role: str, area: str, **extra: str) -> dict[str, str]:
    return {
        f"{prefix}role": role,
        **area_fields(prefix, area),
        f"{prefix}starts_on": "",
        f"{prefix}ends_on": "",
        f"{prefix}note": "",
        **{f"{prefix}{name}": value for name, value in extra.items()},
    }


def change_post(user: User, *, new_assignments: list[dict] | None = None, **fields: str) -> dict[str, str]:
    """The user's change form as the regional administrator's page posts it."""
    existing = list(Assignment.objects.filter(user=user).order_by("pk"))
    new_assignments = new_assignments or []
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "assignments-TOTAL_FORMS": str(len(existing) + len(new_assignments)),
        "assignments-INITIAL_FORMS": str(len(existing)),
        "assignments-MIN_NUM_FORMS": "0",
        "assignments-MAX_NUM_FORMS": "1000",
    }
    for i, assignment in enumerate(existing):
        data.update(
            assignment_fields(
                f"assignments-{i}-",
                role=assignment.role,
                area=assignment.area_code,
                id=str(assignment.pk),
                user=str(user.pk),
            )
        )
    for i, fields_of_new in enumerate(new_assignments, start=len(existing)):
        data.update(assignment_fields(f"assignments-{i}-", **fields_of_new))
    data.update(fields)
    return data


def test_the_user_list_shows_only_accounts_wholly_inside_the_area(client, admin_32, officer_a, officer_b):
    straddling = UserFactory(username="straddling")
    AssignmentFactory(user=straddling, role=Role.OFFICER, area=VILLAGE_A)
    AssignmentFactory(user=straddling, role=Role.OFFICER, area=VILLAGE_B)
    staff_32 = UserFactory(username="staff.32", is_staff=True)
    AssignmentFactory(user=staff_32, role=Role.OFFICER, area=VILLAGE_A)
    UserFactory(username="no.assignment")
    client.force_login(admin_32)
    html = client.get(reverse("admin:desmigratif_user_changelist")).content.decode()
    assert "officer.a" in html
    for hidden in ("officer.b", "straddling", "staff.32", "no.assignment", "admin.jabar"):
        assert f">{hidden}<" not in html, hidden
    found = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "desmigratif", "model_name": "assignment", "field_name": "user", "term": ""},
    ).json()
    assert [result["text"] for result in found["results"]] == ["officer.a"]


def test_another_provinces_officer_cannot_be_opened_nor_given_a_password(client, admin_32, officer_b):
    client.force_login(admin_32)
    assert client.get(reverse("admin:desmigratif_user_change", args=[officer_b.pk])).status_code == 404
    password_page = reverse("admin:auth_user_password_change", args=[officer_b.pk])
    assert client.get(password_page).status_code == 404
    posted = {"password1": "Sandi-baru-123", "password2": "Sandi-baru-123", "set_usable_password": "true"}
    assert client.post(password_page, posted).status_code == 404
    officer_b.refresh_from_db()
    assert not officer_b.check_password("Sandi-baru-123")
    assert client.get(reverse("admin:desmigratif_user_history", args=[officer_b.pk])).status_code == 404
    response = client.post(reverse("admin:desmigratif_user_change", args=[officer_b.pk]), change_post(officer_b))
    assert response.status_code == 404
    officer_b.refresh_from_db()
    assert Assignment.objects.get(user=officer_b).area_code == VILLAGE_B


def test_no_one_but_a_superuser_grants_superuser_staff_or_permissions(client, admin_32, officer_a):
    client.force_login(admin_32)
    response = client.post(
        reverse("admin:desmigratif_user_change", args=[admin_32.pk]),
        change_post(admin_32, is_superuser="on"),
    )
    admin_32.refresh_from_db()
    assert response.status_code == 404 and not admin_32.is_superuser  # their own account is not theirs
    everything = [str(pk) for pk in Permission.objects.values_list("pk", flat=True)]
    page = client.get(reverse("admin:desmigratif_user_change", args=[officer_a.pk])).content.decode()
    assert 'name="is_superuser"' not in page and 'name="user_permissions"' not in page
    response = client.post(
        reverse("admin:desmigratif_user_change", args=[officer_a.pk]),
        change_post(officer_a, first_name="Asih", is_superuser="on", is_staff="on", user_permissions=everything),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    officer_a.refresh_from_db()
    assert officer_a.first_name == "Asih"
    assert not officer_a.is_superuser and not officer_a.is_staff and not officer_a.user_permissions.exists()


def test_assignments_are_granted_only_inside_the_area(client, admin_32, officer_a, officer_b):
    client.force_login(admin_32)
    url = reverse("admin:desmigratif_user_change", args=[officer_a.pk])
    outside = change_post(officer_a, new_assignments=[{"role": Role.ADMINISTRATOR, "area": VILLAGE_B}])
    assert client.post(url, outside).status_code == 200  # the form again, with the error
    national = change_post(officer_a, new_assignments=[{"role": Role.ANALYST, "area": ""}])
    assert client.post(url, national).status_code == 200
    assert Assignment.objects.filter(user=officer_a).count() == 1
    inside = change_post(officer_a, new_assignments=[{"role": Role.COORDINATOR, "area": "32.12"}])
    assert client.post(url, inside).status_code == 302
    roles = sorted(Assignment.objects.filter(user=officer_a).values_list("role", flat=True))
    assert roles == ["coordinator", "officer"]

    mine = Assignment.objects.filter(user=officer_a).first()
    theirs = Assignment.objects.get(user=officer_b)
    html = client.get(reverse("admin:desmigratif_assignment_changelist")).content.decode()
    assert "officer.a" in html and "officer.b" not in html
    assert client.get(reverse("admin:desmigratif_assignment_change", args=[theirs.pk])).status_code == 404
    moved = {"user": officer_b.pk, **assignment_fields("", role=Role.OFFICER, area=VILLAGE_A)}
    assert client.post(reverse("admin:desmigratif_assignment_change", args=[mine.pk]), moved).status_code == 200
    assert client.post(reverse("admin:desmigratif_assignment_add"), moved).status_code == 200
    assert Assignment.objects.filter(user=officer_b).count() == 1


def test_a_new_account_starts_inside_the_area(client, admin_32):
    client.force_login(admin_32)
    base = {
        "username": "petugas.baru",
        "usable_password": "true",
        "password1": "Sandi-baru-123",
        "password2": "Sandi-baru-123",
        "assignments-INITIAL_FORMS": "0",
        "assignments-MIN_NUM_FORMS": "1",
        "assignments-MAX_NUM_FORMS": "1000",
    }
    without = {**base, "assignments-TOTAL_FORMS": "0"}
    assert client.post(reverse("admin:desmigratif_user_add"), without).status_code == 200
    elsewhere = {
        **base,
        "assignments-TOTAL_FORMS": "1",
        **assignment_fields("assignments-0-", role=Role.OFFICER, area=VILLAGE_B),
    }
    assert client.post(reverse("admin:desmigratif_user_add"), elsewhere).status_code == 200
    assert not User.objects.filter(username="petugas.baru").exists()
    inside = {**elsewhere, **assignment_fields("assignments-0-", role=Role.OFFICER, area=VILLAGE_A)}
    response = client.post(reverse("admin:desmigratif_user_add"), inside)
    created = User.objects.get(username="petugas.baru")
    assert response.status_code == 302 and response.url.endswith(f"/{created.pk}/change/")
    assert client.get(response.url).status_code == 200
    assert Assignment.objects.get(user=created).area_code == VILLAGE_A and not created.is_staff


def test_a_regional_administrator_cannot_revert_an_account_from_its_history(client, admin_32, officer_a):
    officer_a.is_staff = True
    officer_a.save()  # a version with staff rights, then a superuser takes them away
    officer_a.is_staff = False
    officer_a.save()
    client.force_login(admin_32)
    staff_version = officer_a.history.filter(is_staff=True).latest()
    url = reverse("admin:desmigratif_user_simple_history", args=[officer_a.pk, staff_version.history_id])
    response = client.post(url, change_post(officer_a))
    officer_a.refresh_from_db()
    assert response.status_code == 403 and not officer_a.is_staff


def test_a_superuser_manages_every_account(client, administrator, officer_b):
    client.force_login(administrator)
    html = client.get(reverse("admin:desmigratif_user_changelist")).content.decode()
    assert "officer.b" in html and "administrator" in html
    page = client.get(reverse("admin:desmigratif_user_change", args=[officer_b.pk])).content.decode()
    assert 'name="is_superuser"' in page
