"""The API's documentation in Debian's Chromium: Swagger UI from the portal's own static files
draws every endpoint of the schema, under the portal's Content Security Policy (no console
error: a refused inline script or style would log one)."""

from __future__ import annotations

import pytest

from tests.browser.test_walkthrough import CHROMIUM, console_errors, log_in, shot
from tests.conftest import VILLAGE_A

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
playwright_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(autouse=True)
def async_unsafe_allowed(monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # see test_walkthrough.py


def test_the_api_documentation_renders_every_endpoint(live_server):
    from desmigratif.models import Role
    from tests.factories import AssignmentFactory, UserFactory

    AssignmentFactory(user=UserFactory(username="petugas"), role=Role.OFFICER, area=VILLAGE_A)
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        errors = console_errors(page)
        requests: list[str] = []
        page.on("request", lambda request: requests.append(request.url))
        log_in(page, live_server.url, "petugas")
        page.goto(f"{live_server.url}/api/docs/")
        page.wait_for_selector(".opblock-summary-path", timeout=20_000)
        paths = page.locator(".opblock-summary-path").all_inner_texts()
        assert any("/api/v1/households/" in path for path in paths)
        assert any("/api/v1/children/{id}/" in path.replace("\u200b", "") for path in paths)
        assert all(url.startswith(live_server.url) for url in requests), "every file from the portal itself"
        shot(page, "api-docs")
        assert not errors, errors
        browser.close()
