"""Periods the figures can be read at: the end of a year or of a quarter, or "now".

Figures of the past are kept in the summary by quarter (see :class:`desmigratif.figures.Span`):
a record counts from the quarter of its start to the quarter of its end. A quarter is written
"2019-Q3", which sorts as text in time order. Only periods that have ended can be read: a year
still running is read as of the end of its last quarter that has ended, so that a figure of
"2026" never changes its meaning while the year goes on.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from desmigratif.models import FIRST_COHORT

_PERIOD = re.compile(r"^(?P<year>\d{4})(?:-Q(?P<quarter>[1-4]))?$")


def quarter_of(day: datetime.date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def _quarter_end(year: int, quarter: int) -> datetime.date:
    if quarter == 4:
        return datetime.date(year, 12, 31)
    return datetime.date(year, quarter * 3 + 1, 1) - datetime.timedelta(days=1)


@dataclass(frozen=True)
class Period:
    """A year (``quarter`` None) or one of its quarters."""

    year: int
    quarter: int | None = None

    @classmethod
    def parse(cls, text: str, *, today: datetime.date | None = None) -> Period | None:
        """The period written as "2019" or "2019-Q3", if it is one that can be read (it began
        before today, and not before the programme); None otherwise."""
        found = _PERIOD.match(text or "")
        if not found:
            return None
        period = cls(int(found["year"]), int(found["quarter"]) if found["quarter"] else None)
        if period.year < FIRST_COHORT or not period.ended_quarters(today=today):
            return None
        return period

    @property
    def slug(self) -> str:
        return f"{self.year}" if self.quarter is None else f"{self.year}-Q{self.quarter}"

    @property
    def quarters(self) -> list[str]:
        numbers = [self.quarter] if self.quarter else [1, 2, 3, 4]
        return [f"{self.year}-Q{n}" for n in numbers]

    def ended_quarters(self, *, today: datetime.date | None = None) -> list[str]:
        """The period's quarters that have ended (a year still running has fewer than four)."""
        current = quarter_of(today or timezone.localdate())
        return [quarter for quarter in self.quarters if quarter < current]

    @property
    def last_quarter(self) -> str | None:
        ended = self.ended_quarters()
        return ended[-1] if ended else None

    @property
    def end(self) -> datetime.date:
        """The last day the figures cover: the end of the period, or of its last ended quarter."""
        last = self.last_quarter or self.quarters[0]
        year, quarter = last.split("-Q")
        return _quarter_end(int(year), int(quarter))

    @property
    def start(self) -> datetime.date:
        return datetime.date(self.year, 3 * (self.quarter - 1) + 1 if self.quarter else 1, 1)

    @property
    def is_complete(self) -> bool:
        return len(self.ended_quarters()) == len(self.quarters)

    def __str__(self) -> str:
        if self.quarter is None:
            return str(self.year)
        return _("Q%(quarter)s %(year)s") % {"quarter": self.quarter, "year": self.year}


def periods_available(*, today: datetime.date | None = None) -> list[Period]:
    """Years from the programme's first to this one (while it has an ended quarter), newest first,
    each followed by its ended quarters."""
    today = today or timezone.localdate()
    current = quarter_of(today)
    periods: list[Period] = []
    for year in range(today.year, FIRST_COHORT - 1, -1):
        year_period = Period(year)
        quarters = [Period(year, n) for n in (4, 3, 2, 1) if f"{year}-Q{n}" < current]
        if quarters:
            periods += [year_period, *quarters]
    return periods
