"""Forms of pillar 3; every choice is cut to the user's areas and to the child's village."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from childcare.models import ActivityKind, Child, LearningHouse, Session
from desmigratif.access import Action, AnyUser, scoped
from desmigratif.forms import DateInput, VersionedForm, VillageField, choice_labels, form_field
from desmigratif.pickers import SearchPickerMultiple
from households.models import Person


class LearningHouseForm(VersionedForm):
    village = VillageField()

    class Meta:
        model = LearningHouse
        fields = ["village", "name", "address", "opened_on", "facilitators", "is_active"]
        widgets = {"opened_on": DateInput}

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        form_field(self, "village", VillageField).limit_to(user, Action.WRITE)


class ChildForm(VersionedForm):
    class Meta:
        model = Child
        fields = [
            "learning_house",
            "parents_abroad",
            "caregiver",
            "caregiver_relationship",
            "school_status",
            "school_level",
        ]
        widgets = {"parents_abroad": forms.CheckboxSelectMultiple}

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        household = self.instance.person.household
        form_field(self, "learning_house", forms.ModelChoiceField).queryset = scoped(
            LearningHouse.objects.filter(village_id=household.village_id, is_active=True), user, Action.WRITE
        )
        # Parents abroad: the stays of the child's household members; the caregiver: one of them.
        relatives = Person.objects.filter(household=household).exclude(pk=self.instance.person_id)
        parents_abroad = form_field(self, "parents_abroad", forms.ModelMultipleChoiceField)
        stays = cast(QuerySet, parents_abroad.queryset)  # the model field's, which the ModelForm set
        parents_abroad.queryset = scoped(
            stays.filter(person__in=relatives).select_related("person"),
            user,
            Action.WRITE,
        )
        choice_labels(
            parents_abroad,
            lambda episode: f"{episode.person.name}: {episode.get_status_display()} {episode.destination_country}",
        )
        form_field(self, "caregiver", forms.ModelChoiceField).queryset = scoped(relatives, user, Action.WRITE)


class SessionForm(VersionedForm):
    class Meta:
        model = Session
        fields = ["kind", "held_on", "facilitator", "children", "caregivers"]
        widgets = {
            "held_on": DateInput,
            "children": SearchPickerMultiple(search=lambda children, term: children.found_by(term)),
            "caregivers": SearchPickerMultiple(
                search=lambda people, term: people.found_by(term), placeholder=_("Name of a caregiver")
            ),
        }

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        house = self.instance.learning_house
        form_field(self, "kind", forms.ModelChoiceField).queryset = ActivityKind.objects.active()
        children = form_field(self, "children", forms.ModelMultipleChoiceField)
        children.queryset = scoped(
            Child.objects.filter(learning_house=house).select_related("person").order_by("person__name", "pk"),
            user,
            Action.WRITE,
        )
        choice_labels(children, lambda child: child.person.name)
        caregivers = form_field(self, "caregivers", forms.ModelMultipleChoiceField)
        caregivers.queryset = scoped(
            Person.objects.filter(cared_for__learning_house=house).distinct().order_by("name", "pk"),
            user,
            Action.WRITE,
        )
        choice_labels(caregivers, lambda person: person.name)
        caregivers.help_text = _("For parenting classes.")

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        kind = cleaned.get("kind")
        if cleaned.get("caregivers") and kind is not None and not kind.for_caregivers:
            self.add_error("caregivers", _("Caregivers are recorded for parenting classes only."))
        return cleaned
