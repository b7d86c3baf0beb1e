"""Refreshing the dashboards' summary (AreaFigure) from the register.

Village figures are counted by each measure's own query (desmigratif/figures.py), then
summed up level by level: districts from villages, regencies from districts, provinces
from regencies, the country from provinces. A refresh of some villages recounts those
villages and re-sums only the areas above them, so an import of a few hundred villages
costs a fraction of a full refresh. Which villages changed is read from the change history
every record keeps (django-simple-history), so no write path has to remember to say so.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Collection, Iterable

from django.core.cache import cache
from django.db import connection, models, transaction
from django.utils import timezone
from simple_history.utils import get_history_model_for_model

from childcare import stats as childcare_stats
from childcare.models import ActivityKind, Session
from cooperatives import stats as cooperative_stats
from cooperatives.models import Membership
from dashboards import stats as dashboard_stats
from dashboards.models import AreaFigure, FigureRefresh
from dashboards.summary import CODE_LENGTH
from desmigratif.figures import KEY_SEPARATOR, Measure
from enterprises import stats as enterprise_stats
from enterprises.models import Category, Enterprise
from households import stats as household_stats
from households.models import Job, PlacementAgency

MEASURES: list[Measure] = [
    *household_stats.MEASURES,
    *enterprise_stats.MEASURES,
    *childcare_stats.MEASURES,
    *cooperative_stats.MEASURES,
    *dashboard_stats.MEASURES,
]
MEASURES_BY_NAME = {measure.name: measure for measure in MEASURES}

# Records whose change moves a figure of another village than the measures' own.
EXTRA_CHANGE_PATHS: list[tuple[type[models.Model], str]] = [
    (Session, "learning_house__village__code"),  # the children and caregivers present
    (Enterprise, "owner__village__code"),  # the coverage funnel of the owner household
    (Membership, "person__household__village__code"),
]
# Writes commit some time after their history rows are stamped: look back this much further.
CHANGE_MARGIN = datetime.timedelta(minutes=5)
KEEP_REFRESH_LOG = datetime.timedelta(days=30)
_LOCK = "dashboards.figures"


def _ancestor(code: str, level: int) -> str:
    return code[: CODE_LENGTH[level]]


def _insert_villages(cursor, measure: Measure, villages: Collection[str] | None) -> None:
    sql, params = measure.by_village(villages).query.sql_with_params()
    keys = [f"m.key_{i}" for i in range(measure.key_length)]
    key = f"concat_ws(E'{KEY_SEPARATOR}', {', '.join(keys)})" if keys else "''"
    cursor.execute(
        f"INSERT INTO {AreaFigure._meta.db_table} (area, parent, level, measure, key, value) "  # noqa: S608 - our names
        f"SELECT m.area_code, left(m.area_code, {CODE_LENGTH[3]}), 4, %s, {key}, m.figure "
        f"FROM ({sql}) AS m WHERE m.figure IS NOT NULL AND m.figure <> 0",
        [measure.name, *params],
    )


def _roll_up(cursor, level: int, areas: Collection[str] | None) -> None:
    """(Re)write the figures of ``areas`` at ``level`` (all of that level when None) as sums of
    their children's."""
    table = AreaFigure._meta.db_table
    grandparent = "''" if level <= 1 else f"left(parent, {CODE_LENGTH[level - 1]})"
    only = "" if areas is None else " AND parent = ANY(%s)"
    params = [] if areas is None else [list(areas)]
    cursor.execute(f"DELETE FROM {table} WHERE level = %s" + only.replace("parent", "area"), [level, *params])  # noqa: S608
    cursor.execute(
        f"INSERT INTO {table} (area, parent, level, measure, key, value) "  # noqa: S608 - our names
        f"SELECT parent, {grandparent}, %s, measure, key, sum(value) FROM {table} "
        f"WHERE level = %s{only} GROUP BY parent, measure, key",
        [level, level + 1, *params],
    )


@transaction.atomic
def figures_refresh(*, villages: Iterable[str] | None = None) -> FigureRefresh:
    """Recount ``villages`` (every village when None) and the areas above them."""
    clock = time.perf_counter()
    with connection.cursor() as cursor:
        # One refresh at a time; a second one waits and then sees the first one's result.
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [_LOCK])
        started_at = timezone.now()
        codes = None if villages is None else sorted(set(villages))
        if codes is None:
            cursor.execute(f"DELETE FROM {AreaFigure._meta.db_table}")  # noqa: S608 - our name
        else:
            cursor.execute(
                f"DELETE FROM {AreaFigure._meta.db_table} WHERE level = 4 AND area = ANY(%s)",  # noqa: S608
                [codes],
            )
        if codes != []:
            for measure in MEASURES:
                _insert_villages(cursor, measure, codes)
            for level in (3, 2, 1, 0):
                above = None if codes is None else {_ancestor(code, level) for code in codes}
                _roll_up(cursor, level, above)
    finished_at = timezone.now()
    # Now for this transaction's own reads, and again once the refresh is visible to others.
    cache.delete(_SHOWN_REFRESH_KEY)
    transaction.on_commit(lambda: cache.delete(_SHOWN_REFRESH_KEY))
    FigureRefresh.objects.filter(started_at__lt=finished_at - KEEP_REFRESH_LOG).delete()
    return FigureRefresh.objects.create(
        started_at=started_at,
        finished_at=finished_at,
        villages=None if codes is None else len(codes),
        seconds=time.perf_counter() - clock,
    )


def _change_sources() -> list[tuple[type[models.Model], str]]:
    sources = {(measure.records().model, measure.village) for measure in MEASURES}
    sources.update(EXTRA_CHANGE_PATHS)
    return sorted(
        ((model, path) for model, path in sources if hasattr(model, "history")),
        key=lambda source: (source[0]._meta.label, source[1]),
    )


def watched_models() -> list[type[models.Model]]:
    """Every model whose writes can move a figure or its label: the records the measures count,
    those they reach through (a session's children), the code lists whose names label them, and
    the register of programme villages."""
    counted = {model for model, _path in _change_sources()}
    counted |= {measure.records().model for measure in MEASURES}
    return sorted(counted | {Category, Job, ActivityKind, PlacementAgency}, key=lambda model: model._meta.label)


def changed_villages(since: datetime.datetime) -> set[str]:
    """Villages with a record written since ``since``, counting every village each changed
    record has been in (a household moved from A to B changes both)."""
    villages: set[str] = set()
    for model, path in _change_sources():
        history = get_history_model_for_model(model)
        changed = history.objects.filter(history_date__gte=since).values("id")
        villages.update(
            code for code in history.objects.filter(id__in=changed).values_list(path, flat=True).distinct() if code
        )
    return villages


def last_refresh() -> FigureRefresh | None:
    return FigureRefresh.objects.order_by("-started_at").first()


# Pages read the last refresh at most every few seconds per process: one query less on every
# dashboard, for figures at most this late (a refresh in this process shows at once).
SHOWN_REFRESH_SECONDS = 5
_SHOWN_REFRESH_KEY = "dashboards:last-refresh"


def last_refresh_shown() -> FigureRefresh | None:
    """:func:`last_refresh` for pages, kept a few seconds in the process's cache."""
    return cache.get_or_set(_SHOWN_REFRESH_KEY, last_refresh, SHOWN_REFRESH_SECONDS)


def figures_refresh_changed() -> FigureRefresh:
    """Bring the summary up to date: the villages changed since the last refresh, or everything
    on the first refresh of a day (figures such as overdue follow-ups move with the date)."""
    previous = last_refresh()
    midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    full_today = FigureRefresh.objects.filter(villages=None, started_at__gte=midnight).exists()
    if previous is None or not full_today:
        return figures_refresh()
    return figures_refresh(villages=changed_villages(previous.started_at - CHANGE_MARGIN))
