"""Every write path asks for a refresh of the dashboards' figures once it is committed: forms,
the one-tap services, the admin, code lists, and the import's batch life cycle; and the page
says "updating" while a refresh is queued."""

import datetime
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from dashboards.models import FigureRefresh
from dashboards.services import figures_refresh
from dashboards.tasks import refresh_figures
from enterprises.models import Category
from households.models import Household, MigrationEpisode
from tests.conftest import VILLAGE_A
from tests.factories import EpisodeFactory, PersonFactory, enterprise
from tests.households.imports import FILE
from tests.households.pages import household_post, management, member

pytestmark = pytest.mark.django_db


def queued() -> int:
    return DBTaskResult.objects.filter(task_path=refresh_figures.module_path, status="READY").count()


def run_queued() -> None:
    """What the worker does: run the queued refresh."""
    for result in DBTaskResult.objects.filter(task_path=refresh_figures.module_path, status="READY"):
        refresh_figures.call()
        result.delete()


@pytest.fixture(autouse=True)
def no_refresh_queued(db):
    """Writes outside a test's transaction (the shared code lists put back) may have queued one."""
    DBTaskResult.objects.filter(task_path=refresh_figures.module_path).delete()


@pytest.fixture
def write(django_capture_on_commit_callbacks):
    """Run a write as a request commits it, and tell how many refreshes it queued."""

    def run(action):
        before = queued()
        connection.run_on_commit.clear()  # the setup's writes: committed before this one
        with django_capture_on_commit_callbacks(execute=True):
            response = action()
        # As a commit would, forget the callbacks run (the test's transaction never commits).
        connection.run_on_commit.clear()
        if response is not None:
            assert response.status_code == 302, response.content.decode()[:3000]
        return queued() - before

    return run


def households_headline(client, code=VILLAGE_A):
    page = client.get(reverse("dashboards:area", args=[code])).content.decode()
    return int(re.search(r'id="headline-households">\s*([\d.]+)\s*<', page).group(1).replace(".", ""))


def test_every_write_path_of_the_officer_queues_one_refresh(client, officer_a, write):
    figures_refresh()
    client.force_login(officer_a)
    assert households_headline(client) == 0

    data = {**household_post(), **management(1), **member(0, name="Siti", relationship="head", sex="F")}
    assert write(lambda: client.post(reverse("households:create"), data)) == 1  # one, for the six rows it wrote
    assert "updating" in client.get(reverse("dashboards:area", args=[VILLAGE_A]), HTTP_ACCEPT_LANGUAGE="en").text
    second = {**data, "kk_number": "3212161503180015"}
    assert write(lambda: client.post(reverse("households:create"), second)) == 0  # one already waits to start
    run_queued()
    assert households_headline(client) == 2  # the refresh covers both
    assert "updating" not in client.get(reverse("dashboards:area", args=[VILLAGE_A]), HTTP_ACCEPT_LANGUAGE="en").text

    household = Household.objects.order_by("pk").first()
    person = household.members.get()
    stay = {
        "status": "abroad",
        "scheme": "p3mi",
        "procedural": "procedural",
        "destination_country": "HK",
        "employer_kind": "household",
        "sector": "informal",
        "departure_date": "2023-02-01",
        "contract_end": "2025-02-01",
        "bpjs_number": "12345678901",
        "passport_number": "C1234567",
        "version": "",
    }
    assert write(lambda: client.post(reverse("households:episode-create", args=[person.pk]), stay)) == 1
    run_queued()
    episode = MigrationEpisode.objects.get()
    prefix = f"return-{episode.pk}"
    back = {f"{prefix}-returned_on": "2025-03-01", f"{prefix}-reason": "contract_ended", f"{prefix}-version": "1"}
    assert write(lambda: client.post(reverse("households:episode-return", args=[episode.pk]), back)) == 1
    run_queued()
    assert write(lambda: client.post(reverse("households:archive", args=[household.pk]), {"version": "1"})) == 1
    run_queued()
    assert households_headline(client) == 1


def test_the_admin_and_code_lists_queue_a_refresh_and_renames_reach_the_labels(client, administrator, write):
    enterprise(VILLAGE_A, category="food")
    figures_refresh()
    client.force_login(administrator)
    food = Category.objects.get(code="food")
    url = reverse("admin:enterprises_category_change", args=[food.pk])
    renamed = {"code": "food", "name": "Kuliner", "name_en": "Culinary", "is_active": "on"}
    assert write(lambda: client.post(url, renamed)) == 1
    run_queued()
    page = client.get(reverse("dashboards:area", args=[VILLAGE_A]), HTTP_ACCEPT_LANGUAGE="id").text
    assert "Kuliner" in page
    english = client.get(reverse("dashboards:area", args=[VILLAGE_A]), HTTP_ACCEPT_LANGUAGE="en").text
    assert "Culinary" in english and "Kuliner" not in english  # names in the viewer's language


def test_a_one_off_write_outside_a_form_queues_a_refresh_too(write):
    episode = EpisodeFactory(person=PersonFactory(household__village_id=VILLAGE_A), status="preparing")

    def depart():
        episode.status = "abroad"
        episode.departure_date = datetime.date(2025, 5, 1)
        episode.save()

    assert write(depart) == 1


def test_the_import_refreshes_when_its_batch_is_written(tmp_path, officer_a):
    path = tmp_path / "register.csv"
    path.write_text(FILE)
    before = FigureRefresh.objects.count()
    call_command("import_households", str(path), "--user", "officer.a")
    assert Household.objects.exists()
    assert FigureRefresh.objects.count() == before + 1  # the batch life cycle recounts at once


def test_a_refresh_starts_no_sooner_than_a_minute_after_the_last(client, officer_a, write, settings):
    """Each refresh renews every dashboard's cache: officers editing all day would otherwise
    keep every dashboard cold (docs/performance.md, "Load")."""
    settings.FIGURES_REFRESH_EVERY = 60
    last = figures_refresh()
    client.force_login(officer_a)
    data = {**household_post(), **management(1), **member(0, name="Siti", relationship="head", sex="F")}
    assert write(lambda: client.post(reverse("households:create"), data)) == 1
    waiting = DBTaskResult.objects.get(task_path=refresh_figures.module_path, status="READY")
    assert abs((waiting.run_after - last.started_at).total_seconds() - 60) < 1
    assert not DBTaskResult.objects.ready().filter(task_path=refresh_figures.module_path).exists()
    assert "updating" in client.get(reverse("dashboards:area", args=[VILLAGE_A]), HTTP_ACCEPT_LANGUAGE="en").text

    waiting.delete()
    FigureRefresh.objects.update(started_at=last.started_at - datetime.timedelta(minutes=5))
    second = {**data, "kk_number": "3212161503180015"}
    assert write(lambda: client.post(reverse("households:create"), second)) == 1
    assert DBTaskResult.objects.ready().filter(task_path=refresh_figures.module_path).exists()  # taken at once
