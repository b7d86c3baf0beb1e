"""The summary the dashboards read equals a direct count, at every level, after a full
refresh and after an incremental one."""

import datetime

import pytest
from django.db.models import F
from django.utils import translation

from dashboards import panels
from dashboards.models import AreaFigure, FigureRefresh
from dashboards.services import changed_villages, figures_refresh, figures_refresh_changed
from dashboards.stats import coverage_funnel
from dashboards.summary import SummaryFigures, child_figures
from desmigratif.access import Scope
from desmigratif.figures import LiveFigures
from enterprises.models import Enterprise
from households.models import Household, MigrationEpisode, Person
from tests.conftest import SMALL_VILLAGE, VILLAGE_A, VILLAGE_A_NEIGHBOUR, VILLAGE_B
from tests.factories import HouseholdFactory, PersonFactory

pytestmark = pytest.mark.django_db

AREAS = [
    "",
    "32",
    "32.12",
    "32.12.16",
    "32.12.01",
    VILLAGE_A,
    VILLAGE_A_NEIGHBOUR,
    SMALL_VILLAGE,
    "33",
    VILLAGE_B,
    "32.13",
]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def scope(code):
    return Scope.everywhere() if code == "" else Scope.of([code])


def inside(code):
    return {} if code == "" else {"village__code__startswith": code}


def assert_summary_is_live(code):
    summary, live = SummaryFigures(code), LiveFigures(scope(code))
    assert panels.headlines(summary) == panels.headlines(live), code
    assert panels.sections(summary) == panels.sections(live), code


def test_every_panel_equals_a_direct_count_at_every_level(programme):
    figures_refresh()
    for code in AREAS:
        assert_summary_is_live(code)


def test_headlines_and_funnel_equal_plain_queries(programme):
    figures_refresh()
    for code in AREAS:
        figures = {h.slug: h.value for h in panels.headlines(SummaryFigures(code))}
        households = Household.objects.filter(is_archived=False, **inside(code))
        prefix = {} if code == "" else {"household__village__code__startswith": code}
        assert figures["households"] == households.count()
        assert figures["persons"] == Person.objects.filter(household__is_archived=False, **prefix).count()
        assert figures["abroad"] == sum(
            1
            for episode in MigrationEpisode.objects.filter(status="abroad").select_related("person__household")
            if not episode.person.household.is_archived and episode.person.household.village_id.startswith(code)
        )
        assert figures["enterprises"] == Enterprise.objects.filter(**inside(code)).count()
        # The funnel against each household's own "programme reach" (a separate implementation).
        funnel = {"abroad": 0, "enterprise": 0, "parenting": 0, "cooperative": 0, "any": 0}
        for household in households:
            reach = household.programme_reach()
            if not reach["abroad"]:
                continue
            funnel["abroad"] += 1
            flags = {
                "enterprise": bool(
                    reach["enterprises"]
                    or reach["trained"]
                    or household.members.filter(enterprises__isnull=False).exists()
                ),
                "parenting": bool(reach["children"]),
                "cooperative": bool(reach["cooperatives"]),
            }
            for name, flag in flags.items():
                funnel[name] += flag
            funnel["any"] += any(flags.values())
        assert coverage_funnel(SummaryFigures(code)) == funnel, code
    assert coverage_funnel(SummaryFigures(""))["abroad"] > 0


def test_programme_has_figures_in_every_pillar(programme):
    """Guards the comparisons above against comparing empty tables."""
    figures_refresh()
    national = SummaryFigures("")
    for name in (
        "abroad-country",
        "departures",
        "requests",
        "enterprise-category",
        "trainings",
        "children",
        "sessions",
        "cooperatives",
        "facilities",
        "coverage",
    ):
        found = panels.panel(national, name)
        assert any(isinstance(v, int) and v > 0 for row in found.rows for v in row[1:]), name


def test_child_areas_add_up_to_their_parent(programme):
    figures_refresh()
    for code, level in (("", 0), ("32", 1), ("32.12", 2), ("32.12.16", 3)):
        children = child_figures(code, level)
        parent = {h.slug: h.value for h in panels.headlines(SummaryFigures(code))}
        assert sum(row.get("households", 0) for row in children.values()) == parent["households"]
        assert sum(row.get("children", 0) for row in children.values()) == parent["children"]


def age_history():
    """Date the fixture's history a day back, so that only the test's own edits are recent."""
    from django.apps import apps

    for model in apps.get_models():
        if model.__name__.startswith("Historical") and "_" not in model.__name__:
            model.objects.update(history_date=F("history_date") - datetime.timedelta(days=1))


def test_incremental_refresh_after_edits_matches_a_direct_count(programme):
    age_history()
    figures_refresh()
    moved = Household.objects.filter(village_id=VILLAGE_A).first()
    moved.village_id = VILLAGE_A_NEIGHBOUR
    moved.save()
    new = HouseholdFactory(village_id=VILLAGE_B)
    PersonFactory(household=new)
    gone = Enterprise.objects.filter(village_id=VILLAGE_A).first()
    gone.delete()

    refresh = figures_refresh_changed()

    # Only the villages touched were recounted: A (moved from, lost an enterprise), its neighbour, B.
    assert not refresh.is_full
    assert refresh.villages == 3
    for code in AREAS:
        assert_summary_is_live(code)


def test_changed_villages_come_from_the_history(programme):
    age_history()
    before = datetime.datetime.now(tz=datetime.UTC)
    assert changed_villages(before) == set()
    HouseholdFactory(village_id=VILLAGE_B)
    assert changed_villages(before) == {VILLAGE_B}


def test_first_refresh_of_the_day_is_full(programme):
    figures_refresh_changed()
    first = FigureRefresh.objects.get()
    assert first.is_full
    FigureRefresh.objects.filter(pk=first.pk).update(started_at=first.started_at - datetime.timedelta(days=1))
    assert figures_refresh_changed().is_full
    assert not figures_refresh_changed().is_full


def test_a_full_refresh_of_an_empty_register_clears_the_summary(programme):
    figures_refresh()
    assert AreaFigure.objects.exists()
    for model in Household, Person:
        model.objects.update(is_archived=True) if model is Household else None
    figures_refresh()
    assert panels.headlines(SummaryFigures(""))[0].value == 0
