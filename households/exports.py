"""The household list as CSV or XLSX: the user's filters, their scope, NIKs masked where
they may not read them, formulas neutralised, and every export logged.

Formulas are neutralised the way each format needs: in a CSV a leading apostrophe, since a
spreadsheet runs any cell starting with = + - @; in an XLSX each cell is stored with its type,
so a phone "+62…" is a text cell as it is, and only text that openpyxl would store as a formula
(a leading =) loses it, through tablib's own ``escape``."""

from __future__ import annotations

import tablib
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from desmigratif.access import AnyUser
from desmigratif.models import AccessLog
from households.models import EpisodeStatus, Household, head_of
from households.validators import escape_formula, nik_shown_to

EXPORT_LIMIT = 100_000


def household_list_export(*, households: QuerySet[Household], user: AnyUser, filters: dict) -> tablib.Dataset:
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
    safe = tablib.Dataset(headers=[escape_formula(h) for h in dataset.headers])
    for row in dataset:
        safe.append([escape_formula(value) for value in row])
    return "\ufeff" + safe.export("csv")


def dataset_xlsx(dataset: tablib.Dataset) -> bytes:
    return dataset.export("xlsx", escape=True)
