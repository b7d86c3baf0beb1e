"""Writing a validated import, and undoing it (issue 4, "commit" and "rollback").

The commit runs in one transaction: NIK matches update the person, KK matches update the
household, the rest is created, and every record written is tagged with the batch in
ImportChange together with its values before. Re-importing the same file writes nothing
and says so. Rolling back removes what the batch created and restores what it changed,
unless someone edited those records since (then nothing is rolled back and the message
names them).
"""

from __future__ import annotations

import datetime
import hashlib
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from desmigratif.models import User
from households.imports.validation import Analysis, ParsedRow
from households.models import Household, ImportBatch, ImportChange, KKNumber, MigrationEpisode, Person
from households.services import household_kk_change

MODELS = {"household": Household, "person": Person, "episode": MigrationEpisode}


class ImportRefusedError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class _Writer:
    batch: ImportBatch
    user: User
    changes: list[ImportChange]
    counts: dict[str, int]

    def _snapshot(self, instance: Any, fields: list[str]) -> dict[str, Any]:
        encoder = DjangoJSONEncoder()
        snapshot = {}
        for name in fields:
            value = getattr(instance, name)
            # Dates and decimals as JSON text; lists and dicts (warnings) as they are.
            snapshot[name] = encoder.default(value) if isinstance(value, (datetime.date, Decimal)) else value
        return snapshot

    def save(self, kind: str, instance: Any, values: dict[str, Any]) -> bool:
        """Create, or update only the fields that differ. Returns True when something was written."""
        creating = instance.pk is None
        changed = list(values) if creating else [name for name in values if getattr(instance, name) != values[name]]
        if not changed:
            self.counts[f"{kind}s_unchanged"] += 1
            return False
        before = {} if creating else self._snapshot(instance, changed)
        for name in changed:
            setattr(instance, name, values[name])
        if not creating:
            instance.version += 1
        instance._history_user = self.user
        instance.save()
        action = ImportChange.Action.CREATE if creating else ImportChange.Action.UPDATE
        self.changes.append(
            ImportChange(
                batch=self.batch,
                model=kind,
                object_id=instance.pk,
                action=action,
                before=before,
                version_after=instance.version,
            )
        )
        self.counts[f"{kind}s_{'created' if creating else 'updated'}"] += 1
        return True


def file_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@transaction.atomic
def import_commit(
    *,
    analysis: Analysis,
    user: User,
    file_name: str,
    digest: str,
    size: int,
    mode: str = ImportBatch.Mode.ALL_OR_NOTHING,
    batch: ImportBatch | None = None,
) -> ImportBatch:
    """Write the valid rows of ``analysis`` as one batch. All-or-nothing refuses a file with
    any invalid row; valid-rows-only skips them. A batch that writes nothing says so."""
    if analysis.fatal:
        raise ImportRefusedError(" ".join(analysis.fatal))
    invalid = [row for row in analysis.rows if not row.is_valid]
    if invalid and mode == ImportBatch.Mode.ALL_OR_NOTHING:
        raise ImportRefusedError(
            _("%(count)s rows have errors; nothing was written. Fix them, or choose “valid rows only”.")
            % {"count": len(invalid)}
        )
    if batch is None:
        batch = ImportBatch.objects.create(user=user, file_name=file_name[:255], sha256=digest, size=size, mode=mode)
    batch.mode = mode
    writer = _Writer(batch=batch, user=user, changes=[], counts=defaultdict(int))
    writer.counts["rows_skipped"] = len(invalid)

    by_kk: dict[str, list[ParsedRow]] = {}
    for row in analysis.valid_rows:
        by_kk.setdefault(row.household["kk_number"], []).append(row)
    for kk, rows in by_kk.items():
        household = _household_for(kk)
        first = rows[0].household
        values = {
            "village_id": first["village"],
            **{name: first.get(name, "") for name in ("dusun", "rt", "rw", "address", "phone")},
        }
        if household is None:
            household = Household(kk_number=kk)
            writer.save("household", household, values)
            KKNumber.objects.create(household=household, number=kk)
        else:
            if household.kk_number != kk:
                # Found by a former KK: it becomes current again.
                household_kk_change(household=household, number=kk, user=user)
                values["kk_number"] = kk
            writer.save("household", household, values)
        for row in rows:
            person = Person.objects.filter(nik=row.person["nik"]).first() or Person()
            person_values = {
                "household_id": household.pk,
                **{
                    name: row.person.get(name, "")
                    for name in (
                        "name",
                        "sex",
                        "birth_place",
                        "relationship",
                        "religion",
                        "education",
                        "occupation",
                        "marital_status",
                    )
                },
                "nik": row.person["nik"],
                "birth_date": row.person.get("birth_date"),
                "validation_warnings": row.warnings,
            }
            writer.save("person", person, person_values)
            if row.migration:
                _write_episode(writer, person, row.migration)

    ImportChange.objects.bulk_create(writer.changes, batch_size=2000)
    written = sum(value for key, value in writer.counts.items() if key.endswith(("_created", "_updated")))
    batch.counts = dict(writer.counts)
    batch.status = ImportBatch.Status.COMMITTED
    batch.committed_at = timezone.now()
    batch.upload = None  # written: the rows now live in the register
    batch.progress = 100
    batch.message = (
        _("Nothing to write: every row is already in the register.")
        if not written
        else _("%(count)s records written.") % {"count": written}
    )
    batch.save()
    return batch


def _household_for(kk: str) -> Household | None:
    household = Household.objects.filter(kk_number=kk).first()
    if household is None:
        former = KKNumber.objects.filter(number=kk).select_related("household").first()
        household = former.household if former else None
    return household


def _write_episode(writer: _Writer, person: Person, migration: dict[str, Any]) -> None:
    values = {
        "status": migration.get("status") or "other",
        "scheme": migration.get("scheme", ""),
        "procedural": migration.get("procedural") or "unknown",
        "agency_id": migration.get("agency"),
        "destination_country": migration.get("destination_country", ""),
        "employer_name": migration.get("employer_name", ""),
        "employer_kind": migration.get("employer_kind", ""),
        "sector": migration.get("sector", ""),
        "job_id": migration.get("job"),
        "departure_date": migration.get("departure_date"),
        "contract_end": migration.get("contract_end"),
        "actual_return": migration.get("actual_return"),
        "return_reason": migration.get("return_reason", ""),
        "bpjs_number": migration.get("bpjs_number", ""),
        "passport_number": migration.get("passport_number", ""),
    }
    # The same stay abroad is the one with the same departure date (or the open one
    # being prepared); anything else is a new episode.
    episodes = MigrationEpisode.objects.filter(person=person)
    episode = (
        episodes.filter(departure_date=values["departure_date"]).first()
        if values["departure_date"]
        else episodes.filter(departure_date__isnull=True).first()
    ) or MigrationEpisode(person=person)
    writer.save("episode", episode, values)


@transaction.atomic
def import_rollback(*, batch: ImportBatch, user: User) -> ImportBatch:
    """Undo a committed batch exactly, or refuse when records were edited after it."""
    if batch.status != ImportBatch.Status.COMMITTED:
        raise ImportRefusedError(_("Only a committed batch can be rolled back."))
    changes = list(batch.changes.all())
    edited = []
    for change in changes:
        current = MODELS[change.model].objects.filter(pk=change.object_id).values_list("version", flat=True).first()
        if current is not None and current != change.version_after:
            edited.append(change)
    if edited:
        raise ImportRefusedError(
            _(
                "%(count)s records of this batch were edited after the import; roll back was "
                "refused so that those edits are not lost."
            )
            % {"count": len(edited)}
        )
    # Children before parents: episodes, then persons, then households.
    order = {"episode": 0, "person": 1, "household": 2}
    for change in sorted(changes, key=lambda c: order[c.model]):
        instance = MODELS[change.model].objects.filter(pk=change.object_id).first()
        if instance is None:
            continue
        instance._history_user = user
        if change.action == ImportChange.Action.CREATE:
            instance.delete()
        else:
            for name, value in change.before.items():
                field = instance._meta.get_field(name.removesuffix("_id") if name.endswith("_id") else name)
                setattr(instance, name, field.to_python(value) if value is not None else None)
            instance.version += 1
            instance.save()
    batch.status = ImportBatch.Status.ROLLED_BACK
    batch.rolled_back_at = timezone.now()
    batch.rolled_back_by = user
    batch.save(update_fields=["status", "rolled_back_at", "rolled_back_by"])
    return batch
