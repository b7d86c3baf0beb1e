"""A village officer's day on a 360 by 740 phone in Indonesian, in Debian's Chromium: a stay from
planned departure to return, two taps each; a case with two follow-ups, a referral letter and
an outcome; the home page's lists; a training's attendance in a village of 1,000 households
through the search picker; the village's export. No page of these flows weighs 100 KB of HTML."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.browser.test_walkthrough import CHROMIUM, console_errors, log_in, shot
from tests.conftest import VILLAGE_A

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
playwright_api = pytest.importorskip("playwright.sync_api")

PHONE = {"width": 360, "height": 740}
PAGE_BUDGET = 100_000  # bytes of HTML, as the phone holds the page (htmx fragments included)


@pytest.fixture(autouse=True)
def async_unsafe_allowed(monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # see test_walkthrough.py


@pytest.fixture
def phone():
    """A page in a phone-sized Chromium in Indonesian, logged in as village A's officer, and
    the weight of every page it is shown (checked at the end of the test)."""
    from desmigratif.models import Role
    from tests.factories import AssignmentFactory, UserFactory

    AssignmentFactory(user=UserFactory(username="petugas.kenanga"), role=Role.OFFICER, area=VILLAGE_A)
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        context = browser.new_context(viewport=PHONE, locale="id-ID", device_scale_factor=2, accept_downloads=True)
        page = context.new_page()
        page.errors = console_errors(page)
        page.weights = {}
        yield page
        context.close()
        browser.close()
    assert not page.errors, page.errors
    print("page weights (bytes of HTML):", sorted(page.weights.values()))  # noqa: T201 - the figures, with pytest -s
    heavy = {url: size for url, size in page.weights.items() if size >= PAGE_BUDGET}
    assert not heavy, heavy


def weigh(page) -> None:
    """Note how much HTML the page holds now."""
    page.wait_for_load_state("networkidle")
    page.weights[page.url] = max(page.weights.get(page.url, 0), len(page.content().encode()))


def go(page, url: str) -> None:
    page.goto(url)
    weigh(page)


def tap(page, selector: str) -> None:
    page.click(selector)
    weigh(page)


def wait_for_labels(page, how: str, start: str) -> None:
    """Wait until ``how`` ("every" or "some") choice of the picker starts with ``start``."""
    labels = "[...document.querySelectorAll('#id_persons__list label')]"
    page.wait_for_function(f"() => {labels}.length && {labels}.{how}(l => l.textContent.startsWith('{start}'))")


def test_a_stay_from_planned_departure_to_return_two_taps_each(live_server, phone):
    from households.models import EpisodeStatus, MigrationEpisode
    from tests.factories import PersonFactory

    worker = PersonFactory(household__village_id=VILLAGE_A, name="Sri Wahyuni", sex="F", relationship="wife")
    household = worker.household
    log_in(phone, live_server.url, "petugas.kenanga")

    # Preparing to leave for Taiwan in ten days: a planned date in the future, the checklist.
    planned = timezone.localdate() + datetime.timedelta(days=10)
    go(phone, live_server.url + reverse("households:episode-create", args=[worker.pk]))
    phone.select_option("select[name=status]", "preparing")
    phone.select_option("select[name=destination_country]", "TW")
    phone.fill("input[name=departure_date]", planned.isoformat())
    phone.check("input[name=passport_ready]")
    phone.check("input[name=medical_done]")
    shot(phone, "officer-day-planned-departure")
    tap(phone, "form button[type=submit].btn-primary")
    episode = MigrationEpisode.objects.get(person=worker)
    assert episode.status == EpisodeStatus.PREPARING and episode.departure_date == planned
    assert phone.url.endswith(household.get_absolute_url())
    assert "2 dari 6 siap" in phone.content()

    # She leaves earlier than planned: two taps, the date is today.
    tap(phone, f"#episode-{episode.pk} summary:has-text('Catat keberangkatan')")
    date_input = phone.locator(f"input[name=depart-{episode.pk}-departed_on]")
    assert date_input.input_value() == timezone.localdate().isoformat()
    tap(phone, f"#episode-{episode.pk} button:has-text('Simpan keberangkatan')")
    episode.refresh_from_db()
    assert episode.status == EpisodeStatus.ABROAD and episode.departure_date == timezone.localdate()
    assert "Belum siap sebelum berangkat" in phone.content()  # the checklist was not complete

    # She comes back: two taps, today and "contract ended" prefilled.
    tap(phone, f"#episode-{episode.pk} summary:has-text('Catat kepulangan')")
    assert (
        phone.locator(f"input[name=return-{episode.pk}-returned_on]").input_value() == timezone.localdate().isoformat()
    )
    shot(phone, "officer-day-return")
    tap(phone, f"#episode-{episode.pk} button:has-text('Simpan kepulangan')")
    episode.refresh_from_db()
    assert episode.status == EpisodeStatus.RETURNED and episode.actual_return == timezone.localdate()


def test_a_case_with_two_follow_ups_a_referral_letter_and_an_outcome(live_server, phone):
    from households.models import ServiceRequest
    from households.services import referral_targets_load
    from tests.factories import EpisodeFactory, PersonFactory

    referral_targets_load()
    mother = PersonFactory(household__village_id=VILLAGE_A, household__phone="081234567890", name="Ibu Warsini")
    daughter = PersonFactory(household=mother.household, name="Rina Lestari", sex="F", relationship="child")
    EpisodeFactory(person=daughter, destination_country="MY", employer_name="Tuan Lim", passport_number="C1234567")
    log_in(phone, live_server.url, "petugas.kenanga")

    # The mother calls: her daughter's wages are unpaid. The case is opened from the household.
    go(phone, f"{live_server.url}{mother.household.get_absolute_url()}")
    tap(phone, "a:has-text('Catat permohonan layanan')")
    phone.select_option("select[name=kind]", "complaint")
    phone.select_option("select[name=person_served]", str(mother.pk))
    phone.select_option("select[name=worker]", str(daughter.pk))
    phone.fill("textarea[name=description]", "Gaji tidak dibayar tiga bulan.")
    tap(phone, "form button[type=submit].btn-primary")
    case = ServiceRequest.objects.get()
    assert case.follow_up_on is not None  # never out of the alerts
    assert "081234567890" in phone.content() and "Tuan Lim" in phone.content()

    # Two follow-ups: a call, then a visit.
    for action, note in (("call", "Menelepon agensi di Kuala Lumpur."), ("visit", "Kunjungan ke rumah keluarga.")):
        if not phone.locator("details:has(summary:has-text('Catat tindak lanjut'))[open]").count():
            tap(phone, "summary:has-text('Catat tindak lanjut')")
        phone.select_option("select[name=action]", action)
        phone.fill("textarea[name=note]", note)
        tap(phone, "form[action$='/tindak-lanjut/'] button[type=submit]")
    assert case.follow_ups.count() == 2
    assert "Menelepon agensi" in phone.content() and "Kunjungan ke rumah" in phone.content()

    # Referred to the mission in Malaysia, chosen from the register; the letter is printable.
    tap(phone, f"a[href='{reverse('households:request-update', args=[case.pk])}']")
    phone.select_option("select[name=status]", "referred")
    phone.select_option("select[name=referred_to]", label="KBRI Kuala Lumpur")
    tap(phone, "form button[type=submit].btn-primary")
    case.refresh_from_db()
    assert case.status == "referred" and case.referred_to.name == "KBRI Kuala Lumpur"
    tap(phone, "a:has-text('Surat rujukan')")
    letter = phone.content()
    assert "KBRI Kuala Lumpur" in letter and case.number in letter and "C1234567" in letter
    assert phone.locator("[data-print]").count() == 1
    shot(phone, "officer-day-referral-letter")
    phone.go_back()

    # Closing needs an outcome.
    go(phone, live_server.url + reverse("households:request-update", args=[case.pk]))
    phone.select_option("select[name=status]", "closed")
    tap(phone, "form button[type=submit].btn-primary")
    case.refresh_from_db()
    assert case.status == "referred" and phone.locator("#id_outcome.is-invalid").count() == 1
    phone.fill("textarea[name=outcome]", "Gaji dibayar penuh setelah mediasi KBRI.")
    tap(phone, "form button[type=submit].btn-primary")
    case.refresh_from_db()
    assert case.status == "closed" and case.outcome.startswith("Gaji dibayar")


def test_the_home_page_says_what_to_do_today(live_server, phone):
    from households.models import EpisodeStatus, ServiceRequest
    from tests.factories import EpisodeFactory, PersonFactory

    today = timezone.localdate()
    leaving = PersonFactory(household__village_id=VILLAGE_A, name="Dewi Lestari")
    EpisodeFactory(person=leaving, status=EpisodeStatus.PREPARING, departure_date=today + datetime.timedelta(days=3))
    ending = PersonFactory(household__village_id=VILLAGE_A, name="Agus Santoso")
    EpisodeFactory(
        person=ending,
        departure_date=today - datetime.timedelta(days=700),
        contract_end=today + datetime.timedelta(days=30),
    )
    caller = PersonFactory(household__village_id=VILLAGE_A, name="Ibu Sumarni")
    ServiceRequest.objects.create(
        village_id=VILLAGE_A,
        kind="complaint",
        person_served=caller,
        description="x",
        follow_up_on=today - datetime.timedelta(days=2),
    )
    log_in(phone, live_server.url, "petugas.kenanga")
    go(phone, f"{live_server.url}/")
    phone.wait_for_selector("#today")
    weigh(phone)
    today_card = phone.locator("#today").inner_text()
    assert "Ibu Sumarni" in today_card and "Dewi Lestari" in today_card and "Agus Santoso" in today_card
    assert phone.locator("a:has-text('Daftarkan rumah tangga')").count() >= 1
    shot(phone, "officer-day-home")
    tap(phone, "#today a:has-text('Dewi Lestari')")
    assert phone.url.startswith(f"{live_server.url}{leaving.household.get_absolute_url()}")


def test_attendance_in_a_village_of_a_thousand_households_through_the_search_picker(live_server, phone):
    from households.models import Person
    from tests.factories import big_village, training

    big_village()
    event = training()
    log_in(phone, live_server.url, "petugas.kenanga")
    go(phone, live_server.url + reverse("enterprises:training-attendance", args=[event.pk]))
    assert phone.locator("input[name=persons]").count() == 20

    phone.select_option("select[name=persons__dusun]", "Sukamaju")
    phone.fill("input[name=persons__q]", "siti")
    wait_for_labels(phone, "every", "Siti ")
    weigh(phone)
    first_two = phone.locator("#id_persons__list input[name=persons]")
    chosen = [first_two.nth(0).get_attribute("value"), first_two.nth(1).get_attribute("value")]
    first_two.nth(0).check()
    first_two.nth(1).check()
    # Another search: the two ticked stay, on top.
    phone.select_option("select[name=persons__dusun]", "")
    phone.fill("input[name=persons__q]", "budi")
    wait_for_labels(phone, "some", "Budi")
    weigh(phone)
    ticked = phone.locator("#id_persons__list input[name=persons]:checked")
    assert sorted(ticked.evaluate_all("boxes => boxes.map(b => b.value)")) == sorted(chosen)
    phone.locator("#id_persons__list input[name=persons]:not(:checked)").first.check()
    shot(phone, "officer-day-attendance-picker")
    tap(phone, "form button[type=submit].btn-primary")
    participants = set(event.participants.values_list("pk", flat=True))
    assert len(participants) == 3 and {int(pk) for pk in chosen} <= participants
    assert Person.objects.filter(pk__in=participants, name__startswith="Budi").count() == 1


def test_an_officer_exports_the_villages_list(live_server, phone):
    from tests.factories import PersonFactory

    for n in range(12):
        PersonFactory(household__village_id=VILLAGE_A, name=f"Warga Kenanga {n}")
    PersonFactory(household__village_id="33.07.10.2004", name="Warga Kuripan")
    log_in(phone, live_server.url, "petugas.kenanga")
    go(phone, live_server.url + reverse("households:list"))
    with phone.expect_download() as download:
        phone.click("a:has-text('Ekspor CSV')")
    path = download.value.path()
    text = path.read_text(encoding="utf-8-sig")
    assert text.count("Warga Kenanga") == 12 and "Warga Kuripan" not in text
    assert download.value.suggested_filename.endswith("-12.csv")  # the count, not a date or time that holds "12"
