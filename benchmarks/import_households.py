"""How fast the household import is, against django-import-export and a raw COPY in the same run.

Run: `make bench-import` (or `DEBUG=1 .venv/bin/python benchmarks/import_households.py`).

It uses a scratch database (`bench_desmigratif`, created and dropped here) on the
configured PostgreSQL server, so the portal's own data is never touched. It writes the
reference file (benchmarks/reference_file.py: 40,072 households of the 317 villages of
Indramayu, about 155,000 person rows, ~2.5 % of them invalid) under .data/bench/, then:

* three rounds on an empty register, each: ``preview`` = upload + check + preview (the batch
  life cycle's `batch_upload` and `batch_validate`, in this process), then ``commit``
  (`batch_confirm`, valid rows only, written at once), medians reported;
* ``reimport``: the same file again (preview + commit), which must write nothing;
* baselines on a 10,000-row slice (one row per household): django-import-export's
  default `Resource.import_data` (the admin's HouseholdResource), and a raw psycopg2 COPY
  of the same rows into an unlogged table with no constraints;
* a village's file of about 2,000 rows through the web, ROUNDS times: the portal and its task
  worker started as `make run` does, an officer who uploads, waits for the preview on the page
  (polled every 500 ms, as the page does), confirms and waits for the write
  (benchmarks/import_web.py): ``village_preview_s``, ``village_commit_s``;
* peak memory: stage + commit from disk (the command line's way) in a fresh process for the
  reference file and for a file ten times bigger (BENCH_MEMORY=0 skips the big one).

The machine is shared and noisy: compare the ratios. The last line is one JSON object.
"""

from __future__ import annotations

import io
import json
import os
import resource
import statistics
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
from django.urls import reverse  # noqa: E402
from reference_file import write_reference_file  # noqa: E402

from desmigratif.models import User, Village  # noqa: E402
from desmigratif.regions_source import kemendagri_2025  # noqa: E402
from desmigratif.services import regions_load  # noqa: E402
from households.imports import batches  # noqa: E402
from households.models import Household, ImportBatch, Person  # noqa: E402

# The dashboards' refresh after a write is measured by `make bench-dashboard`, not here.
batches.figures_refresh = lambda: None

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
HOUSEHOLDS = int(os.environ.get("BENCH_HOUSEHOLDS", "40072"))
SLICE = 10_000
DATA = ROOT / ".data" / "bench"
REGISTER_TABLES = [
    "households_importrow",
    "households_importchange",
    "households_importbatch",
    "households_migrationepisode",
    "households_historicalmigrationepisode",
    "households_person",
    "households_historicalperson",
    "households_kknumber",
    "households_historicalkknumber",
    "households_household",
    "households_historicalhousehold",
]


def reference_file(households: int) -> Path:
    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / f"households-{households}.csv"
    if not path.exists():
        villages = list(
            Village.objects.active().filter(code__startswith="32.12.").order_by("code").values_list("code", flat=True)
        )
        facts = write_reference_file(path.with_suffix(".tmp"), households, villages)
        path.with_suffix(".tmp").rename(path)
        print(f"wrote {path.name}: {facts}")
    return path


def empty_register() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(REGISTER_TABLES)} CASCADE")


def stage(path: Path, user: User, *, from_disk: bool = False) -> tuple[ImportBatch, float]:
    """Upload and check, as the import page's worker does (the file kept in the batch), or
    from disk as the command line does for files over the upload limit: the preview. The
    background worker's pick-up is not in it (the web flow below has it)."""
    started = time.perf_counter()
    if from_disk:
        batch = batches.batch_upload(user=user, file_name=path.name, path=path, background=False)
        result = batches.batch_validate(batch_id=batch.pk, path=path)
    else:
        batch = batches.batch_upload(user=user, file_name=path.name, data=path.read_bytes(), background=False)
        result = batches.batch_validate(batch_id=batch.pk)
    if result.fatal:
        raise SystemExit(f"the reference file was refused: {result.fatal}")
    elapsed = time.perf_counter() - started
    return ImportBatch.objects.defer("upload").get(pk=batch.pk), elapsed


def commit(batch: ImportBatch, user: User) -> tuple[ImportBatch, float]:
    """Confirm (valid rows only) and write, keeping the error file's rows and letting go of the
    upload; the dashboards' refresh not included."""
    started = time.perf_counter()
    batches.batch_confirm(batch=batch, user=user, mode=ImportBatch.Mode.VALID_ONLY, background=False)
    elapsed = time.perf_counter() - started
    batch = ImportBatch.objects.defer("upload").get(pk=batch.pk)
    if batch.status != ImportBatch.Status.COMMITTED:
        raise SystemExit(f"the write was refused: {batch.message}")
    return batch, elapsed


def household_slice(path: Path) -> list[list[str]]:
    """The first SLICE households of the file, one row each (the household columns)."""
    import csv

    rows, seen = [], set()
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        next(reader)
        for row in reader:
            if row[0] in seen or not row[0].isdigit() or not row[1].startswith("32.12."):
                continue
            seen.add(row[0])
            rows.append(row[:7])
            if len(rows) == SLICE:
                break
    return rows


def import_export_baseline(rows: list[list[str]], user: User) -> float:
    import tablib

    from households.resources import HouseholdResource

    dataset = tablib.Dataset(headers=["kk_number", "village", "dusun", "rt", "rw", "address", "phone"])
    for row in rows:
        dataset.append(row)
    started = time.perf_counter()
    result = HouseholdResource(user=user).import_data(dataset, dry_run=False, raise_errors=True)
    elapsed = time.perf_counter() - started
    if result.has_errors() or Household.objects.count() < len(rows):
        raise SystemExit("django-import-export baseline did not import the slice")
    return elapsed


def copy_baseline(rows: list[list[str]]) -> float:
    buffer = io.StringIO("".join("\t".join(row) + "\n" for row in rows))
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_raw")
        cursor.execute(
            "CREATE UNLOGGED TABLE bench_raw (kk text, village text, dusun text, rt text, rw text, "
            "address text, phone text)"
        )
        started = time.perf_counter()
        cursor.cursor.copy_expert("COPY bench_raw FROM STDIN", buffer)
        elapsed = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_raw")
    return elapsed


def floors(path: Path) -> dict[str, float]:
    """What no import of this file can beat on this machine, measured on the data just
    committed: PostgreSQL parsing the raw file (`COPY`, text columns, no checks), and
    writing the persons alone into a table with the person table's indexes and check
    constraints (a temporary copy: no write-ahead log, no foreign keys, no history)."""
    result = {}
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE bench_file (" + ", ".join(f"c{i} text" for i in range(29)) + ")")
        started = time.perf_counter()
        with path.open("rb") as handle:
            cursor.cursor.copy_expert("COPY bench_file FROM STDIN WITH (FORMAT csv, HEADER true)", handle)
        result["file_copy_s"] = time.perf_counter() - started
        cursor.execute("CREATE TEMPORARY TABLE bench_person (LIKE households_person INCLUDING ALL)")
        started = time.perf_counter()
        cursor.execute("INSERT INTO bench_person SELECT * FROM households_person")
        result["person_insert_s"] = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_file, bench_person")
    return result


def peak_memory(path: Path) -> float:
    """Stage and commit ``path`` in a fresh process on an empty register; its peak RSS in MB."""
    empty_register()
    output = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, __file__, "--memory", str(path)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "BENCH_DATABASE": connection.settings_dict["NAME"]},
    ).stdout
    return json.loads(output.strip().splitlines()[-1])["peak_rss_mb"]


def peak_rss_mb() -> float:
    """This process's peak resident memory. Not getrusage's ru_maxrss: Linux keeps that across
    exec, so a child would report the benchmark's own peak at the moment it was forked."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def memory_child(path: Path) -> None:
    connection.settings_dict["NAME"] = os.environ["BENCH_DATABASE"]
    user = User.objects.get(username="bench")
    batch, staged = stage(path, user, from_disk=True)
    batch, committed = commit(batch, user)
    peak = peak_rss_mb()
    print(json.dumps({"rows": batch.counts, "stage_s": staged, "commit_s": committed, "peak_rss_mb": round(peak)}))


VILLAGE_HOUSEHOLDS = 520  # about 2,000 rows: a village's file


def village_web_rounds(url: str) -> dict:
    """The village file through the web (benchmarks/import_web.py), ROUNDS times on an empty
    register: medians of upload-to-preview and confirm-to-written, as the officer sees them."""
    from import_web import start_portal, village_flow
    from load import free_port

    from desmigratif.models import Assignment, Role
    from desmigratif.services import DEMO_PASSWORD

    village = Village.objects.active().filter(code__startswith="32.12.16.").order_by("code").first().code
    officer = User.objects.create_user("bench.officer", password=DEMO_PASSWORD)
    assignment = Assignment(user=officer, role=Role.OFFICER)
    assignment.set_area(village)
    assignment.save()
    path = DATA / f"village-{VILLAGE_HOUSEHOLDS}.csv"
    facts = write_reference_file(path, VILLAGE_HOUSEHOLDS, [village])
    data = path.read_bytes()
    urls = {"login": reverse("login"), "import": reverse("households:import")}
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "1"}
    processes = start_portal(env, port, DATA / "village-web.log")
    flows = []
    try:
        for number in range(1, ROUNDS + 1):
            empty_register()
            flow = village_flow(port, officer.username, DEMO_PASSWORD, data, urls)
            flows.append(flow)
            print(
                f"village web flow {number}: {facts.rows} rows, upload to preview {flow.preview_s:.2f} s, "
                f"confirm to written {flow.commit_s:.2f} s, progress seen {flow.progress_seen}"
            )
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=20)
    return {
        "village_rows": facts.rows,
        "village_preview_s": round(statistics.median(f.preview_s for f in flows), 2),
        "village_commit_s": round(statistics.median(f.commit_s for f in flows), 2),
    }


def main() -> None:
    creation = connection.creation
    original_name = connection.settings_dict["NAME"]
    connection.settings_dict["TEST"]["NAME"] = "bench_desmigratif"
    creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        regions_load(regions=kemendagri_2025())
        user = User.objects.create_superuser("bench", password=None)
        path = reference_file(HOUSEHOLDS)
        rounds = []
        for number in range(1, ROUNDS + 1):
            empty_register()
            batch, preview = stage(path, user)
            rows = batch.counts["rows"]
            batch, written = commit(batch, user)
            rounds.append({"preview": preview, "commit": written})
            print(
                f"round {number}: {rows} rows, preview {preview:.2f} s, commit {written:.2f} s "
                f"({batch.counts.get('persons_created', 0)} persons, "
                f"{batch.counts.get('households_created', 0)} households, "
                f"{batch.counts.get('episodes_created', 0)} episodes created; {batch.counts['rows_skipped']} skipped)"
            )
        again, reimport_preview = stage(path, user)
        again, reimport_commit = commit(again, user)
        if "Nothing to write" not in again.message and "Tidak ada" not in again.message:
            raise SystemExit(f"re-importing the same file wrote something: {again.counts}")
        print(f"re-import: preview {reimport_preview:.2f} s, commit {reimport_commit:.2f} s, nothing written")
        persons = Person.objects.count()
        floor = floors(path)
        print(
            f"floors: raw COPY of the whole file {floor['file_copy_s']:.2f} s; "
            f"the {persons} persons alone into an indexed table {floor['person_insert_s']:.2f} s"
        )

        empty_register()
        households = household_slice(path)
        import_export = import_export_baseline(households, user)
        raw_copy = copy_baseline(households)
        print(f"10,000-household slice: django-import-export {import_export:.2f} s, raw COPY {raw_copy:.3f} s")
        from load import database_url

        village = village_web_rounds(database_url(connection.settings_dict))
        memory = {"40k": peak_memory(path)}
        if os.environ.get("BENCH_MEMORY", "1") != "0":
            memory["400k"] = peak_memory(reference_file(HOUSEHOLDS * 10))
        print(f"peak memory (stage + commit, fresh process): {memory}")

        preview_s = statistics.median(r["preview"] for r in rounds)
        commit_s = statistics.median(r["commit"] for r in rounds)
        summary = {
            "rows": rows,
            "persons": persons,
            "preview_s": round(preview_s, 2),
            "commit_s": round(commit_s, 2),
            "reimport_s": round(reimport_preview + reimport_commit, 2),
            "peak_rss_mb": memory["40k"],
            "peak_rss_mb_10x": memory.get("400k"),
            "rows_per_s": round(rows / (preview_s + commit_s)),
            "import_export_rows_per_s": round(len(households) / import_export),
            "copy_rows_per_s": round(len(households) / raw_copy),
        }
        summary.update(village)
        summary["file_copy_s"] = round(floor["file_copy_s"], 2)
        summary["person_insert_s"] = round(floor["person_insert_s"], 2)
        summary["over_import_export"] = round(summary["rows_per_s"] / summary["import_export_rows_per_s"], 1)
        summary["copy_over_ours"] = round(summary["copy_rows_per_s"] / summary["rows_per_s"], 1)
        print(json.dumps(summary))
    finally:
        creation.destroy_test_db(original_name, verbosity=0)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--memory":
        memory_child(Path(sys.argv[2]))
    else:
        main()
