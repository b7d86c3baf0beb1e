"""The REST API, version 1: the same scoping (desmigratif/access.py) as every page, reads of
personal data written to the access log as exports are."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response

from api.serializers import HouseholdSerializer, RegionSerializer
from desmigratif.access import Action, scoped
from desmigratif.models import REGION_MODELS, AccessLog, code_level, valid_region_code
from households.models import Household, Person


class KeysetPagination(CursorPagination):
    """Keyset pages (an opaque cursor, no OFFSET): a page deep in a million rows costs what the first does."""

    ordering = "id"
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500


@extend_schema_view(
    get=extend_schema(
        parameters=[
            OpenApiParameter(
                "parent",
                OpenApiTypes.STR,
                description="The code of the area whose regions are listed; none: provinces.",
            )
        ]
    )
)
class RegionList(generics.ListAPIView):
    """The Kemendagri regions one level below ``parent`` (the provinces without it), retired ones
    included (``is_active`` false)."""

    serializer_class = RegionSerializer
    pagination_class = None

    def get_queryset(self) -> QuerySet:
        parent = self.request.query_params.get("parent", "")
        if parent and not valid_region_code(parent):
            raise ValidationError({"parent": "Not a region code."})
        level = code_level(parent) + 1 if parent else 1
        if level > 4:
            return REGION_MODELS[4].objects.none()
        regions = REGION_MODELS[level].objects.order_by("code")
        return regions.filter(code__startswith=parent + ".") if parent else regions

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        parent = request.query_params.get("parent", "")
        rows = [
            {"code": code, "name": name, "level": code_level(code), "parent": parent, "is_active": active}
            for code, name, active in self.get_queryset().values_list("code", "name", "is_active")
        ]
        return Response(self.get_serializer(rows, many=True).data)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("area", OpenApiTypes.STR, description="Only households of this area (a region code)."),
            OpenApiParameter(
                "q", OpenApiTypes.STR, description="A member's name or NIK, or a No. KK (as the list page)."
            ),
            OpenApiParameter("archived", OpenApiTypes.BOOL, description="Archived households instead of current ones."),
        ]
    )
)
class HouseholdViewSet(viewsets.ReadOnlyModelViewSet):
    """Households with their members, of the villages the user may read."""

    serializer_class = HouseholdSerializer
    pagination_class = KeysetPagination

    def get_queryset(self) -> QuerySet[Household]:
        households = Household.objects.filter(is_archived=self.request.query_params.get("archived") == "true")
        area = self.request.query_params.get("area", "")
        if area:
            if not valid_region_code(area):
                raise ValidationError({"area": "Not a region code."})
            level = code_level(area)
            households = (
                households.filter(village_id=area)
                if level == 4
                else households.filter(village__code__startswith=area + ".")
            )
        term = self.request.query_params.get("q", "").strip()
        if term:
            households = households.filter(pk__in=Household.objects.found_by(term).values("pk"))
        members = Prefetch("members", Person.objects.select_related("household").order_by("id"))
        return scoped(households, self.request.user, Action.READ).prefetch_related(members)

    def finalize_response(self, request: Request, response: Response, *args: Any, **kwargs: Any) -> Response:
        if response.status_code == 200 and request.user.is_authenticated:
            data = response.data or {}
            rows = len(data.get("results", [])) if "results" in data else 1
            AccessLog.objects.create(
                user=request.user,
                kind=AccessLog.Kind.API_READ,
                what=request.path[:200],
                detail={key: value for key, value in request.query_params.items() if key != "cursor"},
                rows=rows,
            )
        return super().finalize_response(request, response, *args, **kwargs)
