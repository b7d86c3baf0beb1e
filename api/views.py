"""The REST API, version 1: the same scoping (desmigratif/access.py) as every page, reads of
personal data written to the access log as exports are."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response

from api.serializers import (
    CaseSerializer,
    ChildSerializer,
    CooperativeSerializer,
    EnterpriseSerializer,
    EpisodeSerializer,
    FacilitySerializer,
    FiguresSerializer,
    HouseholdSerializer,
    LearningHouseSerializer,
    PersonRecordSerializer,
    RegionSerializer,
    TrainingSerializer,
)
from childcare.models import Child, LearningHouse
from cooperatives.models import Cooperative, Facility
from dashboards.pages import Options, area_or_404, exact_children, figures_for
from dashboards.services import last_refresh_shown
from desmigratif.access import Action, scope_path, scoped
from desmigratif.models import REGION_MODELS, AccessLog, code_level, valid_region_code, village_code_from
from enterprises.models import Enterprise, Training
from households.models import Household, MigrationEpisode, Person, ServiceRequest


def _area_param(request: Request) -> str:
    """``?area=``: a region code, a village's also as the ten digits OpenSID and Dukcapil write."""
    area = village_code_from(request.query_params.get("area", ""))
    if area and not valid_region_code(area):
        raise ValidationError({"area": _("Not a region code.")})
    return area


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
            raise ValidationError({"parent": _("Not a region code.")})
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


AREA = OpenApiParameter("area", OpenApiTypes.STR, description="Only records of this area (a region code).")


@extend_schema_view(list=extend_schema(parameters=[AREA]))
class ScopedReadViewSet(viewsets.ReadOnlyModelViewSet):
    """Records of the villages the user may act on (``scope_action``), as the pages show them,
    narrowed by ``?area=``; every answered read written to the access log (``log_kind``)."""

    pagination_class = KeysetPagination
    scope_action = Action.READ
    log_kind = AccessLog.Kind.API_READ

    def get_queryset(self) -> QuerySet:
        records = super().get_queryset()  # the viewset's ``queryset``, narrowed by a subclass
        area = _area_param(self.request)
        if area:
            path = scope_path(records.model)
            records = records.filter(**({path: area} if code_level(area) == 4 else {f"{path}__startswith": area + "."}))
        return scoped(records, self.request.user, self.scope_action)

    def finalize_response(self, request: Request, response: Response, *args: Any, **kwargs: Any) -> Response:
        if response.status_code == 200 and request.user.is_authenticated:
            data = response.data or {}
            rows = len(data.get("results", [])) if "results" in data else 1
            AccessLog.objects.create(
                user=request.user,
                kind=self.log_kind,
                what=request.path[:200],
                detail={key: value for key, value in request.query_params.items() if key != "cursor"},
                rows=rows,
            )
        return super().finalize_response(request, response, *args, **kwargs)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            AREA,
            OpenApiParameter("q", OpenApiTypes.STR, description="A member's name or NIK, or a No. KK, as on the list."),
            OpenApiParameter("archived", OpenApiTypes.BOOL, description="Archived households instead of current ones."),
        ]
    )
)
class HouseholdViewSet(ScopedReadViewSet):
    """Households with their members, of the villages the user may read."""

    serializer_class = HouseholdSerializer
    queryset = Household.objects.all()

    def get_queryset(self) -> QuerySet[Household]:
        households = super().get_queryset().filter(is_archived=self.request.query_params.get("archived") == "true")
        term = self.request.query_params.get("q", "").strip()
        if term:
            households = households.filter(pk__in=Household.objects.found_by(term).values("pk"))
        members = Prefetch("members", Person.objects.select_related("household").order_by("id"))
        return households.prefetch_related(members)


class PersonViewSet(ScopedReadViewSet):
    """Members of the households the user may read."""

    serializer_class = PersonRecordSerializer
    queryset = Person.objects.filter(household__is_archived=False).select_related("household")


class EpisodeViewSet(ScopedReadViewSet):
    """Stays abroad, from preparation to return."""

    serializer_class = EpisodeSerializer
    queryset = MigrationEpisode.objects.all()


class CaseViewSet(ScopedReadViewSet):
    """Service requests of the village migration service posts, with their follow-ups."""

    serializer_class = CaseSerializer
    queryset = ServiceRequest.objects.prefetch_related("follow_ups")


class EnterpriseViewSet(ScopedReadViewSet):
    serializer_class = EnterpriseSerializer
    queryset = Enterprise.objects.all()


class TrainingViewSet(ScopedReadViewSet):
    serializer_class = TrainingSerializer
    queryset = Training.objects.all()


class LearningHouseViewSet(ScopedReadViewSet):
    serializer_class = LearningHouseSerializer
    queryset = LearningHouse.objects.all()


class ChildViewSet(ScopedReadViewSet):
    """Children in community parenting: for the village's own officers only, as their pages,
    and every read logged as a view of a child's record."""

    serializer_class = ChildSerializer
    scope_action = Action.WRITE
    log_kind = AccessLog.Kind.CHILD_VIEW
    queryset = Child.objects.all()


class CooperativeViewSet(ScopedReadViewSet):
    serializer_class = CooperativeSerializer
    queryset = Cooperative.objects.all()


class FacilityViewSet(ScopedReadViewSet):
    serializer_class = FacilitySerializer
    queryset = Facility.objects.all()


@extend_schema(
    parameters=[
        OpenApiParameter("area", OpenApiTypes.STR, description="The area (a region code); none: the whole country."),
        OpenApiParameter("period", OpenApiTypes.STR, description="2019 or 2019-Q3 (ended periods); none: now."),
        OpenApiParameter("villages", OpenApiTypes.STR, enum=["programme", "all"], description="Default: programme."),
    ],
    responses=FiguresSerializer,
)
class FiguresView(generics.GenericAPIView):
    """An area's dashboard as data: its headline figures and panels, aggregates only, for the
    users whose statistics scope holds the area, with the same protection of children's counts
    as the pages (exact only for those who work in the area)."""

    serializer_class = FiguresSerializer
    pagination_class = None

    def get(self, request: Request) -> Response:
        code = _area_param(request)
        area_or_404(request.user, code)
        options = Options.from_request(request)
        headlines, sections = figures_for(code, options, exact=exact_children(request.user, code))
        refresh = last_refresh_shown()
        data = {
            "area": code,
            "period": options.period.slug if options.period else "",
            "villages": "programme" if options.programme_only else "all",
            "as_of": refresh.started_at if refresh else None,
            "headlines": [vars(headline) for headline in headlines],
            "panels": [{**vars(panel), "section": title} for title, panels in sections for panel in panels],
        }
        return Response(self.get_serializer(data).data)
