"""Pages of the shared core: home, the region browser, the picker fragment, health."""

from __future__ import annotations

import sys
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.staticfiles import finders
from django.core.exceptions import ValidationError
from django.db import InterfaceError, OperationalError, connection
from django.db.models import Count
from django.db.models.functions import Substr
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseServerError,
    JsonResponse,
)
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.generic import TemplateView

from desmigratif.access import Action, current_assignments, scope_for, scope_required, scoped
from desmigratif.forms import picker_for_request
from desmigratif.http import AuthenticatedHttpRequest
from desmigratif.models import REGION_MODELS, Region, Village, ancestor_codes, code_level
from desmigratif.pickers import picker_response
from desmigratif.records import (
    StaleRecordError,
    Versioned,
    changed_field_labels,
    record_form_save,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# Region browsing and dashboards show areas; any role with statistics rights may walk them.
AREA_ACTION = Action.STATS


class HomeView(LoginRequiredMixin, TemplateView):
    template_name = "desmigratif/home.html"
    request: AuthenticatedHttpRequest

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        villages = scoped(Village.objects.active(), user, AREA_ACTION)
        scope = scope_for(user, AREA_ACTION)
        areas = [
            (code, REGION_MODELS[code_level(code)].objects.filter(code=code).first() if code else None)
            for code in scope.widest_areas()
        ]
        context.update(
            assignments=current_assignments(user),
            areas=areas,
            village_counts={row["kind"]: row["n"] for row in villages.values("kind").annotate(n=Count("code"))},
            village_total=villages.count(),
            can_read_records=not scope_for(user, Action.READ).is_empty,
            can_write_records=not scope_for(user, Action.WRITE).is_empty,
        )
        return context


class RegionView(LoginRequiredMixin, TemplateView):
    """One area (or the whole country) and the table of its child areas within the user's scope.
    An area the user may not see answers 404."""

    template_name = "desmigratif/region_detail.html"
    request: AuthenticatedHttpRequest

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        scope = scope_for(user, AREA_ACTION)
        code = kwargs.get("code", "")
        level = code_level(code)
        if scope.is_empty or (code and not scope.touches(code)):
            raise Http404
        region = None
        if code:
            model = REGION_MODELS.get(level)
            region = model.objects.filter(code=code).first() if model else None
            if region is None:
                raise Http404

        breadcrumbs = self._breadcrumbs(code)
        children = self._children(code, level, user) if level < 4 else []
        context.update(
            region=region,
            code=code,
            level=level,
            breadcrumbs=breadcrumbs,
            children=children,
            child_level_name=REGION_MODELS[level + 1]._meta.verbose_name_plural if level < 4 else "",
            partial_view=code and not scope.contains(code),
            parent_url=breadcrumbs[-1][1] if breadcrumbs else None,
        )
        return context

    @staticmethod
    def _breadcrumbs(code: str) -> list[tuple[str, str]]:
        from django.urls import reverse
        from django.utils.translation import gettext

        crumbs = [(gettext("Indonesia"), reverse("region-index"))]
        for ancestor in ancestor_codes(code):
            region = REGION_MODELS[code_level(ancestor)].objects.filter(code=ancestor).only("name").first()
            crumbs.append((region.name if region else ancestor, reverse("region-detail", args=[ancestor])))
        return crumbs

    @staticmethod
    def _children(code: str, level: int, user: Any) -> list[dict[str, Any]]:
        child_model: type[Region] = REGION_MODELS[level + 1]
        children = scoped(child_model.objects.active(), user, AREA_ACTION)
        if code:
            children = children.filter(code__startswith=code + ".")
        # Villages per child, counting only villages inside the user's scope.
        prefix_length = len(code) + 3 if code else 2
        villages = scoped(Village.objects.active(), user, AREA_ACTION)
        if code:
            villages = villages.filter(code__startswith=code + ".")
        counts: dict[str, dict[str, int]] = {}
        if level + 1 < 4:
            rows = (
                villages.annotate(child=Substr("code", 1, prefix_length))
                .values("child", "kind")
                .annotate(n=Count("code"))
                .order_by()
            )
            for row in rows:
                counts.setdefault(row["child"], {})[row["kind"]] = row["n"]
        result = []
        for child in children.order_by("code"):
            by_kind = counts.get(child.code, {})
            result.append(
                {
                    "region": child,
                    "desa": by_kind.get("desa", 0) + by_kind.get("desa_adat", 0),
                    "kelurahan": by_kind.get("kelurahan", 0),
                    "villages": sum(by_kind.values()),
                }
            )
        return result


@require_GET
@scope_required(Action.STATS)
def region_search(request: AuthenticatedHttpRequest, scope: Any) -> HttpResponse:
    """Find an area by code or name, anywhere in the user's scope (50 hits at most per level)."""
    term = request.GET.get("q", "").strip()
    results: list[Region] = []
    if len(term) >= 2:
        for level in (1, 2, 3, 4):
            model = REGION_MODELS[level]
            hits = scoped(model.objects.active().search(term), request.user, AREA_ACTION)
            if level == 4:
                hits = scope.filter(hits, "code")
            results.extend(hits.order_by("code")[:50])
    return render(request, "desmigratif/region_search.html", {"term": term, "results": results})


@never_cache
@require_GET
@scope_required(Action.STATS)
def region_picker(request: AuthenticatedHttpRequest, scope: Any) -> HttpResponse:
    """The picker fragment htmx swaps in when one of its selects changes."""
    try:
        widget, name, id_ = picker_for_request(request.user, request.GET)
    except ValidationError:
        return HttpResponseBadRequest()
    return HttpResponse(widget.render(name, None, {"id": id_}))


def favicon(request: HttpRequest) -> HttpResponse:
    # Resolved per request: the hashed name exists only after collectstatic.
    return redirect(static("desmigratif/favicon.svg"), permanent=True)


class OutboxView(LoginRequiredMixin, TemplateView):
    """The forms kept on this phone to be sent (static/desmigratif/outbox.js draws them from the
    phone's own storage: the server never holds them until they are sent)."""

    template_name = "desmigratif/outbox.html"
    request: AuthenticatedHttpRequest


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """static/desmigratif/sw.js, at the root so that it may cover every page of the portal.
    Never cached as a static file: a browser checks it on every visit and picks up a new one."""
    path = finders.find("desmigratif/sw.js")
    if not path:
        raise Http404
    with open(path, encoding="utf-8") as script:
        response = HttpResponse(script.read(), content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response


@never_cache
def health(request: HttpRequest) -> JsonResponse:
    """For load balancers and uptime checks: 200 when the database answers."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return JsonResponse({"status": "ok"})
    except Exception:  # noqa: BLE001 - any database failure means "not ready"
        return JsonResponse({"status": "database unavailable"}, status=503)


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page, or, when the database could not be reached (down, restarting, or out of
    connections), a 503 that says so: the next request connects afresh (no connection is kept
    across a failed one), so the portal recovers as soon as the database does."""
    failure = sys.exc_info()[1]
    if isinstance(failure, (OperationalError, InterfaceError)):
        response = render_to_string("503_database.html", {"portal_name": settings.PORTAL_NAME})
        return HttpResponse(response, status=503, headers={"Retry-After": "30"})
    return HttpResponseServerError(render_to_string("500.html", {"portal_name": settings.PORTAL_NAME}))


# --- record forms of every pillar ------------------------------------------------------------------------


R = TypeVar("R", bound=Versioned)


def form_errors_as_messages(request: HttpRequest, form: forms.BaseForm) -> None:
    """A small form posted from a record's page (a return, a departure, a document) leads back
    to that page, which does not draw it bound: its errors are said as messages there."""
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, str(error))


class VersionedFormView(LoginRequiredMixin, View, ABC, Generic[R]):
    """Create or edit one record through a ModelForm that takes ``user``; edits are saved with
    the lost-update check. Subclasses say how to find or start the record. The page is the
    pillar's ``<app>/record_form.html`` and "cancel" for a record not saved yet leads to the
    pillar's ``<app>:index``, unless a subclass says otherwise. ``VersionedFormView[Training]``
    names the kind of record, for subclasses whose methods need it."""

    form_class: type  # set by each subclass
    template_name = ""
    title: StrOrPromise = ""
    index_url = ""
    request: AuthenticatedHttpRequest

    @abstractmethod
    def record(self) -> R:
        """The record to edit, or a new unsaved one; subclasses scope the lookup."""

    def form_kwargs(self) -> dict[str, Any]:
        return {"user": self.request.user}

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        record = self.record()
        form = self.form_class(instance=record, initial={"version": record.version}, **self.form_kwargs())
        return picker_response(request, form) or self.render_form(form, record)

    def post(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        record = self.record()
        form = self.form_class(request.POST, instance=record, **self.form_kwargs())
        if not form.is_valid():
            return self.render_form(form, record)
        version = form.cleaned_data.get("version") or int(request.POST.get("version") or 0)
        try:
            record_form_save(form=form, expected_version=version, user=request.user, before_save=self.before_save)
        except StaleRecordError as conflict:
            fields = changed_field_labels(conflict)
            return self.render_form(form, record, status=409, conflict=conflict, conflict_fields=fields)
        messages.success(request, _("Saved."))
        if form.warnings:
            messages.warning(request, " ".join(w.message for w in form.warnings))
        return redirect(self.success_url(form.instance))

    def before_save(self, form: Any) -> None:
        """Work on other records that the save needs (a service call), in the save's transaction."""

    def success_url(self, record: R) -> str:
        return record.get_absolute_url()

    def render_form(self, form: Any, record: R, status: int = 200, **extra: Any) -> HttpResponse:
        app = record._meta.app_label
        cancel_url = record.get_absolute_url() if record.pk else reverse(self.index_url or f"{app}:index")
        context = {"form": form, "record": record, "title": self.title, "cancel_url": cancel_url, **extra}
        return render(self.request, self.template_name or f"{app}/record_form.html", context, status=status)
