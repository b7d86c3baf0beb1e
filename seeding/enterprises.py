"""Demo records of pillar 2 for the demo villages (used by `manage.py seed_demo`): about a
quarter of the households with a worker abroad run an enterprise, usually the spouse at
home; each village has had a productive-enterprise training and an MTU, with participants
from those households; some enterprises had mentoring visits and equipment aid."""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

from django.db import transaction

from desmigratif.models import User
from enterprises.models import Attendance, Category, Enterprise, EquipmentAid, MentoringVisit, Training
from households.models import Household
from seeding.households import demo_villages

NAMES = {
    "food": ["Keripik Singkong {}", "Kue Basah {}", "Sambal {}", "Rengginang {}"],
    "crafts": ["Anyaman Pandan {}", "Batik Tulis {}"],
    "garment": ["Konveksi {}", "Jahit {}"],
    "beauty": ["Salon {}"],
    "livestock": ["Ternak Kambing {}", "Ayam Kampung {}"],
    "fisheries": ["Ikan Asin {}", "Terasi {}"],
    "services": ["Servis Motor {}", "Warung {}"],
}
AID = [("Oven gas", 2_500_000), ("Mesin jahit", 3_200_000), ("Freezer", 4_000_000), ("Etalase", 1_500_000)]


@dataclass
class DemoReport:
    enterprises: int = 0
    trainings: int = 0
    attendances: int = 0


@transaction.atomic
def demo_enterprises_seed(*, user: User | None = None) -> DemoReport:
    """Fill each demo village that has households and no enterprise yet (a second run adds nothing)."""
    report = DemoReport()
    today = datetime.date.today()  # noqa: DTZ011 - demo dates need only day precision
    categories = {category.code: category for category in Category.objects.active()}
    codes = [code for code in NAMES if code in categories]
    if not codes:  # the list was emptied: nothing to file the enterprises under
        return report
    for village in demo_villages():
        if Enterprise.objects.filter(village=village).exists():
            continue
        households = list(
            Household.objects.filter(village=village, members__episodes__isnull=False)
            .distinct()
            .order_by("id")
            .prefetch_related("members")
        )
        if not households:
            continue
        rng = random.Random(f"enterprises-{village.code}")  # noqa: S311 - demo data, not security
        trainings = [
            Training(
                village=village,
                kind=kind,
                topic=topic,
                starts_on=(start := today - datetime.timedelta(days=rng.randint(30, 700))),
                ends_on=start + datetime.timedelta(days=2),
                place=f"Balai Desa {village.name}",
                trainer=trainer,
                organiser="Disnaker Kabupaten",
            )
            for kind, topic, trainer in (
                ("productive", "Pengolahan dan pengemasan pangan", "BBPLK Serang"),
                ("mtu", "Menjahit dan konveksi", "MTU BLK"),
                ("entrepreneurship", "Pemasaran daring", "Pendamping Desmigratif"),
            )
        ]
        for training in trainings:
            training._history_user = user
            training.save()
        report.trainings += len(trainings)
        for household in households[: max(1, len(households) // 4)]:
            members = list(household.members.all())
            spouse = next((m for m in members if m.relationship == "wife"), members[0])
            code = rng.choice(codes)
            enterprise = Enterprise(
                village=village,
                owner=household,
                name=rng.choice(NAMES[code]).format(spouse.name.split()[0]),
                category=categories[code],
                started_on=today - datetime.timedelta(days=rng.randint(60, 1500)),
                status=rng.choice(["active", "active", "active", "paused"]),
                turnover=rng.choice(["lt1", "1to5", "1to5", "5to25"]),
                channels=rng.sample(["market", "social", "reseller", "marketplace"], k=2),
                export_ready=rng.random() < 0.1,
            )
            enterprise._history_user = user
            enterprise.save()
            enterprise.members.add(spouse)
            report.enterprises += 1
            for training in rng.sample(trainings, k=rng.randint(1, 2)):
                Attendance.objects.create(training=training, person=spouse)
                report.attendances += 1
            if rng.random() < 0.6:
                MentoringVisit.objects.create(
                    enterprise=enterprise,
                    visited_on=today - datetime.timedelta(days=rng.randint(5, 300)),
                    mentor="Pendamping Desmigratif",
                    notes="Pembukuan sederhana dan foto produk untuk media sosial.",
                    next_step="Daftar PIRT",
                )
            if rng.random() < 0.4:
                item, value = rng.choice(AID)
                EquipmentAid.objects.create(
                    enterprise=enterprise,
                    item=item,
                    value=value,
                    given_on=today - datetime.timedelta(days=rng.randint(5, 400)),
                    source=rng.choice(["apbn", "apbn", "local", "partner"]),
                )
    return report
