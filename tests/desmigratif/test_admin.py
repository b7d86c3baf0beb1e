"""The admin: branded, searchable by code and name, scoped like the portal."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from desmigratif.models import Assignment, Role
from tests.conftest import VILLAGE_A, VILLAGE_B
from tests.factories import AssignmentFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_admin_is_branded(client, administrator):
    client.force_login(administrator)
    html = client.get(reverse("admin:index")).content.decode()
    assert "Portal Desmigratif" in html


def test_non_staff_cannot_open_the_admin(client, officer_a):
    client.force_login(officer_a)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and "login" in response.url


@pytest.mark.parametrize(("term", "expected"), [("32.12.16.2004", "Kenanga"), ("Kuripan", "33.07.10.2004")])
def test_village_admin_searches_code_and_name(client, administrator, term, expected):
    client.force_login(administrator)
    html = client.get(reverse("admin:desmigratif_village_changelist"), {"q": term}).content.decode()
    assert expected in html


def test_region_admin_is_read_only(client, administrator):
    client.force_login(administrator)
    url = reverse("admin:desmigratif_village_change", args=[VILLAGE_A])
    response = client.post(url, {"name": "Renamed"})
    assert response.status_code == 403


def test_staff_administrator_of_a_province_sees_only_its_villages(client):
    staff = UserFactory(username="admin.jateng", is_staff=True)
    staff.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_village", "view_assignment", "change_assignment"])
    )
    AssignmentFactory(user=staff, role=Role.ADMINISTRATOR, area="33")
    client.force_login(staff)
    html = client.get(reverse("admin:desmigratif_village_changelist"), {"q": "Kenanga"}).content.decode()
    assert VILLAGE_A not in html
    html = client.get(reverse("admin:desmigratif_village_changelist"), {"q": "Kuripan"}).content.decode()
    assert VILLAGE_B in html
    assert client.get(reverse("admin:desmigratif_village_change", args=[VILLAGE_A])).status_code == 404


def test_assignment_admin_sets_area_through_the_picker(client, administrator):
    user = UserFactory(username="new.officer")
    client.force_login(administrator)
    response = client.post(
        reverse("admin:desmigratif_assignment_add"),
        {
            "user": user.pk,
            "role": Role.OFFICER,
            "area__province": "32",
            "area__regency": "32.12",
            "area__district": "32.12.16",
            "area__village": VILLAGE_A,
            "starts_on": "",
            "ends_on": "",
            "note": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assignment = Assignment.objects.get(user=user)
    assert assignment.area_code == VILLAGE_A and assignment.village_id == VILLAGE_A


def test_assignment_admin_refuses_a_national_officer(client, administrator):
    user = UserFactory(username="nowhere.officer")
    client.force_login(administrator)
    response = client.post(
        reverse("admin:desmigratif_assignment_add"),
        {"user": user.pk, "role": Role.OFFICER, "starts_on": "", "ends_on": "", "note": ""},
    )
    assert response.status_code == 200
    assert not Assignment.objects.filter(user=user).exists()


def test_assignment_change_is_in_the_history(client, administrator, officer_a):
    assignment = Assignment.objects.get(user=officer_a)
    client.force_login(administrator)
    client.post(
        reverse("admin:desmigratif_assignment_change", args=[assignment.pk]),
        {
            "user": officer_a.pk,
            "role": Role.COORDINATOR,
            "area__province": "32",
            "area__regency": "32.12",
            "starts_on": "",
            "ends_on": "",
            "note": "promoted",
        },
    )
    assignment.refresh_from_db()
    assert assignment.role == Role.COORDINATOR and assignment.area_code == "32.12"
    latest = assignment.history.latest()
    assert latest.history_user == administrator and latest.role == Role.COORDINATOR


def test_second_factor_devices_are_for_administrators_and_their_keys_never_shown(client, administrator, officer_a):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=officer_a, name="ponsel", confirmed=True)
    staff = UserFactory(username="staff.viewer", is_staff=True)
    AssignmentFactory(user=staff, role=Role.OFFICER, area=VILLAGE_A)
    staff.user_permissions.set(Permission.objects.filter(codename__startswith="view_"))
    client.force_login(staff)
    assert client.get(reverse("admin:otp_totp_totpdevice_changelist")).status_code == 403
    assert client.get(reverse("admin:otp_totp_totpdevice_change", args=[device.pk])).status_code == 403
    assert "totpdevice" not in client.get(reverse("admin:index")).content.decode()

    client.force_login(administrator)
    html = client.get(reverse("admin:otp_totp_totpdevice_changelist")).content.decode()
    assert "officer.a" in html and device.key not in html
    html = client.get(reverse("admin:otp_totp_totpdevice_change", args=[device.pk])).content.decode()
    assert "ponsel" in html and device.key not in html and "qrcode" not in html
    for page in ("config", "qrcode"):  # django-otp's own pages of the key are gone
        response = client.get(f"{reverse('admin:otp_totp_totpdevice_changelist')}{device.pk}/{page}/", follow=True)
        assert device.key not in response.content.decode() and response.get("Content-Type") != "image/svg+xml"
    assert client.get(reverse("admin:otp_totp_totpdevice_add")).status_code == 403
    response = client.post(reverse("admin:otp_totp_totpdevice_delete", args=[device.pk]), {"post": "yes"})
    assert response.status_code == 302 and not TOTPDevice.objects.filter(pk=device.pk).exists()
