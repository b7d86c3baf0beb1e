"""Reconciliation with the national placement lists: an extract is read and matched to the
register (staged), reviewed where a match rests on a name, then applied (the stays it lists
are marked confirmed, with the list and its date) and reversible. Nothing the officer typed is
changed: a placement that says otherwise (another country, non-procedural on the register) is
shown on the lists for the officer to decide."""

from __future__ import annotations

import datetime
import hashlib
import re
import unicodedata
from collections import defaultdict
from typing import Any

from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from desmigratif.access import Action, Scope, scope_for
from desmigratif.models import User, code_level, valid_region_code, village_code_from
from desmigratif.records import figures_changed
from desmigratif.uploads import ReadError
from households.countries import country_code
from households.imports.reading import read_table
from households.imports.values import number_text, parse_date
from households.models import EpisodeStatus, MigrationEpisode, Person
from households.validators import check_nik, check_passport
from placements.columns import IDENTIFIERS, REQUIRED, placement_columns
from placements.models import PlacementBatch, PlacementGap, PlacementRecord

# A registered stay is the one a placement lists when its departure lies this near.
DEPARTURE_WINDOW = datetime.timedelta(days=120)
MAX_PROBLEMS = 200


class PlacementFileError(Exception):
    """The file cannot be read as a placement list extract: nothing was kept."""


class PlacementStateError(Exception):
    """The extract is not in a state that allows this."""


def name_key(name: str) -> str:
    """Names compare without case, accents, punctuation or spacing: "SITI  AMINAH" is "Siti Aminah"."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return " ".join(re.sub(r"[^a-z ]", " ", plain.lower()).split())


def _in_area(area: str) -> Scope:
    return Scope.of([area])


@transaction.atomic
def placement_batch_upload(
    *, user: User, data: bytes, file_name: str, area: str, source: str, extracted_on: datetime.date
) -> PlacementBatch:
    """Read an extract of ``area`` (inside the user's approval scope: coordinators and
    administrators), keep its rows and match them to the register. Raises PlacementFileError
    for a file that is not an extract (a required column missing, unreadable)."""
    if not scope_for(user, Action.APPROVE).contains(area):
        raise PlacementStateError(_("This area is not one you coordinate."))
    try:
        table = read_table(data, file_name)
    except ReadError as error:
        raise PlacementFileError(str(error)) from error
    try:
        positions, _unknown = placement_columns(table.headers)
        found = {column.field for column in positions.values()}
        missing = [field for field in REQUIRED if field not in found]
        if missing or not found & set(IDENTIFIERS):
            raise PlacementFileError(
                _("The file has no column of names, or neither NIK nor passport numbers: is it a placement list?")
            )
        batch = PlacementBatch.objects.create(
            user=user,
            source=source,
            extracted_on=extracted_on,
            area_code=area,
            file_name=file_name[:255],
            sha256=hashlib.sha256(data).hexdigest(),
        )
        records, problems, outside = _read_rows(batch, table.rows, positions)
    finally:
        table.close()
    departures = [record.departure_date for record in records if record.departure_date]
    batch.departures_from = min(departures, default=None)
    batch.departures_until = max(departures, default=None)
    batch.rows = len(records)
    if outside:
        problems.append(
            _("%(count)s rows of villages outside %(area)s were passed over.") % {"count": outside, "area": area}
        )
    batch.problems = problems[:MAX_PROBLEMS]
    _match(batch, records)
    PlacementRecord.objects.bulk_create(records, batch_size=1000)
    batch.save()
    return batch


def _read_rows(batch: PlacementBatch, rows: Any, positions: dict) -> tuple[list[PlacementRecord], list[str], int]:
    records: list[PlacementRecord] = []
    problems: list[str] = []
    outside = 0
    area = _in_area(batch.area_code)
    for number, cells in rows:
        raw = {column.field: cells[position] for position, column in positions.items() if position < len(cells)}
        if not any(str(value or "").strip() for value in raw.values()):
            continue
        values, notes = _row_values(raw)
        problems += [_("Row %(row)s: %(problem)s") % {"row": number, "problem": note} for note in notes]
        if not values["name"]:
            continue
        if values["village_code"] and not area.contains(values["village_code"]):
            outside += 1
            continue
        records.append(PlacementRecord(batch=batch, row=number, **values))
    return records, problems, outside


def _row_values(raw: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """A row's cells as the record keeps them, and what was wrong with them (the cell left empty)."""
    notes: list[str] = []
    text = {field: " ".join(str(value or "").split()) for field, value in raw.items()}
    values: dict[str, Any] = {
        "name": text.get("name", "")[:200],
        "employer_name": text.get("employer_name", "")[:200],
        "agency_name": text.get("agency_name", "")[:200],
        "nik": "",
        "passport_number": "",
        "destination_country": "",
        "village_code": "",
        "birth_date": None,
        "departure_date": None,
    }
    if not values["name"]:
        notes.append(_("no name: the row was passed over."))
    nik_text = number_text(raw.get("nik"))
    if nik_text:
        nik, _facts, findings = check_nik(nik_text)
        errors = [finding.message for finding in findings if finding.is_error]
        if errors:
            notes.append(errors[0])
        else:
            values["nik"] = nik
    if text.get("passport_number"):
        values["passport_number"] = check_passport(text["passport_number"])[0][:20]
    for field in ("birth_date", "departure_date"):
        if raw.get(field) not in (None, ""):
            day, error = parse_date(raw[field])
            if error:
                notes.append(error)
            values[field] = day
    if text.get("destination_country"):
        values["destination_country"] = country_code(text["destination_country"])
        if not values["destination_country"]:
            notes.append(_("“%(value)s” is not a country the portal knows.") % {"value": text["destination_country"]})
    if text.get("village_code"):
        code = village_code_from(text["village_code"])
        if valid_region_code(code) and code_level(code) == 4:
            values["village_code"] = code
        else:
            notes.append(_("“%(value)s” is not a village code.") % {"value": text["village_code"]})
    return values, notes


def _match(batch: PlacementBatch, records: list[PlacementRecord]) -> None:
    """Each row to a person of the area: by NIK, else by passport number, else by name, date of
    birth and village (waiting for review); then to that person's stay abroad."""
    area = _in_area(batch.area_code)
    persons = area.filter(Person.objects.filter(household__is_archived=False), "household__village__code")
    by_nik = {p.nik: p for p in persons.filter(nik__in={r.nik for r in records if r.nik}).select_related("household")}
    stays = area.filter(MigrationEpisode.objects.all(), "person__household__village__code")
    passports = {r.passport_number for r in records if r.passport_number}
    by_passport = {
        stay.passport_number: stay.person
        for stay in stays.filter(person__household__is_archived=False, passport_number__in=passports).select_related(
            "person__household"
        )
    }
    by_name: dict[tuple, list[Person]] = defaultdict(list)
    births = {r.birth_date for r in records if r.birth_date and r.village_code}
    for person in persons.filter(birth_date__in=births).select_related("household"):
        by_name[(name_key(person.name), person.birth_date, person.household.village_id)].append(person)
    for record in records:
        person = by_nik.get(record.nik) if record.nik else None
        record.matched_by = PlacementRecord.MatchedBy.NIK if person else ""
        if person is None and record.passport_number in by_passport:
            person, record.matched_by = by_passport[record.passport_number], PlacementRecord.MatchedBy.PASSPORT
        if person is None and record.birth_date and record.village_code:
            candidates = by_name.get((name_key(record.name), record.birth_date, record.village_code), [])
            if len(candidates) == 1:  # two people of that name and birth: nobody can tell which
                person, record.matched_by = candidates[0], PlacementRecord.MatchedBy.NAME
        record.person = person
        if person is not None:
            record.village_code = person.household.village_id
    episodes: dict[int, list[MigrationEpisode]] = defaultdict(list)
    for stay in MigrationEpisode.objects.filter(person__in=[r.person for r in records if r.person]).order_by("-id"):
        episodes[stay.person_id].append(stay)
    for record in records:
        record.episode = _stay_listed(record, episodes[record.person.pk]) if record.person else None
        if record.matched_by == PlacementRecord.MatchedBy.NAME:
            record.decision = PlacementRecord.Decision.PENDING
        elif record.person is not None:
            record.decision = PlacementRecord.Decision.AUTOMATIC
        else:
            record.decision = PlacementRecord.Decision.NONE


def _stay_listed(record: PlacementRecord, stays: list[MigrationEpisode]) -> MigrationEpisode | None:
    """The person's stay the placement is: its passport's, or the one that went to the same
    country at about the same time, or, when the placement says neither, the stay abroad now."""

    def score(stay: MigrationEpisode) -> int:
        points = 0
        if record.passport_number and stay.passport_number == record.passport_number:
            points += 4
        if record.destination_country and stay.destination_country == record.destination_country:
            points += 2
        if (
            record.departure_date
            and stay.departure_date
            and (abs(record.departure_date - stay.departure_date) <= DEPARTURE_WINDOW)
        ):
            points += 2
        if not record.destination_country and not record.departure_date and stay.status == EpisodeStatus.ABROAD:
            points += 2
        return points

    scored = [(score(stay), stay) for stay in stays]
    best = max(scored, key=lambda pair: pair[0], default=(0, None))
    return best[1] if best[0] >= 2 else None


def unlisted_stays(batch: PlacementBatch) -> QuerySet[MigrationEpisode]:
    """Stays the area registers as abroad, departed in the time the extract covers (or on a
    day not recorded), that no row of it lists (a rejected name match lists nothing)."""
    stays = MigrationEpisode.objects.filter(status=EpisodeStatus.ABROAD, person__household__is_archived=False)
    stays = _in_area(batch.area_code).filter(stays, "person__household__village__code")
    if batch.departures_from and batch.departures_until:
        stays = stays.filter(
            Q(departure_date__isnull=True) | Q(departure_date__range=(batch.departures_from, batch.departures_until))
        )
    listed = batch.records.exclude(episode=None).exclude(decision=PlacementRecord.Decision.REJECTED)
    return stays.exclude(pk__in=listed.values("episode_id"))


def _staged(batch: PlacementBatch) -> PlacementBatch:
    locked = PlacementBatch.objects.select_for_update().get(pk=batch.pk)
    if locked.status != PlacementBatch.Status.STAGED:
        raise PlacementStateError(_("This extract was applied or discarded already."))
    return locked


@transaction.atomic
def placement_decide(*, record: PlacementRecord, user: User, confirmed: bool) -> PlacementRecord:
    """The review of a match by name, date of birth and village: the same person, or not."""
    _staged(record.batch)
    if record.matched_by != PlacementRecord.MatchedBy.NAME:
        raise PlacementStateError(_("Only a match by name is reviewed."))
    record.decision = PlacementRecord.Decision.CONFIRMED if confirmed else PlacementRecord.Decision.REJECTED
    record.decided_by = user
    record.save(update_fields=["decision", "decided_by"])
    return record


Mark = tuple[str, datetime.date | None]


def _marks_write(marks: dict[Mark, list[MigrationEpisode]], user: User) -> None:
    """Give each group of stays (locked by the caller) its mark, as one change of each stay: the
    version goes up, so a form opened before is refused, and the history says who. An extract
    marks thousands of stays alike: one UPDATE per mark and the history rows in bulk (through
    django-simple-history's manager), not a save per stay."""
    now = timezone.now()
    changed = []
    for (source, day), stays in marks.items():
        MigrationEpisode.objects.filter(pk__in=[stay.pk for stay in stays]).update(
            placement_source=source, placement_verified_on=day, version=F("version") + 1, updated_at=now
        )
        for stay in stays:
            stay.placement_source, stay.placement_verified_on = source, day
            stay.version, stay.updated_at = stay.version + 1, now
        changed += stays
    MigrationEpisode.history.bulk_history_create(
        changed, batch_size=1000, update=True, default_user=user, default_date=now
    )
    if changed:
        figures_changed()


@transaction.atomic
def placement_batch_apply(*, batch: PlacementBatch, user: User) -> int:
    """Mark every stay the extract confirms with the list and its date (a change of the stay,
    in its history), and open a follow-up for each stay it does not list. Returns how many
    stays were marked. Refused while a match waits for review."""
    batch = _staged(batch)
    if batch.records.filter(decision=PlacementRecord.Decision.PENDING).exists():
        raise PlacementStateError(_("Review the matches by name first."))
    confirming = list(batch.records.confirming())
    stays = MigrationEpisode.objects.select_for_update().in_bulk({record.episode_id for record in confirming})
    mark = (batch.label, batch.extracted_on)
    marked: dict[int, MigrationEpisode] = {}
    before: dict[Mark, list[int]] = defaultdict(list)  # each row's stay's mark before, for the revert
    for record in confirming:
        stay = stays[record.episode_id]
        # A stay two rows list was marked by the first: the second finds nothing to put back.
        before[mark if stay.pk in marked else (stay.placement_source, stay.placement_verified_on)].append(record.pk)
        if (stay.placement_source, stay.placement_verified_on) != mark:
            marked[stay.pk] = stay
    _marks_write({mark: list(marked.values())}, user)
    for (source, day), rows in before.items():
        PlacementRecord.objects.filter(pk__in=rows).update(
            previous_source=source, previous_verified_on=day, applied=True
        )
    PlacementGap.objects.bulk_create([PlacementGap(batch=batch, episode=stay) for stay in unlisted_stays(batch)])
    batch.status, batch.applied_at, batch.applied_by = PlacementBatch.Status.APPLIED, timezone.now(), user
    batch.save(update_fields=["status", "applied_at", "applied_by"])
    return len(marked)


@transaction.atomic
def placement_batch_revert(*, batch: PlacementBatch, user: User) -> int:
    """Take the extract back: each stay it marked gets its earlier mark again, unless a later
    extract marked it since; its follow-ups go. Returns how many stays were put back."""
    batch = PlacementBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status != PlacementBatch.Status.APPLIED:
        raise PlacementStateError(_("Only an applied extract can be reverted."))
    applied = list(batch.records.filter(applied=True).order_by("row"))
    stays = MigrationEpisode.objects.select_for_update().in_bulk({record.episode_id for record in applied})
    mark = (batch.label, batch.extracted_on)
    put_back: dict[Mark, list[MigrationEpisode]] = defaultdict(list)
    seen: set[int] = set()
    for record in applied:  # by row: the first row of a stay holds what was there before the extract
        stay = stays.get(record.episode_id)
        if stay is None or stay.pk in seen:
            continue
        seen.add(stay.pk)
        if (stay.placement_source, stay.placement_verified_on) == mark:  # no later extract marked it since
            put_back[(record.previous_source, record.previous_verified_on)].append(stay)
    _marks_write(put_back, user)
    batch.records.filter(applied=True).update(applied=False)
    batch.gaps.all().delete()
    batch.status, batch.reverted_at, batch.reverted_by = PlacementBatch.Status.REVERTED, timezone.now(), user
    batch.save(update_fields=["status", "reverted_at", "reverted_by"])
    return sum(len(group) for group in put_back.values())


@transaction.atomic
def placement_batch_discard(*, batch: PlacementBatch) -> None:
    """An extract not applied is let go: its rows (personal data) are deleted."""
    batch = _staged(batch)
    batch.records.all().delete()
    batch.status = PlacementBatch.Status.DISCARDED
    batch.save(update_fields=["status"])


@transaction.atomic
def placement_gap_check(*, gap: PlacementGap, user: User) -> PlacementGap:
    """The officer asked about a stay with no placement record: the follow-up is done."""
    if gap.checked_at is None:
        gap.checked_at, gap.checked_by = timezone.now(), user
        gap.save(update_fields=["checked_at", "checked_by"])
    return gap
