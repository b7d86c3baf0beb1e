"""Database connections under load (issue 14): the development server keeps none open between
requests (one user loading runserver used to hold all of PostgreSQL's connections idle), and when
PostgreSQL refuses new connections the portal says so (503) and recovers as soon as it accepts
them again, instead of staying down until restarted."""

from __future__ import annotations

import http.client
import time
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse

from desmigratif.services import DEMO_PASSWORD

pytestmark = pytest.mark.slow

FULL_ROLE = "desmigratif_no_connections_left"


def server_connections() -> set[int]:
    """The backends connected to the test database other than this test's own."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return {pid for (pid,) in cursor.fetchall()}


@pytest.mark.django_db(transaction=True)
def test_the_development_server_keeps_no_connection_between_requests(live_server):
    # The tests run with the development settings (DEBUG=1 when the settings were read).
    assert connection.settings_dict["CONN_MAX_AGE"] == 0
    before = server_connections()
    address = urlsplit(live_server.url)
    browsers = [http.client.HTTPConnection(address.hostname, address.port, timeout=10) for _ in range(8)]
    for browser in browsers:  # eight tabs, each keeping its HTTP connection open (keep-alive)
        browser.request("GET", reverse("health"))
        response = browser.getresponse()
        response.read()
        assert response.status == 200
    # Connections opened for the requests (others of the test run may come and go meanwhile).
    deadline = time.monotonic() + 5
    while server_connections() - before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not server_connections() - before
    for browser in browsers:
        browser.close()


@pytest.fixture
def no_connections_left(transactional_db):
    """PostgreSQL refusing every new connection, as when its connection limit is reached: a role
    whose own limit is zero ("too many connections for role"), which the portal's connection
    switches to; undone afterwards."""
    with connection.cursor() as cursor:
        cursor.execute(
            # The role is the server's, shared by parallel test runs: created once, whoever comes first.
            """DO $$ BEGIN
                CREATE ROLE desmigratif_no_connections_left LOGIN CONNECTION LIMIT 0;
                EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
                END $$"""
        )
    original = connection.settings_dict["USER"]

    def refuse(refusing: bool) -> None:
        connection.close()
        connection.settings_dict["USER"] = FULL_ROLE if refusing else original

    yield refuse
    refuse(False)


@override_settings(DEBUG=False)
def test_the_portal_recovers_when_connections_are_available_again(no_connections_left, officer_a):
    browser = Client(raise_request_exception=False)
    login = {"username": "officer.a", "password": DEMO_PASSWORD}
    no_connections_left(True)
    refused = browser.post(reverse("login"), login)
    assert refused.status_code == 503 and "basis data" in refused.content.decode().lower()
    assert browser.get(reverse("health")).status_code == 503
    no_connections_left(False)
    assert browser.get(reverse("health")).status_code == 200
    assert browser.post(reverse("login"), login).status_code == 302
    assert browser.get(reverse("home")).status_code == 200
