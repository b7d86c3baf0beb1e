"""Aggregates of pillar 3 for a scope (counts only: the dashboard applies small-cell
suppression for users outside the village). Pure functions of a scope."""

from __future__ import annotations

from django.db.models import Count

from childcare.models import ActivityKind, Child, LearningHouse, SchoolStatus, Session
from desmigratif.access import Scope


def learning_houses(scope: Scope) -> int:
    return scope.filter(LearningHouse.objects.filter(is_active=True), "village__code").count()


def children(scope: Scope) -> int:
    return scope.filter(Child.objects.all(), "person__household__village__code").count()


def children_in_learning_houses(scope: Scope) -> int:
    return scope.filter(Child.objects.exclude(learning_house=None), "person__household__village__code").count()


def children_with_a_parent_abroad(scope: Scope) -> int:
    return (
        scope.filter(Child.objects.filter(parents_abroad__status="abroad"), "person__household__village__code")
        .distinct()
        .count()
    )


def children_by_school_status(scope: Scope) -> list[tuple[str, int]]:
    counts = dict(
        scope.filter(Child.objects.all(), "person__household__village__code")
        .values_list("school_status")
        .annotate(n=Count("id"))
    )
    return [(str(label), counts.get(value, 0)) for value, label in SchoolStatus.choices]


def sessions_by_kind(scope: Scope) -> list[tuple[str, int, int, int]]:
    """(activity, sessions, child attendances, caregiver attendances) for each activity kind."""
    sessions = scope.filter(Session.objects.all(), "learning_house__village__code")
    rows = {
        row["kind_id"]: row
        for row in sessions.values("kind_id").annotate(
            n=Count("id", distinct=True),
            kids=Count("children", distinct=False),
        )
    }
    carers = dict(sessions.values_list("kind_id").annotate(n=Count("caregivers")))
    return [
        (
            kind.name,
            rows[kind.pk]["n"] if kind.pk in rows else 0,
            rows[kind.pk]["kids"] if kind.pk in rows else 0,
            carers.get(kind.pk, 0),
        )
        for kind in ActivityKind.objects.order_by("name")
    ]
