"""Reading the summary: an area's figures (one query) and its child areas' headline figures."""

from __future__ import annotations

import datetime
from collections.abc import Collection, Iterable

from django.db.models import Q, Sum
from django.db.models.functions import Left

from childcare.stats import CHILDREN
from cooperatives.stats import ACTIVE_COOPERATIVES
from dashboards.models import AreaFigure
from desmigratif.figures import KEY_SEPARATOR, Counts, Measure
from desmigratif.models import ProgrammeVillage
from enterprises.stats import ENTERPRISES
from households.stats import ABROAD_PERSONS, HOUSEHOLDS, OVERDUE_FOLLOW_UPS, PERSONS

# Length of an area code at each level: "" (country), "32", "32.12", "32.12.16", "32.12.16.2004".
CODE_LENGTH = {0: 0, 1: 2, 2: 5, 3: 8, 4: 13}


def programme_village_codes(area: str, on: datetime.date) -> list[str]:
    """The area's villages in the programme on ``on`` (desmigratif.ProgrammeVillage)."""
    villages = ProgrammeVillage.objects.in_programme(on)
    if area:
        villages = villages.filter(Q(village__code=area) | Q(village__code__startswith=area + "."))
    return list(villages.values_list("village__code", flat=True))


class SummaryFigures:
    """The figures of one area ("" for the country) as stored by the last refresh; with
    ``villages``, the sums over those villages only (the area's programme villages)."""

    def __init__(self, area: str, villages: Collection[str] | None = None, *, rows: Iterable | None = None) -> None:
        self.area = area
        self._rows: dict[str, dict[str, int]] = {}
        self._counts: dict[str, Counts] = {}
        for measure, key, value in self._read(area, villages) if rows is None else rows:
            self._rows.setdefault(measure, {})[key] = value

    @staticmethod
    def _read(area: str, villages: Collection[str] | None) -> Iterable[tuple[str, str, int]]:
        if villages is None:
            return AreaFigure.objects.filter(area=area).values_list("measure", "key", "value")
        return (
            AreaFigure.objects.filter(level=4, area__in=list(villages))
            .values("measure", "key")
            .annotate(total=Sum("value"))
            .order_by()
            .values_list("measure", "key", "total")
        )

    def get(self, measure: Measure) -> Counts:
        """The measure's counts by key (parsed once: a report reads a span many times)."""
        if measure.name not in self._counts:
            rows = self._rows.get(measure.name, {})
            if measure.key_length == 0:
                self._counts[measure.name] = {(): rows[""]} if "" in rows else {}
            else:
                self._counts[measure.name] = {tuple(key.split(KEY_SEPARATOR)): value for key, value in rows.items()}
        return self._counts[measure.name]


# The columns of the child-area table: (column, measure).
CHILD_COLUMNS: list[tuple[str, Measure]] = [
    ("households", HOUSEHOLDS),
    ("persons", PERSONS),
    ("abroad", ABROAD_PERSONS),
    ("overdue", OVERDUE_FOLLOW_UPS),
    ("enterprises", ENTERPRISES),
    ("children", CHILDREN),
    ("cooperatives", ACTIVE_COOPERATIVES),
]


def child_figures(area: str, level: int, villages: Collection[str] | None = None) -> dict[str, dict[str, int]]:
    """{child area code: {column: total}} for the areas one level below ``area``; with
    ``villages``, summed over those villages only (and only child areas holding one)."""
    column_of = {measure.name: column for column, measure in CHILD_COLUMNS}
    if villages is None:
        rows = AreaFigure.objects.filter(parent=area, level=level + 1, measure__in=column_of)
    else:
        child = Left("area", CODE_LENGTH[level + 1])
        rows = AreaFigure.objects.filter(level=4, area__in=list(villages), measure__in=column_of).annotate(child=child)
    grouped = (
        rows.values("child" if villages is not None else "area", "measure").annotate(total=Sum("value")).order_by()
    )
    figures: dict[str, dict[str, int]] = {}
    if villages is not None:
        figures = {code[: CODE_LENGTH[level + 1]]: {} for code in villages}
    for row in grouped:
        code = row.get("child", row.get("area"))
        figures.setdefault(code, {})[column_of[row["measure"]]] = row["total"]
    return figures


def child_summaries(
    area: str, level: int, measures: Collection[Measure], villages: Collection[str] | None = None
) -> dict[str, SummaryFigures]:
    """The figures of ``measures`` for each area one level below ``area`` (one query); with
    ``villages``, summed over those villages only."""
    names = [measure.name for measure in measures]
    if villages is None:
        rows = AreaFigure.objects.filter(parent=area, level=level + 1, measure__in=names).values_list(
            "area", "measure", "key", "value"
        )
    else:
        rows = (
            AreaFigure.objects.filter(level=4, area__in=list(villages), measure__in=names)
            .annotate(child=Left("area", CODE_LENGTH[level + 1]))
            .values("child", "measure", "key")
            .annotate(total=Sum("value"))
            .order_by()
            .values_list("child", "measure", "key", "total")
        )
    by_child: dict[str, list[tuple[str, str, int]]] = {}
    if villages is not None:
        by_child = {code[: CODE_LENGTH[level + 1]]: [] for code in villages}
    for child, measure, key, value in rows:
        by_child.setdefault(child, []).append((measure, key, value))
    return {child: SummaryFigures(child, rows=child_rows) for child, child_rows in by_child.items()}
