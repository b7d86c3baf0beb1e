"""Work on pillar 1 records that spans more than one row: registering a household with
its members, changing a KK number, moving a person, saving with a lost-update check,
starting and closing migration episodes."""

from __future__ import annotations

import csv
import datetime
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from desmigratif.access import AnyUser, scoped_history
from desmigratif.models import User, Village
from desmigratif.records import StaleRecordError, record_attach_user, record_conflict, record_save  # noqa: F401 - pillar 1's callers
from households.documents import document_prepare
from households.models import (
    CaseFollowUp,
    Document,
    EpisodeStatus,
    Household,
    KKNumber,
    MigrationEpisode,
    Person,
    PlacementAgency,
    ReferralTarget,
    ReturnReason,
    ServiceRequest,
)
from households.validators import Finding


@dataclass
class MemberData:
    name: str
    sex: str
    relationship: str
    nik: str | None = None
    birth_place: str = ""
    birth_date: datetime.date | None = None
    religion: str = ""
    education: str = ""
    occupation: str = ""
    marital_status: str = ""
    validation_warnings: list[dict] | None = None


@transaction.atomic
def household_register(
    *,
    village: Village,
    kk_number: str,
    members: list[MemberData],
    dusun: str = "",
    rt: str = "",
    rw: str = "",
    address: str = "",
    phone: str = "",
    validation_warnings: list[dict] | None = None,
    user: User | None = None,
) -> Household:
    """Create a household with its members and its first KK number."""
    household = Household(
        village=village,
        kk_number=kk_number,
        dusun=dusun,
        rt=rt,
        rw=rw,
        address=address,
        phone=phone,
        validation_warnings=validation_warnings or [],
    )
    record_attach_user(household, user)
    household.save()
    if kk_number:
        kk = KKNumber(household=household, number=kk_number)
        record_attach_user(kk, user)
        kk.save()
    for member in members:
        person = Person(
            household=household, **{**member.__dict__, "validation_warnings": member.validation_warnings or []}
        )
        record_attach_user(person, user)
        person.save()
    return household


@transaction.atomic
def household_kk_change(
    *, household: Household, number: str, on: datetime.date | None = None, user: User | None = None
) -> Household:
    """Give the household a new KK number; the old one stays searchable in its history."""
    on = on or timezone.localdate()
    if number == household.kk_number:
        return household
    if household.kk_number and not household.kk_numbers.filter(number=household.kk_number).exists():
        # A record made without history (admin, early imports): keep its number findable.
        kk = KKNumber(household=household, number=household.kk_number, recorded_on=on)
        record_attach_user(kk, user)
        kk.save()
    for previous in household.kk_numbers.filter(replaced_on__isnull=True):
        previous.replaced_on = on
        record_attach_user(previous, user)
        previous.save(update_fields=["replaced_on"])
    existing = household.kk_numbers.filter(number=number).first()
    if existing is not None:  # back to an earlier number: it becomes current again
        existing.replaced_on = None
        record_attach_user(existing, user)
        existing.save(update_fields=["replaced_on"])
    else:
        kk = KKNumber(household=household, number=number, recorded_on=on)
        record_attach_user(kk, user)
        kk.save()
    household.kk_number = number
    return household


@transaction.atomic
def person_move(*, person: Person, household: Household, relationship: str, user: User | None = None) -> Person:
    """Move a person to another household (a family split or a marriage). The person
    keeps their id, so their episodes, cases and history stay with them."""
    person.household = household
    person.relationship = relationship
    record_save(instance=person, expected_version=person.version, user=user)
    return person


@transaction.atomic
def placement_agency_propose(*, name: str, user: User) -> PlacementAgency:
    """The agency an officer typed that the list lacks: the active one of that name if there is
    one (a second officer typing it again), otherwise a new one awaiting an administrator's review."""
    name = " ".join(name.split())
    existing = PlacementAgency.objects.active().filter(name__iexact=name).first()
    if existing is not None:
        return existing
    return PlacementAgency.objects.create(name=name, is_reviewed=False, proposed_by=user)


@transaction.atomic
def case_follow_up_record(*, follow_up: CaseFollowUp, expected_version: int, user: User) -> CaseFollowUp:
    """Add a step to a service case's log and make its next follow-up the case's. Refused
    (StaleRecordError) if the case was saved since ``expected_version``."""
    case = follow_up.case
    case.follow_up_on = follow_up.next_follow_up_on
    record_save(instance=case, expected_version=expected_version, user=user)
    follow_up.recorded_by = user
    follow_up.save()
    return follow_up


@transaction.atomic
def episode_return(
    *,
    episode: MigrationEpisode,
    returned_on: datetime.date,
    reason: str = ReturnReason.CONTRACT_ENDED,
    expected_version: int,
    user: User | None = None,
    warnings: list[Finding] | None = None,
) -> MigrationEpisode:
    """Record a worker's return (the two-click action on the household page), with the
    ``warnings`` the return form found stored on the stay in place of any on the same fields."""
    episode.status = EpisodeStatus.RETURNED
    episode.actual_return = returned_on
    episode.return_reason = reason
    episode.full_clean()
    fields = {"return_reason", "actual_return"}
    kept = [stored for stored in episode.validation_warnings or [] if stored.get("field") not in fields]
    episode.validation_warnings = [*kept, *(finding.as_json() for finding in warnings or [])]
    return record_save(instance=episode, expected_version=expected_version, user=user)


@transaction.atomic
def episode_depart(
    *, episode: MigrationEpisode, departed_on: datetime.date, expected_version: int, user: User | None = None
) -> MigrationEpisode:
    """Record that a worker in preparation has left (the two-click action on the household
    page): the stay becomes "abroad" with the date of departure in place of the planned one."""
    episode.status = EpisodeStatus.ABROAD
    episode.departure_date = departed_on
    episode.full_clean()
    return record_save(instance=episode, expected_version=expected_version, user=user)


REFERRAL_TARGETS_FILE = Path(__file__).parent / "data" / "referral_targets.csv"


@transaction.atomic
def referral_targets_load(*, path: Path = REFERRAL_TARGETS_FILE) -> int:
    """Add the offices of the starting list that are not in the register yet; returns how many.
    What administrators changed or retired since is left as they made it."""
    with path.open(encoding="utf-8", newline="") as source:
        rows = list(csv.DictReader(source))
    known = set(ReferralTarget.objects.values_list("kind", "name"))
    new = [
        ReferralTarget(kind=row["kind"], name=row["name"], area_code=row["area_code"], country=row["country"])
        for row in rows
        if (row["kind"], row["name"]) not in known
    ]
    for target in new:
        target.full_clean()
    bulk_create_with_history(new, ReferralTarget)
    return len(new)


@transaction.atomic
def document_attach(
    *,
    owner: Person | MigrationEpisode | ServiceRequest,
    kind: str,
    title: str = "",
    data: bytes,
    user: User,
) -> Document:
    """Keep a photo or PDF with a person, a stay or a case: checked by its content, a photo
    re-encoded without its metadata (households.documents, which raises DocumentRefused), stored
    in the documents storage. A document of a person under 18 is marked as a child's."""
    prepared = document_prepare(data)
    link: dict[str, Person | MigrationEpisode | ServiceRequest]
    if isinstance(owner, Person):
        village_id, people, link = owner.household.village_id, [owner], {"person": owner}
    elif isinstance(owner, MigrationEpisode):
        village_id, people, link = owner.person.household.village_id, [owner.person], {"episode": owner}
    else:
        village_id, link = owner.village_id, {"case": owner}
        people = [person for person in (owner.person_served, owner.worker) if person is not None]
    document = Document(
        village_id=village_id,
        kind=kind,
        title=title,
        content_type=prepared.content_type,
        size=len(prepared.content),
        about_child=any(person.is_minor for person in people),
        uploaded_by=user,
        **link,
    )
    document.file.save("document", ContentFile(prepared.content), save=False)
    try:
        document.full_clean(exclude=["file"])
        document.save()
    except Exception:
        document.file.delete(save=False)
        raise
    return document


@transaction.atomic
def document_remove(*, document: Document) -> None:
    """Delete a document attached by mistake, its file with it."""
    name = document.file.name
    storage = document.file.storage
    document.delete()
    transaction.on_commit(lambda: storage.delete(name))


@dataclass
class MemberChanges:
    """What an edit of the household form does to its members."""

    added: list[Person]
    changed: list[Person]
    removed: list[Person]


@transaction.atomic
def household_update(
    *,
    household: Household,
    expected_version: int,
    members: MemberChanges,
    user: User | None = None,
) -> Household:
    """Save an edited household and its members as one change. If anyone saved the
    household since ``expected_version`` nothing is written (StaleRecordError): the
    transaction takes back the KK history written before the check."""
    new_kk = household.kk_number
    household.kk_number = Household.objects.values_list("kk_number", flat=True).get(pk=household.pk)
    if new_kk and new_kk != household.kk_number:
        household_kk_change(household=household, number=new_kk, user=user)
    record_save(instance=household, expected_version=expected_version, user=user)
    for person in members.removed:
        record_attach_user(person, user)
        person.delete()
    for person in [*members.changed, *members.added]:
        person.household = household
        if person.pk:
            person.version += 1
        record_attach_user(person, user)
        person.save()
    return household


@transaction.atomic
def household_archive(
    *, household: Household, archived: bool, expected_version: int, user: User | None = None
) -> Household:
    """Officers archive a household (moved away, registered twice) instead of deleting it:
    it leaves lists and counts but keeps its members, episodes and history."""
    household.is_archived = archived
    return record_save(instance=household, expected_version=expected_version, user=user)


@dataclass
class _Membership:
    spans: list[tuple[Any, Any]]  # (from, until) the person belonged to the household
    name: str  # as last recorded while they did


def _memberships(household_id: int, member_ids: Any) -> dict[int, _Membership]:
    """Each person who was ever a member, from their recorded versions."""
    memberships: dict[int, _Membership] = {}
    versions = Person.history.filter(id__in=member_ids).order_by("id", "history_date")
    rows = versions.values_list("id", "household_id", "history_date", "history_type", "name")
    for person_id, member_of, when, kind, name in rows:
        membership = memberships.setdefault(person_id, _Membership(spans=[], name=name))
        open_span = bool(membership.spans) and membership.spans[-1][1] is None
        inside = member_of == household_id and kind != "-"
        if inside:
            membership.name = name
            if not open_span:
                membership.spans.append((when, None))
        elif open_span:
            membership.spans[-1] = (membership.spans[-1][0], when)
    return memberships


def _within(spans: list[tuple[Any, Any]], when: Any) -> bool:
    return any(start <= when and (end is None or when < end) for start, end in spans)


@dataclass
class HistoryEntry:
    when: datetime.datetime
    who: str
    record: str
    action: str
    changes: list[tuple[str, Any, Any]]


_HIDDEN_IN_HISTORY = {"version", "updated_at", "created_at", "validation_warnings", "id", "household"}


def household_history(*, household: Household, user: AnyUser, limit: int = 50) -> list[HistoryEntry]:
    """Every recorded change to the household, its KK numbers, members and their episodes,
    newest first, with the fields each change touched: only while each lay inside the user's
    scope, and a member's only while they belonged to this household (a member who moved to
    another village takes what happens there with them)."""
    household_versions = scoped_history(household.history.all(), user)
    in_household = scoped_history(Person.history.filter(household_id=household.pk), user)
    members = _memberships(household.pk, in_household.values_list("id", flat=True).distinct())
    sources = [
        (household_versions, lambda row: str(household._meta.verbose_name).capitalize()),
        (scoped_history(KKNumber.history.filter(household_id=household.pk), user), lambda row: f"No. KK {row.number}"),
        (in_household, lambda row: row.name),
        (
            MigrationEpisode.history.filter(person_id__in=list(members)),
            lambda row: f"{str(MigrationEpisode._meta.verbose_name).capitalize()} · {members[row.person_id].name}",
        ),
    ]
    rows = []
    older: dict[tuple[type, int], list] = {}  # each record's fetched versions, newest first
    for queryset, describe in sources:
        # Twice the page, so that most changes find the version before them in memory.
        fetched = list(queryset.select_related("history_user").order_by("-history_date")[: limit * 2])
        if queryset.model is MigrationEpisode.history.model:
            fetched = [row for row in fetched if _within(members[row.person_id].spans, row.history_date)]
        for row in fetched:
            older.setdefault((type(row), row.id), []).append(row)
        rows += [(row, describe) for row in fetched]
    rows.sort(key=lambda pair: pair[0].history_date, reverse=True)
    entries = []
    for row, describe in rows[:limit]:
        changes = []
        previous = None
        if row.history_type == "~":
            versions = older[(type(row), row.id)]
            position = versions.index(row)
            previous = versions[position + 1] if position + 1 < len(versions) else row.prev_record
        if previous is not None:
            delta = row.diff_against(previous)
            for change in delta.changes:
                if change.field in _HIDDEN_IN_HISTORY:
                    continue
                label = row.instance_type._meta.get_field(change.field).verbose_name
                changes.append((str(label), change.old, change.new))
        entries.append(
            HistoryEntry(
                when=row.history_date,
                who=str(row.history_user or "—"),
                record=describe(row),
                action=row.get_history_type_display(),
                changes=changes,
            )
        )
    return entries
