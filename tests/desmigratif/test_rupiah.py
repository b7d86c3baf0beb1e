"""Amounts in rupiah are read as people type them and shown with thousands separators."""

import pytest
from django import forms as django_forms
from django.utils import translation

from desmigratif.forms import RupiahField


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("3500000", 3_500_000),
        ("3.500.000", 3_500_000),
        ("Rp 3.500.000", 3_500_000),
        ("Rp3.500.000,00", 3_500_000),
        ("rp. 3.500.000", 3_500_000),
        ("IDR 3,500,000", 3_500_000),
        ("3 500 000", 3_500_000),
        ("3\u00a0500\u00a0000", 3_500_000),
        ("750.000", 750_000),
        ("0", 0),
    ],
)
def test_amounts_are_read_as_typed(typed, amount):
    assert RupiahField(min_value=0).clean(typed) == amount


@pytest.mark.parametrize("typed", ["3.500.000,50", "3,5 juta", "3.50.000", "-", "Rp"])
def test_what_is_not_an_amount_is_refused(typed):
    with pytest.raises(django_forms.ValidationError):
        RupiahField(min_value=0).clean(typed)


def test_amounts_are_shown_with_the_languages_separators():
    widget = RupiahField().widget
    with translation.override("id"):
        assert 'value="3.500.000"' in widget.render("value", 3_500_000)
    with translation.override("en"):
        assert 'value="3,500,000"' in widget.render("value", 3_500_000)
    assert 'inputmode="numeric"' in widget.render("value", None)
