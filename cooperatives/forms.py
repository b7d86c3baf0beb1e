"""Forms of pillar 4 and of village facilities; every choice is cut to the user's areas."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cooperatives.models import Cooperative, Facility, Membership
from desmigratif.access import Action, AnyUser, scoped
from desmigratif.forms import DateInput, RupiahField, VersionedForm, VillageField, choice_labels, form_field
from desmigratif.pickers import SearchPicker, SearchPickerMultiple
from enterprises.models import Enterprise
from households.models import Household


class CooperativeForm(VersionedForm):
    village = VillageField()

    class Meta:
        model = Cooperative
        fields = [
            "village",
            "kind",
            "name",
            "legal_number",
            "legal_date",
            "founded_on",
            "business_lines",
            "status",
            "enterprises",
        ]
        widgets = {
            "legal_date": DateInput,
            "founded_on": DateInput,
            "enterprises": SearchPickerMultiple(
                search=lambda enterprises, term: enterprises.filter(name__icontains=term),
                placeholder=_("Name of an enterprise"),
            ),
        }

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        form_field(self, "village", VillageField).limit_to(user, Action.WRITE)
        enterprises = form_field(self, "enterprises", forms.ModelMultipleChoiceField)
        enterprises.queryset = scoped(Enterprise.objects.order_by("name", "pk"), user, Action.WRITE)


class MembershipForm(VersionedForm):
    class Meta:
        model = Membership
        fields = ["household", "joined_on", "left_on", "share_capital", "savings"]
        widgets = {
            "joined_on": DateInput,
            "left_on": DateInput,
        }
        field_classes = {"share_capital": RupiahField, "savings": RupiahField}

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        cooperative = self.instance.cooperative
        villages = [cooperative.village_id, *cooperative.villages_served.values_list("code", flat=True)]
        households = Household.objects.current().filter(village_id__in=villages).prefetch_related("members")
        household = form_field(self, "household", forms.ModelChoiceField)
        household.queryset = scoped(households, user, Action.WRITE).order_by("kk_number", "id")
        household.required = True
        household.widget = SearchPicker(
            search=lambda found, term: found.found_by(term), placeholder=_("Name of a member, NIK or No. KK")
        )
        household.widget.choices = household.choices
        choice_labels(household, household_label)


def household_label(household: Household) -> str:
    """A household as a picker lists it: its head's name, then its No. KK."""
    head = household.head
    return f"{head.name if head else _('(no members)')} · KK {household.kk_number or '—'}"


class FacilityForm(VersionedForm):
    village = VillageField()

    class Meta:
        model = Facility
        fields = ["village", "kind", "status", "status_on", "funder", "notes"]
        widgets = {"status_on": DateInput}

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        form_field(self, "village", VillageField).limit_to(user, Action.WRITE)
