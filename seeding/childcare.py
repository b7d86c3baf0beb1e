"""Demo records of pillar 3 for the demo villages (`manage.py seed_demo`): one learning house
per village, the children of households with a worker abroad registered with their
caregiver, and a few months of sessions, parenting classes included."""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

from django.db import transaction

from childcare.models import ActivityKind, Child, LearningHouse, Session
from desmigratif.models import User
from households.models import Person
from seeding.households import demo_villages


@dataclass
class DemoReport:
    houses: int = 0
    children: int = 0
    sessions: int = 0


@transaction.atomic
def demo_childcare_seed(*, user: User | None = None) -> DemoReport:
    """Fill each demo village that has households and no learning house yet."""
    report = DemoReport()
    today = datetime.date.today()  # noqa: DTZ011 - demo dates need only day precision
    kinds = list(ActivityKind.objects.active())
    if not kinds:
        return report
    for village in demo_villages():
        if LearningHouse.objects.filter(village=village).exists():
            continue
        minors = list(
            Person.objects.filter(
                household__village=village,
                household__members__episodes__status="abroad",
                birth_date__gt=today - datetime.timedelta(days=17 * 365),
            )
            .distinct()
            .select_related("household")
            .order_by("id")
        )
        if not minors:
            continue
        rng = random.Random(f"childcare-{village.code}")  # noqa: S311 - demo data, not security
        house = LearningHouse(
            village=village,
            name=f"Rumah Belajar {village.name}",
            address=f"Balai Dusun Krajan, {village.name}",
            opened_on=today - datetime.timedelta(days=rng.randint(200, 1200)),
            facilitators="Bu Rina, Pak Joko",
        )
        house._history_user = user
        house.save()
        report.houses += 1
        children = []
        for person in minors:
            relatives = [m for m in person.household.members.all() if m.pk != person.pk]
            abroad = [e for m in relatives for e in m.episodes.all() if e.status == "abroad"]
            at_home = [m for m in relatives if not any(e.status == "abroad" for e in m.episodes.all())]
            age = (today - person.birth_date).days // 365
            child = Child(
                person=person,
                learning_house=house if rng.random() < 0.7 else None,
                caregiver=at_home[0] if at_home else None,
                caregiver_relationship="parent" if at_home else "",
                school_status="not_yet" if age < 5 else "attending",
                school_level="" if age < 5 else ("primary" if age < 13 else "junior"),
            )
            child._history_user = user
            child.save()
            child.parents_abroad.set(abroad)
            children.append(child)
            report.children += 1
        in_house = [c for c in children if c.learning_house_id]
        caregivers = list({c.caregiver_id: c.caregiver for c in in_house if c.caregiver_id}.values())
        for week in range(12):
            kind = rng.choice(kinds)
            session = Session.objects.create(
                learning_house=house,
                kind=kind,
                held_on=today - datetime.timedelta(days=7 * week + 2),
                facilitator=rng.choice(["Bu Rina", "Pak Joko"]),
            )
            if kind.for_caregivers:
                session.caregivers.set(rng.sample(caregivers, k=min(len(caregivers), 6)))
            else:
                session.children.set(rng.sample(in_house, k=min(len(in_house), rng.randint(4, 12))))
            report.sessions += 1
    return report
