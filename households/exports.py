"""The household list as CSV or XLSX: the user's filters, their scope, NIKs masked where
they may not read them, formulas neutralised, and every export logged.

Formulas are neutralised the way each format needs (desmigratif.exports): in a CSV a leading
apostrophe, since a spreadsheet runs any cell starting with = + - @; in an XLSX every text cell is
stored as text, so "=…" stays what was typed and is never run."""

from __future__ import annotations

import io

import tablib
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from desmigratif.exports import csv_write, xlsx_workbook
from desmigratif.models import AccessLog, User
from households.models import EpisodeStatus, Household, head_of
from households.validators import nik_shown_to

EXPORT_LIMIT = 100_000


def household_list_export(*, households: QuerySet[Household], user: User, filters: dict) -> tablib.Dataset:
    """One row per household; logs the export with the filters used."""
    dataset = tablib.Dataset(
        headers=[
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
    )
    rows = (
        households.select_related("village")
        .prefetch_related("members__episodes")
        .order_by("village_id", "id")[:EXPORT_LIMIT]
    )
    count = 0
    for household in rows:
        members = list(household.members.all())
        head = head_of(members)
        nik = nik_shown_to(user, head.nik, household.village_id) if head is not None else ""
        abroad = sum(1 for m in members if any(e.status == EpisodeStatus.ABROAD for e in m.episodes.all()))
        dataset.append(
            [
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
        )
        count += 1
    AccessLog.objects.create(user=user, kind=AccessLog.Kind.EXPORT, what="households", detail=filters, rows=count)
    return dataset


def dataset_csv(dataset: tablib.Dataset) -> str:
    """CSV with a BOM (so Excel reads UTF-8), every cell a spreadsheet would run made inert."""
    buffer = io.StringIO()
    csv_write(buffer, [dataset.headers, *dataset])
    return "\ufeff" + buffer.getvalue()


def dataset_xlsx(dataset: tablib.Dataset) -> bytes:
    return xlsx_workbook({dataset.title or _("Households"): [dataset.headers, *dataset]})
