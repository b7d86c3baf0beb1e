"""Demo records of pillar 4 and village facilities (`manage.py seed_demo`): one cooperative
per demo village carrying its enterprises, with members among the households that run
one or have a worker abroad; and the facilities the programme built there."""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

from django.db import transaction

from cooperatives.models import Cooperative, Facility, Membership
from desmigratif.models import User
from households.models import Household
from seeding.households import demo_villages


@dataclass
class DemoReport:
    cooperatives: int = 0
    members: int = 0
    facilities: int = 0


@transaction.atomic
def demo_cooperatives_seed(*, user: User | None = None) -> DemoReport:
    """Fill each demo village that has households and no cooperative yet."""
    report = DemoReport()
    today = datetime.date.today()  # noqa: DTZ011 - demo dates need only day precision
    for village in demo_villages():
        if Cooperative.objects.filter(village=village).exists():
            continue
        households = list(Household.objects.filter(village=village).order_by("id"))
        if not households:
            continue
        rng = random.Random(f"cooperatives-{village.code}")  # noqa: S311 - demo data, not security
        founded = today - datetime.timedelta(days=rng.randint(400, 2000))
        cooperative = Cooperative(
            village=village,
            kind=rng.choice(["koperasi", "bumdes"]),
            name=f"Koperasi Desmigratif {village.name}",
            legal_number=f"AHU-{rng.randint(1000, 9999)}.AH.01.26.{founded:%Y}",
            legal_date=founded + datetime.timedelta(days=90),
            founded_on=founded,
            business_lines="Simpan pinjam; pemasaran produk anggota",
        )
        cooperative._history_user = user
        cooperative.save()
        cooperative.enterprises.set(village.enterprises.all())
        report.cooperatives += 1
        for household in rng.sample(households, k=max(1, len(households) // 3)):
            Membership.objects.create(
                cooperative=cooperative,
                household=household,
                joined_on=founded + datetime.timedelta(days=rng.randint(0, 300)),
                share_capital=rng.choice([100_000, 250_000, 500_000]),
                savings=rng.randint(0, 40) * 25_000,
            )
            report.members += 1
        for kind, status in (
            ("internet", "in_use"),
            ("learning", "in_use"),
            ("solar", rng.choice(["built", "broken"])),
        ):
            Facility.objects.create(
                village=village,
                kind=kind,
                status=status,
                status_on=today - datetime.timedelta(days=rng.randint(30, 900)),
                funder=rng.choice(["Kemnaker", "Pemerintah Kabupaten", "Dana Desa"]),
            )
            report.facilities += 1
    return report
