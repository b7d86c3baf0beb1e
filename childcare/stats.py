"""Aggregates of pillar 3 (counts only: the dashboard applies small-cell suppression for
users outside the village). Pure functions: a scope (counted live) or a figures source
(the dashboards' summary) in, numbers and rows out."""

from __future__ import annotations

from django.db.models import BooleanField, Count, DateField, ExpressionWrapper, F, Func, Q
from django.db.models.functions import Least
from django.utils import timezone
from django.utils.translation import gettext as _

from childcare.models import ActivityKind, Child, LearningHouse, SchoolStatus, Session
from desmigratif.access import Scope
from desmigratif.figures import Figures, Measure, Span, as_of, by_first_key, figures_of, total
from desmigratif.periods import Period
from households.stats import archived_day

CHILD_VILLAGE = "person__household__village__code"


def _children():
    """Registered children who are under 18 (as of the count) in households that are not
    archived; a child whose birth date is not recorded still counts."""
    today = timezone.localdate()
    # 29 February has no date eighteen years before in most years: the 28th is.
    eighteen_years_ago = today.replace(year=today.year - 18, day=min(today.day, 28 if today.month == 2 else 31))
    return Child.objects.filter(person__household__is_archived=False).filter(
        Q(person__birth_date__isnull=True) | Q(person__birth_date__gt=eighteen_years_ago)
    )


LEARNING_HOUSES = Measure(
    "childcare.learning_houses", lambda: LearningHouse.objects.filter(is_active=True), "village__code"
)
CHILDREN = Measure(
    "childcare.children",
    _children,
    CHILD_VILLAGE,
    keys=("school_status", ExpressionWrapper(Q(learning_house__isnull=False), output_field=BooleanField())),
)
CHILDREN_WITH_A_PARENT_ABROAD = Measure(
    "childcare.children_parent_abroad",
    lambda: _children().filter(parents_abroad__status="abroad"),
    CHILD_VILLAGE,
    total=lambda: Count("pk", distinct=True),
)
# A child counts in community parenting from registration until the 18th birthday, or until the
# household is archived.
CHILDREN_SPAN = Span(
    "childcare.children_span",
    Child.objects.all,
    CHILD_VILLAGE,
    until=Least(
        Func(
            F("person__birth_date"), template="(%(expressions)s + interval '18 years')::date", output_field=DateField()
        ),
        archived_day("person__household"),
    ),
)
SESSIONS = Measure("childcare.sessions", Session.objects.all, "learning_house__village__code", keys=("kind_id",))
CHILD_ATTENDANCES = Measure(
    "childcare.child_attendances",
    Session.children.through.objects.all,
    "session__learning_house__village__code",
    keys=("session__kind_id",),
)
CAREGIVER_ATTENDANCES = Measure(
    "childcare.caregiver_attendances",
    Session.caregivers.through.objects.all,
    "session__learning_house__village__code",
    keys=("session__kind_id",),
)
MEASURES = [
    LEARNING_HOUSES,
    CHILDREN,
    CHILDREN_SPAN,
    CHILDREN_WITH_A_PARENT_ABROAD,
    SESSIONS,
    CHILD_ATTENDANCES,
    CAREGIVER_ATTENDANCES,
]


def learning_houses(source: Scope | Figures) -> int:
    """Active learning houses."""
    return total(figures_of(source), LEARNING_HOUSES)


def children(source: Scope | Figures) -> int:
    return total(figures_of(source), CHILDREN)


def children_in_learning_houses(source: Scope | Figures) -> int:
    return sum(n for (_school, in_house), n in figures_of(source).get(CHILDREN).items() if in_house == "true")


def children_with_a_parent_abroad(source: Scope | Figures) -> int:
    return total(figures_of(source), CHILDREN_WITH_A_PARENT_ABROAD)


def children_by_school_status(source: Scope | Figures) -> list[tuple[str, int]]:
    """Registered children by school status, with those whose status is not recorded, so that
    the rows add up to the children registered."""
    counts = by_first_key(figures_of(source), CHILDREN)
    rows = [(str(label), counts.get(value, 0)) for value, label in SchoolStatus.choices]
    return [*rows, (str(_("Not recorded")), counts.get("", 0))]


def sessions_by_kind(source: Scope | Figures) -> list[tuple[str, int, int, int]]:
    """(activity, sessions, child attendances, caregiver attendances) for each activity kind."""
    figures = figures_of(source)
    sessions = by_first_key(figures, SESSIONS)
    kids = by_first_key(figures, CHILD_ATTENDANCES)
    carers = by_first_key(figures, CAREGIVER_ATTENDANCES)
    return [
        (kind.label, sessions.get(str(kind.pk), 0), kids.get(str(kind.pk), 0), carers.get(str(kind.pk), 0))
        for kind in ActivityKind.objects.order_by("name")
    ]


def children_at(source: Scope | Figures, period: Period) -> int:
    """Children registered in community parenting and still under 18 at the end of ``period``."""
    return sum(as_of(figures_of(source), CHILDREN_SPAN, period).values())
