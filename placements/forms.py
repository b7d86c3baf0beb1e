from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from desmigratif.access import Action, AnyUser
from desmigratif.forms import AreaField, DateInput, form_field
from placements.models import PlacementBatch


class PlacementUploadForm(forms.Form):
    file = forms.FileField(label=_("Extract (CSV or XLSX)"))
    area = AreaField(label=_("Area the extract covers"), required=True, help_text="")
    source = forms.ChoiceField(label=_("Source"), choices=PlacementBatch.Source.choices)
    extracted_on = forms.DateField(label=_("Date of the extract"), widget=DateInput)

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "area", AreaField).limit_to(user, Action.APPROVE)
        self.fields["extracted_on"].initial = timezone.localdate()

    def clean_extracted_on(self) -> Any:
        day = self.cleaned_data["extracted_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("An extract is made on or before today."))
        return day
