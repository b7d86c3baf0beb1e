"""Background work of the dashboards (django-tasks): keeping the summary up to date."""

from __future__ import annotations

from django.core.cache import cache

try:
    from django.tasks import task
except ImportError:  # Django 5.2: the django-tasks backport
    from django_tasks import task

from dashboards.services import figures_refresh_changed

REQUESTED = "dashboards:refresh-requested"


@task()
def refresh_figures() -> None:
    """Recount the villages changed since the last refresh (everything once a day)."""
    figures_refresh_changed()


def figures_refresh_request() -> None:
    """Queue a refresh, at most once a minute from this process: one refresh covers every
    change made before it starts, so queueing more would only repeat it."""
    if cache.add(REQUESTED, True, timeout=60):
        refresh_figures.enqueue()
