"""Measures: one definition of a figure, counted live for a scope or per village for the
summary tables the dashboards read.

Every measure counts things that each belong to exactly one village (a household, an
episode through its person's household, a training through its village…), so village
figures add up to district, regency, province and national figures without double
counting. That rule is what lets the summary be refreshed one village at a time.

A pillar's ``stats.py`` declares its measures and shapes their counts into rows; it reads
them from a :class:`Figures` source: :class:`LiveFigures` (a direct count over a scope,
used by tests and small areas) or the dashboards' summary (the same numbers, precomputed).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Protocol

from django.db import models
from django.db.models import Count, F, Value
from django.db.models.functions import Cast, Coalesce

from desmigratif.access import Scope

Key = tuple[str, ...]
Counts = dict[Key, int]
KEY_SEPARATOR = "\t"


@dataclass(frozen=True)
class Measure:
    """``total`` of ``records``, grouped by ``keys`` (lookups or expressions, as text).

    ``village`` is the lookup of the village each record counts in. ``total`` defaults
    to counting records; a distinct count must count something that lives in one village
    (a person, a household), or the village figures would not add up.
    """

    name: str
    records: Callable[[], models.QuerySet]
    village: str
    keys: tuple[str | models.Expression, ...] = ()
    total: Callable[[], models.Aggregate] = field(default=lambda: Count("pk"))

    def _keyed(self, queryset: models.QuerySet) -> tuple[models.QuerySet, list[str]]:
        names = [f"key_{i}" for i in range(len(self.keys))]
        annotations = {
            name: Coalesce(
                Cast(F(key) if isinstance(key, str) else key, models.TextField()),
                Value(""),
                output_field=models.TextField(),
            )
            for name, key in zip(names, self.keys, strict=True)
        }
        return queryset.annotate(**annotations), names

    def count(self, scope: Scope) -> Counts:
        """The direct count over ``scope``."""
        queryset, names = self._keyed(scope.filter(self.records(), self.village))
        if not names:
            value = queryset.aggregate(figure=self.total())["figure"] or 0
            return {(): int(value)} if value else {}
        rows = queryset.values(*names).annotate(figure=self.total()).order_by().values_list(*names, "figure")
        return {tuple(row[:-1]): int(row[-1]) for row in rows if row[-1]}

    def by_village(self, villages: Iterable[str] | None = None) -> models.QuerySet:
        """Rows (village code, key_0…, figure) for the given villages (all when None)."""
        queryset = self.records()
        if villages is not None:
            queryset = queryset.filter(**{f"{self.village}__in": list(villages)})
        queryset, names = self._keyed(queryset.annotate(area_code=F(self.village)))
        return queryset.values("area_code", *names).annotate(figure=self.total()).order_by()

    @property
    def key_length(self) -> int:
        return len(self.keys)


class Figures(Protocol):
    """Where a stats function reads its counts from."""

    def get(self, measure: Measure) -> Counts: ...


class LiveFigures:
    """Counts straight from the register, over a scope."""

    def __init__(self, scope: Scope) -> None:
        self.scope = scope

    def get(self, measure: Measure) -> Counts:
        return measure.count(self.scope)


def figures_of(source: Scope | Figures) -> Figures:
    """Stats functions take a scope (a live count) or any figures source."""
    return LiveFigures(source) if isinstance(source, Scope) else source


def total(figures: Figures, measure: Measure) -> int:
    return sum(figures.get(measure).values())


def by_first_key(figures: Figures, measure: Measure) -> dict[str, int]:
    """Counts of a measure summed over its first key."""
    result: dict[str, int] = {}
    for key, value in figures.get(measure).items():
        result[key[0]] = result.get(key[0], 0) + value
    return result


def ranked(counts: dict[str, int]) -> list[tuple[str, int]]:
    """(key, count), most first, ties by key."""
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))
