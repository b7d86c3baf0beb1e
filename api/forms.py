from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

VALIDITY_DAYS = [(30, _("30 days")), (90, _("90 days")), (365, _("One year"))]


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=80, help_text=_("What the token is for, e.g. “OpenSID Kenanga”.")
    )
    days = forms.TypedChoiceField(label=_("Valid for"), choices=VALIDITY_DAYS, coerce=int, initial=90)
