"""How long a placement list extract takes to check and match, to apply and to revert, on the
1,000,000-household scale database, against reading the same file alone in the same run.

Run: `make bench-placements` (or `DEBUG=1 .venv/bin/python benchmarks/placement_lists.py`). Not named
placements.py: the benchmarks' folder is on the path, and that would hide the `placements` app.

Setup (not measured): the kept scale database (`bench_scale`, benchmarks/scale_database.py,
migrated on every use); a coordinator of the regency with the most stays abroad
(``bench.placements.coordinator``); an extract of BENCH_ROWS (default 5,000) rows of that
regency, written as Excel saves an Indonesian "CSV UTF-8" (semicolons, day-first dates) from
what the register holds: 60 % of the rows a registered worker by NIK, 15 % by passport number
only, 10 % by name, date of birth and village only, 15 % people the register does not know.

Measured, ROUNDS (3) times, medians:

* ``read_s``, the baseline: the file read by the household import's reader, every row;
* ``upload_s``: `placement_batch_upload` (read, check, match, store the rows);
* ``lists_s``: the three lists of every village for the coordinator (`batch_lists`);
* ``apply_s``: every match by name confirmed (not measured), then `placement_batch_apply`
  (each confirmed stay marked through `record_save`, its history written; the follow-ups);
* ``revert_s``: `placement_batch_revert`.

Each round's extract is reverted and deleted afterwards, and the summary refreshes its marks
queued are deleted, so the scale database is as it was. The machine is shared and noisy:
compare the ratios. The last line is one JSON object.
"""

from __future__ import annotations

import json
import os
import random
import statistics
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

from django.db.models import Count  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_tasks_db.models import DBTaskResult  # noqa: E402
from scale_database import use_scale_database  # noqa: E402

from desmigratif.models import Assignment, Role, User  # noqa: E402
from households.imports.reading import read_table  # noqa: E402
from households.models import MigrationEpisode, Person  # noqa: E402
from placements.lists import batch_lists  # noqa: E402
from placements.models import PlacementBatch, PlacementRecord  # noqa: E402
from placements.services import (  # noqa: E402
    placement_batch_apply,
    placement_batch_revert,
    placement_batch_upload,
    placement_decide,
)

HOUSEHOLDS = 1_000_000
ROWS = int(os.environ.get("BENCH_ROWS", "5000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
HEADER = (
    "No;NIK;Nama PMI;Tgl. Lahir;No. Paspor;Negara Penempatan;Nama Pengguna;Nama P3MI;Tanggal Keberangkatan;Kode Desa"
)


def busiest_regency() -> str:
    row = (
        MigrationEpisode.objects.filter(status="abroad", person__household__is_archived=False)
        .values("person__household__village_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    return row["person__household__village_id"][:5]


def coordinator_of(regency: str) -> User:
    user, _created = User.objects.get_or_create(username="bench.placements.coordinator")
    if [(a.role, a.area_code) for a in user.assignments.all()] != [(Role.COORDINATOR, regency)]:
        user.assignments.all().delete()
        assignment = Assignment(user=user, role=Role.COORDINATOR, note="placements benchmark")
        assignment.set_area(regency)
        assignment.full_clean()
        assignment.save()
    return user


def extract(regency: str) -> bytes:
    """The regency's placements as the register knows them, and some it does not."""
    pick = random.Random(19)
    stays = list(
        MigrationEpisode.objects.filter(person__household__village__code__startswith=regency + ".")
        .exclude(departure_date=None)
        .select_related("person__household")
        .order_by("id")[: ROWS * 2]
    )
    pick.shuffle(stays)
    lines = [HEADER]
    for number in range(1, ROWS + 1):
        share = number / ROWS
        stay = stays[number % len(stays)]
        person: Person = stay.person
        nik, passport, name = person.nik or "", "", person.name
        if 0.60 < share <= 0.75:
            nik, passport = "", stay.passport_number
        elif 0.75 < share <= 0.85:
            nik = ""
        elif share > 0.85:
            nik, name = f"{regency.replace('.', '')}01019{number % 10}{number % 9000 + 1000:04d}", f"Pekerja {number}"
        birth = person.birth_date.strftime("%d/%m/%Y") if person.birth_date else ""
        departed = stay.departure_date.strftime("%d/%m/%Y")
        lines.append(
            f"{number};{nik};{name.upper()};{birth};{passport};{stay.destination_country};Employer {number};"
            f"PT Bench;{departed};{person.household.village_id}"
        )
    return ("\r\n".join(lines) + "\r\n").encode("utf-8-sig")


def timed(work):
    started = time.perf_counter()
    result = work()
    return time.perf_counter() - started, result


def main() -> None:
    households = use_scale_database(HOUSEHOLDS)
    regency = busiest_regency()
    coordinator = coordinator_of(regency)
    data = extract(regency)
    print(f"{households:,} households; regency {regency}; an extract of {ROWS} rows, {len(data):,} bytes", flush=True)
    figures: dict[str, list[float]] = {name: [] for name in ("read_s", "upload_s", "lists_s", "apply_s", "revert_s")}
    counts: dict[str, int] = {}
    queued_before = set(DBTaskResult.objects.values_list("id", flat=True))
    for round_number in range(1, ROUNDS + 1):

        def read() -> int:
            table = read_table(data, "siskop2mi.csv")
            try:
                return sum(1 for _row in table.rows)
            finally:
                table.close()

        read_s, _rows = timed(read)
        upload_s, batch = timed(
            lambda: placement_batch_upload(
                user=coordinator,
                data=data,
                file_name="siskop2mi.csv",
                area=regency,
                source="SISKOP2MI",
                extracted_on=timezone.localdate(),
            )
        )
        lists_s, lists = timed(lambda: batch_lists(batch, coordinator))  # noqa: B023 - called at once
        for record in batch.records.filter(decision=PlacementRecord.Decision.PENDING):
            placement_decide(record=record, user=coordinator, confirmed=True)
        apply_s, marked = timed(lambda: placement_batch_apply(batch=batch, user=coordinator))  # noqa: B023
        revert_s, _put_back = timed(lambda: placement_batch_revert(batch=batch, user=coordinator))  # noqa: B023
        counts = {
            "rows": batch.rows,
            "confirmed": lists.total_confirmed,
            "unlisted": lists.total_unlisted,
            "unregistered": lists.total_unregistered,
            "marked": marked,
        }
        PlacementBatch.objects.filter(pk=batch.pk).delete()
        for name, value in zip(figures, (read_s, upload_s, lists_s, apply_s, revert_s), strict=True):
            figures[name].append(value)
        print(
            f"round {round_number}: read {read_s:.2f} s, upload {upload_s:.2f} s, lists {lists_s:.2f} s, "
            f"apply {apply_s:.2f} s, revert {revert_s:.2f} s; {counts}",
            flush=True,
        )
    DBTaskResult.objects.exclude(id__in=queued_before).delete()
    medians = {name: round(statistics.median(values), 3) for name, values in figures.items()}
    read_s = medians["read_s"]
    print(
        json.dumps(
            {
                "households": households,
                "rows": ROWS,
                **medians,
                "upload_over_read": round(medians["upload_s"] / read_s, 1),
                "apply_over_read": round(medians["apply_s"] / read_s, 1),
                **counts,
            }
        )
    )


if __name__ == "__main__":
    main()
