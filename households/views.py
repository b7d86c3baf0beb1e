"""Pages of pillar 1. Every queryset goes through desmigratif.access."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View
from django.views.decorators.http import require_GET, require_POST
from django.views.generic import DetailView, ListView, TemplateView
from django.views.generic.detail import SingleObjectMixin

from desmigratif.access import (
    Action,
    Scope,
    ScopedQuerysetMixin,
    ScopeRequiredMixin,
    can,
    can_see_full_nik,
    export_scope,
    get_scoped_object_or_404,
    scope_for,
    scope_path,
    scope_required,
    scoped,
)
from desmigratif.exports import csv_stream, xlsx_workbook
from desmigratif.http import AuthenticatedHttpRequest
from desmigratif.models import AccessLog, User
from desmigratif.pagination import keyset_page, query_without
from desmigratif.records import changed_field_labels
from desmigratif.routers import ReplicaReadMixin
from desmigratif.views import VersionedFormView, form_errors_as_messages
from households.exports import XLSX_MAX_ROWS, household_export_rows
from households.forms import (
    BasePersonFormSet,
    CaseFollowUpForm,
    DepartureForm,
    DocumentForm,
    EpisodeForm,
    HouseholdFilterForm,
    HouseholdForms,
    PersonFormSet,
    ReturnForm,
    ServiceRequestForm,
)
from households.models import (
    Document,
    EpisodeStatus,
    Household,
    HouseholdQuerySet,
    ImportBatch,
    KKNumber,
    MigrationEpisode,
    Person,
    RequestKind,
    RequestStatus,
    ServiceRequest,
    ServiceRequestQuerySet,
    head_of,
)
from households.services import (
    StaleRecordError,
    case_follow_up_record,
    episode_depart,
    episode_return,
    household_archive,
    household_history,
    household_register,
    household_update,
    placement_agency_propose,
)
from households.validators import nik_shown_to, render_warning


class HouseholdDetailView(ScopedQuerysetMixin, DetailView):
    """A household at a glance: members, each worker's episodes, KK history, changes."""

    model = Household
    scope_action = Action.READ
    template_name = "households/household_detail.html"
    request: AuthenticatedHttpRequest

    def get_queryset(self) -> QuerySet[Household]:
        episodes = (
            MigrationEpisode.objects.select_related("job", "agency")
            .prefetch_related("documents")
            .order_by("-departure_date", "-id")
        )
        # .all(): django-stubs mistype prefetch_related() on a manager made by as_manager().
        members = (
            Person.objects.all().prefetch_related(Prefetch("episodes", queryset=episodes), "documents").order_by("id")
        )
        return (
            super()
            .get_queryset()
            .select_related("village__district__regency__province")
            .prefetch_related(
                Prefetch("members", queryset=members),
                Prefetch("kk_numbers", queryset=KKNumber.objects.order_by("-recorded_on", "-id")),
            )
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        household = self.object
        user = self.request.user
        can_edit = can(user, Action.WRITE, household.village_id)

        def shown(documents: Any) -> list[Document]:
            # A child's documents are for the village's officers, as children's records are.
            return [document for document in documents.all() if can_edit or not document.about_child]

        context.update(
            document_form=DocumentForm(),
            reach=household.programme_reach(),
            members=[
                {
                    "person": person,
                    "is_minor": person.is_minor,
                    "nik": nik_shown_to(user, person.nik, household.village_id),
                    "warnings": [render_warning(w) for w in person.validation_warnings],
                    "documents": shown(person.documents),
                    "episodes": [
                        {
                            "episode": e,
                            "warnings": [render_warning(w) for w in e.validation_warnings],
                            "return_form": ReturnForm(episode=e) if e.status == EpisodeStatus.ABROAD else None,
                            "departure_form": DepartureForm(episode=e) if e.status == EpisodeStatus.PREPARING else None,
                            "documents": shown(e.documents),
                        }
                        for e in person.episodes.all()
                    ],
                }
                for person in household.members.all()
            ],
            household_warnings=[render_warning(w) for w in household.validation_warnings],
            family_card_problem=household.family_card_problem(),
            head=household.head,
            requests=scoped(
                ServiceRequest.objects.filter(Q(person_served__household=household) | Q(worker__household=household)),
                user,
            ).order_by("-opened_on"),
            can_edit=can_edit,
        )
        whole_niks_log(user=user, household=household, what="", count=sum(1 for p in household.members.all() if p.nik))
        return context


def whole_niks_log(*, user: User, household: Household, what: str, count: int) -> None:
    """Write to the access log that ``count`` whole NIKs of ``household`` were shown to ``user`` (on
    the household page, its edit form, its history), as exports are."""
    if count and can_see_full_nik(user, household.village_id):
        label = f"household {household.pk} {what}".strip()
        AccessLog.objects.create(user=user, kind=AccessLog.Kind.NIK_VIEW, what=label, rows=count)


class HouseholdHistoryView(ScopedQuerysetMixin, DetailView):
    """The household's change history. The household page loads it (htmx) when the user opens
    that section, because reading four history tables is most of the page's cost and most
    visits do not need it; without JavaScript it is a page of its own."""

    model = Household
    scope_action = Action.READ
    template_name = "households/household_history.html"
    request: AuthenticatedHttpRequest

    def get_template_names(self) -> list[str]:
        if self.request.headers.get("HX-Request"):
            return [self.template_name + "#history-table"]
        return [self.template_name]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        history = household_history(household=self.object, user=self.request.user)
        nik_label = str(Person._meta.get_field("nik").verbose_name)
        niks = sum(
            bool(old) + bool(new) for entry in history for label, old, new in entry.changes if label == nik_label
        )
        whole_niks_log(user=self.request.user, household=self.object, what="history", count=niks)
        return super().get_context_data(history=history, **kwargs)


class ServiceRequestDetailView(ScopedQuerysetMixin, DetailView):
    model = ServiceRequest
    scope_action = Action.READ
    template_name = "households/servicerequest_detail.html"

    def get_queryset(self) -> QuerySet[ServiceRequest]:
        return super().get_queryset().select_related("village", "person_served__household", "worker", "referred_to")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        case = self.object
        can_edit = can(self.request.user, Action.WRITE, case.village_id)
        stay = case.worker_stay()
        context.update(
            history=case.history.select_related("history_user").order_by("-history_date")[:20],
            can_edit=can_edit,
            follow_ups=case.follow_ups.select_related("recorded_by"),
            follow_up_form=kwargs.get("follow_up_form") or (CaseFollowUpForm(case=case) if can_edit else None),
            stay=stay,
            caller_phone=case.person_served.household.phone if case.person_served else "",
            documents=[d for d in case.documents.all() if can_edit or not d.about_child],
            document_form=DocumentForm(),
        )
        return context


class ServiceRequestReceiptView(ServiceRequestDetailView):
    """A receipt for the family: the case number to quote (print stylesheet: A4 or a phone)."""

    template_name = "households/servicerequest_receipt.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        first = self.object.history.select_related("history_user").order_by("history_date").first()
        context["received_by"] = first.history_user.get_display_name() if first and first.history_user else ""
        return context


class ServiceRequestReferralView(ServiceRequestDetailView):
    """The referral letter of a referred case, addressed to the office chosen from the register
    (with its address), else named from the case's village and the worker's country."""

    template_name = "households/servicerequest_referral.html"
    request: AuthenticatedHttpRequest

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        if not self.object.referral:
            raise Http404
        context = super().get_context_data(**kwargs)
        context.update(
            addressee=self.object.referral_addressee(),
            today=timezone.localdate(),
            signed_by=self.request.user.get_display_name(),
        )
        return context


@require_POST
@scope_required(Action.WRITE)
def case_follow_up_add(request: AuthenticatedHttpRequest, pk: int, scope: Scope) -> HttpResponse:
    """Record a step of a case (the form on the case's page); the page again with the errors."""
    case = get_scoped_object_or_404(ServiceRequest.objects.all(), request.user, Action.WRITE, pk=pk)
    form = CaseFollowUpForm(request.POST, case=case)
    if form.is_valid():
        try:
            case_follow_up_record(
                follow_up=form.instance, expected_version=form.cleaned_data["version"], user=request.user
            )
        except StaleRecordError:
            messages.error(request, _("Not saved: someone else changed the case meanwhile. Check it and try again."))
        else:
            messages.success(request, _("The follow-up was recorded."))
            return redirect(case)
    view = ServiceRequestDetailView()
    view.setup(request, pk=pk)
    view.object = get_scoped_object_or_404(view.get_queryset(), request.user, Action.READ, pk=pk)
    return render(request, view.template_name, view.get_context_data(follow_up_form=form))


class HouseholdListView(ScopedQuerysetMixin, ReplicaReadMixin, ListView):
    """Search, filter and sort the households in the user's scope. Keyset pages: no
    request counts the whole table, and page 20,000 costs what page 1 does."""

    model = Household
    scope_action = Action.READ
    template_name = "households/household_list.html"
    page_size = 25
    object_list: HouseholdQuerySet

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.GET.get("part") == "filters":
            # The filters, fetched by htmx when the officer opens them: no list is queried.
            form = HouseholdFilterForm(request.GET, user=request.user)
            context = {"form": form, "search_fields": form.SEARCH_FIELDS}
            return render(request, f"{self.template_name}#filters", context)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = HouseholdFilterForm(self.request.GET or None, user=self.request.user)
        households = self.object_list.select_related("village")
        order = HouseholdFilterForm.SORTS["newest"]
        if not form.is_bound:
            households = households.current()
        elif form.is_valid():
            households = form.filter(households)
            order = form.order()
        else:
            households = households.none()
        page = keyset_page(households, order=order, cursor=self.request.GET.get("after"), size=self.page_size)
        term = (form.cleaned_data.get("q") or "").strip() if form.is_bound and form.is_valid() else ""
        context.update(
            form=form,
            page=page,
            rows=self._rows(page.items, term),
            query_without_cursor=query_without(self.request, "after"),
            search_fields=form.SEARCH_FIELDS,
            show_filters=form.filters_in_use() or "filters" in self.request.GET,
            can_export=not export_scope(self.request.user, "households.export_household").is_empty,
            can_register=not scope_for(self.request.user, Action.WRITE).is_empty,
        )
        return context

    @staticmethod
    def _rows(households: list[Household], term: str = "") -> list[dict[str, Any]]:
        ids = [h.pk for h in households]
        members: dict[int, list[Person]] = {}
        persons = Person.objects.filter(household__in=ids).order_by("id").only("household_id", "name", "relationship")
        for person in persons:
            members.setdefault(person.household_id, []).append(person)
        # Which members a name or NIK search found, said on the row (the family is listed by its head).
        matched: set[int] = set()
        if term:
            matched = set(Person.objects.found_by(term).filter(household__in=ids).values_list("pk", flat=True))
        abroad = dict(
            MigrationEpisode.objects.abroad()
            .filter(person__household__in=ids)
            .values("person__household")
            .annotate(n=Count("person", distinct=True))
            .values_list("person__household", "n")
        )
        rows = []
        for household in households:
            people = members.get(household.pk, [])
            rows.append(
                {
                    "household": household,
                    "head": head_of(people),
                    "matched": [person.name for person in people if person.pk in matched],
                    "members": len(people),
                    "abroad": abroad.get(household.pk, 0),
                }
            )
        return rows


@require_GET
@scope_required(Action.READ)
def household_export(request: AuthenticatedHttpRequest, scope: Scope) -> HttpResponseBase:
    """The filtered list as CSV (streamed, no limit) or XLSX: wherever the user may export from
    (access.export_scope: a village officer, their own village). The file's name and the
    ``X-Row-Count`` header say how many households it holds."""
    area = export_scope(request.user, "households.export_household")
    if area.is_empty:
        raise PermissionDenied
    form = HouseholdFilterForm(request.GET, user=request.user)
    if not form.is_valid():
        return HttpResponseBadRequest(_("The filters are not valid."))
    households = form.filter(area.filter(Household.objects.all(), scope_path(Household)))
    total = households.count()
    filters = {key: value for key, value in request.GET.items() if key not in {"format", "after"}}
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    name = f"rumah-tangga-{stamp}-{total}"
    rows = household_export_rows(households=households, user=request.user, filters=filters)
    response: HttpResponseBase
    if request.GET.get("format") == "xlsx":
        if total > XLSX_MAX_ROWS:
            message = _("%(count)s households are more than an XLSX sheet holds: export CSV, or narrow the filters.")
            return HttpResponseBadRequest(message % {"count": number_format(total, force_grouping=True)})
        workbook = xlsx_workbook({_("Households"): rows})
        xlsx_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        response = HttpResponse(workbook, content_type=xlsx_type)
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    else:
        response = StreamingHttpResponse(csv_stream(rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    response["X-Row-Count"] = str(total)
    return response


class HouseholdFormMixin:
    """Shared by the create and edit pages: the household form and its member formset."""

    template_name = "households/household_form.html"
    request: AuthenticatedHttpRequest  # the view's (which declares it again: mypy compares it with View's)

    def forms(self, household: Household) -> HouseholdForms:
        data = self.request.POST if self.request.method == "POST" else None
        return HouseholdForms.of(household, user=self.request.user, data=data)

    def render_forms(self, forms: HouseholdForms, status: int = 200, **extra: Any) -> HttpResponse:
        # Saved members are drawn closed (their fields hidden, opened one by one) unless asked for.
        context = {
            "form": forms.form,
            "formset": forms.members,
            "open_members": self.request.GET.get("members") == "open",
        }
        return render(self.request, self.template_name, {**context, **extra}, status=status)

    def saved(self, household: Household, warnings: int) -> HttpResponse:
        messages.success(self.request, _("The household was saved."))
        if warnings:
            messages.warning(
                self.request,
                ngettext(
                    "%(count)d warning was recorded; see the household page.",
                    "%(count)d warnings were recorded; see the household page.",
                    warnings,
                )
                % {"count": warnings},
            )
        return redirect(household)


class HouseholdCreateView(ScopeRequiredMixin, HouseholdFormMixin, View):
    scope_action = Action.WRITE
    request: AuthenticatedHttpRequest

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render_forms(self.forms(Household()))

    def post(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        forms = self.forms(Household())
        if not forms.is_valid():
            return self.render_forms(forms)
        household = household_register(**forms.registration(), user=request.user)
        return self.saved(household, len(forms.warnings))


class HouseholdUpdateView(ScopedQuerysetMixin, HouseholdFormMixin, SingleObjectMixin, View):
    model = Household
    scope_action = Action.WRITE
    request: AuthenticatedHttpRequest

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        household = self.get_object()
        forms = self.forms(household)
        self.log_niks(household, forms.members)
        return self.render_forms(forms)

    def log_niks(self, household: Household, formset: BasePersonFormSet) -> None:
        """Log the whole NIKs the page shows: those of the saved members drawn open (a closed
        member's NIK is not in the page; opening them logs it, see member_form_row)."""
        open_members = self.request.GET.get("members") == "open"
        drawn_open = [m for m in formset.forms if open_members or (m.is_bound and not m.is_closed)]
        count = sum(1 for member in drawn_open if member.instance.pk and member.instance.nik)
        if count:
            whole_niks_log(user=self.request.user, household=household, what="edit form", count=count)

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        household = self.get_object()
        forms = self.forms(household)
        if not forms.is_valid():
            self.log_niks(household, forms.members)
            return self.render_forms(forms)
        try:
            household_update(**forms.update(), user=request.user)
        except StaleRecordError as conflict:
            return self.render_forms(
                forms, conflict=conflict, conflict_fields=changed_field_labels(conflict), status=409
            )
        return self.saved(forms.form.instance, len(forms.warnings))


@require_GET
@scope_required(Action.WRITE)
def member_form_row(request: AuthenticatedHttpRequest, scope: Scope) -> HttpResponse:
    """A member's fields for the household page (htmx): a saved member's (``member``), opened
    in place of their closed row; or one more empty member, with the formset's new total."""
    try:
        index = int(request.GET.get("index", ""))
        member_pk = int(request.GET["member"]) if request.GET.get("member") else None
    except ValueError:
        return HttpResponseBadRequest()
    if not 0 <= index < 100:
        return HttpResponseBadRequest()
    if member_pk is not None:
        person = get_scoped_object_or_404(
            Person.objects.select_related("household"), request.user, Action.WRITE, pk=member_pk
        )
        if person.nik:
            whole_niks_log(user=request.user, household=person.household, what="edit form", count=1)
        members = PersonFormSet(
            user=request.user, instance=person.household, queryset=Person.objects.filter(pk=person.pk)
        )
        member = members.forms[0]
        member.prefix = f"members-{index}"
        context = {"member": member, "index": index, "open_members": True}
        return render(request, "households/household_form.html#member-row", context)
    form = PersonFormSet(user=request.user, instance=Household()).empty_form
    form.prefix = f"members-{index}"
    return render(
        request,
        "households/household_form.html#member-row-response",
        {"member": form, "index": index, "next_index": index + 1},
    )


def typed_agency_propose(form: EpisodeForm, user: User) -> None:
    """An agency the officer typed that the list lacks is added, awaiting review."""
    name = form.cleaned_data.get("new_agency")
    if name and form.instance.agency_id is None:
        form.instance.agency = placement_agency_propose(name=name, user=user)


class EpisodeCreateView(VersionedFormView[MigrationEpisode]):
    form_class = EpisodeForm
    index_url = "households:list"
    title = gettext_lazy("New migration episode")

    def record(self) -> MigrationEpisode:
        person = get_scoped_object_or_404(
            Person.objects.select_related("household"), self.request.user, Action.WRITE, pk=self.kwargs["person_pk"]
        )
        return MigrationEpisode(person=person)

    def before_save(self, form: EpisodeForm) -> None:
        typed_agency_propose(form, self.request.user)

    def success_url(self, record: MigrationEpisode) -> str:
        return record.person.household.get_absolute_url()


class EpisodeUpdateView(VersionedFormView[MigrationEpisode]):
    form_class = EpisodeForm
    index_url = "households:list"
    title = gettext_lazy("Edit migration episode")

    def before_save(self, form: EpisodeForm) -> None:
        typed_agency_propose(form, self.request.user)

    def record(self) -> MigrationEpisode:
        return get_scoped_object_or_404(
            MigrationEpisode.objects.select_related("person__household"),
            self.request.user,
            Action.WRITE,
            pk=self.kwargs["pk"],
        )


@require_POST
@scope_required(Action.WRITE)
def episode_return_view(request: AuthenticatedHttpRequest, pk: int, scope: Scope) -> HttpResponse:
    """Record a worker's return from the household page (date and reason prefilled)."""
    episode = get_scoped_object_or_404(
        MigrationEpisode.objects.select_related("person__household"), request.user, Action.WRITE, pk=pk
    )
    form = ReturnForm(request.POST, episode=episode)
    if not form.is_valid():
        form_errors_as_messages(request, form)
        return redirect(episode.person.household)
    try:
        episode_return(
            episode=episode,
            returned_on=form.cleaned_data["returned_on"],
            reason=form.cleaned_data["reason"],
            expected_version=form.cleaned_data["version"],
            user=request.user,
            warnings=form.warnings,
        )
    except StaleRecordError:
        messages.error(request, _("Not saved: this episode was changed by someone else. Check it and try again."))
    else:
        messages.success(request, _("The return of %(name)s was recorded.") % {"name": episode.person.name})
        for warning in form.warnings:
            messages.warning(request, warning.message)
    return redirect(episode.person.household)


@require_POST
@scope_required(Action.WRITE)
def episode_depart_view(request: AuthenticatedHttpRequest, pk: int, scope: Scope) -> HttpResponse:
    """Record that a worker in preparation has left, from the household page."""
    episode = get_scoped_object_or_404(
        MigrationEpisode.objects.select_related("person__household"), request.user, Action.WRITE, pk=pk
    )
    if episode.status != EpisodeStatus.PREPARING:
        messages.error(request, _("Only a stay in preparation can be marked as departed."))
        return redirect(episode.person.household)
    form = DepartureForm(request.POST, episode=episode)
    if not form.is_valid():
        form_errors_as_messages(request, form)
        return redirect(episode.person.household)
    missing = form.checklist_missing()
    try:
        episode_depart(
            episode=episode,
            departed_on=form.cleaned_data["departed_on"],
            expected_version=form.cleaned_data["version"],
            user=request.user,
        )
    except StaleRecordError:
        messages.error(request, _("Not saved: this episode was changed by someone else. Check it and try again."))
    else:
        messages.success(request, _("The departure of %(name)s was recorded.") % {"name": episode.person.name})
        if missing:
            messages.warning(
                request,
                _("Not ready before departure: %(items)s. Help the family complete them.")
                % {"items": ", ".join(missing)},
            )
    return redirect(episode.person.household)


class ServiceRequestListView(ScopedQuerysetMixin, ListView):
    """The service desk: open cases first, follow-ups due highlighted."""

    model = ServiceRequest
    scope_action = Action.READ
    template_name = "households/servicerequest_list.html"
    page_size = 25
    object_list: ServiceRequestQuerySet

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        requests = self.object_list.select_related("village", "person_served", "worker")
        status = self.request.GET.get("status", "unfinished")
        if status == "unfinished":
            requests = requests.unfinished()
        elif status == "overdue":
            requests = requests.follow_up_overdue()
        elif status in RequestStatus.values:
            requests = requests.filter(status=status)
        kind = self.request.GET.get("kind", "")
        if kind in RequestKind.values:
            requests = requests.filter(kind=kind)
        page = keyset_page(
            requests, order=["-opened_on", "-id"], cursor=self.request.GET.get("after"), size=self.page_size
        )
        context.update(
            page=page,
            status=status,
            kind=kind,
            kinds=RequestKind.choices,
            statuses=RequestStatus.choices,
            query_without_cursor=query_without(self.request, "after"),
            today=timezone.localdate(),
            can_open=not scope_for(self.request.user, Action.WRITE).is_empty,
        )
        return context


class ServiceRequestCreateView(ScopeRequiredMixin, VersionedFormView):
    form_class = ServiceRequestForm
    index_url = "households:list"
    scope_action = Action.WRITE
    title = gettext_lazy("New service request")

    def household(self) -> Household | None:
        pk = self.request.GET.get("household") or self.request.POST.get("household")
        if not pk or not str(pk).isdigit():
            return None
        return get_scoped_object_or_404(Household.objects.all(), self.request.user, Action.WRITE, pk=pk)

    def form_kwargs(self) -> dict[str, Any]:
        return {"user": self.request.user, "household": self.household()}

    def record(self) -> ServiceRequest:
        household = self.household()
        return ServiceRequest(village=household.village if household else None)


class ServiceRequestUpdateView(VersionedFormView):
    form_class = ServiceRequestForm
    index_url = "households:list"
    title = gettext_lazy("Update service request")

    def record(self) -> ServiceRequest:
        return get_scoped_object_or_404(
            ServiceRequest.objects.all(), self.request.user, Action.WRITE, pk=self.kwargs["pk"]
        )


def work_for_today(user: User, limit: int) -> dict[str, Any]:
    """What the user's villages need today, each list the most urgent first, at most ``limit``
    items: the alerts page and the officer's home page show the same."""
    episodes = scoped(MigrationEpisode.objects.select_related("person__household__village", "job", "agency"), user)
    cases = scoped(ServiceRequest.objects.select_related("village", "person_served", "worker"), user)
    return {
        "today": timezone.localdate(),
        "follow_ups_due": list(cases.follow_up_due().order_by("follow_up_on", "id")[:limit]),
        "departures": list(episodes.departing_within(7).order_by("departure_date", "id")[:limit]),
        "overdue_returns": list(episodes.overdue_return().order_by("contract_end", "id")[:limit]),
        "contracts_ending": list(episodes.contract_ending_within(60).order_by("contract_end", "id")[:limit]),
        "without_contact": list(episodes.without_contact_since(182).order_by("updated_at", "id")[:limit]),
        "without_bpjs": list(episodes.without_bpjs().order_by("person__household__village", "person__name")[:limit]),
        "imports_waiting": list(
            ImportBatch.objects.filter(
                user=user, status__in=[ImportBatch.Status.VALIDATED, ImportBatch.Status.AWAITING_APPROVAL]
            ).order_by("-id")[:limit]
        ),
    }


class AlertsView(ScopeRequiredMixin, TemplateView):
    """What needs a call today, in the user's villages."""

    scope_action = Action.READ
    template_name = "households/alerts.html"
    limit = 100
    request: AuthenticatedHttpRequest

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(work_for_today(self.request.user, self.limit), limit=self.limit)
        return context


class TodayView(ScopeRequiredMixin, TemplateView):
    """The home page's "today" lists (htmx fetches them when the page has loaded)."""

    scope_action = Action.READ
    template_name = "households/alerts.html#today"
    limit = 10
    request: AuthenticatedHttpRequest

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not getattr(request, "htmx", False):
            return redirect("households:alerts")
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(work_for_today(self.request.user, self.limit), limit=self.limit, compact=True)
        return context


class HouseholdArchiveView(LoginRequiredMixin, View):
    """Archive or restore a household, after a confirmation page."""

    template_name = "households/household_archive.html"

    def household(self) -> Household:
        return get_scoped_object_or_404(
            Household.objects.select_related("village"), self.request.user, Action.WRITE, pk=self.kwargs["pk"]
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        household = self.household()
        return render(
            request,
            self.template_name,
            {
                "household": household,
                "members": household.members.count(),
                "episodes": MigrationEpisode.objects.filter(person__household=household).count(),
            },
        )

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        household = self.household()
        try:
            household_archive(
                household=household,
                archived=not household.is_archived,
                expected_version=int(request.POST.get("version") or 0),
                user=request.user,
            )
        except (StaleRecordError, ValueError):
            messages.error(request, _("Not saved: someone else saved this household after you opened it."))
            return redirect(household)
        messages.success(
            request, _("The household was archived.") if household.is_archived else _("The household was restored.")
        )
        return redirect(household)
