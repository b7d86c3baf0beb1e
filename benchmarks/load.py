"""Load: the portal served by gunicorn as in production: its capacity at a latency bound.

Run: `make bench-load` (or `DEBUG=1 .venv/bin/python benchmarks/load.py`).

Setup (not measured):

* the kept 1,000,000-household scale database (benchmarks/scale_database.py, `bench_scale`,
  migrated on every use); the dashboards' summary is filled if empty, and a full refresh is
  run first when none was made today (the task worker would otherwise start the day's full
  refresh, about 35 s of both cores, in the middle of the measurement);
* benchmark users in that database, one account per simulated user so that each logs in
  once with its own session (and, for analysts, its own TOTP device, because a TOTP code
  cannot be used twice): officers of the village with the most households
  (``bench.load.officer.NN``), coordinators of its regency and national ministry analysts,
  60/20/20 % of ``BENCH_USERS``. The password is set with ``set_password`` once (Argon2, as
  the settings allow no faster hasher) and the hash copied to the other accounts;
* ``collectstatic`` into a temporary STATIC_ROOT (when it fails on a file that a vendored
  asset names but the repository lacks, as production's would, it is run again from a copy
  of ``static/`` with an empty stand-in for that file, and a WARNING says so), then the
  production command,
  ``gunicorn desmigratif.wsgi --bind 127.0.0.1:PORT --workers N --timeout 60`` (N = 2 x cores
  + 1 by default; ``--threads`` when BENCH_THREADS > 1), with DEBUG=0, a random SECRET_KEY,
  ALLOWED_HOSTS=127.0.0.1, SECURE_SSL_REDIRECT=0 and SECURE_COOKIES=0 (plain HTTP on the
  loopback), and DATABASE_URL naming ``bench_scale`` on the same server (unix socket
  included). The task worker (``manage.py db_worker``) runs beside it, as in production,
  unless BENCH_TASK_WORKER=0: the dashboards and the edits queue summary refreshes.

Measured: a second process drives the server on 127.0.0.1. Each simulated user (a logged-in
session) logs in once (GET and POST /masuk/ with the CSRF token, then the TOTP code for
analysts). Then:

1. **Baseline.** Every user on ``/healthz`` (the whole middleware stack and one ``SELECT 1``)
   with no think time for BENCH_BASELINE_SECONDS (default 10): the most this stack can serve
   here, ``healthz_rps``.
2. **Capacity at a latency bound.** An open load: actions arrive at a set rate (Poisson
   arrivals, whatever the server's answers), each handed to an idle session, which does one
   action of its role's mix:

   * officers: the household list with a name search and a sort (30 %), a household page of
     their village (35 %), the village dashboard (15 %), editing a household (20 %: GET the
     edit form, change the address, POST the whole form back with its CSRF token and
     ``version`` for the lost-update check; each officer edits its own households, so no 409
     is expected);
   * coordinators: the household list (40 %), a household page (20 %), the regency dashboard
     (40 %);
   * analysts: the national dashboard (40 %), a province dashboard (60 %).

   A request's latency runs from the action's arrival (so the wait for a free session counts,
   as a user's wait would) to the last byte received. The rate starts at BENCH_FIRST_RATE
   actions/s (default 10) and grows by BENCH_GROWTH (default 1.3) per step while a step
   holds: p95 <= BENCH_P95_MS (default 300) and no error; then BENCH_REFINE (default 2)
   bisections between the last step that held and the first that did not. Each step is
   BENCH_STEP_WARMUP seconds (default 3, not counted) and BENCH_STEP_SECONDS (default 20)
   counted, and every request of a step ends before the next starts. An error is a timeout
   (BENCH_TIMEOUT, 30 s), a connection error, or any status other than the one the page
   answers when it works: 200 for pages, 302 for the login and the saved form (stricter than
   "not 2xx/3xx": a redirect to the login page or a form sent back with errors counts too).
   ``capacity_rps_at_p95_300ms`` is the requests/s served by the fastest step that held (an
   edit is two requests); its latency per kind and CPU are reported.
3. **The API mix**, the same search again with API clients instead: one per officer account,
   each with that officer's personal token (made again on every run; the server runs with
   ``API_RATE`` 1000000/hour so that the throttle, still consulted on every request, refuses
   none). Each action: the village's households with a name search (30 %), a household (35 %),
   the village's figures (15 %), or a change (20 %: GET the household for its ``ETag``, PATCH
   its address with ``If-Match``, expecting 200; each client changes its officer's households,
   so no 412 is expected). ``api_capacity_rps_at_p95_300ms`` and its ratio to ``/healthz``.
   BENCH_API=0 leaves it out.
4. **Each kind alone**, one request at a time (BENCH_PROBE rounds, default 10), for its service
   time without queueing.

The CPU used during the capacity step by gunicorn, PostgreSQL (the whole server, other
databases included), the task worker, the load generator and everything else on the machine
is printed in cores: the machine is shared, and "other processes" shows how much of it
something else took. A closed loop of N users with no think time (what this benchmark did
before) only measures a queue: its p95 is about N / throughput, whatever the pages cost.

The load generator is the small asyncio HTTP/1.1 client below (one process, one event loop,
keep-alive when the server allows it), standard library only: no new dependency, nothing to
install. It shares the two cores with gunicorn and PostgreSQL, so it has to cost as little CPU
as possible. wrk (C) would cost less per request, but its Lua scripts keep no per-user state,
so they cannot log each user in, carry a form's CSRF token and ``version`` from the GET to
the POST, or report latency per kind. locust would need a pip install and runs a bigger
Python stack per request (gevent, and requests or its FastHttpUser) than this client. The
client's own CPU is measured and printed (``load generator`` in cores, ``client_cpu`` in the
JSON): about 0.07 of a core at 50 requests/s here, HTML parsing of the edit forms included.

Options: BENCH_USERS (sessions, 50), BENCH_WORKERS (2 x cores + 1), BENCH_THREADS (1),
BENCH_FIRST_RATE, BENCH_GROWTH, BENCH_REFINE, BENCH_MAX_RATE (400), BENCH_P95_MS,
BENCH_STEP_SECONDS, BENCH_STEP_WARMUP, BENCH_TIMEOUT, BENCH_PROBE, BENCH_BASELINE_SECONDS,
BENCH_TASK_WORKER (1), BENCH_API (1).
The machine is shared and noisy. The last line is one JSON object.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import os
import random
import re
import struct
import subprocess
import sys
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
CORES = os.cpu_count() or 1
HOUSEHOLDS = 1_000_000
USERS = int(os.environ.get("BENCH_USERS", "50"))
WORKERS = int(os.environ.get("BENCH_WORKERS", str(2 * CORES + 1)))
THREADS = int(os.environ.get("BENCH_THREADS", "1"))
FIRST_RATE = float(os.environ.get("BENCH_FIRST_RATE", "10"))
GROWTH = float(os.environ.get("BENCH_GROWTH", "1.3"))
REFINE = int(os.environ.get("BENCH_REFINE", "2"))
MAX_RATE = float(os.environ.get("BENCH_MAX_RATE", "400"))
P95_BOUND_MS = float(os.environ.get("BENCH_P95_MS", "300"))
STEP_SECONDS = float(os.environ.get("BENCH_STEP_SECONDS", "20"))
STEP_WARMUP = float(os.environ.get("BENCH_STEP_WARMUP", "3"))
TIMEOUT = float(os.environ.get("BENCH_TIMEOUT", "30"))
PROBE_ROUNDS = int(os.environ.get("BENCH_PROBE", "10"))
BASELINE_SECONDS = float(os.environ.get("BENCH_BASELINE_SECONDS", "10"))
TASK_WORKER = os.environ.get("BENCH_TASK_WORKER", "1") != "0"
API = os.environ.get("BENCH_API", "1") != "0"

PASSWORD = "desmigratif-load-bench"  # noqa: S105 - benchmark accounts in the scratch database only
PREFIX = "bench.load."
SEARCH_TERMS = ["Siti", "Wahyu Kusuma", "Sri", "Yanti", "Budi Santoso", "Dewi"]
SORTS = ["newest", "kk", "village"]
# What each role does, with weights; "household_edit" is two requests (GET the form, POST it).
MIXES = {
    "officer": {"household_list": 30, "household_detail": 35, "dashboard_village": 15, "household_edit": 20},
    "coordinator": {"household_list": 40, "household_detail": 20, "dashboard_regency": 40},
    "analyst": {"dashboard_national": 40, "dashboard_province": 60},
    # A village system (OpenSID) or phone app with an officer's token: "api_household_patch" is
    # two requests (GET the household for its ETag, PATCH it with If-Match).
    "api": {"api_household_list": 30, "api_household_detail": 35, "api_figures": 15, "api_household_patch": 20},
}
KINDS = [
    "household_list",
    "household_detail",
    "household_edit_form",
    "household_save",
    "dashboard_village",
    "dashboard_regency",
    "dashboard_province",
    "dashboard_national",
    "api_household_list",
    "api_household_detail",
    "api_figures",
    "api_household_read",
    "api_household_save",
]


def percentile(samples: list[float], share: float) -> float:
    if not samples:
        return 0.0
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


# --- setup, in the parent process (Django) ------------------------------------------------------


def role_counts(users: int) -> dict[str, int]:
    officers = max(1, round(users * 0.6))
    coordinators = max(1, round(users * 0.2)) if users > 2 else 1
    return {"officer": officers, "coordinator": coordinators, "analyst": max(1, users - officers - coordinators)}


def figures_ready() -> str:
    """Fill the summary if it is empty; with the task worker on, make sure today's full
    refresh is done, so that the worker does not start it during the measurement."""
    from django.utils import timezone

    from dashboards.models import AreaFigure, FigureRefresh
    from dashboards.services import figures_refresh

    midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    if not AreaFigure.objects.exists():
        reason = "the summary is empty"
    elif TASK_WORKER and not FigureRefresh.objects.filter(villages=None, started_at__gte=midnight).exists():
        reason = "no full refresh today (the task worker would run it during the load)"
    else:
        return "summary present"
    print(f"full refresh of the summary: {reason} (about 35 s)", flush=True)
    started = time.perf_counter()
    figures_refresh()
    return f"full refresh {time.perf_counter() - started:.1f} s ({reason})"


def busiest_village() -> tuple[str, list[int]]:
    from django.db.models import Count

    from households.models import Household

    row = Household.objects.current().values("village_id").annotate(n=Count("id")).order_by("-n", "village_id").first()
    if row is None:
        raise SystemExit("the scale database holds no households")
    village = row["village_id"]
    ids = list(Household.objects.current().filter(village_id=village).order_by("id").values_list("id", flat=True))
    return village, ids


def biggest_provinces(also: str) -> list[str]:
    from dashboards.models import AreaFigure
    from households.stats import HOUSEHOLDS as MEASURE

    rows = AreaFigure.objects.filter(level=1, measure=MEASURE.name, key="").order_by("-value")
    codes = list(rows.values_list("area", flat=True)[:3])
    return codes if also in codes else [*codes, also]


def two_factor_url() -> str | None:
    """The page asking for the TOTP code, when the portal has the second factor."""
    from django.apps import apps
    from django.urls import NoReverseMatch, reverse

    if not apps.is_installed("django_otp.plugins.otp_totp"):
        return None
    try:
        return reverse("two-factor-verify")
    except NoReverseMatch:
        return None


def bench_users(village: str, regency: str, household_ids: list[int]) -> list[dict]:
    """One account per simulated user, each with one assignment; analysts get a TOTP device
    when the portal asks them for one. Returns what the load generator needs of each."""
    from django.apps import apps

    from desmigratif.models import Assignment, Role, User

    verify_url = two_factor_url()
    areas = {
        "officer": (Role.OFFICER, village),
        "coordinator": (Role.COORDINATOR, regency),
        "analyst": (Role.ANALYST, ""),
    }
    counts = role_counts(USERS)
    if apps.is_installed("axes"):
        from axes.models import AccessAttempt

        AccessAttempt.objects.filter(username__startswith=PREFIX).delete()
    first = User.objects.filter(username=f"{PREFIX}officer.01").first()
    password_hash = first.password if first is not None and first.check_password(PASSWORD) else None
    plan = []
    for role_name, count in counts.items():
        role, area = areas[role_name]
        for number in range(1, count + 1):
            user, _created = User.objects.get_or_create(
                username=f"{PREFIX}{role_name}.{number:02d}",
                defaults={"first_name": "Bench", "last_name": f"{role_name.title()} {number:02d}"},
            )
            if password_hash is None:
                user.set_password(PASSWORD)
                password_hash = user.password
                user.save()
            if user.password != password_hash or not user.is_active or user.is_superuser:
                user.password, user.is_active, user.is_superuser, user.is_staff = password_hash, True, False, False
                user.save()
            assignments = list(user.assignments.all())
            wanted = (role, area, None, None)
            if [(a.role, a.area_code, a.starts_on, a.ends_on) for a in assignments] != [wanted]:
                user.assignments.all().delete()
                assignment = Assignment(user=user, role=role, note="load benchmark")
                assignment.set_area(area)
                assignment.full_clean()
                assignment.save()
            entry = {"username": user.username, "role": role_name, "totp": None, "edit_ids": []}
            if role_name == "officer":
                entry["edit_ids"] = household_ids[number - 1 :: counts["officer"]]
            if verify_url is not None:
                entry["totp"] = totp_device(user)
            plan.append(entry)
    return plan


def api_clients(users: list[dict]) -> list[dict]:
    """The API mix's clients: one token per officer account (made again on every run), each
    changing the same households its officer edits."""
    from api.models import ApiToken
    from api.services import token_create
    from desmigratif.models import User

    officers = [entry for entry in users if entry["role"] == "officer"]
    ApiToken.objects.filter(user__username__startswith=PREFIX).delete()
    clients = []
    for entry in officers:
        _token, secret = token_create(user=User.objects.get(username=entry["username"]), name="load", days=1)
        clients.append({"username": entry["username"], "role": "api", "token": secret, "edit_ids": entry["edit_ids"]})
    return clients


def totp_device(user) -> dict | None:
    """A confirmed TOTP device for users who must have one, reset so that its next code is accepted."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from desmigratif.accounts import requires_two_factor

    if not requires_two_factor(user):
        TOTPDevice.objects.filter(user=user).delete()
        return None
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="load benchmark", confirmed=True
    )
    TOTPDevice.objects.filter(pk=device.pk).update(
        last_t=-1, drift=0, throttling_failure_count=0, throttling_failure_timestamp=None
    )
    return {"key": device.key, "step": device.step, "t0": device.t0, "digits": device.digits}


def postgres_pid() -> int | None:
    """The embedded server's postmaster, when it is the one in use (DATABASE_URL unset)."""
    if os.environ.get("DATABASE_URL"):
        return None
    with contextlib.suppress(OSError, ValueError, IndexError):
        return int((ROOT / ".data" / "postgres" / "postmaster.pid").read_text().splitlines()[0])
    return None


def main() -> None:
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "benchmarks"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "desmigratif.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    from django.db import connection
    from django.urls import reverse
    from production_portal import database_url, served
    from scale_database import use_scale_database

    # The API mix's clients are a few tokens sending many requests each: throttled at the
    # default rate (1200/hour a token) most would be refused. The throttle still runs.
    os.environ["API_RATE"] = "1000000/hour"
    started = time.perf_counter()
    households = use_scale_database(HOUSEHOLDS)
    summary = figures_ready()
    village, household_ids = busiest_village()
    regency, province = village[:5], village[:2]
    provinces = biggest_provinces(province)
    users = bench_users(village, regency, household_ids)
    clients = api_clients(users) if API else []
    url = database_url(connection.settings_dict)
    connection.close()
    counts = role_counts(USERS)
    print(
        f"{households:,} households; village {village} ({len(household_ids)} households), regency {regency}, "
        f"provinces {', '.join(provinces)}; {summary}; "
        f"{counts['officer']} officers, {counts['coordinator']} coordinators, {counts['analyst']} analysts "
        f"(setup {time.perf_counter() - started:.1f} s)",
        flush=True,
    )

    server_log = ""
    with served(url, workers=WORKERS, threads=THREADS, task_worker=TASK_WORKER) as portal:
        if portal.stand_ins:
            print(
                f"WARNING: `collectstatic` fails with DEBUG=0 (as it would in production): the repository lacks "
                f"{', '.join(portal.stand_ins)}, named by a vendored file. Collected again with an empty stand-in.",
                flush=True,
            )
        print(
            f"collectstatic {portal.collect_s:.1f} s; {' '.join(portal.command[2:])} (DEBUG=0"
            f"{', with the task worker' if TASK_WORKER else ', no task worker'})",
            flush=True,
        )
        plan = {
            "port": portal.port,
            "users": users,
            "api_clients": clients,
            "detail_ids": household_ids,
            "village": village,
            "regency": regency,
            "provinces": provinces,
            "urls": {
                "login": reverse("login"),
                "verify": two_factor_url(),
                "list": reverse("households:list"),
                "detail": reverse("households:detail", args=[999999999]).replace("999999999", "{}"),
                "edit": reverse("households:update", args=[999999999]).replace("999999999", "{}"),
                "national": reverse("dashboards:national"),
                "health": reverse("health"),
                "area": reverse("dashboards:area", args=["32"]).replace("32", "{}"),
                "api_households": reverse("api:household-list"),
                "api_household": reverse("api:household-detail", args=[999999999]).replace("999999999", "{}"),
                "api_figures": reverse("api:figures"),
            },
            "pids": {**portal.pids, "postgres": postgres_pid()},
        }
        try:
            driver = subprocess.run(  # noqa: S603 - this very script
                [sys.executable, __file__, "--drive"],
                input=json.dumps(plan),
                stdout=subprocess.PIPE,
                text=True,
                check=False,
            )
        finally:
            server_log = portal.log.read_text() if portal.log.exists() else ""
        if driver.returncode != 0:
            raise SystemExit(f"the load generator failed ({driver.returncode}); server log:\n{server_log[-3000:]}")
        result = json.loads(driver.stdout.strip().splitlines()[-1])
        stand_ins = portal.stand_ins
    server_errors = [line for line in server_log.splitlines() if "Traceback" in line or " ERROR " in line]
    report(result, households=households, server_errors=server_errors, stand_ins=stand_ins)


def report(result: dict, *, households: int, server_errors: list[str], stand_ins: list[str]) -> None:
    print(f"{result['users']} sessions; {WORKERS} workers x {THREADS} threads; logins {result['login_s']:.1f} s")
    baseline = result["baseline"]
    if baseline:
        print(
            f"baseline, every session on /healthz (middleware and one SELECT 1): {baseline['rps']:.1f} requests/s, "
            f"p50 {baseline['p50']:.0f} ms, p95 {baseline['p95']:.0f} ms, {baseline['errors']} errors"
        )
    healthz = baseline["rps"] if baseline else None
    print("PORTAL MIX (officers, coordinators, analysts, in the browser)")
    figures = report_search(result["steps"], result["best"], result["alone_p50"], healthz)
    api = {"rps": 0.0, "p95": 0.0, "kinds": {}, "cpu": {}}
    if result["api_clients"]:
        print(f"API MIX ({result['api_clients']} clients, each with an officer's token)")
        api = report_search(result["api_steps"], result["api_best"], result["alone_p50"], healthz)
    if server_errors:
        print(f"server log: {len(server_errors)} error lines, first: {server_errors[0]}")
    print(
        json.dumps(
            {
                "households": households,
                "users": result["users"],
                "workers": WORKERS,
                "threads": THREADS,
                "p95_bound_ms": P95_BOUND_MS,
                "capacity_rps_at_p95_300ms": round(figures["rps"], 1),
                "healthz_rps": round(healthz, 1) if healthz else None,
                "capacity_vs_healthz": round(figures["rps"] / healthz, 3) if healthz else None,
                "p50_ms": round(figures["p50"], 1),
                "p95_ms": round(figures["p95"], 1),
                "p99_ms": round(figures["p99"], 1),
                "steps": steps_json(result["steps"]),
                "mix": {kind: round(row["share"], 3) for kind, row in figures["kinds"].items()},
                "p95_ms_by_kind": {kind: round(row["p95"], 1) for kind, row in figures["kinds"].items()},
                "alone_p50_ms": {kind: round(value, 1) for kind, value in result["alone_p50"].items()},
                "cpu_cores": {name: round(value, 2) for name, value in figures["cpu"].items()},
                "client_cpu": round(figures["cpu"].get("load generator", 0.0), 2),
                "api_clients": result["api_clients"],
                "api_capacity_rps_at_p95_300ms": round(api["rps"], 1),
                "api_capacity_vs_healthz": round(api["rps"] / healthz, 3) if healthz else None,
                "api_p95_ms": round(api["p95"], 1),
                "api_steps": steps_json(result["api_steps"]),
                "api_p95_ms_by_kind": {kind: round(row["p95"], 1) for kind, row in api["kinds"].items()},
                "api_cpu_cores": {name: round(value, 2) for name, value in api["cpu"].items()},
                "collectstatic_stand_ins": stand_ins,
            }
        )
    )


def steps_json(steps: list[dict]) -> list[dict]:
    return [
        {
            key: (round(value, 1) if isinstance(value, float) else value)
            for key, value in step.items()
            if key in STEP_KEYS
        }
        for step in steps
    ]


STEP_KEYS = {"offered", "rps", "p95", "errors", "holds"}


def report_search(steps: list[dict], best: dict | None, alone: dict[str, float], healthz: float | None) -> dict:
    """Print one capacity search: its steps, the best step by kind, its CPU. Returns the best step's figures."""
    print(
        f"steps ({STEP_SECONDS:.0f} s each after {STEP_WARMUP:.0f} s; holds: p95 <= {P95_BOUND_MS:.0f} ms, no error):"
    )
    print(f"{'offered':>9}{'served':>9}{'p50':>7}{'p95':>7}{'p99':>7}{'errors':>8}  ")
    print(f"{'actions/s':>9}{'req/s':>9}{'ms':>7}{'ms':>7}{'ms':>7}")
    for step in steps:
        print(
            f"{step['offered']:>9.1f}{step['rps']:>9.1f}{step['p50']:>7.0f}{step['p95']:>7.0f}{step['p99']:>7.0f}"
            f"{step['errors']:>8}  {'holds' if step['holds'] else 'does not hold'}"
        )
    if best is None:
        print(f"capacity: no step held, not even {FIRST_RATE:.0f} actions/s")
    else:
        ratio = f" ({best['rps'] / healthz:.2f}x /healthz)" if healthz else ""
        print(f"capacity at p95 <= {P95_BOUND_MS:.0f} ms: {best['rps']:.1f} requests/s{ratio}; that step by kind:")
        print(f"{'kind':<21}{'share':>7}{'count':>7}{'req/s':>7}{'p50':>7}{'p95':>7}{'p99':>7}{'max':>7}{'alone':>7}")
        print(f"{'':<21}{'':>7}{'':>7}{'':>7}{'ms':>7}{'ms':>7}{'ms':>7}{'ms':>7}{'p50 ms':>7}")
        for kind, row in best["kinds"].items():
            print(
                f"{kind:<21}{row['share'] * 100:>6.1f}%{row['count']:>7}{row['rps']:>7.1f}{row['p50']:>7.0f}"
                f"{row['p95']:>7.0f}{row['p99']:>7.0f}{row['max']:>7.0f}{alone.get(kind, 0.0):>7.0f}"
            )
        cpu = best["cpu"]
        print(
            f"CPU during that step, in cores (of {CORES}): "
            + ", ".join(f"{name} {value:.2f}" for name, value in cpu.items())
            + f"; per request: {best['cpu_ms_per_request']:.1f} ms of server CPU (gunicorn + PostgreSQL + task worker)"
        )
    failed = next((step for step in steps if not step["holds"] and step["error_kinds"]), None)
    if failed:
        print(f"errors at {failed['offered']:.1f} actions/s: {failed['error_kinds']}")
    return best or {"rps": 0.0, "p50": 0.0, "p95": 0.0, "p99": 0.0, "kinds": {}, "cpu": {}, "count": 0}


# --- the load generator, in a second process (standard library and psutil only) ----------------


@dataclass
class Response:
    status: int
    headers: dict[str, list[str]]
    body: bytes

    def header(self, name: str) -> str:
        return ",".join(self.headers.get(name, []))


class RequestFailed(Exception):
    """A response other than the expected one (the error's kind is the message)."""


class HttpClient:
    """One browser: its cookies and one keep-alive connection (reopened when the server closes it)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.host = f"127.0.0.1:{port}"
        self.cookies: dict[str, str] = {}
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def close(self) -> None:
        writer, self.reader, self.writer = self.writer, None, None
        if writer is not None:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()

    async def request(
        self,
        method: str,
        path: str,
        form: list[tuple[str, str]] | None = None,
        *,
        headers: list[str] | None = None,
        json_body: dict | None = None,
    ) -> Response:
        lines = [
            f"{method} {path} HTTP/1.1",
            f"Host: {self.host}",
            "User-Agent: desmigratif-bench-load",
            "Accept: application/json" if headers else "Accept: text/html",
            "Accept-Language: id",
            *(headers or []),
        ]
        if self.cookies:
            lines.append("Cookie: " + "; ".join(f"{name}={value}" for name, value in self.cookies.items()))
        body = b""
        if form is not None:
            body = urlencode(form).encode()
            lines += [
                "Content-Type: application/x-www-form-urlencoded",
                f"Content-Length: {len(body)}",
                f"Origin: http://{self.host}",
            ]
        if json_body is not None:
            body = json.dumps(json_body).encode()
            lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
        data = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
        for attempt in range(2):
            reused = self.writer is not None
            if not reused:
                self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
            try:
                self.writer.write(data)
                await self.writer.drain()
                head = await self.reader.readuntil(b"\r\n\r\n")
            except (ConnectionError, asyncio.IncompleteReadError) as error:
                await self.close()
                # A kept-alive connection the server closed meanwhile: send again on a new one.
                if reused and attempt == 0 and not getattr(error, "partial", b""):
                    continue
                raise
            break
        response = await self._read(head)
        self._keep_cookies(response)
        return response

    async def _read(self, head: bytes) -> Response:
        reader = self.reader
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers: dict[str, list[str]] = {}
        for line in lines[1:]:
            if line:
                name, _, value = line.partition(":")
                headers.setdefault(name.strip().lower(), []).append(value.strip())
        keep = "close" not in ",".join(headers.get("connection", [])).lower()
        if "chunked" in ",".join(headers.get("transfer-encoding", [])).lower():
            parts = []
            while True:
                size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
                if size == 0:
                    await reader.readuntil(b"\r\n")
                    break
                parts.append(await reader.readexactly(size))
                await reader.readexactly(2)
            body = b"".join(parts)
        elif "content-length" in headers:
            body = await reader.readexactly(int(headers["content-length"][0]))
        elif status in (204, 304) or status < 200:
            body = b""
        else:
            body, keep = await reader.read(), False
        if not keep:
            await self.close()
        return Response(status, headers, body)

    def _keep_cookies(self, response: Response) -> None:
        for raw in response.headers.get("set-cookie", []):
            pair, *attributes = raw.split(";")
            name, _, value = pair.strip().partition("=")
            lowered = [attribute.strip().lower() for attribute in attributes]
            if (
                value in ("", '""')
                or "max-age=0" in lowered
                or any(a.startswith("expires=thu, 01 jan 1970") for a in lowered)
            ):
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value


class FormParser(HTMLParser):
    """The fields a browser would send from each form of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self.form: dict | None = None
        self.select: dict | None = None
        self.textarea: list | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form":
            self.form = {"action": a.get("action") or "", "method": (a.get("method") or "get").lower(), "fields": []}
            self.forms.append(self.form)
            return
        if tag == "option" and self.select is not None:
            value = a.get("value") or ""
            self.select["options"].append(value)
            if "selected" in a:
                self.select["selected"].append(value)
            return
        if self.form is None or not a.get("name") or "disabled" in a:
            return
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in {"submit", "button", "image", "reset", "file"}:
                return
            if kind in {"checkbox", "radio"}:
                if "checked" in a:
                    self.form["fields"].append((a["name"], a.get("value") or "on"))
                return
            self.form["fields"].append((a["name"], a.get("value") or ""))
        elif tag == "select":
            self.select = {"name": a["name"], "multiple": "multiple" in a, "options": [], "selected": []}
        elif tag == "textarea":
            self.textarea = [a["name"], []]

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            self.textarea[1].append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self.select is not None and self.form is not None:
            chosen = self.select["selected"] or ([] if self.select["multiple"] else self.select["options"][:1])
            self.form["fields"].extend((self.select["name"], value) for value in chosen)
            self.select = None
        elif tag == "textarea" and self.textarea is not None and self.form is not None:
            text = "".join(self.textarea[1])
            self.form["fields"].append((self.textarea[0], text.removeprefix("\r\n").removeprefix("\n")))
            self.textarea = None
        elif tag == "form":
            self.form = None


CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


def csrf_token(body: bytes) -> str:
    match = CSRF.search(body)
    if match is None:
        raise RequestFailed("no CSRF token in the page")
    return match.group(1).decode()


def totp_code(device: dict) -> str:
    """RFC 6238, as django-otp's TOTPDevice computes it (HMAC-SHA1)."""
    counter = int((time.time() - device["t0"]) // device["step"])
    digest = hmac.new(bytes.fromhex(device["key"]), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10 ** device["digits"]).zfill(device["digits"])


@dataclass
class Sample:
    kind: str
    started: float
    ms: float
    error: str | None


@dataclass
class Recorder:
    window: tuple[float, float] = (float("inf"), float("inf"))
    samples: list[Sample] = field(default_factory=list)
    probe: dict[str, list[float]] | None = None

    def add(self, kind: str, started: float, ms: float, error: str | None) -> None:
        if self.probe is not None:
            if error is None:
                self.probe.setdefault(kind, []).append(ms)
        elif self.window[0] <= started < self.window[1]:
            self.samples.append(Sample(kind, started, ms, error))


class SimulatedUser:
    def __init__(self, entry: dict, plan: dict, recorder: Recorder, seed: int) -> None:
        self.entry = entry
        self.plan = plan
        self.urls = plan["urls"]
        self.recorder = recorder
        self.client = HttpClient(plan["port"])
        self.random = random.Random(seed)
        mix = MIXES[entry["role"]]
        self.actions, self.weights = list(mix), list(mix.values())
        self.arrived: float | None = None

    async def call(
        self,
        kind: str,
        method: str,
        path: str,
        form=None,
        expect: int = 200,
        *,
        extra: list[str] | None = None,
        body=None,
    ) -> Response:
        # The first request of an action counts from the action's arrival (time spent waiting
        # for a free session included).
        started, self.arrived = (self.arrived if self.arrived is not None else time.monotonic()), None
        error = None
        token = self.entry.get("token")
        headers = [f"Authorization: Bearer {token}", *(extra or [])] if token else None
        try:
            request = self.client.request(method, path, form, headers=headers, json_body=body)
            response = await asyncio.wait_for(request, TIMEOUT)
            if response.status != expect:
                where = response.header("location")
                error = f"status {response.status}" + (f" to {where.split('?')[0]}" if where else "")
        except TimeoutError:
            error = "timeout"
            await self.client.close()
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError) as failure:
            error = f"connection error ({type(failure).__name__})"
            await self.client.close()
        self.recorder.add(kind, started, (time.monotonic() - started) * 1000, error)
        if error is not None:
            raise RequestFailed(error)
        return response

    async def login(self) -> None:
        if self.entry["role"] == "api":
            return  # a token, no session
        page = await self.call("login", "GET", self.urls["login"])
        form = [
            ("csrfmiddlewaretoken", csrf_token(page.body)),
            ("username", self.entry["username"]),
            ("password", PASSWORD),
        ]
        await self.call("login", "POST", self.urls["login"], form, expect=302)
        device = self.entry["totp"]
        if device is not None:
            verify = f"{self.urls['verify']}?{urlencode({'next': '/'})}"
            page = await self.call("login", "GET", verify)
            form = [("csrfmiddlewaretoken", csrf_token(page.body)), ("token", totp_code(device)), ("next", "/")]
            await self.call("login", "POST", verify, form, expect=302)

    async def run(self, until: float, only: str | None = None) -> None:
        while time.monotonic() < until:
            action = only or self.random.choices(self.actions, self.weights)[0]
            try:
                await self.do(action)
            except RequestFailed:
                pass  # recorded by call()
            except (ValueError, KeyError, IndexError) as failure:
                self.recorder.add(action, time.monotonic(), 0.0, f"client error ({type(failure).__name__})")

    async def act(self, arrived: float) -> None:
        """One action of the role's mix, for an arrival at ``arrived``."""
        action = self.random.choices(self.actions, self.weights)[0]
        self.arrived = arrived
        try:
            await self.do(action)
        except RequestFailed:
            pass  # recorded by call()
        except (ValueError, KeyError, IndexError) as failure:
            self.recorder.add(action, arrived, 0.0, f"client error ({type(failure).__name__})")
        self.arrived = None

    async def do(self, action: str) -> None:
        urls, plan, pick = self.urls, self.plan, self.random.choice
        if action == "healthz":
            await self.call(action, "GET", urls["health"])
        elif action == "household_list":
            query = urlencode({"q": pick(SEARCH_TERMS), "sort": pick(SORTS)})
            await self.call(action, "GET", f"{urls['list']}?{query}")
        elif action == "household_detail":
            await self.call(action, "GET", urls["detail"].format(pick(plan["detail_ids"])))
        elif action == "household_edit":
            # More officers than households: the extra ones only read.
            if self.entry["edit_ids"]:
                await self.edit(pick(self.entry["edit_ids"]))
            else:
                await self.do("household_detail")
        elif action == "dashboard_national":
            await self.call(action, "GET", urls["national"])
        elif action == "api_household_list":
            query = urlencode({"area": plan["village"], "q": pick(SEARCH_TERMS)})
            await self.call(action, "GET", f"{urls['api_households']}?{query}")
        elif action == "api_household_detail":
            await self.call(action, "GET", urls["api_household"].format(pick(plan["detail_ids"])))
        elif action == "api_figures":
            await self.call(action, "GET", f"{urls['api_figures']}?{urlencode({'area': plan['village']})}")
        elif action == "api_household_patch":
            if self.entry["edit_ids"]:
                await self.api_patch(pick(self.entry["edit_ids"]))
            else:
                await self.do("api_household_detail")
        else:
            area = {
                "dashboard_village": plan["village"],
                "dashboard_regency": plan["regency"],
                "dashboard_province": pick(plan["provinces"]),
            }[action]
            await self.call(action, "GET", urls["area"].format(area))

    async def edit(self, pk: int) -> None:
        """Open the household's edit form and save it with the address changed."""
        path = self.urls["edit"].format(pk)
        page = await self.call("household_edit_form", "GET", path)
        parser = FormParser()
        parser.feed(page.body.decode())
        forms = [f for f in parser.forms if f["method"] == "post" and any(n == "version" for n, _ in f["fields"])]
        if not forms:
            self.recorder.add("household_save", time.monotonic(), 0.0, "no edit form in the page")
            return
        fields = forms[0]["fields"]
        for index, (name, value) in enumerate(fields):
            if name == "address":
                fields[index] = (name, value[:-1] if value.endswith(".") else (value or "Jl. Desa") + ".")
        await self.call("household_save", "POST", forms[0]["action"] or path, fields, expect=302)

    async def api_patch(self, pk: int) -> None:
        """Read the household for its version (ETag), change its address with If-Match."""
        path = self.urls["api_household"].format(pk)
        read = await self.call("api_household_read", "GET", path)
        address = json.loads(read.body)["address"]
        changed = address[:-1] if address.endswith(".") else (address or "Jl. Desa") + "."
        tag = read.header("etag")
        await self.call("api_household_save", "PATCH", path, extra=[f"If-Match: {tag}"], body={"address": changed})


class CpuMeter:
    """CPU seconds of process trees, sampled every second: PostgreSQL backends and gunicorn
    workers come and go (connections live DB_CONN_MAX_AGE seconds), so a process is counted
    up to its last sample, and one that appears is counted from zero."""

    def __init__(self, pids: dict[str, int | None]) -> None:
        self.pids = {name: pid for name, pid in pids.items() if pid is not None}
        self.first: dict[str, dict[int, float]] = {}
        self.last: dict[str, dict[int, float]] = {}

    def sample(self) -> None:
        import psutil

        for name, pid in self.pids.items():
            with contextlib.suppress(psutil.Error):
                root = psutil.Process(pid)
                for process in [root, *root.children(recursive=True)]:
                    with contextlib.suppress(psutil.Error):
                        cpu = process.cpu_times()
                        self.first.setdefault(name, {}).setdefault(process.pid, cpu.user + cpu.system)
                        self.last.setdefault(name, {})[process.pid] = cpu.user + cpu.system

    def start(self) -> None:
        self.sample()
        # Processes present now are counted from now; later ones from their start.
        self.started = {name: dict(times) for name, times in self.first.items()}

    async def follow(self, until: float) -> None:
        while time.monotonic() < until:
            await asyncio.sleep(min(1.0, max(0.0, until - time.monotonic())))
            self.sample()

    def seconds(self) -> dict[str, float]:
        return {
            name: sum(
                value - self.started.get(name, {}).get(pid, 0.0) for pid, value in self.last.get(name, {}).items()
            )
            for name in self.pids
        }


def machine_busy() -> float:
    import psutil

    cpu = psutil.cpu_times()
    return sum(cpu) - cpu.idle - getattr(cpu, "iowait", 0.0)


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def summarise(samples: list[Sample], seconds: float) -> dict:
    every = [s.ms for s in samples]
    kinds = {}
    for kind in KINDS:
        mine = [s for s in samples if s.kind == kind]
        if mine:
            ms = [s.ms for s in mine]
            kinds[kind] = {
                "count": len(mine),
                "share": len(mine) / len(samples),
                "rps": len(mine) / seconds,
                "p50": percentile(ms, 0.5),
                "p95": percentile(ms, 0.95),
                "p99": percentile(ms, 0.99),
                "max": max(ms),
                "errors": sum(1 for s in mine if s.error),
            }
    error_kinds: dict[str, int] = {}
    for sample in samples:
        if sample.error:
            key = f"{sample.kind}: {sample.error}"
            error_kinds[key] = error_kinds.get(key, 0) + 1
    return {
        "count": len(samples),
        "rps": len(samples) / seconds,
        "p50": percentile(every, 0.5),
        "p95": percentile(every, 0.95),
        "p99": percentile(every, 0.99),
        "max": max(every, default=0.0),
        "errors": sum(error_kinds.values()),
        "error_kinds": error_kinds,
        "kinds": kinds,
    }


async def offered_step(users: list[SimulatedUser], rate: float, pids: dict[str, int | None], seed: int) -> dict:
    """Actions arriving at ``rate`` per second for STEP_WARMUP + STEP_SECONDS, each done by an
    idle session (waiting for one if every session is busy: that wait is the user's too)."""
    recorder = Recorder()
    for user in users:
        user.recorder = recorder
    idle: asyncio.Queue[SimulatedUser] = asyncio.Queue()
    for user in users:
        idle.put_nowait(user)
    arrivals = random.Random(seed)

    async def one(arrived: float) -> None:
        user = await idle.get()
        try:
            await user.act(arrived)
        finally:
            idle.put_nowait(user)

    begin = time.monotonic() + STEP_WARMUP
    end = begin + STEP_SECONDS
    recorder.window = (begin, end)
    meter = CpuMeter(pids)
    tasks = []
    measuring = False
    busy_before = wall_before = 0.0
    at = time.monotonic()
    while True:
        at += arrivals.expovariate(rate)
        if at >= end:
            break
        if not measuring and at >= begin:
            await asyncio.sleep(max(0.0, begin - time.monotonic()))
            meter.start()
            busy_before, wall_before, measuring = machine_busy(), time.monotonic(), True
        await asyncio.sleep(max(0.0, at - time.monotonic()))
        tasks.append(asyncio.create_task(one(at)))
    await asyncio.sleep(max(0.0, end - time.monotonic()))
    meter.sample()
    busy_after, wall_after = machine_busy(), time.monotonic()
    await asyncio.gather(*tasks)

    wall = max(1e-9, wall_after - wall_before)
    cpu = {name: value / wall for name, value in meter.seconds().items()}
    machine = (busy_after - busy_before) / wall
    cpu["other processes"] = max(0.0, machine - sum(cpu.values()))
    cpu["machine"] = machine
    step = summarise(recorder.samples, STEP_SECONDS)
    server_cpu = sum(cpu.get(name, 0.0) for name in ("gunicorn", "PostgreSQL", "task worker"))
    step.update(
        offered=rate,
        holds=bool(recorder.samples) and step["p95"] <= P95_BOUND_MS and step["errors"] == 0,
        cpu=cpu,
        cpu_ms_per_request=server_cpu * wall * 1000 / max(1, step["count"]),
    )
    return step


async def drive(plan: dict) -> dict:
    users = [SimulatedUser(entry, plan, Recorder(), seed=number) for number, entry in enumerate(plan["users"])]
    say(f"logging in {len(users)} users")
    started = time.monotonic()
    logins = await asyncio.gather(*(user.login() for user in users), return_exceptions=True)
    failed = [(user.entry["username"], repr(error)) for user, error in zip(users, logins, strict=True) if error]
    if failed:
        raise SystemExit(f"{len(failed)} logins failed, e.g. {failed[:3]}")
    login_s = time.monotonic() - started
    pids = {
        "gunicorn": plan["pids"]["gunicorn"],
        "PostgreSQL": plan["pids"]["postgres"],
        "task worker": plan["pids"]["task_worker"],
        "load generator": os.getpid(),
    }

    baseline = {}
    if BASELINE_SECONDS > 0:
        say(f"baseline: {BASELINE_SECONDS:.0f} s of /healthz from every user")
        floor = Recorder()
        for user in users:
            user.recorder = floor
        floor.window = (time.monotonic() + 1, time.monotonic() + 1 + BASELINE_SECONDS)
        await asyncio.gather(*(user.run(floor.window[1], only="healthz") for user in users))
        ms = [sample.ms for sample in floor.samples]
        span = max(sample.started + sample.ms / 1000 for sample in floor.samples) - floor.window[0]
        baseline = {
            "count": len(ms),
            "rps": len(ms) / span,
            "p50": percentile(ms, 0.5),
            "p95": percentile(ms, 0.95),
            "errors": sum(1 for sample in floor.samples if sample.error),
        }

    portal = await capacity(users, pids, "portal mix")
    clients = [SimulatedUser(entry, plan, Recorder(), seed=1000 + n) for n, entry in enumerate(plan["api_clients"])]
    api = await capacity(clients, pids, "API mix") if clients else {"steps": [], "best": None}

    say(f"each kind alone, {PROBE_ROUNDS} rounds")
    probe = Recorder()
    probe.probe = {}
    by_role = {}
    for user in [*users, *clients]:
        user.recorder = probe
        by_role.setdefault(user.entry["role"], user)
    for _round in range(PROBE_ROUNDS):
        for role, user in by_role.items():
            for action in MIXES[role]:
                with contextlib.suppress(RequestFailed):
                    await user.do(action)
    for user in [*users, *clients]:
        await user.client.close()

    return {
        "users": len(users),
        "api_clients": len(clients),
        "login_s": login_s,
        "baseline": baseline,
        "steps": portal["steps"],
        "best": portal["best"],
        "api_steps": api["steps"],
        "api_best": api["best"],
        "alone_p50": {kind: percentile(ms, 0.5) for kind, ms in probe.probe.items()},
    }


async def capacity(users: list[SimulatedUser], pids: dict[str, int | None], name: str) -> dict:
    """The fastest offered load ``users`` sustain within the latency bound (the steps, and the best)."""
    steps: list[dict] = []

    async def step(rate: float) -> dict:
        say(f"{name}: offered load {rate:.1f} actions/s")
        result = await offered_step(users, rate, pids, seed=len(steps))
        steps.append(result)
        say(f"  served {result['rps']:.1f} requests/s, p95 {result['p95']:.0f} ms, {result['errors']} errors")
        return result

    held, broke = None, None
    rate = FIRST_RATE
    while rate <= MAX_RATE:
        if (await step(rate))["holds"]:
            held, rate = rate, rate * GROWTH
        else:
            broke = rate
            break
    if held is not None and broke is not None:
        for _round in range(REFINE):
            middle = (held + broke) / 2
            if (await step(middle))["holds"]:
                held = middle
            else:
                broke = middle
    passing = [s for s in steps if s["holds"]]
    return {"steps": steps, "best": max(passing, key=lambda s: s["rps"]) if passing else None}


if __name__ == "__main__":
    if sys.argv[1:] == ["--drive"]:
        print(json.dumps(asyncio.run(drive(json.load(sys.stdin)))))
    else:
        main()
