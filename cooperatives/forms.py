"""Forms of pillar 4 and of village facilities; every choice is cut to the user's areas."""

from __future__ import annotations

from typing import Any

from django import forms

from cooperatives.models import Cooperative, Facility, Membership
from desmigratif.access import Action, AnyUser, scoped
from desmigratif.forms import DateInput, RupiahField, VersionedForm, VillageField, form_field
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
            "enterprises": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        form_field(self, "village", VillageField).limit_to(user, Action.WRITE)
        enterprises = form_field(self, "enterprises", forms.ModelMultipleChoiceField)
        enterprises.queryset = scoped(Enterprise.objects.all(), user, Action.WRITE)


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
        households = Household.objects.current().filter(village_id__in=villages).order_by("kk_number")
        household = form_field(self, "household", forms.ModelChoiceField)
        household.queryset = scoped(households, user, Action.WRITE)
        household.required = True


class FacilityForm(VersionedForm):
    village = VillageField()

    class Meta:
        model = Facility
        fields = ["village", "kind", "status", "status_on", "funder", "notes"]
        widgets = {"status_on": DateInput}

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        form_field(self, "village", VillageField).limit_to(user, Action.WRITE)
