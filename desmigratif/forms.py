"""Form pieces every pillar uses: the cascading region picker and its fields.

The picker is four selects (province → regency → district → village). Each
select only ever holds the children of the one above, cut to the user's scope,
and htmx re-renders the whole picker from the server when one changes, so no
page ever carries the 83,762 villages and the scope is decided server-side.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar, cast
from urllib.parse import urlencode

from django import forms
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from desmigratif.access import Action, AnyUser, Scope, scope_for
from desmigratif.models import (
    CODE_PATTERNS,
    REGION_CACHE_SECONDS,
    REGION_MODELS,
    Assignment,
    District,
    Province,
    Regency,
    Region,
    Village,
    code_level,
)
from desmigratif.records import Versioned, changed_field_labels, record_conflict

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

LEVELS: tuple[tuple[str, type[Region], StrOrPromise, StrOrPromise], ...] = (
    ("province", Province, _("Province"), _("— province —")),
    ("regency", Regency, _("Regency / city"), _("— regency / city —")),
    ("district", District, _("District"), _("— district —")),
    ("village", Village, _("Village"), _("— village —")),
)
PARENT_FIELD = {Regency: "province", District: "regency", Village: "district"}
SAFE_NAME = re.compile(r"^[\w-]{1,100}$")


def chain_of(code: str) -> list[str]:
    """ "32.12.16.2004" -> ["32", "32.12", "32.12.16", "32.12.16.2004"]."""
    parts = code.split(".") if code else []
    return [".".join(parts[:i]) for i in range(1, len(parts) + 1)]


@dataclass
class PickerLevel:
    key: str
    name: str
    id: str
    label: str
    placeholder: str
    options: list[tuple[str, str]]
    selected: str


class RegionPickerWidget(forms.Widget):
    """Cascading selects. ``leaf_only`` pickers need a village; others accept an
    area at any level (empty meaning the whole country)."""

    template_name = "desmigratif/widgets/region_picker.html"

    class Media:
        js = ["vendor/htmx/htmx.min.js", "desmigratif/htmx-config.js"]

    def __init__(self, *, leaf_only: bool = True, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.leaf_only = leaf_only
        self.scope = Scope.nowhere()
        self.action = Action.WRITE
        self.selection: list[str] | None = None

    def limit_to(self, scope: Scope, action: Action) -> None:
        self.scope = scope
        self.action = action

    def value_from_datadict(self, data: Any, files: Any, name: str) -> str:
        deepest = ""
        for key, *_rest in LEVELS:
            value = (data.get(f"{name}__{key}") or "").strip()
            if not value:
                break
            deepest = value
        if self.leaf_only and code_level(deepest) != 4:
            return ""
        return deepest

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return not any(f"{name}__{key}" in data for key, *_rest in LEVELS)

    def id_for_label(self, id_: str) -> str:
        return f"{id_}__province" if id_ else id_

    def consistent_chain(self, selections: list[str]) -> list[str]:
        """The longest prefix of ``selections`` where each code is a child of the one
        before and inside the scope; stale choices below a changed select drop out."""
        chain: list[str] = []
        for depth, code in enumerate(selections, start=1):
            if not code or code_level(code) != depth or (chain and not code.startswith(chain[-1] + ".")):
                break
            if not re.match(CODE_PATTERNS[depth], code):  # a tampered or broken link
                break
            if not self.scope.touches(code):
                break
            chain.append(code)
        return chain

    def _options(self, model: type[Region], parent: str | None) -> QuerySet:
        queryset = model.objects.active().only("code", "name")
        if model is not Province:
            queryset = queryset.filter(**{f"{PARENT_FIELD[model]}_id": parent})
        return self.scope.regions(queryset).order_by("name")

    def _cached_options(self, model: type[Region], parent: str | None) -> list[tuple[str, str]]:
        """The choices under ``parent`` within the scope. Region lists change once a year or so
        (``load_regions``), and a choice that went stale still fails the field's validation, so
        they are kept for a few minutes per scope instead of read on every form."""

        def options() -> list[tuple[str, str]]:
            rows: Iterable[Region] = self._options(model, parent)
            if model is Village:
                # Villages must lie inside the scope, not merely touch it.
                rows = [row for row in rows if self.scope.contains(row.code)]
            return [(row.code, f"{row.name} ({row.code})") for row in rows]

        key = f"picker:{model.LEVEL}:{parent or ''}:{','.join(sorted(self.scope.areas))}"
        return cast(list[tuple[str, str]], cache.get_or_set(key, options, REGION_CACHE_SECONDS))

    def build_levels(self, name: str, id_: str, chain: list[str]) -> list[PickerLevel]:
        levels = []
        chain = list(chain)
        for depth, (key, model, label, placeholder) in enumerate(LEVELS, start=1):
            if depth > 1 and len(chain) < depth - 1:
                options: list[tuple[str, str]] = []
            else:
                options = self._cached_options(model, chain[depth - 2] if depth > 1 else None)
            selected = chain[depth - 1] if len(chain) >= depth else ""
            if not selected and len(options) == 1 and len(chain) == depth - 1:
                # Only one choice (an officer of one village): take it, save a tap.
                selected = options[0][0]
                chain.append(selected)
            levels.append(
                PickerLevel(key, f"{name}__{key}", f"{id_}__{key}", str(label), str(placeholder), options, selected)
            )
        return levels

    def picker_url(self, name: str, id_: str) -> str:
        query = urlencode({"name": name, "id": id_, "leaf": "1" if self.leaf_only else "0", "action": self.action})
        return f"{reverse('region-picker')}?{query}"

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        id_ = context["widget"]["attrs"].get("id") or f"id_{name}"
        if self.selection is not None:
            chain = self.consistent_chain(self.selection)
        else:
            code = value.pk if isinstance(value, Village) else str(value or "")
            chain = self.consistent_chain(chain_of(code))
        context["widget"].update(
            picker_id=f"{id_}__picker",
            levels=self.build_levels(name, id_, chain),
            url=self.picker_url(name, id_),
            leaf_only=self.leaf_only,
        )
        return context


def picker_for_request(user: AnyUser, params: Any) -> tuple[RegionPickerWidget, str, str]:
    """Rebuild a picker from the query string of its htmx request. Only names and the
    action come from the client; the scope is always the requesting user's."""
    name = params.get("name", "")
    id_ = params.get("id", "")
    if not SAFE_NAME.match(name) or not SAFE_NAME.match(id_):
        raise ValidationError("bad picker name")
    try:
        action = Action(params.get("action", Action.WRITE))
    except ValueError:
        raise ValidationError("bad picker action") from None
    widget = RegionPickerWidget(leaf_only=params.get("leaf") != "0")
    widget.limit_to(scope_for(user, action), action)
    widget.selection = [params.get(f"{name}__{key}", "").strip() for key, *_rest in LEVELS]
    return widget, name, id_


class VillageField(forms.ModelChoiceField):
    """A village, picked through the cascade, limited to the user's scope.

    Until :meth:`limit_to` is called the field accepts nothing: a form that
    forgets to scope it fails closed."""

    widget = RegionPickerWidget

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("queryset", Village.objects.none())
        kwargs.setdefault("label", _("Village"))
        kwargs.setdefault("widget", RegionPickerWidget(leaf_only=True))
        super().__init__(**kwargs)

    def limit_to(self, user: AnyUser, action: Action = Action.WRITE) -> None:
        scope = scope_for(user, action)
        self.queryset = scope.filter(Village.objects.active(), "code")
        cast(RegionPickerWidget, self.widget).limit_to(scope, action)  # the one __init__ set


class AreaField(forms.CharField):
    """An area at any level: province, regency, district, village, or (left empty) the
    whole country — which only a user with national scope may choose."""

    def __init__(self, *, blank_is_own_scope: bool = False, **kwargs: Any) -> None:
        # For filters: empty means "all of my areas" rather than "the whole country".
        self.blank_is_own_scope = blank_is_own_scope
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("Area"))
        kwargs.setdefault("widget", RegionPickerWidget(leaf_only=False))
        kwargs.setdefault("help_text", "" if blank_is_own_scope else _("Leave empty for the whole country."))
        super().__init__(**kwargs)
        self.scope = Scope.nowhere()

    def limit_to(self, user: AnyUser, action: Action = Action.WRITE) -> None:
        self.scope = scope_for(user, action)
        self.widget.limit_to(self.scope, action)

    def clean(self, value: Any) -> str:
        code = super().clean(value) or ""
        if not code:
            if not self.scope.is_unlimited and not self.blank_is_own_scope:
                raise ValidationError(_("Choose an area inside your own."), code="outside_scope")
            return ""
        model = REGION_MODELS.get(code_level(code))
        if model is None or not model.objects.active().filter(code=code).exists():
            raise ValidationError(_("Unknown region code %(code)s."), code="unknown", params={"code": code})
        if not self.scope.contains(code):
            raise ValidationError(_("Choose an area inside your own."), code="outside_scope")
        return code


F = TypeVar("F", bound=forms.Field)


def form_field(form: forms.BaseForm, name: str, kind: type[F]) -> F:
    """``form.fields[name]``, as the kind of field the form declares it (``VillageField``,
    ``ModelChoiceField``…) to limit its choices or set its queryset."""
    field = form.fields[name]
    if not isinstance(field, kind):
        raise TypeError(f"{type(form).__name__}.{name} is a {type(field).__name__}, not a {kind.__name__}")
    return field


def choice_labels(field: forms.ModelChoiceField, label: Callable[[Any], str]) -> None:
    """Label ``field``'s choices with ``label``, for this form only."""
    # An instance attribute shadowing the method, which is how Django looks the labeller up.
    field.label_from_instance = label  # type: ignore[method-assign,assignment]


class AssignmentForm(forms.ModelForm):
    """Admin form for an assignment: the area through the cascading picker, inside the areas
    whose users the person filling it in manages."""

    area = AreaField()

    class Meta:
        model = Assignment
        fields = ["user", "role", "area", "starts_on", "ends_on", "note"]

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "area", AreaField).limit_to(user, Action.MANAGE_USERS)
        if self.instance.pk:
            self.initial.setdefault("area", self.instance.area_code)

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("role") == "officer" and code_level(cleaned.get("area") or "") == 0:
            self.add_error("area", _("A village officer must be assigned to an area."))
        return cleaned

    def _post_clean(self) -> None:
        self.instance.set_area(self.cleaned_data.get("area") or "")
        super()._post_clean()  # type: ignore[misc]  # Django's private hook, which django-stubs omit


def assignment_form_for(user: AnyUser) -> type[AssignmentForm]:
    """AssignmentForm bound to the user who fills it in (the admin builds form classes itself)."""

    class ScopedAssignmentForm(AssignmentForm):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, user=user, **kwargs)

    return ScopedAssignmentForm


class DateInput(forms.DateInput):
    """The browser's date picker. ``<input type=date>`` reads only ISO dates (2026-11-29): the
    value is written so in every language, whatever the locale's own date format ("29-11-2026"
    in Indonesian would leave the field empty). Typed dates are still read in the locale's
    formats by the form field."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class RupiahInput(forms.TextInput):
    """An amount in rupiah, shown with the language's thousands separators (3.500.000)."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs={"inputmode": "numeric", "autocomplete": "off", **(attrs or {})})

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, int):
            return formats.number_format(value, force_grouping=True)
        return super().format_value(value)


_RUPIAH_GROUPED = re.compile(r"^\d{1,3}(?:[.,\s]\d{3})+$")


class RupiahField(forms.IntegerField):
    """A whole amount of rupiah as people type it: ``3500000``, ``3.500.000``, ``Rp 3.500.000``,
    ``Rp3,500,000`` or ``3.500.000,00``. Rupiah have no cents in practice: ``,50`` is refused
    rather than guessed."""

    widget = RupiahInput
    default_error_messages = {
        "invalid": _("Enter an amount in rupiah, for example 3.500.000."),
        "cents": _("Enter a whole number of rupiah, without cents."),
    }

    def to_python(self, value: Any) -> int | None:
        if isinstance(value, str):
            text = re.sub(r"^(?:rp\.?|idr)", "", value.strip().replace("\u00a0", " "), flags=re.IGNORECASE).strip()
            cents = re.search(r"[.,](\d{1,2})$", text)
            if cents:  # ",00" after thousands groups: the spreadsheet's or the bank's way of writing it
                if int(cents.group(1)):
                    raise ValidationError(self.error_messages["cents"], code="cents")
                text = text[: cents.start()]
            if _RUPIAH_GROUPED.match(text):
                text = re.sub(r"[.,\s]", "", text)
            value = text
        return super().to_python(value)


class VersionedForm(forms.ModelForm):
    """The portal's form of a versioned record: the version the page was opened at (hidden; the
    view checks it on save, desmigratif.records.record_save), the warnings shown after saving,
    and the user it works for, whose areas its choices are cut to."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.warnings: list = []


# --- the admin's forms --------------------------------------------------------------------------------------


class VersionCheckedForm(forms.ModelForm):
    """The lost-update check of the portal (desmigratif.records.record_save), for the admin's forms and
    inline forms of versioned records: the version the page was opened at travels in a hidden
    field; a save checks it with the record's row locked (the admin saves in one transaction)
    and names what someone else changed meanwhile; the saved record's version goes up, so a
    portal form opened before is refused in turn, and a batch import's rollback sees the edit."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.checked_version: int | None = None
        if self.instance.pk is not None and isinstance(self.instance, Versioned) and not self.is_bound:
            # The version stored now, not the instance's: a revert page's instance is a past version.
            stored = type(self.instance)._default_manager.filter(pk=self.instance.pk).values_list("version", flat=True)
            self.fields["expected_version"].initial = stored.first()

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        record = self.instance
        if record.pk is None or not isinstance(record, Versioned) or not self.has_changed():
            return cleaned  # a form left as it was is not saved
        expected = cleaned.get("expected_version")
        model = type(record)
        current = model._default_manager.select_for_update().filter(pk=record.pk).values_list("version", flat=True)
        if expected is None or not current:
            raise forms.ValidationError(_("This page is out of date: reload it and make your changes again."))
        if current[0] != expected:
            conflict = record_conflict(record=model._default_manager.get(pk=record.pk), since_version=expected)
            fields = ", ".join(str(label) for label, _mine, _theirs in changed_field_labels(conflict))
            raise forms.ValidationError(
                _(
                    "Not saved: someone else (%(who)s) saved this record after you opened it, changing: %(fields)s. "
                    "Reload the page and make your changes again."
                )
                % {"who": conflict.changed_by or "—", "fields": fields or "—"}
            )
        self.checked_version = expected
        return cleaned

    def _post_clean(self) -> None:
        super()._post_clean()  # type: ignore[misc]  # Django's private hook, which django-stubs omit
        if self.checked_version is not None:
            self.instance.version = self.checked_version + 1


def admin_form_for(portal_form: type[forms.ModelForm] | None, user: AnyUser) -> type[forms.ModelForm]:
    """The form class of an admin (or inline): the portal's form of the record, so its rules
    (NIK, KK and phone checks, dates, choices cut to the user's areas) hold in the admin too,
    with the version check; the admin instantiates form classes itself, so the user is bound in."""
    if portal_form is None:
        return type("AdminVersionCheckedForm", (VersionCheckedForm,), {})

    # The portal form is a base known at run time only, which mypy cannot check.
    class AdminForm(VersionCheckedForm, portal_form):  # type: ignore[misc,valid-type]
        # The admin shows the version as a read-only field; the portal form's hidden one goes.
        version = None

        class Meta(portal_form.Meta):  # type: ignore[name-defined]  # as its form, known at run time only
            # Every field, as the admin shows without a form of its own (archiving, the parent record).
            fields = "__all__"  # noqa: DJ007

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, user=user, **kwargs)

    AdminForm.__name__ = f"Admin{portal_form.__name__}"
    return AdminForm
