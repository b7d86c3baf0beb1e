"""The portal on a village's 3G: a phone at 400 kbit/s each way with 400 ms of latency.

Serves the portal as in production (``production_portal.served``: collectstatic, gunicorn,
DEBUG=0, static files compressed and cached for a year by WhiteNoise) on the development
database (migrated and seeded with the demo users when needed, as ``make run`` does), and
drives Debian's Chromium through Playwright with the network throttled through the Chrome
DevTools Protocol (``Network.emulateNetworkConditions``). Per round, in a new browser profile:

* ``login_first``: the login page with an empty cache (bytes transferred and time to "load");
* the officer logs in (not timed), opens the household list once;
* ``repeat_page``: the household list again, its assets from the cache;
* ``household_form``: the new-household form, first visit of that page (assets cached);
* ``household_form_cold``: the same form with the cache cleared (bytes: the form's budget);
* ``floor``: ``/healthz`` (a few bytes): what the latency alone costs, the baseline.

Budgets (issue 17): login first visit <= 100 KB and <= 3 s; a repeat page <= 1.5 s; the
household form <= 150 KB on first visit and <= 2 s. BENCH_ROUNDS (3) rounds, medians reported.
The last line printed is one JSON object.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
CHROMIUM = "/usr/bin/chromium"
THREE_G = {"offline": False, "latency": 400, "downloadThroughput": 400_000 / 8, "uploadThroughput": 400_000 / 8}
OFFICER = "petugas.kenanga"  # a demo user (seed_demo), with DEMO_PASSWORD


class Meter:
    """Bytes a page transfers (compressed, headers included), from the DevTools protocol."""

    def __init__(self, page, throttle: bool) -> None:
        self.cdp = page.context.new_cdp_session(page)
        self.cdp.send("Network.enable")
        if throttle:
            self.cdp.send("Network.emulateNetworkConditions", THREE_G)
        self.bytes = 0
        self.cdp.on("Network.loadingFinished", self._finished)

    def _finished(self, event: dict) -> None:
        self.bytes += int(event.get("encodedDataLength", 0))

    def visit(self, page, url: str, *, cold: bool = False) -> tuple[int, float]:
        """(bytes, seconds to the load event) of opening ``url``."""
        if cold:
            self.cdp.send("Network.clearBrowserCache")
        self.bytes = 0
        started = time.perf_counter()
        page.goto(url, wait_until="load")
        elapsed = time.perf_counter() - started
        page.wait_for_load_state("networkidle")  # late requests (htmx on load) count for bytes
        return self.bytes, elapsed


def log_in(page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/masuk/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form button[type=submit]")
    page.wait_for_load_state("load")


def measure(base: str, username: str, password: str, *, throttle: bool = True) -> dict[str, float]:
    """One round in a fresh browser profile; see the module's docstring."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        # The service worker is blocked: its requests escape the page's throttling and byte count
        # (CDP emulates the page's network only). Without it a repeat page takes its static
        # files from the HTTP cache instead of the worker's: the same bytes, not fewer.
        context = browser.new_context(viewport={"width": 360, "height": 740}, locale="id-ID", service_workers="block")
        page = context.new_page()
        meter = Meter(page, throttle)
        figures: dict[str, float] = {}
        _bytes, figures["floor_s"] = meter.visit(page, f"{base}/healthz")
        figures["login_first_bytes"], figures["login_first_s"] = meter.visit(page, f"{base}/masuk/")
        log_in(page, base, username, password)
        meter.visit(page, f"{base}/layanan-migrasi/")
        figures["repeat_page_bytes"], figures["repeat_page_s"] = meter.visit(page, f"{base}/layanan-migrasi/")
        form = f"{base}/layanan-migrasi/rumah-tangga/baru/"
        figures["household_form_bytes"], figures["household_form_s"] = meter.visit(page, form)
        figures["household_form_cold_bytes"], figures["household_form_cold_s"] = meter.visit(page, form, cold=True)
        context.close()
        browser.close()
    return figures


def prepared_database() -> str:
    """The development database, migrated and seeded as ``make run`` leaves it; its URL."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "desmigratif.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from production_portal import database_url

    from desmigratif.models import User

    call_command("migrate", interactive=False, verbosity=0)
    if not User.objects.filter(username=OFFICER).exists():
        call_command("load_regions", verbosity=0)
        call_command("seed_demo", verbosity=0)
    url = database_url(connection.settings_dict)
    connection.close()
    return url


def main() -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    url = prepared_database()
    from production_portal import served

    from desmigratif.services import DEMO_PASSWORD

    rounds = []
    with served(url, workers=2) as portal:
        for number in range(ROUNDS):
            figures = measure(portal.base, OFFICER, DEMO_PASSWORD)
            rounds.append(figures)
            print(f"round {number + 1}: " + ", ".join(f"{k} {v:,.2f}" for k, v in figures.items()), flush=True)
    median = {key: statistics.median(r[key] for r in rounds) for key in rounds[0]}
    result = {
        "login_first_kb": round(median["login_first_bytes"] / 1000, 1),
        "login_first_s": round(median["login_first_s"], 2),
        "repeat_page_s": round(median["repeat_page_s"], 2),
        "household_form_s": round(median["household_form_s"], 2),
        "household_form_first_kb": round(median["household_form_cold_bytes"] / 1000, 1),
        "household_form_cold_s": round(median["household_form_cold_s"], 2),
        "repeat_page_kb": round(median["repeat_page_bytes"] / 1000, 1),
        "floor_s": round(median["floor_s"], 2),
        "network": "400 kbit/s down and up, 400 ms latency (CDP)",
        "rounds": ROUNDS,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
