"""Background work of the dashboards (django-tasks): keeping the summary up to date.

A write asks for a refresh once it is committed (dashboards/apps.py connects every model the
figures count). A refresh reads the register when it starts, so it covers every write
committed before; a write therefore queues one only when no refresh is waiting to start."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

try:
    from django.tasks import task, task_backends
except ImportError:  # Django 5.2: the django-tasks backport
    from django_tasks import task, task_backends

from dashboards.services import figures_refresh_changed

REQUESTED = "dashboards:refresh-requested"
READY, RUNNING = "READY", "RUNNING"  # django_tasks_db's statuses
# A refresh "running" for longer than this was left by a worker that died: not shown as updating.
RUNNING_AT_MOST = datetime.timedelta(minutes=10)


@task()
def refresh_figures() -> None:
    """Recount the villages changed since the last refresh (everything once a day)."""
    figures_refresh_changed()


def _queued_in_database() -> bool:
    return type(task_backends[refresh_figures.backend]).__module__.startswith("django_tasks_db")


def _refresh_tasks():
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path=refresh_figures.module_path)


def figures_refresh_request() -> None:
    """Queue a refresh, unless one is queued and not started yet: it will read what was just
    committed. Without the database queue (the immediate backend of a test or a demo), at most
    one a minute from this process."""
    if _queued_in_database():
        if _refresh_tasks().filter(status=READY).exists():
            return
        run_after = _next_refresh_at()
        (refresh_figures.using(run_after=run_after) if run_after else refresh_figures).enqueue()
        return
    if cache.add(REQUESTED, True, timeout=60):
        refresh_figures.enqueue()


def _next_refresh_at() -> datetime.datetime | None:
    """When the refresh asked for may start: FIGURES_REFRESH_EVERY after the last one started
    (None: now). A refresh renews every dashboard's cache; started after every edit, it would
    keep them all cold while officers work."""
    from dashboards.models import FigureRefresh

    last = FigureRefresh.objects.order_by("-started_at").values_list("started_at", flat=True).first()
    if last is None:
        return None
    earliest = last + datetime.timedelta(seconds=settings.FIGURES_REFRESH_EVERY)
    return earliest if earliest > timezone.now() else None


def figures_updating() -> bool:
    """Whether a refresh is queued or running: the figures shown are about to change."""
    if not _queued_in_database():
        return False
    return (
        _refresh_tasks().filter(status__in=[READY, RUNNING], enqueued_at__gte=timezone.now() - RUNNING_AT_MOST).exists()
    )
