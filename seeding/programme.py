"""Demo register of Desmigratif villages: the demo villages spread over the programme's cohorts
as the real programme grew (a few pilot villages in 2016, most joining 2017 to 2019), the oldest
sometimes graduated, one that left; followed by the demo coordinator in her regency."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from childcare.models import Child
from desmigratif.models import Assignment, ProgrammeVillage, ProgrammeVillageStatus, Role
from households.models import Household
from seeding.households import demo_villages

# (cohort, status) in the order the demo villages are taken.
SPREAD = [
    (2016, ProgrammeVillageStatus.GRADUATED),
    (2017, ProgrammeVillageStatus.ACTIVE),
    (2017, ProgrammeVillageStatus.ACTIVE),
    (2018, ProgrammeVillageStatus.ACTIVE),
    (2018, ProgrammeVillageStatus.LEFT),
    (2019, ProgrammeVillageStatus.ACTIVE),
    (2019, ProgrammeVillageStatus.ACTIVE),
    (2021, ProgrammeVillageStatus.ACTIVE),
]


@transaction.atomic
def demo_programme_seed() -> int:
    """Register the demo villages not registered yet; returns how many were added."""
    coordinators = {
        assignment.regency_id: assignment.user
        for assignment in Assignment.objects.filter(role=Role.COORDINATOR, regency__isnull=False).select_related("user")
    }
    added = 0
    for index, village in enumerate(demo_villages()):
        if ProgrammeVillage.objects.filter(village=village).exists():
            continue
        cohort, status = SPREAD[index % len(SPREAD)]
        ProgrammeVillage.objects.create(
            village=village,
            cohort=cohort,
            status=status,
            status_since=None if status == ProgrammeVillageStatus.ACTIVE else datetime.date(cohort + 4, 12, 31),
            coordinator=coordinators.get(village.code[:5]),
        )
        added += 1
    return added


@transaction.atomic
def demo_registration_dates_spread() -> int:
    """Spread the demo households' and children's registration over the years since their
    village joined the programme (the demo seeds them all today), so that the dashboards'
    past periods and trends have something to show. Only records registered today are moved,
    so a second run changes nothing. Returns how many households were moved."""
    now = timezone.now()
    today = timezone.localdate()
    cohorts = dict(ProgrammeVillage.objects.values_list("village_id", "cohort"))
    households = list(Household.objects.filter(created_at__date=today).only("pk", "village_id", "created_at"))
    for household in households:
        first = datetime.date(cohorts.get(household.village_id, 2019), 1, 1)
        days = (today - first).days
        # Deterministic: the same database gets the same dates.
        household.created_at = now - datetime.timedelta(days=days - (household.pk * 7919) % days)
    Household.objects.bulk_update(households, ["created_at"])
    registered = {household.pk: household.created_at for household in households}
    children = list(Child.objects.filter(created_at__date=today).select_related("person"))
    for child in children:
        since = registered.get(child.person.household_id)
        if since is not None:
            child.created_at = min(now, since + datetime.timedelta(days=(child.pk * 104729) % 700))
    Child.objects.bulk_update(children, ["created_at"])
    return len(households)
