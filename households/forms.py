"""Forms of pillar 1. Every identifier and date rule comes from households.validators: the
identifier rules (NIK, No. KK, phone, passport, BPJS) run in the model's own validation
(households.models.IdentifierRules), the date rules here; errors block the form, warnings are
kept in ``form.warnings`` and stored on the record."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db.models import Exists, OuterRef, QuerySet
from django.forms.models import model_to_dict
from django.forms.utils import ErrorDict
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from desmigratif.access import Action, AnyUser, Scope, scope_for, scoped
from desmigratif.exports import validate_no_formula
from desmigratif.forms import AreaField, DateInput, VersionedForm, VillageField, form_field
from desmigratif.models import User, ancestor_codes
from desmigratif.pickers import SearchPicker
from desmigratif.services import nik_elsewhere_allowance, nik_elsewhere_record
from households import validators
from households.countries import country_choices
from households.models import (
    OPEN_STATUSES,
    PERSON_FIELDS,
    UNFINISHED_STATUSES,
    CaseFollowUp,
    DocumentKind,
    EpisodeStatus,
    Household,
    HouseholdQuerySet,
    Job,
    MigrationEpisode,
    Person,
    PlacementAgency,
    Procedural,
    ReferralTarget,
    Relationship,
    RequestStatus,
    ReturnReason,
    Sector,
    ServiceRequest,
)
from households.services import MemberChanges, MemberData
from households.validators import Finding


def accept_typed_length(field: forms.CharField, length: int = 40) -> None:
    """People type "3212 1612 0490 0001"; the model's identifier rules normalise it before its
    field checks the length, so the form's max_length must not reject the spaced form first."""
    field.max_length = length
    field.widget.attrs["maxlength"] = str(length)
    field.validators = [v for v in field.validators if not isinstance(v, MaxLengthValidator)]


class FindingsMixin(forms.ModelForm):
    """Turns validator findings into form errors (blocking) and warnings (kept): those of the
    form's own rules, and the warnings of the model's identifier rules, which run when the form
    validates the instance (``_post_clean``). Every warning is stored on the record."""

    def _findings(self, findings: list[Finding]) -> None:
        if not hasattr(self, "warnings"):
            self.warnings: list[Finding] = []
        for finding in findings:
            if finding.is_error:
                field = finding.field if finding.field in self.fields else None
                self.add_error(field, finding.message)
            else:
                self.warnings.append(finding)

    def stored_warnings(self) -> list[dict]:
        return [finding.as_json() for finding in getattr(self, "warnings", [])]

    def _post_clean(self) -> None:
        identifiers = [name for name in getattr(self.instance, "identifier_fields", ()) if name in self.cleaned_data]
        # The instance's full_clean: the identifier rules normalise and judge.
        super()._post_clean()  # type: ignore[misc]  # Django's private hook, which django-stubs omit
        for name in identifiers:  # the numbers as the model normalised them, for the views
            self.cleaned_data[name] = getattr(self.instance, name)
        self.warnings = [*getattr(self, "warnings", []), *getattr(self.instance, "identifier_warnings", [])]
        self.instance.validation_warnings = self.stored_warnings()


class HouseholdForm(FindingsMixin, VersionedForm):
    village = VillageField()

    class Meta:
        model = Household
        fields = ["village", "kk_number", "dusun", "rt", "rw", "address", "phone"]

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        form_field(self, "village", VillageField).limit_to(user, Action.WRITE)
        self.fields["kk_number"].required = True
        for name in ("kk_number", "phone"):
            accept_typed_length(form_field(self, name, forms.CharField))

    def clean_rt(self) -> str:
        return (self.cleaned_data.get("rt") or "").strip().zfill(3) if self.cleaned_data.get("rt") else ""

    def clean_rw(self) -> str:
        return (self.cleaned_data.get("rw") or "").strip().zfill(3) if self.cleaned_data.get("rw") else ""


@dataclass
class NikCheck:
    problem: str | None = None
    elsewhere: bool = False  # the answer told the user that the NIK is registered outside their area


def nik_registration_check(*, user: AnyUser, nik: str, record: Person, allowance: int) -> NikCheck:
    """Whether ``nik`` can be given to ``record`` (a person, new or edited) by ``user``, who may
    still be told of ``allowance`` NIKs registered outside their area. A NIK already registered
    where the user can see it links to that person; one registered outside the user's area is
    refused without saying where or whose. That answer tells something of the register outside
    the area, so callers log it and bound it per user: past the bound no new NIK is checked, so
    that the refusal itself cannot be used to test NIKs."""
    others = Person.objects.filter(nik=nik).exclude(pk=record.pk)
    visible = scoped(others, user, Action.READ).select_related("household").first()
    if visible is not None:
        return NikCheck(
            format_html(
                '{} <a href="{}">{}</a>', _("This NIK is already registered:"), visible.get_absolute_url(), visible.name
            )
        )
    if record.pk is not None and nik == Person.objects.filter(pk=record.pk).values_list("nik", flat=True).first():
        return NikCheck()  # the record's own NIK, as it was: nothing to learn about anyone else
    if allowance <= 0:
        return NikCheck(nik_limit_message())
    if others.exists():
        return NikCheck(
            str(_("This NIK cannot be registered here. If it is correct, ask your regency coordinator.")),
            elsewhere=True,
        )
    return NikCheck()


def nik_limit_message() -> str:
    return gettext(
        "Too many NIKs registered outside your area were entered in the last 24 hours: new NIKs cannot be "
        "checked until then. If this NIK is correct, ask your regency coordinator."
    )


class PersonForm(FindingsMixin, forms.ModelForm):
    class Meta:
        model = Person
        fields = list(PERSON_FIELDS)  # the inline formset appends its foreign key
        widgets = {"birth_date": DateInput}

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.warnings = []
        self.fields["nik"].required = False
        accept_typed_length(form_field(self, "nik", forms.CharField))

    @property
    def is_closed(self) -> bool:
        """A saved member whose row the page drew closed and the officer left so: the browser
        posts its id and ``closed`` only, and the member is kept as it is."""
        return self.is_bound and self.instance.pk is not None and self.data.get(self.add_prefix("closed")) == "1"

    def has_changed(self) -> bool:
        return not self.is_closed and super().has_changed()

    def full_clean(self) -> None:
        if self.is_bound and self.instance.pk and not self.has_changed():
            # A member left as it was was checked when it was saved. Checking it again (its NIK
            # against the register, the model's constraints) cost most of a household save, one
            # query after another per member; a changed member is still checked against it.
            self._errors = ErrorDict()
            self.cleaned_data = {**model_to_dict(self.instance, fields=self._meta.fields), "id": self.instance}
            return
        super().full_clean()

    def clean_birth_date(self):
        value = self.cleaned_data.get("birth_date")
        self._findings(validators.check_not_future(value, field_name="birth_date", label=_("Date of birth")))
        return value

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        # The NIK is judged by the model (Person.identifiers_judge, when the form validates the
        # instance). Whether this user may register a well-formed NIK is asked here, first: this
        # answer, bounded per user, not the unique constraint, speaks of a NIK registered elsewhere.
        nik, findings = Person.nik_judged(
            cleaned.get("nik"), birth_date=cleaned.get("birth_date"), sex=cleaned.get("sex")
        )
        if nik is not None and not any(finding.is_error for finding in findings) and self._refuse_duplicate(nik):
            # A refused NIK is left out of the model's validation; its warnings are shown all the same.
            self._findings(findings)
        return cleaned

    def _refuse_duplicate(self, nik: str) -> bool:
        allowance = nik_elsewhere_allowance(user=self.user)
        checked = nik_registration_check(user=self.user, nik=nik, record=self.instance, allowance=allowance)
        if checked.elsewhere:
            nik_elsewhere_record(user=self.user, hits=1, where=f"form: {self.instance._meta.label}")
        if checked.problem is not None:
            self.add_error("nik", checked.problem)
        return checked.problem is not None

    def validate_unique(self) -> None:
        # NIK uniqueness is checked above with a scope-aware message; the database
        # constraint still guards against a race. As BaseModelForm.validate_unique, with Django's
        # private helpers, which django-stubs omit.
        exclude = self._get_validation_exclusions()  # type: ignore[attr-defined]
        exclude.add("nik")
        try:
            self.instance.validate_unique(exclude=exclude)
        except forms.ValidationError as error:
            self._update_errors(error)  # type: ignore[attr-defined]  # as above


class BasePersonFormSet(forms.BaseInlineFormSet):
    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "members")
        kwargs["form_kwargs"] = {**kwargs.get("form_kwargs", {}), "user": user}
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        kwargs = super().get_form_kwargs(index)
        # A new household's first member is usually its head: the form starts so.
        if index == 0 and not self.instance.pk:
            kwargs["initial"] = {"relationship": Relationship.HEAD, **kwargs.get("initial", {})}
        return kwargs

    def clean(self) -> None:
        super().clean()
        for form in self.deleted_forms:
            person = form.instance
            if person.pk and (
                person.episodes.exists() or person.requests_made.exists() or person.requests_about.exists()
            ):
                raise forms.ValidationError(
                    _(
                        "%(name)s has migration episodes or service cases and cannot be removed; move the person "
                        "to another household instead."
                    )
                    % {"name": person.name}
                )
        niks = [
            form.cleaned_data.get("nik")
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE") and form.cleaned_data.get("nik")
        ]
        if len(niks) != len(set(niks)):
            raise forms.ValidationError(_("The same NIK is entered for two members."))
        live = [form for form in self.forms if form.cleaned_data and not form.cleaned_data.get("DELETE")]
        if not live:
            raise forms.ValidationError(_("A household needs at least one member."))
        heads = [form for form in live if form.cleaned_data.get("relationship") == Relationship.HEAD]
        if not heads:
            raise forms.ValidationError(_("Mark one member as the head of family, as on the family card."))
        if len(heads) > 1:
            names = ", ".join(str(form.cleaned_data.get("name") or "?") for form in heads)
            raise forms.ValidationError(
                _("A family card has one head of family; %(names)s are all marked as head.") % {"names": names}
            )


# A BasePersonFormSet: django-stubs type the factory's result as its default formset class.
PersonFormSet = cast(
    type[BasePersonFormSet],
    forms.inlineformset_factory(
        Household, Person, form=PersonForm, formset=BasePersonFormSet, extra=1, can_delete=True
    ),
)


@dataclass
class HouseholdForms:
    """The household form and its members' formset, which the household's page and the API
    bind alike (the API builds the formset's fields from its JSON, api/writes.py), and what
    they mean for the household services."""

    form: HouseholdForm
    members: BasePersonFormSet

    @classmethod
    def of(cls, household: Household, *, user: User, data: Any = None) -> HouseholdForms:
        form = HouseholdForm(
            data, instance=household, user=user, initial={"version": household.version} if household.pk else None
        )
        return cls(form, PersonFormSet(data, instance=household, user=user))

    def is_valid(self) -> bool:
        return self.form.is_valid() & self.members.is_valid()  # both, for all their errors

    def changed_members(self) -> list[PersonForm]:
        return [member for member in self.members.forms if member.has_changed()]

    @property
    def warnings(self) -> list[Finding]:
        return [*self.form.warnings, *(w for member in self.changed_members() for w in member.warnings)]

    def registration(self) -> dict[str, Any]:
        """A new household's arguments of ``household_register`` (but the user)."""
        data = self.form.cleaned_data
        members = [
            MemberData(**self._member_values(member), validation_warnings=member.stored_warnings())
            for member in self.changed_members()
            if not member.cleaned_data.get("DELETE")
        ]
        fields = ("village", "kk_number", "dusun", "rt", "rw", "address", "phone")
        return {
            **{name: data[name] for name in fields},
            "members": members,
            "validation_warnings": self.form.stored_warnings(),
        }

    @staticmethod
    def _member_values(member: PersonForm) -> dict[str, Any]:
        return {name: member.cleaned_data.get(name) for name in PERSON_FIELDS}

    def update(self) -> dict[str, Any]:
        """An edited household's arguments of ``household_update`` (but the user)."""
        changes = MemberChanges(added=[], changed=[], removed=[])
        for member in self.members.forms:
            if member in self.members.deleted_forms:
                if member.instance.pk:
                    changes.removed.append(member.instance)
            elif member.has_changed():
                person = member.instance
                (changes.changed if person.pk else changes.added).append(person)
        version = self.form.cleaned_data.get("version") or 0
        return {"household": self.form.instance, "expected_version": version, "members": changes}


class EpisodeForm(FindingsMixin, VersionedForm):
    destination_country = forms.ChoiceField(label=_("Destination country"), required=False, choices=())
    new_agency = forms.CharField(
        label=_("Agency not in the list"),
        required=False,
        max_length=200,
        validators=[validate_no_formula],
        help_text=_("Type its name: it is added to the list for an administrator to review."),
    )

    class Meta:
        model = MigrationEpisode
        fields = [
            "status",
            "scheme",
            "procedural",
            "agency",
            "destination_country",
            "employer_name",
            "employer_kind",
            "sector",
            "job",
            "departure_date",
            "contract_end",
            "planned_return",
            "actual_return",
            "return_reason",
            "bpjs_number",
            "bpjs_jkk",
            "bpjs_jkm",
            "bpjs_jht",
            "passport_number",
            *MigrationEpisode.CHECKLIST,
            "siskop2mi_id",
        ]
        widgets = dict.fromkeys(["departure_date", "contract_end", "planned_return", "actual_return"], DateInput)

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        form_field(self, "destination_country", forms.ChoiceField).choices = country_choices()
        agency = form_field(self, "agency", forms.ModelChoiceField)
        agency.queryset = PlacementAgency.objects.active()
        # Some 400 licensed P3MI: searched by name, not a select to scroll on a phone.
        agency.widget = SearchPicker(
            search=lambda agencies, term: agencies.filter(name__icontains=term), placeholder=_("Name of the agency")
        )
        agency.widget.choices = agency.choices
        if "new_agency" in self.fields:  # the field right after the list it extends
            names = [name for name in self.fields if name != "new_agency"]
            self.order_fields([*names[: names.index("agency") + 1], "new_agency"])
        form_field(self, "job", forms.ModelChoiceField).queryset = Job.objects.active()
        for name in ("bpjs_number", "passport_number"):
            accept_typed_length(form_field(self, name, forms.CharField))

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        departure = cleaned.get("departure_date")
        labels = {name: self.fields[name].label for name in self.fields}
        # The agency typed is found or added on save (services.placement_agency_propose). An agency
        # places workers through the official procedure: "procedural" unless said otherwise.
        name = (cleaned.get("new_agency") or "").strip()
        if (cleaned.get("agency") or name) and cleaned.get("procedural") == Procedural.UNKNOWN:
            cleaned["procedural"] = Procedural.PROCEDURAL
        # A stay being prepared has its planned departure date, in the future (as in the import).
        for name in ("departure_date", "actual_return"):
            if name == "departure_date" and cleaned.get("status") == EpisodeStatus.PREPARING:
                continue
            self._findings(validators.check_not_future(cleaned.get(name), field_name=name, label=labels[name]))
        for name in ("contract_end", "actual_return", "planned_return"):
            self._findings(
                validators.check_not_before(cleaned.get(name), departure, field_name=name, label=labels[name])
            )
        self._findings(
            validators.check_return_reason(
                cleaned.get("return_reason"), cleaned.get("actual_return"), cleaned.get("contract_end")
            )
        )
        if cleaned.get("status") == "returned" and not cleaned.get("actual_return"):
            self.add_error("actual_return", _("Enter the date the worker came back."))
        # The person: the admin's form chooses it, the portal's comes with the stay.
        person = cleaned.get("person") or (self.instance.person if self.instance.person_id else None)
        if cleaned.get("status") in OPEN_STATUSES and person is not None:
            other = MigrationEpisode.objects.open().filter(person=person).exclude(pk=self.instance.pk).first()
            if other is not None:
                self.add_error("status", open_stay_message(other))
        return cleaned


class EpisodeAdminForm(EpisodeForm):
    """The stay form in the admin, where agencies are added to the list itself."""

    new_agency = None  # type: ignore[assignment]  # removes the declared field, as Django documents

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agency = form_field(self, "agency", forms.ModelChoiceField)
        agency.widget = forms.Select()  # the admin's page answers no picker search
        agency.widget.choices = agency.choices


def open_stay_message(episode: MigrationEpisode) -> str:
    """Why a second open stay is refused, naming the one that is open."""
    return _(
        "This person already has a stay that has not ended (%(stay)s). Record its return, or edit it, "
        "instead of starting another."
    ) % {"stay": episode.open_stay_label()}


class HouseholdFilterForm(forms.Form):
    """Search and filters of the household list (GET)."""

    SORTS = {
        "newest": ["-created_at", "-id"],
        "kk": ["kk_number", "id"],
        "village": ["village_id", "id"],
    }

    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Name, NIK or No. KK (current or former)")}),
    )
    area = AreaField(label=_("Area"), blank_is_own_scope=True)
    status = forms.ChoiceField(
        label=_("Worker status"), required=False, choices=[("", _("any")), *EpisodeStatus.choices]
    )
    country = forms.ChoiceField(label=_("Destination country"), required=False, choices=())
    procedural = forms.ChoiceField(label=_("Procedural"), required=False, choices=[("", _("any")), *Procedural.choices])
    sector = forms.ChoiceField(label=_("Sector"), required=False, choices=[("", _("any")), *Sector.choices])
    archived = forms.BooleanField(label=_("Include archived households"), required=False)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[("newest", _("Newest first")), ("kk", _("No. KK")), ("village", _("Village code"))],
    )

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "area", AreaField).limit_to(user, Action.READ)
        form_field(self, "country", forms.ChoiceField).choices = country_choices()

    # Always shown above the list; the other fields are "filters", drawn when opened or in use.
    SEARCH_FIELDS = ("q", "sort")

    def filters_in_use(self) -> bool:
        """Whether the request sets a filter, or one of them has an error to show."""
        if not self.is_bound:
            return False
        others = [name for name in self.fields if name not in self.SEARCH_FIELDS]
        return any(self.data.get(name) for name in others) or any(name in self.errors for name in others)

    def order(self) -> list[str]:
        return self.SORTS.get(self.cleaned_data.get("sort") or "newest", self.SORTS["newest"])

    def filter(self, queryset: HouseholdQuerySet) -> HouseholdQuerySet:
        data = self.cleaned_data
        if not data.get("archived"):
            queryset = queryset.current()
        if data.get("area"):
            queryset = Scope.of([data["area"]]).filter(queryset, "village__code")
        term = (data.get("q") or "").strip()
        if term:
            queryset = queryset.found_by(term)
        episode = {
            key: data[name]
            for name, key in (
                ("status", "status"),
                ("country", "destination_country"),
                ("procedural", "procedural"),
                ("sector", "sector"),
            )
            if data.get(name)
        }
        if episode:
            queryset = queryset.filter(
                Exists(MigrationEpisode.objects.filter(person__household=OuterRef("pk"), **episode))
            )
        return queryset


class ServiceRequestForm(FindingsMixin, VersionedForm):
    village = VillageField()

    class Meta:
        model = ServiceRequest
        fields = [
            "village",
            "kind",
            "person_served",
            "person_served_name",
            "worker",
            "description",
            "referral",
            "referred_to",
            "status",
            "opened_on",
            "referred_on",
            "resolved_on",
            "closed_on",
            "follow_up_on",
            "outcome",
        ]
        widgets = dict.fromkeys(["opened_on", "referred_on", "resolved_on", "closed_on", "follow_up_on"], DateInput)

    def __init__(self, *args: Any, user: AnyUser, household: Household | None = None, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        if not self.instance.pk and not self.initial.get("follow_up_on"):
            self.initial["follow_up_on"] = next_follow_up_default()
        form_field(self, "village", VillageField).limit_to(user, Action.WRITE)
        # People are chosen among the household's members (the case is opened from its
        # page), or the existing ones when editing; otherwise the name is typed.
        people = Person.objects.none()
        if household is not None:
            people = household.members.all()
        elif self.instance.pk:
            people = Person.objects.filter(pk__in=[self.instance.person_served_id, self.instance.worker_id])
        for name in ("person_served", "worker"):
            form_field(self, name, forms.ModelChoiceField).queryset = scoped(people, user, Action.WRITE)
        form_field(self, "referred_to", forms.ModelChoiceField).queryset = self.referral_targets(user)

    def referral_targets(self, user: AnyUser) -> QuerySet[ReferralTarget]:
        """The offices to offer: for a saved case, those serving its village and the worker's
        country; for a new one, those serving any of the user's villages (checked in clean)."""
        if self.instance.pk:
            stay = self.instance.worker_stay()
            return ReferralTarget.objects.for_case(
                village_code=self.instance.village_id, country=stay.destination_country if stay else ""
            )
        scope = scope_for(user, Action.WRITE)
        offices = ReferralTarget.objects.active().only("pk", "area_code")
        return ReferralTarget.objects.filter(
            pk__in=[office.pk for office in offices if not office.area_code or scope.touches(office.area_code)]
        )

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        labels = {name: self.fields[name].label for name in self.fields}
        for name in ("opened_on", "referred_on", "resolved_on", "closed_on"):
            self._findings(validators.check_not_future(cleaned.get(name), field_name=name, label=labels[name]))
        status = cleaned.get("status")
        office = cleaned.get("referred_to")
        if office is not None:
            cleaned["referral"] = office.kind  # the office says what kind of referral it is
            village = cleaned.get("village")
            if village is not None and office.area_code and office.area_code not in ancestor_codes(village.pk):
                self.add_error("referred_to", _("This office does not serve the case's village."))
        if status == RequestStatus.REFERRED and not cleaned.get("referral"):
            self.add_error("referral", _("Choose where the case was referred to."))
        for name, needed in (
            ("referred_on", RequestStatus.REFERRED),
            ("resolved_on", RequestStatus.RESOLVED),
            ("closed_on", RequestStatus.CLOSED),
        ):
            if status == needed and not cleaned.get(name):
                cleaned[name] = timezone.localdate()
        if status in (RequestStatus.RESOLVED, RequestStatus.CLOSED) and not (cleaned.get("outcome") or "").strip():
            self.add_error("outcome", _("Write the outcome: what came of the case for the family."))
        if status in UNFINISHED_STATUSES and not cleaned.get("follow_up_on"):
            cleaned["follow_up_on"] = next_follow_up_default()  # an unfinished case stays in the alerts
        if not cleaned.get("person_served") and not cleaned.get("person_served_name"):
            self.add_error("person_served_name", _("Choose the person served or type their name."))
        village = cleaned.get("village")
        for name in ("person_served", "worker"):
            person = cleaned.get(name)
            if person is not None and village is not None and person.household.village_id != village.pk:
                self.add_error(name, _("This person is registered in another village."))
        return cleaned


def next_follow_up_default() -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=settings.SERVICE_FOLLOW_UP_DAYS)


class CaseFollowUpForm(forms.ModelForm):
    """A step of a case's log, with the case's version (the page's) for the lost-update check."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = CaseFollowUp
        fields = ["done_on", "action", "note", "next_follow_up_on"]
        widgets = {"done_on": DateInput, "next_follow_up_on": DateInput, "note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, case: ServiceRequest, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"done_on": timezone.localdate(), "next_follow_up_on": next_follow_up_default()})
        super().__init__(*args, **kwargs)
        self.instance.case = case
        self.fields["version"].initial = case.version

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        done, following = cleaned.get("done_on"), cleaned.get("next_follow_up_on")
        if done is not None and done > timezone.localdate():
            self.add_error("done_on", _("A step is recorded once it is done: the date cannot be in the future."))
        if following is not None and done is not None and following < done:
            self.add_error("next_follow_up_on", _("The next follow-up comes after this step."))
        if following is None and self.instance.case.status in UNFINISHED_STATUSES:
            # An unfinished case keeps a date, so it stays in the alerts.
            cleaned["next_follow_up_on"] = next_follow_up_default()
        return cleaned


class ServiceRequestAdminForm(ServiceRequestForm):
    """The case form in the admin, where the people are picked by id among all the user may
    write rather than among one household's members; they must still live in the case's
    village (ServiceRequestForm.clean)."""

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        for name in ("person_served", "worker"):
            form_field(self, name, forms.ModelChoiceField).queryset = scoped(Person.objects.all(), user, Action.WRITE)


class DepartureForm(forms.Form):
    """The two-click departure of a worker in preparation: the date (the planned one when it
    has come, else today)."""

    departed_on = forms.DateField(label=_("Departed on"), widget=DateInput)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, episode: MigrationEpisode, **kwargs: Any) -> None:
        today = timezone.localdate()
        planned = episode.departure_date
        kwargs.setdefault(
            "initial",
            {"departed_on": planned if planned and planned <= today else today, "version": episode.version},
        )
        kwargs.setdefault("prefix", f"depart-{episode.pk}")
        super().__init__(*args, **kwargs)
        self.episode = episode

    def clean_departed_on(self) -> Any:
        value = self.cleaned_data["departed_on"]
        findings = validators.check_not_future(value, field_name="departed_on", label=_("Departed on"))
        if findings:
            raise forms.ValidationError([f.message for f in findings])
        return value

    def checklist_missing(self) -> list[str]:
        """What the pre-departure checklist does not show ready, said when the departure is saved."""
        return [str(label) for label, done in self.episode.checklist() if not done]


class ReturnForm(forms.Form):
    """The two-click return: the date (today unless changed) and the reason."""

    returned_on = forms.DateField(label=_("Returned on"), widget=DateInput)
    reason = forms.ChoiceField(label=_("Reason for return"), choices=ReturnReason.choices)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, episode: MigrationEpisode, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {"returned_on": timezone.localdate(), "reason": ReturnReason.CONTRACT_ENDED, "version": episode.version},
        )
        kwargs.setdefault("prefix", f"return-{episode.pk}")
        super().__init__(*args, **kwargs)
        self.episode = episode

    def clean_returned_on(self):
        value = self.cleaned_data["returned_on"]
        findings = validators.check_not_future(value, field_name="returned_on", label=_("Returned on"))
        findings += validators.check_not_before(
            value, self.episode.departure_date, field_name="returned_on", label=_("Returned on")
        )
        if findings:
            raise forms.ValidationError([f.message for f in findings])
        return value

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        # Warnings only: the return is recorded, and the warning stored on the stay and shown.
        self.warnings = validators.check_return_reason(
            cleaned.get("reason"), cleaned.get("returned_on"), self.episode.contract_end
        )
        return cleaned


class DocumentForm(forms.Form):
    """A photo or PDF to keep with a person, a stay or a case. On a phone the file chooser
    offers the camera; documents.js makes a photo smaller before it is sent. What the file is
    is judged on the server by its content (households.documents)."""

    kind = forms.ChoiceField(
        label=_("Kind of document"),
        choices=DocumentKind.choices,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    title = forms.CharField(
        label=_("Description"),
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
    )
    file = forms.FileField(
        label=_("Photo or PDF"),
        widget=forms.FileInput(
            attrs={"class": "form-control form-control-sm", "accept": "image/*,application/pdf", "data-downscale": ""}
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", False)  # one form per record on a page: no duplicate ids
        super().__init__(*args, **kwargs)

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > settings.DOCUMENT_MAX_MB * 1024 * 1024:
            raise forms.ValidationError(
                _("The file is larger than %(limit)s MB. Take the photo again at a lower resolution.")
                % {"limit": settings.DOCUMENT_MAX_MB}
            )
        return upload
