"""Light on 3G: under production settings (gunicorn, DEBUG=0, WhiteNoise's compressed and
fingerprinted static files), the first visit to the login page transfers at most 100 KB and
the household form at most 150 KB with an empty cache; static files are cached for a year, and
Chart.js loads only where charts are drawn. Bytes are counted by Chromium (DevTools protocol);
the times on a throttled network are `make bench-3g`'s, not a test's."""

from __future__ import annotations

import sys

import pytest
from django.conf import settings
from django.db import connection

from tests.browser.test_walkthrough import CHROMIUM, PASSWORD
from tests.conftest import VILLAGE_A

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
playwright_api = pytest.importorskip("playwright.sync_api")

LOGIN_BUDGET = 100_000
HOUSEHOLD_FORM_BUDGET = 150_000


@pytest.fixture(autouse=True)
def async_unsafe_allowed(monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # see test_walkthrough.py


@pytest.fixture
def portal():
    """The portal served as in production on the test database."""
    sys.path.insert(0, str(settings.BASE_DIR / "benchmarks"))
    from production_portal import database_url, served

    with served(database_url(connection.settings_dict), workers=1) as running:
        yield running


def test_first_visits_fit_a_village_phone_budget(portal):
    from three_g import Meter, log_in

    from desmigratif.models import Role
    from tests.factories import AssignmentFactory, UserFactory

    AssignmentFactory(user=UserFactory(username="petugas.kenanga"), role=Role.OFFICER, area=VILLAGE_A)
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        # As `make bench-3g`: the service worker's own requests would escape the byte count.
        context = browser.new_context(viewport={"width": 360, "height": 740}, locale="id-ID", service_workers="block")
        page = context.new_page()
        scripts: list[str] = []
        static_caching: dict[str, str] = {}

        def note(response) -> None:
            if response.request.resource_type == "script":
                scripts.append(response.url)
            if "/static/" in response.url:
                static_caching[response.url] = response.headers.get("cache-control", "")

        page.on("response", note)
        meter = Meter(page, throttle=False)

        login_bytes, _seconds = meter.visit(page, f"{portal.base}/masuk/")
        assert login_bytes <= LOGIN_BUDGET, login_bytes
        log_in(page, portal.base, "petugas.kenanga", PASSWORD)
        assert page.url.rstrip("/") == portal.base  # logged in, on the home page

        form_bytes, _seconds = meter.visit(page, f"{portal.base}/layanan-migrasi/rumah-tangga/baru/", cold=True)
        assert form_bytes <= HOUSEHOLD_FORM_BUDGET, form_bytes
        assert page.locator("input[name=kk_number]").count() == 1

        assert static_caching and all("max-age=315360000" in value for value in static_caching.values()), static_caching
        assert not [url for url in scripts if "chart" in url.lower()]  # no charts on these pages
        context.close()
        browser.close()
