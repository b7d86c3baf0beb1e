"""A synthetic but plausible population for the demo villages (used by `manage.py seed_demo`).

Every name is invented (Faker, Indonesian locale, fixed seed); NIKs and KK numbers follow
the identifier rules and agree with each person's birth date and sex. Destinations follow
the shape of BP2MI's placement statistics: Hong Kong, Taiwan and Malaysia first, then
Singapore, Japan, Korea, Saudi Arabia and a long tail.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

from django.db import transaction
from faker import Faker

from desmigratif.models import User, Village
from households.models import (
    EpisodeStatus,
    Household,
    Job,
    MigrationEpisode,
    Person,
    PlacementAgency,
    Procedural,
    ReturnReason,
    ServiceRequest,
)
from households.services import MemberData, household_register

DEMO_VILLAGES = ["32.12.16.2004", "33.07.10.2004", "32.12.16.2005"]
# Two big sending regencies; their first village by code joins the demo.
DEMO_REGENCIES = ["52.03", "35.05"]

DESTINATIONS = [
    ("HK", 25),
    ("TW", 24),
    ("MY", 20),
    ("SG", 5),
    ("JP", 6),
    ("KR", 6),
    ("SA", 4),
    ("BN", 2),
    ("AE", 2),
    ("QA", 1),
    ("PL", 1),
    ("IT", 1),
]
WOMEN_JOBS = {
    "HK": "domestic-worker",
    "TW": "caregiver",
    "SG": "domestic-worker",
    "SA": "domestic-worker",
    "MY": "domestic-worker",
    "BN": "domestic-worker",
    "AE": "domestic-worker",
    "QA": "domestic-worker",
    "JP": "nurse",
    "KR": "manufacturing",
    "PL": "manufacturing",
    "IT": "caregiver",
}
MEN_JOBS = {
    "MY": "plantation",
    "TW": "fishing-crew",
    "KR": "manufacturing",
    "JP": "manufacturing",
    "HK": "construction",
    "SG": "construction",
    "SA": "driver",
    "BN": "construction",
    "AE": "driver",
    "QA": "construction",
    "PL": "manufacturing",
    "IT": "agriculture",
}
AGENCIES = [
    ("PT Sejahtera Mandiri Penempatan (demo)", "KEP.DEMO/0001"),
    ("PT Bina Karya Migran (demo)", "KEP.DEMO/0002"),
    ("PT Amanah Tenaga Kerja (demo)", "KEP.DEMO/0003"),
]
REQUEST_STORIES = [
    ("information", "Keluarga menanyakan syarat dan biaya resmi bekerja ke Taiwan."),
    ("documents", "Bantuan mengurus paspor dan surat izin keluarga."),
    ("trafficking", "Calo menawarkan kerja ke Timur Tengah tanpa kontrak dan pelatihan."),
    ("family_inquiry", "Istri tidak dapat menghubungi suami di kapal selama dua bulan."),
    ("mediation", "Gaji tiga bulan belum dibayar oleh majikan."),
    ("complaint", "Potongan gaji oleh agen melebihi ketentuan."),
]


@dataclass
class DemoReport:
    villages: int = 0
    households: int = 0
    persons: int = 0
    episodes: int = 0
    requests: int = 0


def _weighted(rng: random.Random, pairs: list[tuple[str, int]]) -> str:
    return rng.choices([value for value, _ in pairs], weights=[weight for _, weight in pairs])[0]


class _Numbers:
    """Unique NIK and KK serials for one district, skipping numbers already in the database."""

    def __init__(self, district: str) -> None:
        self.prefix = district.replace(".", "")
        self.taken = set(Person.objects.filter(nik__startswith=self.prefix).values_list("nik", flat=True))
        self.taken |= set(
            Household.objects.filter(kk_number__startswith=self.prefix).values_list("kk_number", flat=True)
        )

    def _unique(self, middle: str) -> str:
        for serial in range(1, 10000):
            number = f"{self.prefix}{middle}{serial:04d}"
            if number not in self.taken:
                self.taken.add(number)
                return number
        raise RuntimeError("no serial left")  # 9,999 people born the same day in one district

    def nik(self, birth: datetime.date, sex: str) -> str:
        day = birth.day + (40 if sex == "F" else 0)
        return self._unique(f"{day:02d}{birth:%m%y}")

    def kk(self, issued: datetime.date) -> str:
        return self._unique(f"{issued:%d%m%y}")


def _birth(rng: random.Random, today: datetime.date, low: int, high: int) -> datetime.date:
    return today - datetime.timedelta(days=rng.randint(low * 365, high * 365))


def demo_villages() -> list[Village]:
    villages = list(Village.objects.filter(code__in=DEMO_VILLAGES))
    for regency in DEMO_REGENCIES:
        first = Village.objects.active().filter(code__startswith=regency + ".").order_by("code").first()
        if first is not None:
            villages.append(first)
    return villages


@transaction.atomic
def demo_population_seed(*, households_per_village: int = 40, user: User | None = None) -> DemoReport:
    """Fill each demo village that has no household yet; villages with records are left alone,
    so a second run adds nothing."""
    report = DemoReport()
    today = datetime.date.today()  # noqa: DTZ011 - demo dates need only day precision
    jobs = {job.code: job for job in Job.objects.all()}
    agencies = [
        PlacementAgency.objects.get_or_create(licence_number=licence, defaults={"name": name})[0]
        for name, licence in AGENCIES
    ]
    for village in demo_villages():
        if Household.objects.filter(village=village).exists():
            continue
        rng = random.Random(village.code)  # noqa: S311 - demo data, not security
        fake = Faker("id_ID")
        fake.seed_instance(village.code)
        numbers = _Numbers(village.code.rsplit(".", 1)[0])
        report.villages += 1
        workers: list[Person] = []
        for _household in range(households_per_village):
            surname = fake.last_name()
            husband_birth = _birth(rng, today, 24, 62)
            wife_birth = _birth(rng, today, 20, 55)
            members = [
                MemberData(
                    name=f"{fake.first_name_male()} {surname}",
                    sex="M",
                    relationship="head",
                    nik=numbers.nik(husband_birth, "M"),
                    birth_date=husband_birth,
                    birth_place=village.name,
                    religion="islam",
                    education=rng.choice(["primary", "junior_secondary", "senior_secondary"]),
                    occupation=rng.choice(["Petani", "Buruh harian", "Pedagang", "Nelayan"]),
                    marital_status="married",
                ),
                MemberData(
                    name=f"{fake.first_name_female()} {surname}",
                    sex="F",
                    relationship="wife",
                    nik=numbers.nik(wife_birth, "F"),
                    birth_date=wife_birth,
                    birth_place=village.name,
                    religion="islam",
                    education=rng.choice(["primary", "junior_secondary", "senior_secondary"]),
                    occupation="Mengurus rumah tangga",
                    marital_status="married",
                ),
            ]
            for _ in range(rng.choice([0, 1, 1, 2, 2, 3, 4, 5])):
                sex = rng.choice(["M", "F"])
                birth = _birth(rng, today, 0, 20)
                first = fake.first_name_male() if sex == "M" else fake.first_name_female()
                members.append(
                    MemberData(
                        name=f"{first} {surname}",
                        sex=sex,
                        relationship="child",
                        nik=numbers.nik(birth, sex),
                        birth_date=birth,
                        birth_place=village.name,
                        religion="islam",
                        marital_status="single",
                        education="none" if (today - birth).days < 7 * 365 else "primary",
                    )
                )
            issued = today - datetime.timedelta(days=rng.randint(200, 4000))
            household = household_register(
                village=village,
                kk_number=numbers.kk(issued),
                members=members[:7],
                dusun=rng.choice(["Krajan", "Kulon", "Wetan", "Lor", "Kidul"]),
                rt=f"{rng.randint(1, 12):03d}",
                rw=f"{rng.randint(1, 4):03d}",
                address=f"Jl. {fake.street_name()} No. {rng.randint(1, 80)}",
                phone=f"+628{rng.randint(11, 59)}{rng.randint(10_000_000, 99_999_999)}",
                user=user,
            )
            report.households += 1
            report.persons += min(len(members), 7)
            if rng.random() < 0.75:
                people = list(household.members.order_by("id")[:2])
                workers.append(people[1] if rng.random() < 0.65 else people[0])
        for person in workers:
            report.episodes += _episodes(rng, person, today, jobs, agencies, user)
        report.requests += _requests(rng, village, workers, today, user)
    return report


def _episodes(
    rng: random.Random,
    person: Person,
    today: datetime.date,
    jobs: dict[str, Job],
    agencies: list[PlacementAgency],
    user: User | None,
) -> int:
    count = 0
    start = today - datetime.timedelta(days=rng.randint(60, 9 * 365))
    for _ in range(rng.choice([1, 1, 1, 2, 2, 3])):
        country = _weighted(rng, DESTINATIONS)
        status = _weighted(rng, [("abroad", 55), ("returned", 30), ("preparing", 10), ("other", 5)])
        procedural = _weighted(
            rng, [(Procedural.PROCEDURAL, 80), (Procedural.NON_PROCEDURAL, 12), (Procedural.UNKNOWN, 8)]
        )
        job_code = (WOMEN_JOBS if person.sex == "F" else MEN_JOBS).get(country, "other")
        departure = None if status == "preparing" else min(start, today)
        contract_end = departure + datetime.timedelta(days=2 * 365) if departure else None
        actual_return = None
        if status == "returned" and departure:
            actual_return = min(today, departure + datetime.timedelta(days=rng.randint(120, 3 * 365)))
        episode = MigrationEpisode(
            person=person,
            status=status,
            procedural=procedural,
            destination_country=country,
            scheme="p3mi" if procedural == Procedural.PROCEDURAL else rng.choice(["independent", ""]),
            agency=rng.choice(agencies) if procedural == Procedural.PROCEDURAL else None,
            employer_kind="ship"
            if job_code == "fishing-crew"
            else ("household" if job_code in {"domestic-worker", "caregiver"} else "company"),
            sector="informal" if job_code in {"domestic-worker", "caregiver"} else "formal",
            job=jobs.get(job_code),
            departure_date=departure,
            contract_end=contract_end,
            planned_return=contract_end,
            actual_return=actual_return,
            return_reason=_weighted(
                rng,
                [
                    (ReturnReason.CONTRACT_ENDED, 70),
                    (ReturnReason.TERMINATED, 10),
                    (ReturnReason.HEALTH, 8),
                    (ReturnReason.EMPLOYER_PROBLEM, 8),
                    (ReturnReason.DEPORTED, 4),
                ],
            )
            if actual_return
            else "",
            bpjs_number=f"{rng.randint(10**10, 10**11 - 1)}" if rng.random() < 0.7 else "",
            bpjs_jkk=True,
            bpjs_jkm=True,
            bpjs_jht=rng.random() < 0.4,
            passport_number=f"{rng.choice('CEX')}{rng.randint(1_000_000, 9_999_999)}" if departure else "",
        )
        if user is not None:
            episode._history_user = user
        episode.save()
        count += 1
        if status in {EpisodeStatus.ABROAD, EpisodeStatus.PREPARING, EpisodeStatus.OTHER}:
            break  # the latest episode is the open one
        start = (actual_return or today) + datetime.timedelta(days=rng.randint(60, 400))
        if start >= today:
            break
    return count


def _requests(
    rng: random.Random, village: Village, workers: list[Person], today: datetime.date, user: User | None
) -> int:
    count = 0
    for kind, story in REQUEST_STORIES * 2:
        worker = rng.choice(workers) if workers else None
        opened = today - datetime.timedelta(days=rng.randint(1, 300))
        status = _weighted(rng, [("open", 30), ("referred", 25), ("resolved", 30), ("closed", 15)])
        referral = (
            {"trafficking": "police", "mediation": "disnaker", "family_inquiry": "mission", "complaint": "bp3mi"}.get(
                kind, ""
            )
            if status != "open"
            else ""
        )
        request = ServiceRequest(
            village=village,
            kind=kind,
            description=story,
            worker=worker,
            person_served=worker.household.members.exclude(pk=worker.pk).first() if worker else None,
            referral=referral,
            status="referred" if status == "referred" and referral else ("open" if status == "referred" else status),
            opened_on=opened,
            referred_on=opened + datetime.timedelta(days=2) if referral else None,
            resolved_on=opened + datetime.timedelta(days=20) if status in {"resolved", "closed"} else None,
            closed_on=opened + datetime.timedelta(days=30) if status == "closed" else None,
            follow_up_on=opened + datetime.timedelta(days=rng.randint(7, 60))
            if status in {"open", "referred"}
            else None,
        )
        for field in ("referred_on", "resolved_on", "closed_on"):
            if getattr(request, field) and getattr(request, field) > today:
                setattr(request, field, today)
        if user is not None:
            request._history_user = user
        request.save()
        count += 1
    return count
