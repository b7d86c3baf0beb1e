"""Work across records of pillar 2."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from desmigratif.models import User
from desmigratif.records import record_attach_user
from enterprises.models import Attendance, Training
from households.models import Person


@transaction.atomic
def training_attendance_set(*, training: Training, persons: Iterable[Person], user: User) -> tuple[int, int]:
    """Make ``persons`` the participants of ``training``: adds the new ones, removes those
    left out. Returns (added, removed). Each change is in the attendance history."""
    wanted = {person.pk: person for person in persons}
    current = {a.person_id: a for a in training.attendances.select_for_update()}
    removed = 0
    for person_id, attendance in current.items():
        if person_id not in wanted:
            record_attach_user(attendance, user)
            attendance.delete()
            removed += 1
    added = 0
    for person_id, person in wanted.items():
        if person_id not in current:
            attendance = Attendance(training=training, person=person)
            record_attach_user(attendance, user)
            attendance.save()
            added += 1
    return added, removed
