"""A ministry analyst, in Debian's Chromium: logs in with her second factor, picks a past year
on the national dashboard, opens that year's annual report, drills down through the areas to
a village and downloads the workbook, whose figures are the page's."""

from __future__ import annotations

import datetime
import io

import pytest
from django.utils import timezone

from tests.browser.test_walkthrough import CHROMIUM, console_errors, shot
from tests.conftest import VILLAGE_A, VILLAGE_A_NEIGHBOUR, VILLAGE_B

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
playwright_api = pytest.importorskip("playwright.sync_api")

PASSWORD = "desmigratif-demo"
YEAR = timezone.localdate().year - 2  # a year that has ended


@pytest.fixture(autouse=True)
def async_unsafe_allowed(monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # see test_walkthrough.py


def at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))


@pytest.fixture
def programme_years(db):
    """Village A in the programme since 2019 with households registered over the years; B,
    with records, outside it."""
    from dashboards.services import figures_refresh
    from desmigratif.models import ProgrammeVillage
    from households.models import Household, MigrationEpisode
    from tests.factories import HouseholdFactory, PersonFactory

    ProgrammeVillage.objects.create(village_id=VILLAGE_A, cohort=2019)
    ProgrammeVillage.objects.create(village_id=VILLAGE_A_NEIGHBOUR, cohort=2019)
    for village, years in ((VILLAGE_A, (2019, 2020, YEAR, YEAR + 1)), (VILLAGE_B, (2020,))):
        for year in years:
            home = HouseholdFactory(village_id=village)
            Household.objects.filter(pk=home.pk).update(created_at=at(datetime.date(year, 3, 1)))
            worker = PersonFactory(household=home, birth_date=datetime.date(1990, 1, 1))
            MigrationEpisode.objects.create(
                person=worker, status="abroad", destination_country="MY", departure_date=datetime.date(year, 4, 1)
            )
    figures_refresh()


def log_in_with_second_factor(page, base: str, username: str) -> None:
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from desmigratif.models import User

    device = TOTPDevice.objects.create(user=User.objects.get(username=username), name="phone", confirmed=True)
    page.goto(f"{base}/masuk/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_load_state("networkidle")
    page.fill("input[name=token]", f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}")
    page.press("input[name=token]", "Enter")
    page.wait_for_load_state("networkidle")


def test_an_analyst_picks_a_year_drills_down_and_downloads_the_workbook(live_server, programme_years):
    from openpyxl import load_workbook

    from desmigratif.models import Role
    from tests.factories import AssignmentFactory, UserFactory

    AssignmentFactory(user=UserFactory(username="analis"), role=Role.ANALYST, area="")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB", accept_downloads=True)
        page = context.new_page()
        errors = console_errors(page)
        log_in_with_second_factor(page, live_server.url, "analis")
        page.goto(f"{live_server.url}/dasbor/")
        assert page.url.endswith("/dasbor/indonesia/")
        page.click("button[name=language][value=en]")
        page.wait_for_load_state("networkidle")

        # The year, on the national dashboard: programme villages only, the default.
        page.select_option("#option-period", str(YEAR))
        page.click("#dashboard-options button[type=submit]")
        page.wait_for_load_state("networkidle")
        assert f"period={YEAR}" in page.url
        assert page.locator("#headline-households").inner_text().strip() == "3"  # 2019, 2020 and YEAR, in A
        page.select_option("#option-villages", "all")
        page.click("#dashboard-options button[type=submit]")
        page.wait_for_load_state("networkidle")
        assert page.locator("#headline-households").inner_text().strip() == "4"  # and B's

        # Its annual report, then down the areas to the village.
        page.click("#annual-report-link")
        page.wait_for_load_state("networkidle")
        assert f"/laporan/{YEAR}/" in page.url
        page.select_option("#report-villages", "programme")
        page.click("#report-options button[type=submit]")
        page.wait_for_load_state("networkidle")
        for code in ("32", "32.12", "32.12.16", VILLAGE_A):
            page.click(f'#report-area-table a[href^="/dasbor/{code}/laporan/{YEAR}/"]')
            page.wait_for_load_state("networkidle")
            assert f"/dasbor/{code}/laporan/{YEAR}/" in page.url
        assert page.locator("#report-households td").first.inner_text().strip() == "3"
        shot(page, "browser-annual-report")

        with page.expect_download() as download:
            page.click("#report-xlsx")
        assert download.value.suggested_filename == f"laporan-desmigratif-{VILLAGE_A}-{YEAR}.xlsx"
        with open(download.value.path(), "rb") as file:
            book = load_workbook(io.BytesIO(file.read()), read_only=True)
        summary = next(sheet for sheet in book.worksheets if sheet.title.endswith("Summary"))
        rows = {row[0]: row[1] for row in summary.iter_rows(min_row=2, values_only=True)}
        assert rows["Households"] == 3 and rows["Programme villages"] == 1 and rows["Workers abroad"] == 3
        assert not errors, errors
        context.close()
        browser.close()
