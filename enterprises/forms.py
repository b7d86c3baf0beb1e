"""Forms of pillar 2. Choices of villages, households and persons come from the access
module, so a form can only point at records of the user's own areas."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from desmigratif.access import Action, AnyUser, scoped
from desmigratif.forms import DateInput, RupiahField, VersionedForm, VillageField, choice_labels, form_field
from desmigratif.pickers import PickerFilter, SearchPicker, SearchPickerMultiple
from enterprises.models import Category, Channel, Enterprise, EquipmentAid, MentoringVisit, Training
from households.models import Household, Person


class EnterpriseForm(VersionedForm):
    channels = forms.MultipleChoiceField(
        label=_("Marketing channels"), choices=Channel.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Enterprise
        fields = ["name", "category", "members", "started_on", "status", "turnover", "channels", "export_ready"]
        widgets = {
            "started_on": DateInput,
            "members": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        form_field(self, "category", forms.ModelChoiceField).queryset = Category.objects.active()
        # The persons working in it: members of the owner household, and any already chosen.
        owner = self.instance.owner
        chosen = self.instance.members.all() if self.instance.pk else Person.objects.none()
        members = form_field(self, "members", forms.ModelMultipleChoiceField)
        members.queryset = scoped(Person.objects.filter(household=owner) | chosen, user, Action.WRITE).distinct()
        choice_labels(members, lambda person: person.name)


class TrainingForm(VersionedForm):
    village = VillageField()

    class Meta:
        model = Training
        fields = ["village", "kind", "topic", "starts_on", "ends_on", "place", "trainer", "organiser"]
        widgets = {
            "starts_on": DateInput,
            "ends_on": DateInput,
        }

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        form_field(self, "village", VillageField).limit_to(user, Action.WRITE)


class AttendanceForm(forms.Form):
    """Register many participants at once, found by name or NIK among the persons of the
    training's village (optionally of one dusun); the participants so far are on top."""

    persons = forms.ModelMultipleChoiceField(
        label=_("Participants"),
        queryset=Person.objects.none(),
        required=False,
        widget=SearchPickerMultiple(search=lambda people, term: people.found_by(term), placeholder=_("Name or NIK")),
    )

    def __init__(self, *args: Any, training: Training, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        households = Household.objects.current().filter(village=training.village)
        people = Person.objects.filter(household__in=households).select_related("household")
        persons = form_field(self, "persons", forms.ModelMultipleChoiceField)
        persons.queryset = scoped(people, user, Action.WRITE).order_by("name", "id")
        choice_labels(persons, person_label)
        persons.initial = list(training.participants.values_list("pk", flat=True))
        dusuns = households.exclude(dusun="").order_by("dusun").values_list("dusun", flat=True).distinct()
        cast(SearchPicker, persons.widget).filters = [
            PickerFilter(
                key="dusun",
                label=_("Dusun"),
                choices=list(dusuns[:200]),
                apply=lambda people, dusun: people.filter(household__dusun=dusun),
            )
        ]


def person_label(person: Person) -> str:
    """A person as a picker lists them: name, then where to find the family."""
    where = " · ".join(part for part in (person.household.dusun, f"KK {person.household.kk_number}") if part)
    return f"{person.name} ({where})"


class MentoringVisitForm(VersionedForm):
    class Meta:
        model = MentoringVisit
        fields = ["visited_on", "mentor", "notes", "next_step"]
        widgets = {"visited_on": DateInput}


class EquipmentAidForm(VersionedForm):
    class Meta:
        model = EquipmentAid
        fields = ["item", "quantity", "value", "given_on", "source"]
        widgets = {"given_on": DateInput}
        field_classes = {"value": RupiahField}
