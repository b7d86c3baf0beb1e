"""Area scoping: the one place that decides which villages a user may see or change.

Every surface of the portal (lists, detail pages, form choices, filter
choices, the admin, imports, exports, dashboards, any API) asks this module,
never the assignments directly. A record outside the user's scope answers 404,
so the portal does not even confirm that it exists.

A user's *scope* for an *action* is a set of area codes (Kemendagri codes at
any level, "" for the whole country) taken from their current assignments:

=============  ====  =====  =====  =======  ============
role           read  write  stats  approve  manage users
=============  ====  =====  =====  =======  ============
officer        yes   yes    yes    no       no
coordinator    yes   no     yes    yes      no
analyst        no    no     yes    no       no
administrator  yes   yes    yes    yes      yes
=============  ====  =====  =====  =======  ============

Superusers act everywhere. Ministry analysts read aggregates only: they get
no record-level access at all, which is how they never see a NIK or a name.
Managing users (``manageable_users``) is narrower than the area alone: an
account reaches as far as its widest assignment, so a regional administrator
manages only accounts that lie wholly inside their area.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property, wraps
from typing import Any, TypeVar, cast

from django.contrib.admin.utils import unquote
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.db.models.fields.related import RelatedField
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.views.generic.list import MultipleObjectMixin

from desmigratif.models import CODE_PATTERNS, Assignment, Region, Role, User, code_level, region_for_code

AnyUser = User | AnonymousUser
NATIONAL = ""
# A queryset, of whatever class (a model's own QuerySet subclass keeps its methods through scoping).
QS = TypeVar("QS", bound=models.QuerySet)


class Action(enum.StrEnum):
    READ = "read"
    WRITE = "write"
    STATS = "stats"
    APPROVE = "approve"
    MANAGE_USERS = "manage_users"


ROLE_ACTIONS: dict[str, frozenset[Action]] = {
    Role.OFFICER: frozenset({Action.READ, Action.WRITE, Action.STATS}),
    Role.COORDINATOR: frozenset({Action.READ, Action.STATS, Action.APPROVE}),
    Role.ANALYST: frozenset({Action.STATS}),
    Role.ADMINISTRATOR: frozenset({Action.READ, Action.WRITE, Action.STATS, Action.APPROVE, Action.MANAGE_USERS}),
}


def _truncate(code: str, level: int) -> str:
    return ".".join(code.split(".")[:level])


def _inside(code: str, area: str) -> bool:
    return area == NATIONAL or code == area or code.startswith(area + ".")


@dataclass(frozen=True)
class Scope:
    """A set of areas. ``""`` in it means the whole country."""

    areas: frozenset[str]

    @classmethod
    def of(cls, codes: Iterable[str]) -> Scope:
        codes = set(codes)
        # Drop areas that lie inside another one: fewer OR branches in SQL.
        kept = {code for code in codes if not any(other != code and _inside(code, other) for other in codes)}
        return cls(frozenset(kept))

    @classmethod
    def everywhere(cls) -> Scope:
        return cls(frozenset({NATIONAL}))

    @classmethod
    def nowhere(cls) -> Scope:
        return cls(frozenset())

    @property
    def is_unlimited(self) -> bool:
        return NATIONAL in self.areas

    @property
    def is_empty(self) -> bool:
        return not self.areas

    def contains(self, code: str) -> bool:
        """True when the region ``code`` (any level) lies wholly inside the scope."""
        return any(_inside(code, area) for area in self.areas)

    def touches(self, code: str) -> bool:
        """True when ``code`` is inside the scope or is an ancestor of one of its areas:
        the regions a user walks through to reach their own."""
        return self.contains(code) or any(area.startswith(code + ".") for area in self.areas)

    def q(self, path: str, level: int = 4) -> Q:
        """Condition on records whose region code at ``level`` is at ``path``
        (for most records: the village code, "village__code")."""
        if self.is_unlimited:
            return Q()
        same_level = sorted(area for area in self.areas if code_level(area) == level)
        condition = Q(**{f"{path}__in": same_level}) if same_level else Q(pk__in=[])
        for area in sorted(self.areas):
            if code_level(area) < level:
                condition |= Q(**{f"{path}__startswith": area + "."})
        return condition

    def filter(self, queryset: QS, path: str) -> QS:
        if self.is_empty:
            return queryset.none()
        return queryset.filter(self.q(path))

    def regions(self, queryset: QS) -> QS:
        """Regions of one level that the scope touches (see :meth:`touches`)."""
        if self.is_unlimited:
            return queryset
        if self.is_empty:
            return queryset.none()
        level = queryset.model.LEVEL
        exact = sorted({_truncate(area, level) for area in self.areas if code_level(area) >= level})
        condition = Q(code__in=exact) if exact else Q(pk__in=[])
        for area in sorted(self.areas):
            if code_level(area) < level:
                condition |= Q(code__startswith=area + ".")
        return queryset.filter(condition)

    def widest_areas(self) -> list[str]:
        return sorted(self.areas, key=lambda code: (code_level(code), code))


# --- a user's scopes ---------------------------------------------------------------------------

_CACHE_ATTRIBUTE = "_desmigratif_access_cache"


def _access_cache(user: AnyUser) -> dict:
    """A per-request cache on the user object. Through getattr/setattr, not ``__dict__``:
    ``request.user`` is a lazy proxy whose own ``__dict__`` is not the user's, and a cache
    there would be missed by every other path to the same user."""
    cache = getattr(user, _CACHE_ATTRIBUTE, None)
    if cache is None:
        cache = {}
        setattr(user, _CACHE_ATTRIBUTE, cache)
    return cache


def current_assignments(user: AnyUser) -> list[Assignment]:
    """The user's assignments in force today, with their areas (cached on the user object)."""
    if not user.is_authenticated or not user.is_active:
        return []
    cache = _access_cache(user)
    if "assignments" not in cache:
        cache["assignments"] = list(
            Assignment.objects.current().with_area().filter(user=user).order_by("role", "province", "regency")
        )
    return cache["assignments"]


def scope_for(user: AnyUser, action: Action = Action.READ) -> Scope:
    if not user.is_authenticated or not user.is_active:
        return Scope.nowhere()
    if user.is_superuser:
        return Scope.everywhere()
    cache = _access_cache(user)
    key = ("scope", action)
    if key not in cache:
        cache[key] = Scope.of(
            assignment.area_code
            for assignment in current_assignments(user)
            if action in ROLE_ACTIONS.get(assignment.role, frozenset())
        )
    return cache[key]


def forget(user: AnyUser) -> None:
    """Drop cached scopes, after the user's assignments changed in this request."""
    if getattr(user, _CACHE_ATTRIBUTE, None) is not None:
        setattr(user, _CACHE_ATTRIBUTE, None)


def can(user: AnyUser, action: Action, village_code: str) -> bool:
    return scope_for(user, action).contains(village_code)


def export_scope(user: AnyUser, permission: str) -> Scope:
    """Where ``user`` may export records from: with the export ``permission`` (analysts,
    administrators), wherever they may read; without it, the villages they work in, so a
    village officer exports their own village's list and a coordinator nothing."""
    if user.is_authenticated and user.has_perm(permission):
        return scope_for(user, Action.READ)
    return scope_for(user, Action.WRITE)


def can_see_full_nik(user: AnyUser, village_code: str) -> bool:
    """NIKs are shown whole only to users whose assignment covers the record's village
    with record access (its officers, the coordinators of its area, administrators);
    everyone else, ministry analysts included, sees them masked."""
    return can(user, Action.READ, village_code)


# --- querysets -------------------------------------------------------------------------------------

M = TypeVar("M", bound=models.Model)


def scope_path(model: type[models.Model]) -> str:
    """Where a model keeps its village code: ``scope_path`` on the model, "code" for villages."""
    path = getattr(model, "scope_path", None)
    if path is None:
        raise TypeError(f"{model.__name__} declares no scope_path: it cannot be scoped by area.")
    return path


def scoped(queryset: QS, user: AnyUser, action: Action = Action.READ) -> QS:
    """The part of ``queryset`` the user may act on. Regions are filtered by what the
    user may navigate (their areas and the regions above them), assignments by the
    area they grant, every other record by its village."""
    scope = scope_for(user, action)
    model = queryset.model
    if issubclass(model, Region):
        return scope.regions(queryset)
    if scope.is_empty:
        return queryset.none()
    if model is Assignment:
        # National assignments (no area) match only an unlimited scope.
        condition = Q(pk__in=[]) if not scope.is_unlimited else Q()
        for level, field in enumerate(Assignment.AREA_FIELDS, start=1):
            condition |= scope.q(f"{field}__code", level)
        return queryset.filter(condition)
    return scope.filter(queryset, scope_path(model))


def scoped_history(queryset: QS, user: AnyUser, action: Action = Action.READ) -> QS:
    """The versions of a history (django-simple-history) the user may see: those that, as
    recorded, lay inside the user's scope. A record that moved from another village shows
    only what happened since it came; one that moved away, only what happened before it left."""
    record_model = queryset.model.instance_type  # a historical model's: the model of its records
    return scope_for(user, action).filter(queryset, scope_path(record_model))


def get_scoped_object_or_404(
    queryset: models.QuerySet[M], user: AnyUser, action: Action = Action.READ, **lookup: Any
) -> M:
    try:
        return scoped(queryset, user, action).get(**lookup)
    except ObjectDoesNotExist:  # the model's own DoesNotExist, which a generic M does not name
        raise Http404 from None


# --- views -----------------------------------------------------------------------------------------------


class ScopedQuerysetMixin(LoginRequiredMixin):
    """For generic class-based views: the queryset is cut to the user's scope, so
    list pages show only their records and detail/update pages answer 404 outside it.
    A list page is also narrowed to one area by ``?area=<region code>`` (the dashboards'
    figures link to the records behind them so); the area is shown as ``narrowed_to``."""

    scope_action: Action = Action.READ
    request: HttpRequest  # the view's

    def get_queryset(self) -> models.QuerySet:
        # A mixin: get_queryset() is the view's it is mixed into (DetailView, ListView...).
        queryset = scoped(super().get_queryset(), self.request.user, self.scope_action)  # type: ignore[misc]
        area = self.narrowed_to
        if area is not None:
            queryset = Scope.of([area.code]).filter(queryset, scope_path(queryset.model))
        return queryset

    @cached_property
    def narrowed_to(self) -> Region | None:
        """The area a list is narrowed to; never on a detail page, where it would only hide."""
        if not isinstance(self, MultipleObjectMixin):
            return None
        code = self.request.GET.get("area", "")
        if not code or not re.match(CODE_PATTERNS.get(code_level(code), r"^$"), code):
            return None
        return region_for_code(code)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)  # type: ignore[misc]
        context["narrowed_to"] = self.narrowed_to
        return context


class ScopeRequiredMixin(LoginRequiredMixin):
    """For pages that are not a queryset: 404 unless the user has some scope for the action."""

    scope_action: Action = Action.READ

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated and scope_for(request.user, self.scope_action).is_empty:
            raise Http404
        return super().dispatch(request, *args, **kwargs)


def scope_required(action: Action) -> Callable[[Callable[..., HttpResponseBase]], Callable[..., HttpResponseBase]]:
    """For function views: login required, then 404 unless the user has a scope for ``action``.
    The view receives the scope as ``scope``."""
    from django.contrib.auth.decorators import login_required

    def decorator(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            scope = scope_for(request.user, action)
            if scope.is_empty:
                raise Http404
            return view(request, *args, scope=scope, **kwargs)

        return wrapper

    return decorator


# --- users -----------------------------------------------------------------------------------------------


def _live_assignments() -> models.QuerySet[Assignment]:
    """Assignments in force or still to come: what an account can reach, now or later."""
    today = timezone.localdate()
    return Assignment.objects.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))


def manageable_users(queryset: models.QuerySet[User], user: AnyUser) -> models.QuerySet[User]:
    """The accounts ``user`` may see and manage in the admin (edit, reset the password of,
    assign): every account for superusers; for a regional administrator, the portal accounts
    whose every assignment in force or to come lies inside the areas they administer, and
    which have one. Staff and superuser accounts carry permissions beyond any area and their
    own account would let them widen themselves: only superusers manage those."""
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    if user.is_superuser:
        return queryset
    scope = scope_for(user, Action.MANAGE_USERS)
    if scope.is_empty:
        return queryset.none()
    live = _live_assignments()
    inside = scoped(live, user, Action.MANAGE_USERS)
    return (
        queryset.filter(is_superuser=False, is_staff=False, pk__in=live.values("user"))
        .exclude(pk=user.pk)
        .exclude(pk__in=live.exclude(pk__in=inside.values("pk")).values("user"))
    )


def manageable_assignments(queryset: models.QuerySet[Assignment], user: AnyUser) -> models.QuerySet[Assignment]:
    """Assignments ``user`` may see and change: inside the areas they administer, of accounts
    they manage (an ended assignment elsewhere, revived, would reach outside)."""
    if user.is_authenticated and user.is_superuser:
        return queryset
    return scoped(queryset, user, Action.MANAGE_USERS).filter(
        user__in=manageable_users(User.objects.all(), user).values("pk")
    )


# --- admin -------------------------------------------------------------------------------------------------


def writable_choices(model: type[models.Model], user: AnyUser) -> models.QuerySet | None:
    """What a record of ``user``'s may point to in ``model``: the records they may write, for
    anything kept by area (and the regions of their areas), the accounts they manage for
    users; None for national code lists (jobs, categories, activity kinds), which anyone may
    choose."""
    if issubclass(model, User):
        return manageable_users(model._default_manager.all(), user)
    if issubclass(model, Region) or getattr(model, "scope_path", None):
        return scoped(model._default_manager.all(), user, Action.WRITE)
    return None


def _may_prefill(model: type[models.Model], name: str, value: Any) -> bool:
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    if isinstance(field, RelatedField | models.ForeignObjectRel):
        target: models.Field = field.target_field
    elif isinstance(field, models.Field):
        target = field
    else:
        return False  # a generic foreign key: no form field holds it
    try:
        for item in value if isinstance(value, list) else [value]:
            python = target.to_python(item)
            if isinstance(python, int) and not -(2**63) <= python < 2**63:
                return False
    except (ValidationError, ValueError, TypeError):
        return False
    return True


def holds(queryset: models.QuerySet, object_id: Any, field: str = "pk") -> bool:
    """Whether ``queryset`` has the record an admin URL names. An id that is not one (a broken
    or tampered link: ``/admin/…/abc/change/``) is simply not there, never a server error."""
    try:
        return queryset.filter(**{field: unquote(str(object_id))}).exists()
    except (ValueError, TypeError, ValidationError):
        return False


def _related_model(field: RelatedField) -> type[models.Model]:
    # "self" and "app.Model" references are resolved to the class when the app registry is ready.
    return cast(type[models.Model], field.related_model)


class ScopedChoicesMixin:
    """For every admin form, inlines included: each foreign key and many-to-many field offers,
    and accepts when posted, only records the user may write. The form field's queryset is
    what Django validates a posted id against, so one rule covers selects, raw ids and
    autocompletes alike."""

    def formfield_for_foreignkey(self, db_field: models.ForeignKey, request: HttpRequest, **kwargs: Any) -> Any:
        choices = writable_choices(_related_model(db_field), request.user)
        if choices is not None:
            kwargs["queryset"] = choices
        # A mixin: formfield_for_foreignkey() is the ModelAdmin's (or inline's) it is mixed into.
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]

    def formfield_for_manytomany(self, db_field: models.ManyToManyField, request: HttpRequest, **kwargs: Any) -> Any:
        choices = writable_choices(_related_model(db_field), request.user)
        if choices is not None:
            kwargs["queryset"] = choices
        # A mixin, as above.
        return super().formfield_for_manytomany(db_field, request, **kwargs)  # type: ignore[misc]


class ScopedAdminMixin(ScopedChoicesMixin):
    """ModelAdmin mixin: changelists, change pages and foreign-key choices follow the
    same scope as the portal (read to see, write to change)."""

    # Children's records are for their village's officers: those admins set WRITE here, as the
    # portal's pages of children do.
    view_action: Action = Action.READ
    model: type[models.Model]  # the ModelAdmin's

    def get_queryset(self, request: HttpRequest) -> models.QuerySet:
        # Mixin: super() is the ModelAdmin's.
        return scoped(super().get_queryset(request), request.user, self.view_action)  # type: ignore[misc]

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        """The add page's values from its link (``?village=…``), without those its fields could
        never hold: a tampered link opens the empty form instead of failing."""
        # Mixin: super() is the ModelAdmin's.
        initial = super().get_changeform_initial_data(request)  # type: ignore[misc]
        return {name: value for name, value in initial.items() if _may_prefill(self.model, name, value)}

    def get_search_results(self, request: HttpRequest, queryset: models.QuerySet, search_term: str) -> Any:
        # An autocomplete offers records to link to: those the user may write, not all they read.
        if getattr(request.resolver_match, "url_name", None) == "autocomplete":
            queryset = scoped(queryset, request.user, Action.WRITE)
        # Mixin: super() is the ModelAdmin's.
        return super().get_search_results(request, queryset, search_term)  # type: ignore[misc]

    def _writable(self, request: HttpRequest, obj: models.Model | None) -> bool:
        if obj is None:
            return True
        return scoped(type(obj)._default_manager.filter(pk=obj.pk), request.user, Action.WRITE).exists()

    def has_change_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        # Mixin: super() is the ModelAdmin's.
        return super().has_change_permission(request, obj) and self._writable(request, obj)  # type: ignore[misc]

    def has_delete_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        # Mixin: super() is the ModelAdmin's.
        return super().has_delete_permission(request, obj) and self._writable(request, obj)  # type: ignore[misc]

    def _in_view(self, request: HttpRequest, object_id: str) -> bool:
        return holds(self.get_queryset(request), object_id)

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None) -> Any:
        # A record outside the scope answers 404, as in the portal, not the admin's "does not
        # exist" redirect.
        if not self._in_view(request, object_id):
            raise Http404
        # Mixin: super() is the ModelAdmin's.
        return super().change_view(request, object_id, form_url, extra_context)  # type: ignore[misc]

    def delete_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> Any:
        if not self._in_view(request, object_id):
            raise Http404
        # Mixin: super() is the ModelAdmin's.
        return super().delete_view(request, object_id, extra_context)  # type: ignore[misc]

    def _may_see_history(self, request: HttpRequest, object_id: str) -> bool:
        """A record's history is as private as the record. A deleted record's history (kept
        for recovery) has no village left to check: superusers only."""
        if holds(self.model._default_manager.all(), object_id):
            return self._in_view(request, object_id)
        return bool(request.user.is_superuser)

    def get_history_queryset(self, request: HttpRequest, history_manager: Any, pk_name: str, object_id: Any):
        # Mixin: super() is the ModelAdmin's.
        versions = super().get_history_queryset(request, history_manager, pk_name, object_id)  # type: ignore[misc]
        if getattr(self.model, "scope_path", None) is None:
            return versions
        return scoped_history(versions, request.user, self.view_action)

    def history_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> HttpResponse:
        if not self._may_see_history(request, object_id):
            raise Http404
        # Mixin: super() is the ModelAdmin's.
        return super().history_view(request, object_id, extra_context)  # type: ignore[misc]

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context: Any = None
    ) -> HttpResponse:
        if not self._may_see_history(request, object_id):
            raise Http404
        # django-simple-history adds the attribute to the model's options; Options does not declare it.
        history = getattr(self.model, self.model._meta.simple_history_manager_attribute)  # type: ignore[attr-defined]
        versions = self.get_history_queryset(request, history, self.model._meta.pk.attname, unquote(object_id))
        if not holds(versions, version_id, "history_id"):
            raise Http404  # a version from before the record came into the user's area, or after it left
        if request.method == "POST":  # a revert is a change of the record as it is now
            current = self.get_queryset(request).filter(pk=unquote(object_id)).first()
            if current is None or not self.has_change_permission(request, current):
                raise PermissionDenied
            # As the admin's own change view: the revert and its version check in one transaction.
            with transaction.atomic():
                # Mixin: super() is the ModelAdmin's.
                return super().history_form_view(request, object_id, version_id, extra_context)  # type: ignore[misc]
        # Mixin: super() is the ModelAdmin's.
        return super().history_form_view(request, object_id, version_id, extra_context)  # type: ignore[misc]
