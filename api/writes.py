"""Writes through the API are the portal's own forms: a request's JSON is typed by a serializer
made from the form's fields (which the schema documents), then bound to the very form the
page binds, so an API client meets every rule an officer meets, and the warnings the form
keeps come back with the answer instead of being dropped. Updates name the version they start
from (``If-Match``, or ``version`` in the body) and are refused with the current version when
someone saved meanwhile; creates take an ``Idempotency-Key``."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any, TypeVar, cast

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.db import models
from django.http import Http404
from django.urls import resolve
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from desmigratif.forms import VillageField
from desmigratif.idempotency import submission_claim
from desmigratif.records import StaleRecordError
from households.validators import Finding

IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9_.:-]{8,64}$")
# Numbers PostgreSQL can take (a bigint id, an integer column): larger ones are refused as
# input, not sent to the database to fail there.
ID_MAX = 2**63 - 1
INT_MAX = 2**31 - 1
VERSION_TAG = re.compile(r'^(?:W/)?"?(\d{1,9})"?$')


class PreconditionRequired(APIException):
    status_code = 428
    default_detail = "Name the version the change starts from: an If-Match header or `version` in the body."
    default_code = "version_required"


class KeyInUse(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "idempotency_key_in_use"


# --- the request's JSON, typed from the form's fields ---------------------------------------------


def _serializer_field(field: forms.Field) -> serializers.Field:
    options: dict[str, Any] = {"required": False, "help_text": str(field.help_text or field.label or "")}
    if isinstance(field, forms.ModelMultipleChoiceField):
        return serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=ID_MAX), **options)
    if isinstance(field, forms.ModelChoiceField):
        model = field.queryset.model if field.queryset is not None else None
        if isinstance(field, VillageField) or model is None or not isinstance(model._meta.pk, models.AutoField):
            return serializers.CharField(allow_blank=True, allow_null=True, max_length=40, **options)  # a code
        return serializers.IntegerField(allow_null=True, min_value=1, max_value=ID_MAX, **options)
    if isinstance(field, forms.BooleanField):
        return serializers.BooleanField(**options)
    if isinstance(field, forms.DateField):
        return serializers.DateField(allow_null=True, **options)
    if isinstance(field, forms.IntegerField):
        return serializers.IntegerField(allow_null=True, min_value=-INT_MAX, max_value=INT_MAX, **options)
    if isinstance(field, forms.DecimalField):
        return serializers.DecimalField(
            max_digits=None, decimal_places=None, allow_null=True, coerce_to_string=False, **options
        )
    if isinstance(field, forms.MultipleChoiceField):
        return serializers.ListField(child=serializers.CharField(), **options)
    if isinstance(field, forms.ChoiceField) and field.choices:
        choices = [(value, label) for value, label in cast(Iterable, field.choices) if value != ""]
        return serializers.ChoiceField(choices=choices, allow_blank=True, allow_null=True, **options)
    return serializers.CharField(allow_blank=True, allow_null=True, trim_whitespace=False, **options)


def form_serializer(
    form_class: type[forms.Form | forms.ModelForm],
    name: str,
    *,
    leave_out: Iterable[str] = (),
    extra: dict[str, serializers.Field] | None = None,
) -> type[serializers.Serializer]:
    """The JSON a write of ``form_class`` takes: each field of the form typed as the form takes
    it, none required here (the form says what a record needs)."""
    fields = {
        field_name: _serializer_field(field)
        for field_name, field in form_class.base_fields.items()
        if field_name not in set(leave_out)
    }
    return type(name, (serializers.Serializer,), {**fields, **(extra or {})})


def record_id(help_text: str) -> serializers.IntegerField:
    """A field naming a record by its id (the person a stay is of), not required by the schema."""
    return serializers.IntegerField(required=False, min_value=1, max_value=ID_MAX, help_text=help_text)


def typed(serializer_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    """The request's JSON as the serializer types it (400 on a wrong type, or on a field the
    write does not know: a misspelt field would else be dropped without a word)."""
    if not isinstance(request.data, dict):
        raise ValidationError({"non_field_errors": [_("Send a JSON object.")]})
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    unknown = sorted(set(request.data) - set(serializer.fields) - READ_ONLY)
    if unknown:
        raise ValidationError({name: [_("Not a field of this write.")] for name in unknown})
    return dict(serializer.validated_data)


# What a client may send back unchanged from a record it read: ignored, not refused.
READ_ONLY = frozenset(
    {
        "id",
        "created_at",
        "updated_at",
        "validation_warnings",
        "follow_ups",
        "warnings",
        # A stay's confirmation by a placement list: set by an applied extract only (placements/).
        "placement_source",
        "placement_verified_on",
    }
)


def form_data(form: forms.BaseForm, values: dict[str, Any]) -> dict[str, Any]:
    """What to bind ``form`` to: ``values`` over what the unbound ``form`` shows (a saved
    record's values; a new one's defaults, as the page prefills them): a field the JSON leaves
    out is left as the officer would leave it."""
    start = {name: form[name].initial for name in form.fields}
    return {**start, **{name: value for name, value in values.items() if name in form.fields}}


F = TypeVar("F", bound=forms.BaseForm)


def read_plainly(form: F) -> F:
    """Make ``form`` read each field's value from the JSON under the field's own name, not
    through the page's widgets (a village's cascade of selects, a search picker): only how a
    value is read changes, never how it is judged."""
    for field in form.fields.values():
        if isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
            field.widget = forms.SelectMultiple()
        elif not isinstance(field.widget, forms.CheckboxInput | forms.HiddenInput):
            field.widget = forms.TextInput()
    return form


def errors_of(form: forms.BaseForm) -> dict[str, list[str]]:
    return {
        ("non_field_errors" if field == NON_FIELD_ERRORS else field): [str(m) for m in messages]
        for field, messages in form.errors.items()
    }


# --- versions -------------------------------------------------------------------------------------


def expected_version(request: Request, values: dict[str, Any]) -> tuple[int, bool]:
    """The version an update starts from, and whether the client named it in ``If-Match``
    (a stale one is then 412, as HTTP has it, rather than the 409 of a stale ``version``)."""
    header = request.headers.get("If-Match", "").strip()
    if header:
        match = VERSION_TAG.match(header)
        if match is None:
            raise ValidationError({"If-Match": [_("Not a version of this record.")]})
        return int(match.group(1)), True
    if values.get("version") is not None:
        return int(values["version"]), False
    raise PreconditionRequired(_("Name the version the change starts from: an If-Match header or “version”."))


def conflict_response(conflict: StaleRecordError, *, by_header: bool, current: dict[str, Any]) -> Response:
    """Nothing was written: who saved meanwhile, what they changed, and the record as it is now,
    with its version to start again from."""
    version = conflict.current.version
    body = {
        "detail": _("Not saved: someone else saved this record since the version you started from."),
        "current_version": version,
        "changed_by": conflict.changed_by,
        "changed_fields": [
            {"field": name.removesuffix("_id"), "yours": mine, "saved": theirs}
            for name, (mine, theirs) in conflict.changed_fields.items()
        ],
        "current": current,
    }
    code = status.HTTP_412_PRECONDITION_FAILED if by_header else status.HTTP_409_CONFLICT
    return Response(body, status=code, headers={"ETag": f'"{version}"'})


def warnings_shown(warnings: Iterable[Finding]) -> list[dict[str, str]]:
    return [{"field": w.field, "code": w.code, "message": w.message} for w in warnings]


# --- idempotent creates ---------------------------------------------------------------------------


def idempotent(request: Request, create: Callable[[], Response], replay: Callable[[int], Response]) -> Response:
    """Run ``create`` once per ``Idempotency-Key`` of the user: a request that brings a key whose
    create succeeded gets the record it made (``replay``, with ``Idempotent-Replayed``), not a
    second one; a create refused or failed frees its key for the corrected request."""
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key:
        return create()
    if not IDEMPOTENCY_KEY.match(key):
        raise ValidationError({"Idempotency-Key": [_("8 to 64 letters, digits or - _ . :")]})
    claim = submission_claim(user=request.user, key=key, path=request.path)
    if not claim.is_ours:
        earlier = claim.record
        if earlier.path != request.path[:300]:
            raise ValidationError({"Idempotency-Key": [_("This key was used for another request.")]})
        if not earlier.location:
            raise KeyInUse(_("A request with this key is still at work: ask again in a moment."))
        try:
            pk = int(resolve(earlier.location).kwargs["pk"])
        except (Http404, KeyError, ValueError):
            raise ValidationError({"Idempotency-Key": [_("This key was used for another request.")]}) from None
        response = replay(pk)
        response["Idempotent-Replayed"] = "true"
        return response
    try:
        response = create()
    except BaseException:
        claim.record.delete()
        raise
    if response.status_code == status.HTTP_201_CREATED:
        claim.record.location = response["Location"][:500]
        claim.record.save(update_fields=["location"])
    else:
        claim.record.delete()
    return response


# --- what the schema says of writes ---------------------------------------------------------------

IDEMPOTENCY_PARAMETER = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="Any 8 to 64 letters, digits or - _ . : of the client's choosing: the same request sent again "
    "with it (an answer lost on the way) gets the record the first one made, not a second record.",
)
IF_MATCH_PARAMETER = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description='The version the change starts from ("7", as the ETag of the record\'s read); or send `version`.',
)


class WarningSerializer(serializers.Serializer):
    field = serializers.CharField()
    code = serializers.CharField()
    message = serializers.CharField()


class ConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    current_version = serializers.IntegerField()
    changed_by = serializers.CharField()
    changed_fields = serializers.ListField(child=serializers.DictField())
    current = serializers.DictField(help_text="The record as it is now.")


_WRITTEN: dict[type, type[serializers.Serializer]] = {}


def written(read_serializer: type[serializers.Serializer]) -> type[serializers.Serializer]:
    """The answer to a write: the record as read, and the warnings the write recorded (one
    class per record's serializer: the schema names it once)."""
    if read_serializer in _WRITTEN:
        return _WRITTEN[read_serializer]
    body: dict[str, Any] = {
        "warnings": WarningSerializer(many=True, read_only=True, help_text="Kept with the record, not blocking.")
    }
    meta = getattr(read_serializer, "Meta", None)
    if meta is not None:
        body["Meta"] = type("Meta", (meta,), {"fields": [*meta.fields, "warnings"]})
    _WRITTEN[read_serializer] = type(f"Written{read_serializer.__name__}", (read_serializer,), body)
    return _WRITTEN[read_serializer]


def write_responses(read_serializer: type[serializers.Serializer], *, create: bool) -> dict[int, Any]:
    answers: dict[int, Any] = {
        201 if create else 200: written(read_serializer),
        400: OpenApiResponse(description="Refused by the form's rules: the errors per field."),
        403: OpenApiResponse(description="The user writes in no village."),
    }
    if not create:
        answers |= {
            409: ConflictSerializer,
            412: ConflictSerializer,
            428: OpenApiResponse(description="No version named."),
        }
    return answers
