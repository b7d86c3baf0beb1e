"""The portal in a real browser: Playwright driving Debian's Chromium against a live server,
with the task worker running beside it, as `make run` does.

An officer on a phone registers a household with two members and a worker abroad, uploads
a CSV and confirms it while the progress bar moves; a coordinator opens the dashboard and
drills down to a village; the language switch works. Screenshots go to BROWSER_SCREENSHOTS
(default .data/screenshots/). Without /usr/bin/chromium the tests are skipped, unless
REQUIRE_BROWSER=1 (CI installs it and sets that)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from django.conf import settings

from tests.conftest import VILLAGE_A
from tests.workers import start_worker

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path(os.environ.get("BROWSER_SCREENSHOTS", settings.BASE_DIR / ".data" / "screenshots"))
PHONE = {"width": 390, "height": 844}
PASSWORD = "desmigratif-demo"

if not CHROMIUM.exists():
    if os.environ.get("REQUIRE_BROWSER") == "1":
        raise RuntimeError("REQUIRE_BROWSER=1 but /usr/bin/chromium is missing: apt-get install chromium")
    pytest.skip("Debian's chromium is not installed", allow_module_level=True)

playwright_api = pytest.importorskip("playwright.sync_api")

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture
def worker(live_server):
    """`manage.py db_worker` on the test database, as beside the web server in `make run`."""
    process = start_worker()
    yield process
    process.terminate()
    process.wait(timeout=20)


@pytest.fixture(autouse=True)
def async_unsafe_allowed(monkeypatch):
    # Playwright's sync API keeps an event loop in this thread; the ORM calls here are plain
    # synchronous test code, so Django's guard against async contexts does not apply.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def browser():
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield chromium
        chromium.close()


def log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/masuk/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_load_state("networkidle")


def console_errors(page) -> list[str]:
    """Errors the page logs; htmx's note that a poll was cut short by leaving the page is not one."""
    errors: list[str] = []

    def keep(message) -> None:
        if message.type == "error" and not message.text.startswith(("htmx:sendAbort", "htmx:afterRequest")):
            errors.append(f"{message.text} ({message.location.get('url')}:{message.location.get('lineNumber')})")

    page.on("console", keep)
    return errors


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)


def pick_village(page, code: str) -> None:
    """The cascading picker: choose each level that is offered."""
    parts = code.split(".")
    for level, name in enumerate(("province", "regency", "district", "village"), start=1):
        select = page.locator(f"select[name=village__{name}]")
        if select.count() and select.is_enabled():
            select.select_option(".".join(parts[:level]))
            page.wait_for_load_state("networkidle")


def fill_members(page, members: list[tuple[str, str, str, str, str]]) -> None:
    """The household form's member rows, adding rows as needed: (NIK, name, sex, born, relationship)."""
    for index, (nik, name, sex, born, relationship) in enumerate(members):
        if not page.locator(f"input[name=members-{index}-name]").count():
            page.click("#add-member")
            page.wait_for_selector(f"input[name=members-{index}-name]")
        page.fill(f"input[name=members-{index}-nik]", nik)
        page.fill(f"input[name=members-{index}-name]", name)
        page.select_option(f"select[name=members-{index}-sex]", sex)
        page.fill(f"input[name=members-{index}-birth_date]", born)
        page.select_option(f"select[name=members-{index}-relationship]", relationship)


def test_an_officer_registers_a_family_and_imports_a_file_on_a_phone(live_server, worker, browser, tmp_path):
    from desmigratif.models import Role
    from households.models import Household, ImportBatch, MigrationEpisode
    from tests.factories import AssignmentFactory, UserFactory

    officer = AssignmentFactory(user=UserFactory(username="petugas.kenanga"), role=Role.OFFICER, area=VILLAGE_A).user
    context = browser.new_context(viewport=PHONE, locale="id-ID", device_scale_factor=2)
    page = context.new_page()
    errors = console_errors(page)
    log_in(page, live_server.url, "petugas.kenanga")

    # A household with two members.
    page.goto(f"{live_server.url}/layanan-migrasi/rumah-tangga/baru/")
    pick_village(page, VILLAGE_A)
    page.fill("input[name=kk_number]", "3212161503180001")
    page.fill("input[name=dusun]", "Kenanga Kidul")
    members = [
        ("3212161203850001", "Slamet Riyadi", "M", "1985-03-12", "head"),
        ("3212164507880002", "Sri Wahyuni", "F", "1988-07-05", "wife"),
    ]
    fill_members(page, members)
    shot(page, "browser-household-form-phone")
    page.click("form button[type=submit].btn-primary")
    page.wait_for_load_state("networkidle")
    household = Household.objects.get(kk_number="3212161503180001")
    assert household.members.count() == 2
    assert page.url.endswith(household.get_absolute_url())

    # Editing it: saved members are drawn closed; the officer opens one (htmx) and changes it.
    page.goto(f"{live_server.url}/layanan-migrasi/rumah-tangga/{household.pk}/ubah/")
    assert not page.locator("input[name=members-1-name]").count()
    page.click("#member-1 button")
    page.wait_for_selector("input[name=members-1-occupation]")
    page.fill("input[name=members-1-occupation]", "Pekerja rumah tangga")
    page.fill("input[name=address]", "Jl. Kenanga 3")
    page.click("form button[type=submit].btn-primary")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith(household.get_absolute_url())
    assert household.members.get(name="Sri Wahyuni").occupation == "Pekerja rumah tangga"
    assert household.members.get(name="Slamet Riyadi").version == 1

    # The list's filters are fetched when the officer opens them.
    page.goto(f"{live_server.url}/layanan-migrasi/?q=Sri")
    assert not page.locator("select[name=country]").count()
    page.click("details summary")
    page.wait_for_selector("select[name=country]")
    # On the phone the list reads without sideways scrolling, the page's or the table's.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    table = page.locator(".table-responsive")
    assert table.evaluate("box => box.scrollWidth <= box.clientWidth")

    # The wife works abroad.
    wife = household.members.get(name="Sri Wahyuni")
    page.goto(f"{live_server.url}/layanan-migrasi/anggota/{wife.pk}/migrasi/baru/")
    page.select_option("select[name=status]", "abroad")
    page.select_option("select[name=destination_country]", "HK")
    page.select_option("select[name=sector]", "informal")
    page.fill("input[name=departure_date]", "2024-02-01")
    page.click("form button[type=submit].btn-primary")
    page.wait_for_load_state("networkidle")
    assert MigrationEpisode.objects.filter(person=wife, status="abroad", destination_country="HK").exists()
    shot(page, "browser-household-phone")

    # An import: upload, watch the check, confirm, watch the write.
    sys.path.insert(0, str(settings.BASE_DIR / "benchmarks"))
    from reference_file import write_reference_file

    csv_path = tmp_path / "rumah-tangga.csv"
    write_reference_file(csv_path, 60, [VILLAGE_A])
    page.goto(f"{live_server.url}/layanan-migrasi/impor/")
    page.set_input_files("input[type=file]", str(csv_path))
    page.click("form button[type=submit].btn-primary")
    page.wait_for_selector("#batch-status")
    seen_progress = page.locator("progress").count() > 0
    page.wait_for_selector("form[action*='/simpan/']", timeout=60_000)
    shot(page, "browser-import-preview-phone")
    if page.locator("input[name=mode][value=valid]").count():
        page.check("input[name=mode][value=valid]")
    page.click("form[action*='/simpan/'] button[type=submit]")
    seen_progress = seen_progress or page.locator("progress").count() > 0
    page.wait_for_function(
        "() => !document.querySelector('#batch-status[hx-get]')", timeout=90_000
    )  # polling stops when the batch is done
    batch = ImportBatch.objects.get(user=officer)
    assert batch.status == ImportBatch.Status.COMMITTED, (batch.status, batch.message)
    assert seen_progress
    assert Household.objects.filter(village_id=VILLAGE_A).count() > 40
    shot(page, "browser-import-done-phone")
    assert not errors, errors
    context.close()


def test_a_coordinator_drills_down_and_switches_language(live_server, worker, browser):
    from dashboards.services import figures_refresh
    from desmigratif.models import Role
    from tests.factories import AssignmentFactory, HouseholdFactory, PersonFactory, UserFactory

    AssignmentFactory(user=UserFactory(username="koordinator"), role=Role.COORDINATOR, area="32.12")
    for _ in range(3):
        PersonFactory(household=HouseholdFactory(village_id=VILLAGE_A))
    figures_refresh()
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="id-ID")
    page = context.new_page()
    errors = console_errors(page)
    log_in(page, live_server.url, "koordinator")
    page.goto(f"{live_server.url}/dasbor/")
    assert page.url.endswith("/dasbor/32.12/")
    for code in ("32.12.16", VILLAGE_A):
        page.click(f'#child-areas a[href="/dasbor/{code}/"]')
        page.wait_for_load_state("networkidle")
        assert page.url.endswith(f"/dasbor/{code}/")
    assert page.locator("#headline-households").inner_text().strip() == "3"
    assert page.locator(".dashboard-panel canvas").count() > 5
    shot(page, "browser-dashboard-village")
    assert page.locator("html").get_attribute("lang") == "id"
    page.click("button[name=language][value=en]")
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Households" in page.content()
    assert not errors, errors
    context.close()
