"""Logging in: throttling per username and address, Argon2, session timeouts, and the second
factor that administrators and ministry analysts must have. These use Django's plain test
client: the shared one logs its users in with the second factor already passed."""

import datetime
import time

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.contrib.auth.hashers import check_password, make_password
from django.db.models import F
from django.test import Client, override_settings
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from desmigratif.services import DEMO_PASSWORD
from tests.conftest import VILLAGE_A
from tests.factories import AssignmentFactory, UserFactory

pytestmark = pytest.mark.django_db


def log_in(client, username, password, address="10.0.0.1"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def code(device) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


# --- throttling -------------------------------------------------------------------------------------


def test_five_wrong_passwords_lock_that_username_from_that_address(officer_a):
    client = Client()
    for _ in range(4):
        assert log_in(client, "officer.a", "wrong").status_code == 200
    assert log_in(client, "officer.a", "wrong").status_code == 429  # the fifth locks
    locked = log_in(client, "officer.a", DEMO_PASSWORD)
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_shared_uplink_does_not_lock_out_the_other_officers(officer_a, officer_b):
    client = Client()
    for _ in range(6):
        log_in(client, "officer.a", "wrong")
    assert log_in(Client(), "officer.b", DEMO_PASSWORD).status_code == 302  # same address, other user
    assert log_in(Client(), "officer.a", DEMO_PASSWORD, address="10.0.0.2").status_code == 302  # other address


def minutes_pass(minutes: int) -> None:
    """The clock moves on for the throttle: every recorded failure is that much older."""
    shift = datetime.timedelta(minutes=minutes)
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - shift)
    AccessFailureLog.objects.update(attempt_time=F("attempt_time") - shift)


def test_a_lockout_ends_a_quarter_of_an_hour_after_it_began_however_often_someone_tries(officer_a):
    client = Client()
    for _ in range(5):
        log_in(client, "officer.a", "wrong")
    minutes_pass(10)
    for _ in range(20):  # someone behind the same village address keeps trying
        assert log_in(client, "officer.a", "wrong").status_code == 429
    assert log_in(client, "officer.a", DEMO_PASSWORD).status_code == 429
    minutes_pass(6)
    assert log_in(client, "officer.a", DEMO_PASSWORD).status_code == 302


@override_settings(LOGIN_ADDRESS_FAILURE_LIMIT=10)
def test_password_spraying_from_one_address_is_slowed(officer_a, officer_b):
    client = Client()
    for n in range(10):  # one password against many usernames, none failing five times
        assert log_in(client, f"petugas.{n}", "Rahasia123").status_code == 200
    locked = log_in(Client(), "officer.a", DEMO_PASSWORD)
    assert locked.status_code == 429 and locked.wsgi_request.address_locked  # the page says why
    assert log_in(Client(), "officer.b", DEMO_PASSWORD, address="10.0.0.9").status_code == 302  # other address
    minutes_pass(16)
    assert log_in(Client(), "officer.a", DEMO_PASSWORD).status_code == 302


def test_a_successful_login_clears_the_count(officer_a):
    client = Client()
    for _ in range(4):
        log_in(client, "officer.a", "wrong")
    assert log_in(client, "officer.a", DEMO_PASSWORD).status_code == 302
    client.post(reverse("logout"))
    for _ in range(4):
        log_in(client, "officer.a", "wrong")
    assert log_in(client, "officer.a", DEMO_PASSWORD).status_code == 302


# --- passwords and sessions ----------------------------------------------------------------------------


def test_passwords_are_hashed_with_argon2():
    hashed = make_password("kata-sandi-yang-panjang")
    assert hashed.startswith("argon2$")
    assert check_password("kata-sandi-yang-panjang", hashed)


def test_a_session_ends_after_30_idle_minutes(officer_a, settings):
    client = Client()
    log_in(client, "officer.a", DEMO_PASSWORD)
    assert client.get(reverse("home")).status_code == 200
    session = client.session
    session["_session_seen"] = time.time() - settings.SESSION_IDLE_TIMEOUT - 1
    session.save()
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert client.get(reverse("home")).status_code == 302  # logged out, not just redirected once


def test_a_session_ends_12_hours_after_the_login_even_when_active(officer_a, settings):
    client = Client()
    log_in(client, "officer.a", DEMO_PASSWORD)
    session = client.session
    session["_session_started"] = time.time() - settings.SESSION_ABSOLUTE_TIMEOUT - 1
    session["_session_seen"] = time.time()
    session.save()
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_activity_keeps_a_session_alive(officer_a, settings):
    client = Client()
    log_in(client, "officer.a", DEMO_PASSWORD)
    session = client.session
    session["_session_seen"] = time.time() - settings.SESSION_IDLE_TIMEOUT + 120
    session.save()
    assert client.get(reverse("home")).status_code == 200
    assert client.session["_session_seen"] > time.time() - 5  # the visit counted


# --- the second factor -------------------------------------------------------------------------------------


def test_an_analyst_must_set_up_a_second_factor_first(db):
    analyst = AssignmentFactory(user=UserFactory(username="analis"), role="analyst", area="").user
    client = Client()
    log_in(client, "analis", DEMO_PASSWORD)
    response = client.get(reverse("dashboards:national"))
    assert response.status_code == 302 and response.url.startswith(reverse("two-factor-setup"))
    page = client.get(response.url)
    assert page.status_code == 200 and "<svg" in page.text
    device = TOTPDevice.objects.get(user=analyst, confirmed=False)
    assert client.post(response.url, {"token": "000000", "next": "/dasbor/indonesia/"}).status_code == 200
    device.refresh_from_db()
    device.throttle_reset()  # a wrong code makes the device wait a second or more before the next one
    done = client.post(response.url, {"token": code(device), "next": "/dasbor/indonesia/"})
    assert done.status_code == 302 and done.url == "/dasbor/indonesia/"
    assert client.get(reverse("dashboards:national")).status_code == 200
    device.refresh_from_db()
    assert device.confirmed


def test_an_administrator_with_a_device_enters_its_code_at_each_login(db):
    admin = UserFactory(username="admin.portal", is_staff=True, is_superuser=True)
    device = TOTPDevice.objects.create(user=admin, name="phone", confirmed=True)
    client = Client()
    log_in(client, "admin.portal", DEMO_PASSWORD)
    for url in (reverse("home"), reverse("admin:index"), reverse("households:list")):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("two-factor-verify")), url
    wrong = client.post(reverse("two-factor-verify"), {"token": "123456"})
    assert wrong.status_code == 200 and client.get(reverse("home")).status_code == 302
    device.refresh_from_db()
    device.throttle_reset()  # a wrong code makes the device wait a second or more before the next one
    right = client.post(reverse("two-factor-verify"), {"token": code(device), "next": reverse("admin:index")})
    assert right.url == reverse("admin:index")
    assert client.get(reverse("admin:index")).status_code == 200


def test_officers_may_use_a_second_factor_but_need_not(db):
    officer = AssignmentFactory(user=UserFactory(username="petugas"), role="officer", area=VILLAGE_A).user
    client = Client()
    log_in(client, "petugas", DEMO_PASSWORD)
    assert client.get(reverse("households:list")).status_code == 200
    page = client.get(reverse("two-factor-setup"))
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=officer)
    client.post(reverse("two-factor-setup"), {"token": code(device)})
    client.post(reverse("logout"))
    log_in(client, "petugas", DEMO_PASSWORD)
    response = client.get(reverse("households:list"))
    assert response.url.startswith(reverse("two-factor-verify"))  # once set up, always asked


def test_the_next_address_must_stay_on_the_portal(db):
    analyst = AssignmentFactory(user=UserFactory(username="analis2"), role="analyst", area="").user
    client = Client()
    log_in(client, "analis2", DEMO_PASSWORD)
    client.get(reverse("two-factor-setup"))
    device = TOTPDevice.objects.get(user=analyst)
    response = client.post(reverse("two-factor-setup"), {"token": code(device), "next": "https://evil.example/"})
    assert response.url == "/"


def test_a_staff_officer_must_set_up_a_second_factor_before_the_admin(db):
    AssignmentFactory(user=UserFactory(username="staf.desa", is_staff=True), role="officer", area=VILLAGE_A)
    client = Client()
    log_in(client, "staf.desa", DEMO_PASSWORD)
    for url in (reverse("admin:index"), reverse("admin:households_household_import"), reverse("households:list")):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("two-factor-setup")), url
