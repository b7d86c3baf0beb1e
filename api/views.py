"""The REST API, version 1: the same scoping (desmigratif/access.py) as every page, reads of
personal data written to the access log as exports are."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django import forms
from django.db import models
from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from rest_framework.response import Response

from api.household_writes import (
    HouseholdWriteSerializer,
    PersonCreateSerializer,
    PersonWriteSerializer,
    household_bind,
)
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
from api.writes import (
    IDEMPOTENCY_PARAMETER,
    IF_MATCH_PARAMETER,
    ConflictSerializer,
    conflict_response,
    errors_of,
    expected_version,
    form_data,
    form_serializer,
    idempotent,
    read_plainly,
    record_id,
    typed,
    warnings_shown,
    write_responses,
)
from childcare.forms import ChildForm, LearningHouseForm
from childcare.models import Child, LearningHouse
from cooperatives.forms import CooperativeForm, FacilityForm
from cooperatives.models import Cooperative, Facility
from dashboards.pages import Options, area_or_404, exact_children, figures_for
from dashboards.services import last_refresh_shown
from desmigratif.access import Action, scope_for, scope_path, scoped
from desmigratif.forms import VersionedForm
from desmigratif.models import REGION_MODELS, AccessLog, code_level, valid_region_code, village_code_from
from desmigratif.records import StaleRecordError, record_conflict, record_form_save
from enterprises.forms import EnterpriseForm, TrainingForm
from enterprises.models import Enterprise, Training
from households.forms import CaseFollowUpForm, EpisodeForm, HouseholdFilterForm, HouseholdForms, ServiceRequestForm
from households.models import (
    EpisodeStatus,
    Household,
    HouseholdQuerySet,
    MigrationEpisode,
    Person,
    Procedural,
    RequestKind,
    RequestStatus,
    Sector,
    ServiceRequest,
    ServiceRequestQuerySet,
)
from households.services import case_follow_up_record, household_register, household_update
from households.validators import Finding
from households.views import typed_agency_propose


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
    """Records of the villages the user may act on (``scope_action``; a write: those the user
    may write), as the pages show them, narrowed by ``?area=``; every answered read written to
    the access log (``log_kind``)."""

    pagination_class = KeysetPagination
    scope_action = Action.READ
    log_kind = AccessLog.Kind.API_READ

    def get_queryset(self) -> QuerySet:
        records = super().get_queryset()  # the viewset's ``queryset``, narrowed by a subclass
        area = _area_param(self.request)
        if area:
            path = scope_path(records.model)
            records = records.filter(**({path: area} if code_level(area) == 4 else {f"{path}__startswith": area + "."}))
        action = self.scope_action if self.request.method in SAFE_METHODS else Action.WRITE
        return scoped(records, self.request.user, action)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        record = self.get_object()
        return Response(self.get_serializer(record).data, headers=version_tag(record))

    def finalize_response(self, request: Request, response: Response, *args: Any, **kwargs: Any) -> Response:
        if response.status_code == 200 and request.method == "GET" and request.user.is_authenticated:
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


def version_tag(record: models.Model) -> dict[str, str]:
    """The ETag of a versioned record: its version, which an update names in ``If-Match``."""
    version = getattr(record, "version", None)
    return {"ETag": f'"{version}"'} if version is not None else {}


def schema_of_writes(
    read: type[serializers.Serializer], create: type[serializers.Serializer], update: type | None = None
):
    """What the schema says of a resource's POST and PATCH."""
    return extend_schema_view(
        create=extend_schema(
            request=create, responses=write_responses(read, create=True), parameters=[IDEMPOTENCY_PARAMETER]
        ),
        partial_update=extend_schema(
            request=update or create, responses=write_responses(read, create=False), parameters=[IF_MATCH_PARAMETER]
        ),
    )


class ScopedWriteViewSet(ScopedReadViewSet):
    """Reads as ScopedReadViewSet; creates (POST, with an ``Idempotency-Key``) and changes
    (PATCH, naming the version they start from) in the villages the user may write, each one
    answered with the record and the warnings the write recorded. Subclasses say how."""

    http_method_names = ["get", "post", "patch", "head", "options"]
    create_record: Callable[[], Response]  # each resource's: the create, once its key is claimed

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self.check_writer()
        return idempotent(request, self.create_record, self.replay)

    def check_writer(self) -> None:
        if scope_for(self.request.user, Action.WRITE).is_empty:
            raise PermissionDenied(_("You write in no village."))

    def replay(self, pk: int) -> Response:
        record = get_object_or_404(self.get_queryset(), pk=pk)  # the queryset of a write: the user's villages
        return self.answer(record, [], status.HTTP_201_CREATED)

    def answer(self, record: models.Model, warnings: list[Finding], code: int = status.HTTP_200_OK) -> Response:
        data = {**self.get_serializer(record).data, "warnings": warnings_shown(warnings)}
        headers = version_tag(record)
        if code == status.HTTP_201_CREATED:
            headers["Location"] = reverse(f"api:{self.basename}-detail", args=[record.pk])
        return Response(data, status=code, headers=headers)

    def conflict(self, conflict: StaleRecordError, by_header: bool) -> Response:
        current = self.get_serializer(conflict.current).data
        return conflict_response(conflict, by_header=by_header, current=current)


class FormWriteViewSet(ScopedWriteViewSet):
    """Writes through the record's portal form (``write_form``), as its pages save it
    (desmigratif.records.record_form_save): a new record started from ``parent`` (a body field
    naming a record the user may write: the person a stay abroad is of), if it has one."""

    write_form: type[VersionedForm]
    write_serializer: type[serializers.Serializer]
    parent: tuple[str, QuerySet] | None = None

    def new_record(self, parent: models.Model | None) -> models.Model:
        return self.get_queryset().model()

    def form_kwargs(self, record: models.Model, values: dict[str, Any]) -> dict[str, Any]:
        return {"user": self.request.user}

    def before_save(self, form: forms.ModelForm) -> None:
        """Work on other records the save needs, in its transaction (as the page's view)."""

    def parent_record(self, values: dict[str, Any]) -> models.Model | None:
        if self.parent is None:
            return None
        name, queryset = self.parent
        pk = values.get(name)
        record = scoped(queryset, self.request.user, Action.WRITE).filter(pk=pk).first() if pk else None
        if record is None:
            raise ValidationError({name: [_("Name a record of a village you write in.")]})
        return record

    def create_record(self) -> Response:
        values = typed(self.write_serializer, self.request)
        record = self.new_record(self.parent_record(values))
        return self.save(record, values, version=0)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self.check_writer()
        record = self.get_object()
        values = typed(self.write_serializer, request)
        if self.parent is not None and values.get(self.parent[0]) not in (
            None,
            getattr(record, f"{self.parent[0]}_id"),
        ):
            raise ValidationError({self.parent[0]: [_("This cannot be changed.")]})
        version, by_header = expected_version(request, values)
        try:
            return self.save(record, {**values, "version": version}, version=version)
        except StaleRecordError as conflict:
            return self.conflict(conflict, by_header)

    def save(self, record: models.Model, values: dict[str, Any], *, version: int) -> Response:
        kwargs = self.form_kwargs(record, values)
        unbound = self.write_form(instance=record, **kwargs)
        form = self.write_form(form_data(unbound, values), instance=record, **kwargs)
        read_plainly(form)
        if not form.is_valid():
            raise ValidationError(errors_of(form))
        created = record.pk is None
        record_form_save(form=form, expected_version=version, user=self.request.user, before_save=self.before_save)
        return self.answer(record, form.warnings, status.HTTP_201_CREATED if created else status.HTTP_200_OK)


def village_record_viewset(
    model: type[models.Model], read: type[serializers.Serializer], form: type[VersionedForm]
) -> type[FormWriteViewSet]:
    """The viewset of a record that belongs to a village and is written through its form
    alone (the form offers only the villages the user writes in): a training, a learning
    house, a cooperative, a village facility."""
    write = form_serializer(form, f"{model.__name__}Write")
    viewset = type(
        f"{model.__name__}ViewSet",
        (FormWriteViewSet,),
        {
            "__module__": __name__,
            "serializer_class": read,
            "queryset": model._default_manager.all(),
            "write_form": form,
            "write_serializer": write,
        },
    )
    return schema_of_writes(read, write)(viewset)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            AREA,
            OpenApiParameter("q", OpenApiTypes.STR, description="A member's name or NIK, or a No. KK, as on the list."),
            OpenApiParameter("archived", OpenApiTypes.BOOL, description="Archived households too."),
            OpenApiParameter(
                "status", OpenApiTypes.STR, enum=EpisodeStatus.values, description="A member's stay abroad is in it."
            ),
            OpenApiParameter("country", OpenApiTypes.STR, description="A member's stay abroad is in this country."),
            OpenApiParameter("procedural", OpenApiTypes.STR, enum=Procedural.values),
            OpenApiParameter("sector", OpenApiTypes.STR, enum=Sector.values),
        ]
    )
)
@schema_of_writes(HouseholdSerializer, HouseholdWriteSerializer)
class HouseholdViewSet(ScopedWriteViewSet):
    """Households with their members, of the villages the user may read; registered and
    changed, with their members, through the household page's forms."""

    serializer_class = HouseholdSerializer
    queryset = Household.objects.all()

    def get_queryset(self) -> QuerySet[Household]:
        households = cast(HouseholdQuerySet, super().get_queryset())
        if self.action == "list":  # the list page's filters, by its own form (``area`` is the API's)
            params = {name: value for name, value in self.request.query_params.items() if name != "area"}
            filters = read_plainly(HouseholdFilterForm(params, user=self.request.user))
            if not filters.is_valid():
                raise ValidationError(errors_of(filters))
            households = filters.filter(households)
        members = Prefetch("members", Person.objects.select_related("household").order_by("id"))
        return households.prefetch_related(members)

    def create_record(self) -> Response:
        values = typed(HouseholdWriteSerializer, self.request)
        bound = household_bind(
            HouseholdForms.of(Household(), user=self.request.user), values, user=self.request.user, version=None
        )
        if not bound.forms.is_valid():
            raise bound.refusal()
        household = household_register(**bound.forms.registration(), user=self.request.user)
        return self.answer(household, bound.forms.warnings, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self.check_writer()
        household = self.get_object()
        values = typed(HouseholdWriteSerializer, request)
        version, by_header = expected_version(request, values)
        bound = household_bind(
            HouseholdForms.of(household, user=request.user), values, user=request.user, version=version
        )
        if not bound.forms.is_valid():
            raise bound.refusal()
        try:
            household_update(**bound.forms.update(), user=request.user)
        except StaleRecordError as conflict:
            return self.conflict(conflict, by_header)
        return self.answer(self.get_object(), bound.forms.warnings)


@schema_of_writes(PersonRecordSerializer, PersonCreateSerializer, PersonWriteSerializer)
class PersonViewSet(ScopedWriteViewSet):
    """Members of the households the user may read. A member is added to or changed in their
    household as the household's page does it (the household's rules: one head, no NIK twice),
    and the household's version moves with them, so a household form opened before is refused."""

    serializer_class = PersonRecordSerializer
    queryset = Person.objects.filter(household__is_archived=False).select_related("household")

    def create_record(self) -> Response:
        values = typed(PersonCreateSerializer, self.request)
        household = (
            scoped(Household.objects.filter(is_archived=False), self.request.user, Action.WRITE)
            .filter(pk=values.pop("household"))
            .first()
        )
        if household is None:
            raise ValidationError({"household": [_("Name a record of a village you write in.")]})
        person, warnings = self.member_write(household, values)
        return self.answer(person, warnings, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self.check_writer()
        person = self.get_object()
        household_id = request.data.get("household") if isinstance(request.data, dict) else None
        if household_id not in (None, person.household_id):
            raise ValidationError({"household": [_("A person is moved to another household on the portal's page.")]})
        values = typed(PersonWriteSerializer, request)
        version, by_header = expected_version(request, values)
        if version != person.version:
            return self.conflict(record_conflict(record=person, since_version=version), by_header)
        _person, warnings = self.member_write(person.household, {**values, "id": person.pk})
        return self.answer(self.get_object(), warnings)

    def member_write(self, household: Household, member: dict[str, Any]) -> tuple[Person, list[Finding]]:
        """The household saved with one member added or changed, at its version now."""
        forms = HouseholdForms.of(household, user=self.request.user)
        bound = household_bind(forms, {"members": [member]}, user=self.request.user, version=household.version)
        if not bound.forms.is_valid():
            refusal = bound.refusal().detail
            raise ValidationError({**refusal.pop("members", [{}])[0], **refusal})
        update = bound.forms.update()
        household_update(**update, user=self.request.user)
        changes = update["members"]
        return [*changes.added, *changes.changed][0], bound.forms.warnings


EpisodeWriteSerializer = form_serializer(
    EpisodeForm,
    "StayWrite",
    extra={"person": record_id("The worker (on creating).")},
)


@schema_of_writes(EpisodeSerializer, EpisodeWriteSerializer)
class EpisodeViewSet(FormWriteViewSet):
    """Stays abroad, from preparation to return."""

    serializer_class = EpisodeSerializer
    queryset = MigrationEpisode.objects.all()
    write_form = EpisodeForm
    write_serializer = EpisodeWriteSerializer
    parent = ("person", Person.objects.filter(household__is_archived=False))

    def new_record(self, parent: models.Model | None) -> MigrationEpisode:
        return MigrationEpisode(person=cast(Person, parent))  # the parent's queryset is of persons

    def before_save(self, form: forms.ModelForm) -> None:
        typed_agency_propose(cast(EpisodeForm, form), self.request.user)


CaseWriteSerializer = form_serializer(
    ServiceRequestForm,
    "CaseWrite",
    extra={"household": record_id("The household the case is opened from: its members can be chosen.")},
)
FollowUpWriteSerializer = form_serializer(CaseFollowUpForm, "FollowUpWrite")


@extend_schema_view(
    list=extend_schema(
        parameters=[
            AREA,
            OpenApiParameter(
                "status",
                OpenApiTypes.STR,
                enum=["unfinished", "overdue", *RequestStatus.values],
                description="As the service desk: unfinished (open or referred), overdue follow-ups, or a status.",
            ),
            OpenApiParameter("kind", OpenApiTypes.STR, enum=RequestKind.values),
        ]
    )
)
@schema_of_writes(CaseSerializer, CaseWriteSerializer)
class CaseViewSet(FormWriteViewSet):
    """Service requests of the village migration service posts, with their follow-ups."""

    serializer_class = CaseSerializer
    queryset = ServiceRequest.objects.prefetch_related("follow_ups")
    write_form = ServiceRequestForm
    write_serializer = CaseWriteSerializer

    def get_queryset(self) -> ServiceRequestQuerySet:
        cases = cast(ServiceRequestQuerySet, super().get_queryset())
        if self.action != "list":
            return cases
        status, kind = self.request.query_params.get("status", ""), self.request.query_params.get("kind", "")
        if status == "unfinished":
            cases = cases.unfinished()
        elif status == "overdue":
            cases = cases.follow_up_overdue()
        elif status in RequestStatus.values:
            cases = cases.filter(status=status)
        elif status:
            raise ValidationError({"status": [_("Not one of the choices.")]})
        if kind in RequestKind.values:
            cases = cases.filter(kind=kind)
        elif kind:
            raise ValidationError({"kind": [_("Not one of the choices.")]})
        return cases

    def form_kwargs(self, record: models.Model, values: dict[str, Any]) -> dict[str, Any]:
        household = None
        if values.get("household"):
            household = (
                scoped(Household.objects.all(), self.request.user, Action.WRITE).filter(pk=values["household"]).first()
            )
            if household is None:
                raise ValidationError({"household": [_("Name a record of a village you write in.")]})
        return {"user": self.request.user, "household": household}

    @extend_schema(
        request=FollowUpWriteSerializer,
        responses={
            201: write_responses(CaseSerializer, create=True)[201],
            409: ConflictSerializer,
            412: ConflictSerializer,
        },
        parameters=[IF_MATCH_PARAMETER, IDEMPOTENCY_PARAMETER],
    )
    @action(detail=True, methods=["post"], url_path="follow-ups")
    def follow_up(self, request: Request, pk: str) -> Response:
        """Record a step of the case, naming the case's version (its next follow-up becomes the case's)."""
        self.check_writer()
        return idempotent(request, self.follow_up_record, self.replay)

    def follow_up_record(self) -> Response:
        request = self.request
        case = self.get_object()
        values = typed(FollowUpWriteSerializer, request)
        version, by_header = expected_version(request, values)
        form = CaseFollowUpForm(form_data(CaseFollowUpForm(case=case), {**values, "version": version}), case=case)
        if not form.is_valid():
            raise ValidationError(errors_of(form))
        try:
            case_follow_up_record(follow_up=form.instance, expected_version=version, user=request.user)
        except StaleRecordError as conflict:
            return self.conflict(conflict, by_header)
        return self.answer(self.get_object(), [], status.HTTP_201_CREATED)


EnterpriseWriteSerializer = form_serializer(
    EnterpriseForm,
    "EnterpriseWrite",
    extra={"owner": record_id("The owner household (on creating).")},
)


@schema_of_writes(EnterpriseSerializer, EnterpriseWriteSerializer)
class EnterpriseViewSet(FormWriteViewSet):
    serializer_class = EnterpriseSerializer
    queryset = Enterprise.objects.all()
    write_form = EnterpriseForm
    write_serializer = EnterpriseWriteSerializer
    parent = ("owner", Household.objects.filter(is_archived=False))

    def new_record(self, parent: models.Model | None) -> Enterprise:
        owner = cast(Household, parent)  # the parent's queryset is of households
        return Enterprise(owner=owner, village_id=owner.village_id)


TrainingViewSet = village_record_viewset(Training, TrainingSerializer, TrainingForm)


LearningHouseViewSet = village_record_viewset(LearningHouse, LearningHouseSerializer, LearningHouseForm)


ChildWriteSerializer = form_serializer(
    ChildForm,
    "ChildWrite",
    extra={"person": record_id("The child's person (on creating).")},
)


@schema_of_writes(ChildSerializer, ChildWriteSerializer)
class ChildViewSet(FormWriteViewSet):
    """Children in community parenting: for the village's own officers only, as their pages,
    and every read logged as a view of a child's record."""

    serializer_class = ChildSerializer
    scope_action = Action.WRITE
    log_kind = AccessLog.Kind.CHILD_VIEW
    queryset = Child.objects.all()
    write_form = ChildForm
    write_serializer = ChildWriteSerializer
    parent = ("person", Person.objects.filter(household__is_archived=False))

    def new_record(self, parent: models.Model | None) -> Child:
        person = cast(Person, parent)  # the parent's queryset is of persons
        if Child.objects.filter(person=person).exists():
            raise ValidationError({"person": [_("This child is registered already: change that record.")]})
        return Child(person=person)


CooperativeViewSet = village_record_viewset(Cooperative, CooperativeSerializer, CooperativeForm)


FacilityViewSet = village_record_viewset(Facility, FacilitySerializer, FacilityForm)


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
