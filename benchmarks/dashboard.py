"""Dashboards and the household list at national scale (1,000,000 households by default).

Run: `make bench-dashboard` (or `DEBUG=1 .venv/bin/python benchmarks/dashboard.py`).

Uses the kept scale database (benchmarks/scale_database.py: made with `seed_scale` on the
first run, about 4 minutes per million households, then reused). Then, on that data:

* ``full_refresh_s``: a full refresh of the summary tables (every village, every level);
* dashboards, warm: server time of the national page and of the three biggest provinces'
  pages through Django's test client (middleware, view, template; no network), as a
  ministry analyst, 40 rounds after 3 unmeasured ones; ``dashboard_p95_ms`` over all of them;
* dashboards, cold: the first national and province page of a fresh process (imports,
  connection, template compilation): ``dashboard_cold_ms`` is the slower of the two;
* baseline in the same run: the same national panels counted live from the register
  (``LiveFigures``), once, to show what the summary saves;
* household list as an administrator (the whole country): first page of each sort, a
  page half a million rows deep (keyset cursor) of each sort, and name searches;
  ``list_p95_ms`` over all of them;
* ``report_p95_ms``: the annual report of last year (national, with programme villages and
  with all villages, and the three biggest provinces) and the national dashboard of that
  year, warm, as the analyst; the scale data is first given a programme (one village in ten
  with households, cohorts 2016-2021) and registration dates spread over the years, once;
  ``report_first_ms``: the slowest of those pages on the first view after a refresh
  (nothing kept yet); ``report_workbook_ms``: the national workbook (XLSX), from scratch;
* ``refresh_after_edit_s``: a household archived through the portal, until the village's
  dashboard shows one household less, with `manage.py db_worker` running beside (as in
  production) and an analyst loading dashboards meanwhile; median of five edits (and max);
* ``refresh_after_import_s``: the reference import of 40,072 households
  (benchmarks/reference_file.py, 317 villages of Indramayu) is committed, then the
  refresh the import task runs (`figures_refresh_changed`) is timed; the import is rolled
  back afterwards so the dataset stays the same between runs.

The machine is shared and noisy: compare the figures with the baseline of the same run.
The last line is one JSON object.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "desmigratif.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402
from scale_database import NAME, use_scale_database  # noqa: E402

HOUSEHOLDS = int(os.environ.get("BENCH_HOUSEHOLDS", "1000000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "40"))
WARMUP = 3


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def timed_get(client: Client, url: str, **params) -> float:
    started = time.perf_counter()
    response = client.get(url, params)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise SystemExit(f"{url} {params} answered {response.status_code}")
    return elapsed


def logged_in(user) -> Client:
    """A client logged in as ``user`` with the second factor passed, as after a real login
    (administrators and analysts must give a TOTP code)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="benchmark", confirmed=True
    )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def users():
    from desmigratif.models import Assignment, Role, User

    analyst, _ = User.objects.get_or_create(username="bench.analyst")
    Assignment.objects.get_or_create(user=analyst, role=Role.ANALYST)
    admin, _ = User.objects.get_or_create(username="bench.admin", defaults={"is_superuser": True, "is_staff": True})
    return analyst, admin


def biggest_provinces() -> list[str]:
    from dashboards.models import AreaFigure
    from households.stats import HOUSEHOLDS as MEASURE

    rows = AreaFigure.objects.filter(level=1, measure=MEASURE.name).order_by("-value").values_list("area", flat=True)
    return list(rows[:3])


def dashboards(analyst) -> dict:
    client = logged_in(analyst)
    pages = [reverse("dashboards:national")] + [reverse("dashboards:area", args=[p]) for p in biggest_provinces()]
    samples: dict[str, list[float]] = {url: [] for url in pages}
    for round_number in range(WARMUP + ROUNDS):
        for url in pages:
            elapsed = timed_get(client, url)
            if round_number >= WARMUP:
                samples[url].append(elapsed)
    every = [value for values in samples.values() for value in values]
    return {
        "pages": {url: round(percentile(values, 0.95), 1) for url, values in samples.items()},
        "p50": percentile(every, 0.5),
        "p95": percentile(every, 0.95),
    }


def live_baseline() -> float:
    """The national panels counted straight from the register, as without a summary."""
    from dashboards import panels
    from desmigratif.access import Scope
    from desmigratif.figures import LiveFigures

    started = time.perf_counter()
    figures = LiveFigures(Scope.everywhere())
    panels.headlines(figures)
    panels.sections(figures)
    return (time.perf_counter() - started) * 1000


def cold() -> float:
    """The first national and province pages of a fresh process, slower of the two (ms)."""
    output = subprocess.run(  # noqa: S603 - this very script
        [sys.executable, __file__, "--cold"], capture_output=True, text=True, check=True, env=os.environ
    ).stdout
    return json.loads(output.strip().splitlines()[-1])["cold_ms"]


def cold_child() -> None:
    connection.settings_dict["NAME"] = NAME
    setup_test_environment()
    analyst, _admin = users()
    client = logged_in(analyst)
    province = biggest_provinces()[0]
    times = [
        timed_get(client, reverse("dashboards:national")),
        timed_get(client, reverse("dashboards:area", args=[province])),
    ]
    print(json.dumps({"cold_ms": round(max(times), 1), "each": [round(t, 1) for t in times]}))


def household_list(admin) -> dict:
    from desmigratif.pagination import _encode
    from households.forms import HouseholdFilterForm
    from households.models import Household

    client = logged_in(admin)
    url = reverse("households:list")
    requests: list[dict] = []
    for sort, order in HouseholdFilterForm.SORTS.items():
        requests.append({"sort": sort})
        # A cursor half a million rows deep: what "next" gives on page 20,000.
        deep = Household.objects.current().order_by(*order)[500_000]
        requests.append({"sort": sort, "after": _encode([getattr(deep, f.lstrip("-")) for f in order])})
    for term in ("Siti", "wahyu kusuma", "Sri Rahman", "Yanti"):
        requests.append({"q": term})
        requests.append({"q": term, "sort": "kk"})
    samples: dict[str, list[float]] = {json.dumps(r): [] for r in requests}
    for round_number in range(WARMUP + ROUNDS // 2):
        for params in requests:
            elapsed = timed_get(client, url, **params)
            if round_number >= WARMUP:
                samples[json.dumps(params)].append(elapsed)
    every = [value for values in samples.values() for value in values]
    return {
        "requests": {key: round(percentile(values, 0.95), 1) for key, values in samples.items()},
        "p95": percentile(every, 0.95),
    }


def programme_and_history() -> dict:
    """The scale data as years of a programme: one village in ten with households registered in
    the programme (cohorts 2016 to 2021, a few left or graduated), and households and children
    registered over the years since 2017 rather than all on the day of the seed. Done once;
    a kept dataset already has it."""
    from desmigratif.models import ProgrammeVillage

    with connection.cursor() as cursor:
        if not ProgrammeVillage.objects.exists():
            cursor.execute(
                """
                INSERT INTO desmigratif_programmevillage (village_id, cohort, status, status_since, note)
                SELECT v.village_id, 2016 + (row_number() OVER (ORDER BY v.village_id)) % 6,
                       CASE WHEN row_number() OVER (ORDER BY v.village_id) % 17 = 0 THEN 'left'
                            WHEN row_number() OVER (ORDER BY v.village_id) % 11 = 0 THEN 'graduated'
                            ELSE 'active' END,
                       CASE WHEN row_number() OVER (ORDER BY v.village_id) % 11 = 0 THEN DATE '2023-06-30' END, ''
                FROM (SELECT DISTINCT village_id FROM households_household) v
                WHERE hashtext(v.village_id) % 10 = 0
                """
            )
        cursor.execute("SELECT min(created_at) > now() - interval '60 days' FROM households_household")
        if cursor.fetchone()[0]:
            cursor.execute(
                "UPDATE households_household SET created_at = now() - (id % 3500) * interval '1 day' "
                "- (id % 86400) * interval '1 second'"
            )
            cursor.execute(
                "UPDATE childcare_child c SET created_at = h.created_at + (c.id % 400) * interval '1 day' "
                "FROM households_person p JOIN households_household h ON h.id = p.household_id "
                "WHERE p.id = c.person_id AND h.created_at + (c.id % 400) * interval '1 day' < now()"
            )
            cursor.execute("VACUUM ANALYZE households_household")
    return {"programme_villages": ProgrammeVillage.objects.count()}


def reports(analyst) -> dict:
    """The annual report of last year (national and the three biggest provinces, programme
    villages, the default) and the national dashboard of that year, warm: server time."""
    from django.utils import timezone

    year = timezone.localdate().year - 1
    client = logged_in(analyst)
    pages = [
        (reverse("dashboards:national-report", args=[year]), {}),
        (reverse("dashboards:national-report", args=[year]), {"villages": "all"}),
        *((reverse("dashboards:area-report", args=[p, year]), {}) for p in biggest_provinces()),
        (reverse("dashboards:national"), {"period": str(year)}),
    ]
    samples: dict[str, list[float]] = {f"{url}?{params}": [] for url, params in pages}
    for round_number in range(WARMUP + ROUNDS // 2):
        for url, params in pages:
            elapsed = timed_get(client, url, **params)
            if round_number >= WARMUP:
                samples[f"{url}?{params}"].append(elapsed)
    # The first view after a refresh: nothing of the report kept yet.
    from django.core.cache import cache

    first = {}
    for url, params in pages:
        cache.clear()
        first[f"{url}?{params}"] = round(timed_get(client, url, **params), 1)
    cache.clear()
    started = time.perf_counter()
    workbook = client.get(reverse("dashboards:national-report-download", args=[year, "xlsx"]))
    workbook_ms = (time.perf_counter() - started) * 1000
    every = [value for values in samples.values() for value in values]
    return {
        "pages": {key: round(percentile(values, 0.95), 1) for key, values in samples.items()},
        "p95": percentile(every, 0.95),
        "first": first,
        "first_max": max(first.values()),
        "workbook_ms": workbook_ms,
        "workbook_bytes": len(workbook.content),
    }


def refresh_after_edit(admin) -> dict:
    """From an edit committed through the household form to the village's dashboard showing it,
    with `manage.py db_worker` running beside as in production (polling as `make run` does),
    while an analyst keeps loading dashboards: seconds, five edits."""
    import re
    import threading

    from desmigratif.management.commands.run_portal import WORKER_INTERVAL
    from households.models import Household

    env = dict(os.environ, DATABASE_URL=_scale_url())
    worker = subprocess.Popen(  # noqa: S603 - our own manage.py
        [sys.executable, str(ROOT / "manage.py"), "db_worker", "--no-reload", "--interval", WORKER_INTERVAL],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    load_stop = threading.Event()

    def load() -> None:
        from django.db import connection as thread_connection

        client = logged_in(users()[0])
        pages = [reverse("dashboards:national")] + [reverse("dashboards:area", args=[p]) for p in biggest_provinces()]
        while not load_stop.is_set():
            for url in pages:
                client.get(url)
        thread_connection.close()

    loader = threading.Thread(target=load)
    loader.start()
    seconds = []
    try:
        client = logged_in(admin)
        for edit in range(5):
            household = Household.objects.current().order_by("-id")[edit * 1000]
            village = household.village_id
            url = reverse("dashboards:area", args=[village])

            def shown(url: str = url) -> int:
                # All villages: the household's village need not be a programme village.
                page = client.get(url, {"villages": "all"}).content.decode()
                return int(re.search(r'id="headline-households">\s*([\d.]+)', page).group(1).replace(".", ""))

            before = shown()
            started = time.perf_counter()
            response = client.post(
                reverse("households:archive", args=[household.pk]), {"version": str(household.version)}
            )
            if response.status_code != 302:
                raise SystemExit(f"archive answered {response.status_code}")
            while shown() != before - 1:
                if time.perf_counter() - started > 300:
                    raise SystemExit("the edit did not reach the dashboard in 5 minutes")
                time.sleep(0.2)
            seconds.append(time.perf_counter() - started)
    finally:
        load_stop.set()
        loader.join()
        worker.terminate()
        worker.wait(timeout=30)
    return {
        "median_s": sorted(seconds)[len(seconds) // 2],
        "max_s": max(seconds),
        "each": [round(s, 2) for s in seconds],
    }


def _scale_url() -> str:
    settings = connection.settings_dict
    host = settings["HOST"] or "127.0.0.1"
    user = settings["USER"] or "postgres"
    return f"postgres://{user}@{host}:{settings['PORT'] or 5432}/{NAME}"


def refresh_after_import(admin) -> dict:
    from import_households import commit, reference_file, stage

    from dashboards.services import figures_refresh_changed
    from households.imports.batches import batch_rollback_request

    path = reference_file(40_072)
    batch, preview_s = stage(path, admin)
    batch, commit_s = commit(batch, admin)
    started = time.perf_counter()
    refresh = figures_refresh_changed()
    refresh_s = time.perf_counter() - started
    if refresh.is_full:
        raise SystemExit("expected an incremental refresh after the import")
    written = {key: value for key, value in batch.counts.items() if key.endswith("_created")}
    batch_rollback_request(batch=batch, user=admin, background=False)
    figures_refresh_changed()
    return {
        "refresh_s": refresh_s,
        "villages": refresh.villages,
        "import_preview_s": preview_s,
        "import_commit_s": commit_s,
        "written": written,
    }


def main() -> None:
    setup_test_environment()  # the test client's request/response plumbing, nothing else
    households = use_scale_database(HOUSEHOLDS)
    analyst, admin = users()
    from dashboards.services import figures_refresh
    from households.models import Person

    persons = Person.objects.count()
    programme = programme_and_history()
    started = time.perf_counter()
    figures_refresh()
    full_refresh_s = time.perf_counter() - started
    print(f"{households:,} households, {persons:,} persons; full refresh of the summary {full_refresh_s:.1f} s")

    cold_ms = cold()
    warm = dashboards(analyst)
    print(f"dashboards warm: p50 {warm['p50']:.1f} ms, p95 {warm['p95']:.1f} ms; per page p95 {warm['pages']}")
    print(f"dashboards cold (fresh process): {cold_ms:.1f} ms")
    baseline_ms = live_baseline()
    print(f"baseline: the national panels counted live, once: {baseline_ms:.0f} ms")
    listing = household_list(admin)
    print(f"household list p95 {listing['p95']:.1f} ms; per request p95 {listing['requests']}")
    report = reports(analyst)
    print(
        f"annual report and dashboard of last year ({programme['programme_villages']} programme villages): "
        f"p95 {report['p95']:.1f} ms; per page p95 {report['pages']}; national workbook "
        f"{report['workbook_ms']:.0f} ms, {report['workbook_bytes']:,} bytes; first view after a refresh "
        f"{report['first']}"
    )
    edited = refresh_after_edit(admin)
    print(f"an edit reaches its dashboard in {edited['median_s']:.1f} s (median of 5, max {edited['max_s']:.1f} s)")
    imported = refresh_after_import(admin)
    print(
        f"import of 40,072 households: commit {imported['import_commit_s']:.1f} s, "
        f"then refresh of {imported['villages']} villages {imported['refresh_s']:.2f} s ({imported['written']})"
    )
    print(
        json.dumps(
            {
                "households": households,
                "persons": persons,
                "dashboard_p95_ms": round(warm["p95"], 1),
                "dashboard_p50_ms": round(warm["p50"], 1),
                "dashboard_cold_ms": cold_ms,
                "live_national_ms": round(baseline_ms),
                "list_p95_ms": round(listing["p95"], 1),
                "report_p95_ms": round(report["p95"], 1),
                "report_first_ms": report["first_max"],
                "report_workbook_ms": round(report["workbook_ms"]),
                "refresh_after_edit_s": round(edited["median_s"], 2),
                "refresh_after_edit_max_s": round(edited["max_s"], 2),
                "refresh_after_import_s": round(imported["refresh_s"], 2),
                "refreshed_villages": imported["villages"],
                "full_refresh_s": round(full_refresh_s, 1),
            }
        )
    )


if __name__ == "__main__":
    if sys.argv[1:] == ["--cold"]:
        cold_child()
    else:
        main()
