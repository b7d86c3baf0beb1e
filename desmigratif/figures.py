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
from django.db.models import Count, F, Func, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Coalesce, TruncDate

from desmigratif.access import Scope
from desmigratif.periods import Period

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

    def columns(self) -> tuple[str | models.Expression, ...]:
        """What the figures are grouped by."""
        return self.keys

    def _keyed(self, queryset: models.QuerySet) -> tuple[models.QuerySet, list[str]]:
        columns = self.columns()
        names = [f"key_{i}" for i in range(len(columns))]
        annotations = {
            name: Coalesce(
                Cast(F(key) if isinstance(key, str) else key, models.TextField()),
                Value(""),
                output_field=models.TextField(),
            )
            for name, key in zip(names, columns, strict=True)
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
        return len(self.columns())


def quarter(date: str | models.Expression) -> models.Expression:
    """The quarter of a date as "2019-Q3" (NULL for none). A timestamp must be made a date in
    the portal's time zone first (``TruncDate``): PostgreSQL would take UTC's day."""
    expression = F(date) if isinstance(date, str) else date
    return Func(expression, Value('YYYY-"Q"Q'), function="to_char", output_field=models.TextField())


def became(model: type[models.Model], *, record: str = "pk", **state: object) -> Subquery:
    """The day a record first reached ``state``, read from its change history
    (django-simple-history): the date records that lack a date of their own end on.
    ``record`` is the path from the counted records to the ``model`` record."""
    history = model.history.model  # type: ignore[attr-defined] # simple-history's manager, untyped
    return Subquery(
        history.objects.filter(id=OuterRef(record), **state)
        .order_by("history_date")
        .annotate(day=TruncDate("history_date"))
        .values("day")[:1],
        output_field=models.DateField(),
    )


@dataclass(frozen=True)
class Span(Measure):
    """A measure of records that count from one day (``since``) until another (``until``, or
    for ever): a worker from departure to return, a household from registration to archiving.
    Its figures are kept by the quarters of both days, ahead of its own ``keys``, so that the
    count at the end of any past quarter, and what started or ended in any period, can be read
    from the summary (:func:`as_of`, :func:`started_in`, :func:`ended_in`)."""

    since: str | models.Expression = field(default_factory=lambda: TruncDate("created_at"))
    until: str | models.Expression | None = None

    def columns(self) -> tuple[str | models.Expression, ...]:
        until = Value("") if self.until is None else quarter(self.until)
        return (quarter(self.since), until, *self.keys)


def _spans_where(figures: Figures, span: Span, keep: Callable[[str, str], bool]) -> Counts:
    """The span's counts by its own keys, of the records whose (since, until) quarters ``keep``."""
    counts: Counts = {}
    for (since, until, *key), n in figures.get(span).items():
        if keep(since, until):
            counts[tuple(key)] = counts.get(tuple(key), 0) + n
    return counts


def as_of(figures: Figures, span: Span, period: Period) -> Counts:
    """The records counting at the end of ``period`` (of the part of it that has ended), by the
    span's own keys."""
    last = period.last_quarter
    if last is None:
        return {}
    return _spans_where(
        figures, span, lambda since, until: bool(since) and since <= last and (not until or until > last)
    )


def started_in(figures: Figures, span: Span, period: Period) -> Counts:
    """The records whose span began in ``period``, by the span's own keys."""
    covered = set(period.ended_quarters())
    return _spans_where(figures, span, lambda since, _until: since in covered)


def ended_in(figures: Figures, span: Span, period: Period) -> Counts:
    """The records whose span ended in ``period``, by the span's own keys."""
    covered = set(period.ended_quarters())
    return _spans_where(figures, span, lambda _since, until: until in covered)


def by_choice(counts: Counts, choices: Iterable[tuple[str, object]]) -> list[tuple[str, int]]:
    """Counts keyed by one choice value, as (label, count) for every choice, zeros included."""
    by_value = {key[0]: n for key, n in counts.items()}
    return [(str(label), by_value.get(value, 0)) for value, label in choices]


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
