"""The figures that belong to no pillar: the coverage funnel (households with a worker abroad
now, and how many of them each of pillars 2, 3 and 4 reaches), which needs all of them, and the
programme's villages by cohort. The pillars' own figures live in their apps' stats.py."""

from __future__ import annotations

from django.db.models import BooleanField, Case, DateField, Exists, ExpressionWrapper, F, Func, OuterRef, When
from django.db.models.functions import Coalesce

from childcare.models import Child
from cooperatives.models import Membership
from desmigratif.access import Scope
from desmigratif.figures import Figures, Measure, Span, as_of, became, figures_of
from desmigratif.models import ProgrammeVillage, ProgrammeVillageStatus
from desmigratif.periods import Period
from enterprises.models import Attendance, Enterprise
from households.models import EpisodeStatus, Household, MigrationEpisode


def _flag(condition) -> ExpressionWrapper:
    return ExpressionWrapper(condition, output_field=BooleanField())


def _households_with_a_worker_abroad():
    household = OuterRef("pk")
    return Household.objects.current().filter(
        Exists(MigrationEpisode.objects.filter(person__household=household, status=EpisodeStatus.ABROAD))
    )


# Reached by pillar 2: owns an enterprise, a member works in one, or a member was trained.
_ENTERPRISE = Exists(Enterprise.objects.filter(owner=OuterRef("pk"))) | Exists(
    Enterprise.objects.filter(members__household=OuterRef("pk"))
)
_TRAINED = Exists(Attendance.objects.filter(person__household=OuterRef("pk")))
# Pillar 3: a child of the household is registered in community parenting.
_CHILD = Exists(Child.objects.filter(person__household=OuterRef("pk")))
# Pillar 4: the household, or one of its members, is a current cooperative member.
_COOPERATIVE = Exists(Membership.objects.filter(left_on=None, household=OuterRef("pk"))) | Exists(
    Membership.objects.filter(left_on=None, person__household=OuterRef("pk"))
)

COVERAGE = Measure(
    "dashboards.coverage",
    _households_with_a_worker_abroad,
    "village__code",
    keys=(_flag(_ENTERPRISE | _TRAINED), _flag(_CHILD), _flag(_COOPERATIVE)),
)
# The programme's own villages, by the year they joined and their status (desmigratif.ProgrammeVillage).
PROGRAMME_VILLAGES = Measure(
    "dashboards.programme_villages",
    lambda: ProgrammeVillage.objects.all(),
    "village__code",
    keys=("cohort", "status"),
)
# In the programme from the 1st of January of its cohort until it left.
PROGRAMME_VILLAGES_SPAN = Span(
    "dashboards.programme_villages_span",
    lambda: ProgrammeVillage.objects.all(),
    "village__code",
    since=Func(F("cohort"), 1, 1, function="make_date", output_field=DateField()),
    until=Case(
        When(
            status=ProgrammeVillageStatus.LEFT,
            then=Coalesce("status_since", became(ProgrammeVillage, status=ProgrammeVillageStatus.LEFT)),
        )
    ),
)
MEASURES = [COVERAGE, PROGRAMME_VILLAGES, PROGRAMME_VILLAGES_SPAN]


def programme_villages_by_cohort(source: Scope | Figures) -> list[tuple[int, dict[str, int]]]:
    """Per cohort (the year villages joined, every year from the first to the last), how many
    programme villages of the area are in each status."""
    counts = figures_of(source).get(PROGRAMME_VILLAGES)
    by_cohort: dict[int, dict[str, int]] = {}
    for (cohort, status), n in counts.items():
        by_cohort.setdefault(int(cohort), dict.fromkeys(ProgrammeVillageStatus.values, 0))[status] += n
    if not by_cohort:
        return []
    years = range(min(by_cohort), max(by_cohort) + 1)
    return [(year, by_cohort.get(year, dict.fromkeys(ProgrammeVillageStatus.values, 0))) for year in years]


def programme_villages_active(source: Scope | Figures) -> int:
    counts = figures_of(source).get(PROGRAMME_VILLAGES)
    return sum(n for (_cohort, status), n in counts.items() if status == ProgrammeVillageStatus.ACTIVE)


def coverage_funnel(source: Scope | Figures) -> dict[str, int]:
    """Households with a worker abroad now, and how many of them pillars 2, 3 and 4 reach
    (each one, and any of them)."""
    counts = figures_of(source).get(COVERAGE)
    funnel = {"abroad": 0, "enterprise": 0, "parenting": 0, "cooperative": 0, "any": 0}
    for (enterprise, parenting, cooperative), n in counts.items():
        funnel["abroad"] += n
        reached = {"enterprise": enterprise, "parenting": parenting, "cooperative": cooperative}
        for name, flag in reached.items():
            if flag == "true":
                funnel[name] += n
        if "true" in reached.values():
            funnel["any"] += n
    return funnel


def programme_villages_at(source: Scope | Figures, period: Period) -> int:
    """Programme villages at the end of ``period``: joined by then and not left (graduated ones
    count: they are the programme's result)."""
    return sum(as_of(figures_of(source), PROGRAMME_VILLAGES_SPAN, period).values())
