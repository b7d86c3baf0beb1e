"""A national-scale synthetic dataset for benchmarks (`manage.py seed_scale`).

Households are spread over real villages of the big sending provinces, about 330 per
village, with members, stays abroad, service requests and the records of pillars 2-4 in
plausible proportions. NIKs and KK numbers follow the identifier rules and are unique
(a district's numbers are generated together). Rows go in with `COPY`, ids drawn from the
tables' sequences in one call per table; no history rows are written: this is a benchmark
dataset, not anybody's register.
"""

from __future__ import annotations

import datetime
import io
import json
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from childcare.models import ActivityKind, Child, LearningHouse, Session
from cooperatives.models import Cooperative, Facility, Membership
from desmigratif.models import Village
from enterprises.models import Attendance, Category, Enterprise, EquipmentAid, Training
from households.models import Household, Job, KKNumber, MigrationEpisode, Person, ServiceRequest

# Provinces that send most workers, with their weight (BP2MI placement statistics, rounded).
PROVINCES = [
    ("33", 24),
    ("32", 23),
    ("35", 22),
    ("52", 12),
    ("18", 5),
    ("51", 3),
    ("12", 3),
    ("36", 3),
    ("61", 2),
    ("73", 3),
]
HOUSEHOLDS_PER_VILLAGE = 330
DESTINATIONS = [("HK", 25), ("TW", 24), ("MY", 20), ("SG", 5), ("JP", 6), ("KR", 6), ("SA", 4), ("BN", 2), ("AE", 2)]
MEN = ["Ahmad", "Budi", "Dedi", "Eko", "Fajar", "Hadi", "Imam", "Joko", "Lukman", "Rudi", "Slamet", "Wahyu", "Yusuf"]
WOMEN = ["Ani", "Dewi", "Eka", "Fitri", "Lestari", "Marni", "Nur", "Rina", "Siti", "Sri", "Tuti", "Wati", "Yanti"]
SURNAMES = ["Suryana", "Saputra", "Hidayat", "Kusuma", "Wijaya", "Pratama", "Setiawan", "Nugroho", "Rahman", "Santoso"]


@dataclass
class ScaleReport:
    counts: dict[str, int] = field(default_factory=dict)


class _Table:
    """Rows of one model, written as COPY text; ids drawn from its sequence up front."""

    def __init__(self, model: type[models.Model], *, with_id: bool) -> None:
        self.model = model
        self.fields = [f for f in model._meta.concrete_fields if with_id or not f.primary_key]
        self.columns = [f.column for f in self.fields]
        now = timezone.now()
        self.arrays = {f.attname for f in self.fields if f.get_internal_type() == "ArrayField"}
        self.defaults: dict[str, Any] = {}
        for f in self.fields:
            if f.name in {"created_at", "updated_at"}:
                value: Any = now
            elif f.has_default():
                value = f.get_default()
            elif f.null:
                value = None
            else:
                value = ""
            self.defaults[f.attname] = value
        self.buffer = io.StringIO()
        self.rows = 0

    def add(self, **values: Any) -> None:
        row = {**self.defaults, **values}
        for name in self.arrays:  # PostgreSQL's array literal, not JSON
            row[name] = "{" + ",".join(row[name]) + "}"
        self.buffer.write("\t".join(_text(row[f.attname]) for f in self.fields))
        self.buffer.write("\n")
        self.rows += 1

    def flush(self, cursor: Any) -> None:
        self.buffer.seek(0)
        cursor.copy_expert(f"COPY {self.model._meta.db_table} ({', '.join(self.columns)}) FROM STDIN", self.buffer)
        self.buffer = io.StringIO()


def _text(value: Any) -> str:
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, (list, dict)):
        return json.dumps(value).replace("\\", "\\\\")
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return str(value)


def _ids(cursor: Any, model: type[models.Model], count: int) -> Iterator[int]:
    """``count`` ids from the model's sequence, in one round trip."""
    if count == 0:
        return iter(())
    cursor.execute(
        "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [model._meta.db_table, count]
    )
    return iter(row[0] for row in cursor.fetchall())


class _IdPool:
    """Ids for a model, fetched a block at a time."""

    def __init__(self, cursor: Any, model: type[models.Model], block: int = 50_000) -> None:
        self.cursor, self.model, self.block = cursor, model, block
        self.ids: Iterator[int] = iter(())

    def __call__(self) -> int:
        try:
            return next(self.ids)
        except StopIteration:
            self.ids = _ids(self.cursor, self.model, self.block)
            return next(self.ids)


class _Numbers:
    """Unique NIK and KK numbers of one district at a time (the region code, a date, a serial)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.district = ""
        self.taken: set[str] = set()

    def of_district(self, district: str) -> Callable[[str], str]:
        if district != self.district:
            self.district, self.taken = district, set()
        prefix = district.replace(".", "")

        def number(middle: str) -> str:
            for serial in range(self.rng.randint(1, 5000), 10000):
                candidate = f"{prefix}{middle}{serial:04d}"
                if candidate not in self.taken:
                    self.taken.add(candidate)
                    return candidate
            raise RuntimeError("no serial left in this district for this date")

        return number


def _weighted(rng: random.Random, pairs: list[tuple[str, int]]) -> Callable[[], str]:
    values, weights = [v for v, _ in pairs], [w for _, w in pairs]
    return lambda: rng.choices(values, weights)[0]


def _villages(households: int, rng: random.Random) -> list[str]:
    wanted = max(1, households // HOUSEHOLDS_PER_VILLAGE)
    chosen: list[str] = []
    total = sum(weight for _code, weight in PROVINCES)
    for province, weight in PROVINCES:
        codes = list(
            Village.objects.active()
            .filter(code__startswith=province + ".")
            .order_by("code")
            .values_list("code", flat=True)
        )
        take = min(len(codes), max(1, round(wanted * weight / total)))
        chosen += sorted(rng.sample(codes, take))
    return sorted(chosen)[: max(wanted, 1)] if len(chosen) >= wanted else chosen


@transaction.atomic
def scale_seed(*, households: int, seed: int = 1, progress: Callable[[int], None] | None = None) -> ScaleReport:
    """Add ``households`` synthetic households (and everything around them) to the database."""
    rng = random.Random(seed)  # noqa: S311 - benchmark data, not security
    today = timezone.localdate()
    villages = _villages(households, rng)
    per_village = [
        households // len(villages) + (1 if i < households % len(villages) else 0) for i in range(len(villages))
    ]
    destination = _weighted(rng, DESTINATIONS)
    jobs = list(Job.objects.values_list("pk", flat=True)) or [None]
    categories = list(Category.objects.values_list("pk", flat=True))
    kinds = list(ActivityKind.objects.values_list("pk", flat=True))
    allocated = (Household, Person, MigrationEpisode, Enterprise, Training, LearningHouse, Child, Session, Cooperative)
    tables = {
        model: _Table(model, with_id=model in allocated)
        for model in (
            Household,
            KKNumber,
            Person,
            MigrationEpisode,
            ServiceRequest,
            Enterprise,
            Training,
            Attendance,
            EquipmentAid,
            LearningHouse,
            Child,
            Session,
            Cooperative,
            Membership,
            Facility,
        )
    }
    # Many-to-many rows: a child's parent abroad, the children present at a session.
    parents_abroad = _Table(Child.parents_abroad.through, with_id=False)
    present = _Table(Session.children.through, with_id=False)
    with connection.cursor() as wrapper:
        cursor = wrapper.cursor
        new_id = {
            model: _IdPool(wrapper, model)
            for model in (
                Household,
                Person,
                MigrationEpisode,
                Enterprise,
                Training,
                LearningHouse,
                Child,
                Session,
                Cooperative,
            )
        }
        done = 0
        numbers = _Numbers(rng)
        for village, count in zip(villages, per_village, strict=True):
            number = numbers.of_district(village[:8])

            trainings = []
            for kind in ("productive", "mtu"):
                training_id = new_id[Training]()
                trainings.append(training_id)
                start = today - datetime.timedelta(days=rng.randint(30, 900))
                tables[Training].add(
                    id=training_id,
                    village_id=village,
                    kind=kind,
                    topic="Pelatihan usaha",
                    starts_on=start,
                    ends_on=start,
                )
            house_id = new_id[LearningHouse]()
            tables[LearningHouse].add(id=house_id, village_id=village, name=f"Rumah Belajar {village}", is_active=True)
            sessions = []
            for week in range(8 if kinds else 0):
                sessions.append(new_id[Session]())
                tables[Session].add(
                    id=sessions[-1],
                    learning_house_id=house_id,
                    kind_id=rng.choice(kinds),
                    held_on=today - datetime.timedelta(days=7 * week + 1),
                )
            cooperative_id = new_id[Cooperative]()
            tables[Cooperative].add(
                id=cooperative_id,
                village_id=village,
                kind=rng.choice(["koperasi", "bumdes"]),
                name=f"Koperasi {village}",
                status="active",
            )
            for kind in ("internet", "solar", "reservoir"):
                tables[Facility].add(
                    village_id=village, kind=kind, status=rng.choice(["planned", "built", "in_use", "broken"])
                )

            for _ in range(count):
                household_id = new_id[Household]()
                issued = today - datetime.timedelta(days=rng.randint(200, 6000))
                kk = number(f"{issued:%d%m%y}")
                tables[Household].add(
                    id=household_id,
                    village_id=village,
                    kk_number=kk,
                    dusun=rng.choice(["Krajan", "Kulon", "Wetan"]),
                    rt=f"{rng.randint(1, 12):03d}",
                    rw=f"{rng.randint(1, 4):03d}",
                    address=f"Jl. Desa No. {rng.randint(1, 99)}",
                    phone=f"+62812{rng.randint(10_000_000, 99_999_999)}",
                    validation_warnings=[],
                    is_archived=False,
                )
                tables[KKNumber].add(household_id=household_id, number=kk, recorded_on=issued)
                surname = rng.choice(SURNAMES)
                members = [("M", "head", 25, 60), ("F", "wife", 20, 55)] + [
                    (rng.choice("MF"), "child", 0, 20) for _ in range(rng.choice([0, 1, 1, 2, 2, 3]))
                ]
                person_ids = []
                for sex, relationship, low, high in members:
                    born = today - datetime.timedelta(days=rng.randint(low * 365, high * 365))
                    person_id = new_id[Person]()
                    person_ids.append((person_id, sex, relationship, born))
                    day = born.day + (40 if sex == "F" else 0)
                    tables[Person].add(
                        id=person_id,
                        household_id=household_id,
                        nik=number(f"{day:02d}{born:%m%y}"),
                        name=f"{rng.choice(MEN if sex == 'M' else WOMEN)} {surname}",
                        sex=sex,
                        birth_date=born,
                        relationship=relationship,
                        religion="islam",
                        validation_warnings=[],
                    )
                worker = episode_id = None
                if rng.random() < 0.7:
                    worker = person_ids[1] if rng.random() < 0.65 else person_ids[0]
                    status = rng.choices(["abroad", "returned", "preparing"], [60, 30, 10])[0]
                    departure = (
                        None if status == "preparing" else today - datetime.timedelta(days=rng.randint(60, 3000))
                    )
                    returned = (
                        departure + datetime.timedelta(days=rng.randint(100, 900)) if status == "returned" else None
                    )
                    episode_id = new_id[MigrationEpisode]()
                    tables[MigrationEpisode].add(
                        id=episode_id,
                        person_id=worker[0],
                        status=status,
                        destination_country=destination(),
                        procedural=rng.choices(["procedural", "non_procedural", "unknown"], [80, 12, 8])[0],
                        sector="informal" if worker[1] == "F" else "formal",
                        job_id=rng.choice(jobs),
                        departure_date=departure,
                        contract_end=departure + datetime.timedelta(days=730) if departure else None,
                        actual_return=min(returned, today) if returned else None,
                        return_reason="contract_ended" if returned else "",
                        validation_warnings=[],
                    )
                    if rng.random() < 0.08:
                        tables[ServiceRequest].add(
                            village_id=village,
                            kind=rng.choice(["information", "documents", "family_inquiry", "complaint"]),
                            person_served_id=person_ids[0][0],
                            worker_id=worker[0],
                            description="Permintaan layanan",
                            status=rng.choice(["open", "referred", "resolved", "closed"]),
                            opened_on=today - datetime.timedelta(days=rng.randint(1, 700)),
                            follow_up_on=today + datetime.timedelta(days=rng.randint(-60, 60)),
                            validation_warnings=[],
                        )
                if worker and rng.random() < 0.2 and categories:
                    enterprise_id = new_id[Enterprise]()
                    tables[Enterprise].add(
                        id=enterprise_id,
                        village_id=village,
                        name=f"Usaha {surname}",
                        owner_id=household_id,
                        category_id=rng.choice(categories),
                        status=rng.choice(["active", "active", "paused", "closed"]),
                        channels=[],
                        validation_warnings=[],
                    )
                    tables[Attendance].add(training_id=rng.choice(trainings), person_id=person_ids[1][0])
                    if rng.random() < 0.3:
                        tables[EquipmentAid].add(
                            enterprise_id=enterprise_id,
                            item="Peralatan",
                            value=rng.choice([500_000, 1_500_000, 3_000_000]),
                            given_on=today - datetime.timedelta(days=rng.randint(1, 500)),
                            source="apbn",
                            validation_warnings=[],
                        )
                for person_id, _sex, relationship, born in person_ids:
                    if relationship == "child" and (today - born).days < 17 * 365 and worker and rng.random() < 0.5:
                        child_id, in_house = new_id[Child](), rng.random() < 0.4
                        tables[Child].add(
                            id=child_id,
                            person_id=person_id,
                            learning_house_id=house_id if in_house else None,
                            caregiver_id=person_ids[0][0],
                            school_status="attending",
                            validation_warnings=[],
                        )
                        if status == "abroad":
                            parents_abroad.add(child_id=child_id, migrationepisode_id=episode_id)
                        for session_id in rng.sample(sessions, min(len(sessions), 4)) if in_house else ():
                            present.add(session_id=session_id, child_id=child_id)
                if rng.random() < 0.15:
                    tables[Membership].add(
                        cooperative_id=cooperative_id,
                        household_id=household_id,
                        joined_on=today - datetime.timedelta(days=rng.randint(1, 900)),
                        share_capital=100_000,
                        savings=50_000,
                        validation_warnings=[],
                    )
                done += 1
                if done % 20_000 == 0:
                    for table in [*tables.values(), parents_abroad, present]:
                        table.flush(cursor)
                    if progress is not None:
                        progress(done)
        for table in [*tables.values(), parents_abroad, present]:
            table.flush(cursor)
    for model in (Household, Person, MigrationEpisode):
        with connection.cursor() as wrapper:
            wrapper.execute(f"ANALYZE {model._meta.db_table}")
    return ScaleReport(counts={model._meta.model_name: table.rows for model, table in tables.items()})
