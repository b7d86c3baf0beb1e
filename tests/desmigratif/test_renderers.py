"""The form renderer writes the stock widgets in Python: the markup must be Django's own."""

import datetime
import re

import pytest
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field, as_crispy_form
from django import forms
from django.core.exceptions import ObjectDoesNotExist
from django.forms.renderers import TemplatesSetting
from django.utils.html import escape
from django.utils.safestring import mark_safe

from desmigratif.renderers import FastWidgetRenderer
from desmigratif.templatetags.portal import field_group, form_fields
from households.forms import HouseholdForm, PersonFormSet
from tests.conftest import VILLAGE_A
from tests.factories import HouseholdFactory, PersonFactory


class EveryWidget(forms.Form):
    text = forms.CharField(
        max_length=20, help_text="help", widget=forms.TextInput(attrs={"placeholder": 'a "quote" & <tag>'})
    )
    number = forms.IntegerField(min_value=0, required=False)
    email = forms.EmailField(disabled=True)
    url = forms.URLField(required=False, assume_scheme="https")
    password = forms.CharField(widget=forms.PasswordInput(render_value=True))
    hidden = forms.CharField(widget=forms.HiddenInput)
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    moment = forms.DateTimeField(required=False)
    time = forms.TimeField(required=False)
    agree = forms.BooleanField(required=False)
    search = forms.CharField(widget=forms.SearchInput, required=False)
    phone = forms.CharField(widget=forms.TelInput, required=False)
    colour = forms.CharField(widget=forms.ColorInput, required=False)
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    plain = forms.ChoiceField(choices=[("", "—"), ("a", "A & B"), (1, "<one>")])
    grouped = forms.ChoiceField(
        choices=[("", "any"), ("Asia", [("HK", "Hong Kong"), ("TW", "Taiwan")]), ("Europe", [("DE", "Jerman")])],
        required=False,
    )
    several = forms.MultipleChoiceField(choices=[("x", "X"), ("y", "Y")], required=False)
    boxes = forms.MultipleChoiceField(choices=[("x", "X"), ("y", "Y")], widget=forms.CheckboxSelectMultiple)
    radio = forms.ChoiceField(choices=[("x", "X"), ("y", "Y")], widget=forms.RadioSelect)
    safe = forms.CharField(initial=mark_safe("<b>kept</b>"))


VALUES = [
    {},
    {
        "text": 'x"<y>&z',
        "number": "-3",
        "email": "a@b",
        "password": "s3cret",
        "hidden": "h",
        "date": "2026-02-31",
        "moment": "2026-11-28 10:00",
        "time": "10:61",
        "agree": "on",
        "note": "line one\n<line two>",
        "plain": "1",
        "grouped": "TW",
        "several": ["x", "y"],
        "boxes": ["y"],
        "radio": "x",
    },
]


def render_both(form_factory):
    fast = str(form_factory(FastWidgetRenderer()))
    stock = str(form_factory(TemplatesSetting()))
    return fast, stock


@pytest.mark.parametrize("data", VALUES)
def test_every_stock_widget_renders_as_django_renders_it(data):
    fast, stock = render_both(
        lambda renderer: EveryWidget(data or None, renderer=renderer, initial={"date": datetime.date(2026, 1, 2)})
    )
    assert fast == stock
    assert "&lt;one&gt;" in fast and 'placeholder="a &quot;quote&quot; &amp; &lt;tag&gt;"' in fast


@pytest.mark.django_db
def test_the_household_form_renders_as_django_renders_it(officer_a):
    household = HouseholdFactory(village_id=VILLAGE_A)
    members = PersonFactory.create_batch(2, household=household)

    def rendered(renderer):
        form = HouseholdForm(instance=household, user=officer_a, renderer=renderer)
        formset = PersonFormSet(instance=household, user=officer_a, form_kwargs={"renderer": renderer})
        return str(form) + "".join(str(member) for member in formset.forms)

    fast = rendered(FastWidgetRenderer())
    assert fast == rendered(TemplatesSetting())
    assert all(f'value="{escape(member.name)}"' in fast for member in members)


def squeeze(html: str) -> str:
    """Markup without the whitespace crispy's templates leave between and inside tags."""
    html = re.sub(r"\s+", " ", str(html))
    return re.sub(r"\s*([<>])\s*", r"\1", html).strip()


def portal_forms():
    """Every form class of the pillars that takes the user who fills it in."""
    import childcare.forms
    import cooperatives.forms
    import enterprises.forms
    import households.forms

    for module in (households.forms, enterprises.forms, childcare.forms, cooperatives.forms):
        for name, value in sorted(vars(module).items()):
            if isinstance(value, type) and issubclass(value, forms.BaseForm) and value.__module__ == module.__name__:
                yield name, value


@pytest.mark.django_db
@pytest.mark.parametrize("bound", [False, True])
def test_field_groups_write_what_crispy_writes(officer_a, bound):
    compared = 0
    for name, form_class in portal_forms():
        try:
            mine, theirs = (form_class({"rt": "x"} if bound else None, user=officer_a) for _ in range(2))
        except (TypeError, ObjectDoesNotExist):
            continue  # needs more than the user (a household, an episode): covered below
        if bound:
            mine.is_valid(), theirs.is_valid()
        assert squeeze(form_fields(mine)) == squeeze(as_crispy_form(theirs)), name
        compared += 1
    assert compared >= 8
    household = HouseholdFactory(village_id=VILLAGE_A)
    PersonFactory.create_batch(2, household=household)
    data = {"kk_number": "12", "members-TOTAL_FORMS": "1", "members-INITIAL_FORMS": "0"} if bound else None
    forms_mine = [HouseholdForm(data, instance=household, user=officer_a)]
    forms_theirs = [HouseholdForm(data, instance=household, user=officer_a)]
    forms_mine += PersonFormSet(data, instance=household, user=officer_a).forms
    forms_theirs += PersonFormSet(data, instance=household, user=officer_a).forms
    for mine, theirs in zip(forms_mine, forms_theirs, strict=True):
        for field_mine, field_theirs in zip(mine, theirs, strict=True):
            assert squeeze(field_group(field_mine)) == squeeze(as_crispy_field(field_theirs)), field_mine.name
