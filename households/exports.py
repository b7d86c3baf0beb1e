"""The household list as CSV or XLSX: the user's filters, their scope, NIKs masked where
they may not read them, formulas neutralised, and every export logged.

Formulas are neutralised the way each format needs (desmigratif.exports): in a CSV a leading
apostrophe, since a spreadsheet runs any cell starting with = + - @; in an XLSX every text cell is
stored as text, so "=…" stays what was typed and is never run."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from desmigratif.models import AccessLog, User
from households.models import EpisodeStatus, Household, head_of
from households.validators import nik_shown_to

# The most rows an XLSX sheet holds (Excel's limit, less the header): a bigger export is
# refused as XLSX, never cut short; CSV has no limit.
XLSX_MAX_ROWS = 1_048_575


def household_export_headers() -> list[str]:
    return [
        _("ID"),
        _("Village code"),
        _("Village"),
        _("No. KK"),
        _("Dusun"),
        _("RT"),
        _("RW"),
        _("Address"),
        _("Contact phone"),
        _("Head of family"),
        _("NIK of head"),
        _("Members"),
        _("Workers abroad"),
    ]


def household_export_rows(*, households: QuerySet[Household], user: User, filters: dict) -> Iterator[list[Any]]:
    """The header row, then one row per household, read from the database in chunks as the
    file is sent. The export is logged, with the filters and the rows sent, when the file ends
    (or when the download is broken off: what was sent is logged)."""
    yield household_export_headers()
    rows = households.select_related("village").prefetch_related("members__episodes").order_by("village_id", "id")
    count = 0
    try:
        for household in rows.iterator(chunk_size=2000):
            members = list(household.members.all())
            head = head_of(members)
            nik = nik_shown_to(user, head.nik, household.village_id) if head is not None else ""
            abroad = sum(1 for m in members if any(e.status == EpisodeStatus.ABROAD for e in m.episodes.all()))
            yield [
                household.pk,
                household.village_id,
                household.village.name,
                household.kk_number,
                household.dusun,
                household.rt,
                household.rw,
                household.address,
                household.phone,
                head.name if head else "",
                nik,
                len(members),
                abroad,
            ]
            count += 1
    finally:
        AccessLog.objects.create(user=user, kind=AccessLog.Kind.EXPORT, what="households", detail=filters, rows=count)
