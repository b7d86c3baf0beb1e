"""Demo register of Desmigratif villages: the demo villages spread over the programme's cohorts
as the real programme grew (a few pilot villages in 2016, most joining 2017 to 2019), the oldest
sometimes graduated, one that left; followed by the demo coordinator in her regency."""

from __future__ import annotations

import datetime

from django.db import transaction

from desmigratif.models import Assignment, ProgrammeVillage, ProgrammeVillageStatus, Role
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
