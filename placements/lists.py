"""What an extract found, village by village, for the user who looks: the stays it confirms,
the stays the village registers as abroad that it does not list, and the placements of the
village's residents that no household registers. Each list counts exactly (no rounding: these
are workers, named for the officers who follow them up)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import QuerySet

from desmigratif.access import Action, AnyUser, scope_for, scoped
from desmigratif.models import Village
from households.models import EpisodeStatus, MigrationEpisode
from placements.models import PlacementBatch, PlacementGap, PlacementRecord
from placements.services import unlisted_stays


@dataclass
class VillageLists:
    code: str
    name: str = ""
    confirmed: list[PlacementRecord] = field(default_factory=list)
    unlisted: list[MigrationEpisode] = field(default_factory=list)
    unregistered: list[PlacementRecord] = field(default_factory=list)
    pending: list[PlacementRecord] = field(default_factory=list)


@dataclass
class BatchLists:
    villages: list[VillageLists]
    without_village: list[PlacementRecord]  # unmatched rows the extract gives no village

    def total(self, name: str) -> int:
        return sum(len(getattr(village, name)) for village in self.villages)

    @property
    def total_confirmed(self) -> int:
        return self.total("confirmed")

    @property
    def total_unlisted(self) -> int:
        return self.total("unlisted")

    @property
    def total_unregistered(self) -> int:
        return self.total("unregistered") + len(self.without_village)


def placement_batches_for(user: AnyUser) -> list[PlacementBatch]:
    """The extracts of an area the user works in or coordinates (an officer sees the part of
    their villages)."""
    reads, approves = scope_for(user, Action.READ), scope_for(user, Action.APPROVE)
    batches = PlacementBatch.objects.exclude(status=PlacementBatch.Status.DISCARDED).select_related("user")
    return [b for b in batches if reads.touches(b.area_code) or approves.touches(b.area_code)]


def batch_lists(batch: PlacementBatch, user: AnyUser) -> BatchLists:
    """The three lists of each village of ``batch`` the user may read, and the matches waiting for review."""
    villages: dict[str, VillageLists] = {}

    def of(code: str) -> VillageLists:
        return villages.setdefault(code, VillageLists(code))

    records = scoped(batch.records.exclude(village_code="").select_related("person", "episode"), user, Action.READ)
    for record in records:
        if record.decision == PlacementRecord.Decision.PENDING:
            of(record.village_code).pending.append(record)
        elif record.episode_id is not None and record.decision != PlacementRecord.Decision.REJECTED:
            of(record.village_code).confirmed.append(record)
        else:
            of(record.village_code).unregistered.append(record)
    # Once applied, the stays it found unlisted then (its follow-ups); before, as things are now.
    stays: QuerySet[MigrationEpisode] = (
        MigrationEpisode.objects.filter(pk__in=batch.gaps.values("episode_id"))
        if batch.status == PlacementBatch.Status.APPLIED
        else unlisted_stays(batch)
    )
    for stay in scoped(stays.select_related("person__household"), user, Action.READ).order_by("person__name", "id"):
        of(stay.person.household.village_id).unlisted.append(stay)
    names = dict(Village.objects.filter(code__in=villages).values_list("code", "name"))
    for code, lists in villages.items():
        lists.name = names.get(code, "")
    without = []
    if scope_for(user, Action.APPROVE).contains(batch.area_code):
        without = list(batch.records.filter(village_code="").unregistered())
    return BatchLists(villages=[villages[code] for code in sorted(villages)], without_village=without)


def open_gaps(user: AnyUser) -> list[PlacementGap]:
    """The follow-ups of the user's villages: stays no applied extract lists, not yet asked about."""
    gaps = PlacementGap.objects.filter(checked_at__isnull=True, batch__status=PlacementBatch.Status.APPLIED)
    gaps = gaps.filter(episode__status=EpisodeStatus.ABROAD, episode__placement_verified_on__isnull=True)
    return list(
        scoped(gaps, user, Action.WRITE).select_related("episode__person__household", "batch").order_by("episode_id")
    )
