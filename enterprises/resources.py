"""django-import-export resources for pillar 2 (the admin's import and export), scoped like
pillar 1's: rows outside the user's write scope are refused, exports neutralise formulas."""

from __future__ import annotations

from desmigratif.resources import BOOKKEEPING, PortalResource, ScopedResource
from enterprises.models import Attendance, Category, Enterprise, EquipmentAid, MentoringVisit, Training


class CategoryResource(PortalResource):
    class Meta:
        model = Category
        import_id_fields = ["code"]
        fields = ["code", "name", "name_en", "is_active"]


class EnterpriseResource(ScopedResource):
    class Meta:
        model = Enterprise
        exclude = BOOKKEEPING


class TrainingResource(ScopedResource):
    class Meta:
        model = Training
        exclude = [*BOOKKEEPING, "participants"]


class AttendanceResource(ScopedResource):
    class Meta:
        model = Attendance
        fields = ["id", "training", "person"]


class MentoringVisitResource(ScopedResource):
    class Meta:
        model = MentoringVisit
        exclude = BOOKKEEPING


class EquipmentAidResource(ScopedResource):
    class Meta:
        model = EquipmentAid
        exclude = BOOKKEEPING
