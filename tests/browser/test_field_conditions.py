"""Field conditions in Debian's Chromium on a phone, in Indonesian: a session that ends while the
officer types loses nothing (the draft is kept on the phone, offered back after logging in,
dropped once saved and at logout)."""

from __future__ import annotations

import time

import pytest
from django.conf import settings
from django.urls import reverse

from tests.browser.test_officer_day import PHONE
from tests.browser.test_walkthrough import CHROMIUM, console_errors, fill_members, log_in, pick_village, shot
from tests.conftest import VILLAGE_A

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
playwright_api = pytest.importorskip("playwright.sync_api")

DRAFTS = "Object.keys(localStorage).filter(key => key.startsWith('draft:'))"


@pytest.fixture(autouse=True)
def async_unsafe_allowed(monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # see test_walkthrough.py


@pytest.fixture
def officer():
    from desmigratif.models import Role
    from tests.factories import AssignmentFactory, UserFactory

    return AssignmentFactory(user=UserFactory(username="petugas.kenanga"), role=Role.OFFICER, area=VILLAGE_A).user


@pytest.fixture
def phone(officer):
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        context = browser.new_context(viewport=PHONE, locale="id-ID", device_scale_factor=2)
        page = context.new_page()
        errors = console_errors(page)
        yield page
        context.close()
        browser.close()
    assert not errors, errors


def forms_kept(page) -> None:
    """Wait until the service worker has kept the forms for use without a signal."""
    page.wait_for_function(
        "() => caches.open('desmigratif-pages-v1')"
        ".then(cache => cache.match('/layanan-migrasi/rumah-tangga/baru/')).then(Boolean)"
    )


def sessions_idle() -> None:
    """Every session as if its user had done nothing for longer than SESSION_IDLE_TIMEOUT."""
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session

    for row in Session.objects.all():
        store = SessionStore(session_key=row.session_key)
        store["_session_seen"] = time.time() - settings.SESSION_IDLE_TIMEOUT - 5
        store.save()


def test_a_draft_survives_a_session_that_ends_while_typing(live_server, phone):
    from households.models import Household

    base = live_server.url
    log_in(phone, base, "petugas.kenanga")
    phone.goto(base + reverse("households:create"))
    pick_village(phone, VILLAGE_A)
    phone.fill("input[name=kk_number]", "3212161503180077")
    phone.fill("input[name=dusun]", "Kenanga Lor")
    members = [
        ("3212161203850011", "Karsim", "M", "1985-03-12", "head"),
        ("3212164507880012", "Tarsih", "F", "1988-07-05", "wife"),
    ]
    fill_members(phone, members)
    phone.wait_for_function(f"() => {DRAFTS}.length === 1")  # kept as typed

    # Half an hour in the field without a signal: the session ends; "Simpan" lands on the login page.
    forms_kept(phone)  # the service worker is done with its own requests
    sessions_idle()
    phone.click("form button[type=submit].btn-primary")
    phone.wait_for_load_state("networkidle")
    assert phone.url.startswith(base + reverse("login"))
    assert "Sesi Anda berakhir setelah 30 menit tanpa aktivitas" in phone.locator("#session-ended").inner_text()
    assert not Household.objects.filter(kk_number="3212161503180077").exists()
    shot(phone, "field-session-ended")

    # Logging in again leads back to the form, which offers the draft.
    phone.fill("input[name=username]", "petugas.kenanga")
    phone.fill("input[name=password]", "desmigratif-demo")
    phone.click("form button[type=submit]")
    phone.wait_for_load_state("networkidle")
    assert phone.url == base + reverse("households:create")
    assert phone.locator("input[name=members-1-name]").count() == 0  # a fresh form, one member row
    phone.click("[data-draft-restore]")
    phone.wait_for_function("() => document.querySelector('input[name=\"members-1-name\"]')?.value === 'Tarsih'")
    assert phone.input_value("input[name=kk_number]") == "3212161503180077"
    assert phone.input_value("input[name=members-0-name]") == "Karsim"
    shot(phone, "field-draft-restored")
    phone.click("form button[type=submit].btn-primary")
    phone.wait_for_load_state("networkidle")
    household = Household.objects.get(kk_number="3212161503180077")
    assert sorted(household.members.values_list("name", flat=True)) == ["Karsim", "Tarsih"]
    assert household.dusun == "Kenanga Lor"
    assert phone.evaluate(f"{DRAFTS}.length") == 0  # saved: the draft is gone

    # A draft left behind is deleted at logout, after a warning.
    phone.goto(base + reverse("households:create"))
    phone.fill("input[name=dusun]", "Kenanga Kidul")
    phone.wait_for_function(f"() => {DRAFTS}.length === 1")
    dialogs: list[str] = []
    phone.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))
    if phone.locator(".navbar-toggler").is_visible():
        phone.click(".navbar-toggler")
        phone.wait_for_selector("#nav-main.show")  # the menu has finished opening
    phone.click(".navbar .dropdown-toggle")
    phone.wait_for_selector(".navbar .dropdown-menu.show form[data-logout] button", state="visible")
    phone.click("form[data-logout] button")
    phone.wait_for_selector("input[name=username]")  # logged out, on the login page
    assert dialogs and "draf: 1" in dialogs[0]
    assert phone.evaluate(f"{DRAFTS}.length") == 0


def photo_chosen(page, base: str, person, photo, *, kind: str):
    """On the household page, the person's document form with ``photo`` chosen and made
    smaller on the phone (documents.js); returns the person's card."""
    page.goto(base + person.household.get_absolute_url())
    card = page.locator(f"#person-{person.pk}")
    card.locator("summary:has-text('Lampirkan dokumen atau foto')").click()
    card.locator("select[name=kind]").select_option(kind)
    card.locator("input[name=file]").set_input_files(str(photo))
    page.wait_for_function(
        f"() => document.querySelector('#person-{person.pk} [data-downscale-note]').textContent.includes('KB')"
    )
    return card


def test_a_photo_taken_on_the_phone_is_attached_without_its_location(live_server, phone, documents_storage, tmp_path):
    from PIL import Image

    from desmigratif.models import Role
    from tests.factories import AssignmentFactory, PersonFactory, UserFactory
    from tests.households.test_documents import phone_photo

    worker = PersonFactory(household__village_id=VILLAGE_A, name="Sri Wahyuni")
    photo = tmp_path / "IMG_20261129_101500.jpg"
    photo.write_bytes(phone_photo(4000, 3000))
    base = live_server.url
    log_in(phone, base, "petugas.kenanga")
    card = photo_chosen(phone, base, worker, photo, kind="passport")
    card.locator("button:has-text('Lampirkan')").click()
    phone.wait_for_load_state("networkidle")
    document = worker.documents.get()
    with documents_storage.open(document.file.name) as kept:
        stored = Image.open(kept)
        stored.load()
    assert max(stored.size) <= 1600 and not stored.getexif()
    shot(phone, "field-document-attached")

    # The officer opens it; another village's officer cannot.
    link = phone.locator(f"a[href='{document.get_absolute_url()}']")
    assert link.count() == 1
    assert phone.request.get(base + document.get_absolute_url()).status == 200
    AssignmentFactory(user=UserFactory(username="petugas.kuripan"), role=Role.OFFICER, area="33.07.10.2004")
    other = phone.context.browser.new_context(viewport=PHONE, locale="id-ID")
    stranger = other.new_page()
    log_in(stranger, base, "petugas.kuripan")
    assert stranger.request.get(base + document.get_absolute_url()).status == 404
    other.close()


def fill_household(page, base: str, kk: str, head: str) -> None:
    page.goto(base + reverse("households:create"))
    pick_village(page, VILLAGE_A)
    page.fill("input[name=kk_number]", kk)
    page.fill("input[name=members-0-name]", head)
    page.select_option("select[name=members-0-sex]", "M")
    page.fill("input[name=members-0-birth_date]", "1985-03-12")
    page.select_option("select[name=members-0-relationship]", "head")


def outbox_count(page) -> int:
    badge = page.locator("[data-outbox-link]")
    return 0 if badge.is_hidden() else int(badge.inner_text().split()[0])


def test_a_household_registered_without_a_signal_is_saved_once_when_it_returns(live_server, phone):
    from households.models import Household

    base = live_server.url
    log_in(phone, base, "petugas.kenanga")
    fill_household(phone, base, "3212161503180099", "Darsono")
    phone.context.set_offline(True)
    phone.click("form button[type=submit].btn-primary")
    phone.wait_for_selector("text=Disimpan di ponsel ini: akan dikirim saat ada sinyal.")
    assert outbox_count(phone) == 1 and not Household.objects.filter(kk_number="3212161503180099").exists()
    shot(phone, "field-offline-saved")

    phone.context.set_offline(False)  # the signal returns: the outbox sends by itself
    phone.wait_for_function("() => document.querySelector('[data-outbox-link]').hidden")
    assert Household.objects.filter(kk_number="3212161503180099").count() == 1
    phone.goto(base + reverse("outbox"))
    phone.wait_for_selector(".outbox-entry[data-status=sent]")
    phone.click("#outbox-send")  # sending again sends nothing twice
    phone.wait_for_load_state("networkidle")
    assert Household.objects.filter(kk_number="3212161503180099").count() == 1
    household = Household.objects.get(kk_number="3212161503180099")
    assert phone.locator(f".outbox-entry a[href='{household.get_absolute_url()}']").count() == 1


def test_an_entry_the_server_refuses_shows_why_and_can_be_fixed(live_server, phone):
    from households.models import Household

    base = live_server.url
    log_in(phone, base, "petugas.kenanga")
    fill_household(phone, base, "3212161503", "Warsito")  # a No. KK cut short
    phone.context.set_offline(True)
    phone.click("form button[type=submit].btn-primary")
    phone.wait_for_selector("text=Disimpan di ponsel ini: akan dikirim saat ada sinyal.")
    phone.context.set_offline(False)
    phone.goto(base + reverse("outbox"))
    phone.wait_for_selector(".outbox-entry[data-status=refused]")
    entry = phone.locator(".outbox-entry[data-status=refused]")
    assert "16" in entry.locator("[data-messages]").inner_text()  # the server's reason: 16 digits
    shot(phone, "field-outbox-refused")
    assert not Household.objects.exists()

    entry.locator("[data-fix]").click()  # back to the form, the entry as a draft to restore
    phone.wait_for_url(base + reverse("households:create"))
    phone.click("[data-draft-restore]")
    phone.wait_for_function("() => document.querySelector('input[name=members-0-name]').value === 'Warsito'")
    phone.fill("input[name=kk_number]", "3212161503180098")
    phone.click("form button[type=submit].btn-primary")
    phone.wait_for_load_state("networkidle")
    assert Household.objects.get().members.get().name == "Warsito"
    assert outbox_count(phone) == 0


def test_a_photo_taken_without_a_signal_waits_in_the_outbox(live_server, phone, tmp_path):
    from tests.factories import PersonFactory
    from tests.households.test_documents import phone_photo

    worker = PersonFactory(household__village_id=VILLAGE_A, name="Sri Wahyuni")
    photo = tmp_path / "ktp.jpg"
    photo.write_bytes(phone_photo(1200, 900))
    base = live_server.url
    log_in(phone, base, "petugas.kenanga")
    card = photo_chosen(phone, base, worker, photo, kind="ktp")
    phone.context.set_offline(True)
    card.locator("button:has-text('Lampirkan')").click()
    phone.wait_for_selector("text=Disimpan di ponsel ini: akan dikirim saat ada sinyal.")
    assert not worker.documents.exists()
    phone.context.set_offline(False)
    phone.wait_for_function("() => document.querySelector('[data-outbox-link]').hidden")
    document = worker.documents.get()
    assert document.kind == "ktp" and document.content_type == "image/jpeg"
