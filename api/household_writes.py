"""A household and its members written through the API: the JSON bound to the household's page
forms (households.forms.HouseholdForms). Members the JSON does not name are kept as they are,
as the page keeps the members it drew closed; a member is removed only when asked by name
(``"remove": true``), never because a list left it out."""

from __future__ import annotations

from typing import Any

from django.forms.models import model_to_dict
from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from api.writes import ID_MAX, INT_MAX, errors_of, form_data, form_serializer, read_plainly, record_id
from households.forms import HouseholdForm, HouseholdForms, PersonForm
from households.models import PERSON_FIELDS

MemberWriteSerializer = form_serializer(
    PersonForm,
    "MemberWrite",
    extra={
        "id": record_id("A member's id: changes that member; none: adds one."),
        "remove": serializers.BooleanField(required=False, help_text="Removes the member named by ``id``."),
        "version": serializers.IntegerField(
            required=False,
            min_value=0,
            max_value=INT_MAX,
            help_text="Not checked: the household's version guards its members.",
        ),
    },
)
HouseholdWriteSerializer = form_serializer(
    HouseholdForm,
    "HouseholdWrite",
    extra={
        "members": MemberWriteSerializer(
            many=True, required=False, help_text="Members to add or change; members not named are kept as they are."
        )
    },
)
PersonWriteSerializer = form_serializer(
    PersonForm,
    "PersonWrite",
    extra={
        "version": serializers.IntegerField(
            required=False, min_value=0, max_value=INT_MAX, help_text="The version the change starts from."
        )
    },
)
PersonCreateSerializer = form_serializer(
    PersonForm,
    "PersonCreate",
    extra={"household": serializers.IntegerField(min_value=1, max_value=ID_MAX, help_text="The household joined.")},
)


class Bound:
    """The household's forms bound to a write, and which member of the JSON each member form is."""

    def __init__(self, forms: HouseholdForms, payload_index: list[int | None], members_sent: int) -> None:
        self.forms = forms
        self.payload_index = payload_index
        self.members_sent = members_sent

    def refusal(self) -> ValidationError:
        """The forms' errors, each member's at its place in the JSON's ``members``."""
        errors: dict[str, Any] = errors_of(self.forms.form)
        members: list[dict[str, list[str]]] = [{} for _ in range(self.members_sent)]
        for form, index in zip(self.forms.members.forms, self.payload_index, strict=True):
            if form.errors and index is not None:
                members[index] = errors_of(form)
        if any(members):
            errors["members"] = members
        general = [str(message) for message in self.forms.members.non_form_errors()]
        if general:
            errors["non_field_errors"] = [*errors.get("non_field_errors", []), *general]
        return ValidationError(errors)


def household_bind(forms: HouseholdForms, values: dict[str, Any], *, user: Any, version: int | None) -> Bound:
    """Bind a household's forms (``forms``, unbound: a new household's or a saved one's) to a
    write's ``values``. A saved household's fields not in ``values`` keep their value."""
    household = forms.form.instance
    saved = household.pk is not None
    data = form_data(forms.form, {name: value for name, value in values.items() if name != "members"})
    if version is not None:
        data["version"] = version
    sent = values.get("members") or []
    named = {member["id"]: index for index, member in enumerate(sent) if member.get("id") is not None}
    persons = list(household.members.order_by("id")) if saved else []
    strangers = {index for pk, index in named.items() if pk not in {person.pk for person in persons}}
    if strangers:
        raise ValidationError(
            {
                "members": [
                    {"id": [_("Not a member of this household.")]} if index in strangers else {}
                    for index in range(len(sent))
                ]
            }
        )
    rows: list[dict[str, Any]] = []
    payload_index: list[int | None] = []
    for person in persons:
        index = named.get(person.pk)
        if index is None:  # kept as it is, as a member the page drew closed and nobody opened
            rows.append({"id": person.pk, "closed": "1"})
        else:
            changes = {name: value for name, value in sent[index].items() if name in PERSON_FIELDS}
            row = {"id": person.pk, **model_to_dict(person, fields=PERSON_FIELDS), **changes}
            if sent[index].get("remove"):
                row["DELETE"] = True
            rows.append(row)
        payload_index.append(index)
    for index, member in enumerate(sent):
        if member.get("id") is None and not member.get("remove"):
            rows.append({name: value for name, value in member.items() if name in PERSON_FIELDS})
            payload_index.append(index)
    prefix = forms.members.prefix
    data |= {
        f"{prefix}-TOTAL_FORMS": len(rows),
        f"{prefix}-INITIAL_FORMS": len(persons),
        f"{prefix}-MIN_NUM_FORMS": 0,
        f"{prefix}-MAX_NUM_FORMS": 1000,
    }
    for number, row in enumerate(rows):
        data |= {f"{prefix}-{number}-{name}": value for name, value in row.items()}
    bound = HouseholdForms.of(household, user=user, data=data)
    for form in (bound.form, *bound.members.forms):
        read_plainly(form)
    return Bound(bound, payload_index, len(sent))
