"""Reading the summary: an area's figures (one query) and its child areas' headline figures."""

from __future__ import annotations

from django.db.models import Sum

from childcare.stats import CHILDREN
from cooperatives.stats import COOPERATIVES
from dashboards.models import AreaFigure
from desmigratif.figures import KEY_SEPARATOR, Counts, Measure
from enterprises.stats import ENTERPRISES
from households.stats import ABROAD, HOUSEHOLDS, OVERDUE_FOLLOW_UPS, PERSONS


class SummaryFigures:
    """The figures of one area ("" for the country) as stored by the last refresh."""

    def __init__(self, area: str) -> None:
        self.area = area
        self._rows: dict[str, dict[str, int]] = {}
        for measure, key, value in AreaFigure.objects.filter(area=area).values_list("measure", "key", "value"):
            self._rows.setdefault(measure, {})[key] = value

    def get(self, measure: Measure) -> Counts:
        rows = self._rows.get(measure.name, {})
        if measure.key_length == 0:
            return {(): rows[""]} if "" in rows else {}
        return {tuple(key.split(KEY_SEPARATOR)): value for key, value in rows.items()}


# The columns of the child-area table: (column, measure).
CHILD_COLUMNS: list[tuple[str, Measure]] = [
    ("households", HOUSEHOLDS),
    ("persons", PERSONS),
    ("abroad", ABROAD),
    ("overdue", OVERDUE_FOLLOW_UPS),
    ("enterprises", ENTERPRISES),
    ("children", CHILDREN),
    ("cooperatives", COOPERATIVES),
]


def child_figures(area: str, level: int) -> dict[str, dict[str, int]]:
    """{child area code: {column: total}} for the areas one level below ``area``."""
    column_of = {measure.name: column for column, measure in CHILD_COLUMNS}
    rows = (
        AreaFigure.objects.filter(parent=area, level=level + 1, measure__in=column_of)
        .values("area", "measure")
        .annotate(total=Sum("value"))
        .order_by()
    )
    figures: dict[str, dict[str, int]] = {}
    for row in rows:
        figures.setdefault(row["area"], {})[column_of[row["measure"]]] = row["total"]
    return figures
