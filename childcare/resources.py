"""django-import-export resources for pillar 3, scoped like pillar 1's."""

from __future__ import annotations

from childcare.models import ActivityKind, Child, LearningHouse, Session
from desmigratif.resources import BOOKKEEPING, PortalResource, ScopedResource


class ActivityKindResource(PortalResource):
    class Meta:
        model = ActivityKind
        import_id_fields = ["code"]
        fields = ["code", "name", "name_en", "for_caregivers", "is_active"]


class LearningHouseResource(ScopedResource):
    class Meta:
        model = LearningHouse
        exclude = BOOKKEEPING


class ChildResource(ScopedResource):
    class Meta:
        model = Child
        exclude = BOOKKEEPING


class SessionResource(ScopedResource):
    class Meta:
        model = Session
        exclude = BOOKKEEPING
