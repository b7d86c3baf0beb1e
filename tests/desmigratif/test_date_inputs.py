"""Every date the portal's forms ask for is a browser date picker that carries an ISO value, in
every language: ``<input type=date>`` reads nothing else ("29-11-2026" leaves it empty)."""

import datetime
import importlib
import inspect

import pytest
from django import forms
from django.utils import translation

MODULES = ["households.forms", "enterprises.forms", "childcare.forms", "cooperatives.forms"]


def date_fields():
    for module_name in MODULES:
        module = importlib.import_module(module_name)
        for name, form_class in inspect.getmembers(module, inspect.isclass):
            if issubclass(form_class, forms.BaseForm) and form_class.__module__ == module_name:
                for field_name, field in form_class.base_fields.items():
                    if isinstance(field, forms.DateField):
                        yield f"{name}.{field_name}", field


@pytest.mark.parametrize("language", ["id", "en"])
def test_every_date_field_carries_an_iso_value(language):
    found = list(date_fields())
    assert len(found) > 15  # the scan sees the forms
    with translation.override(language):
        for where, field in found:
            html = field.widget.render("day", datetime.date(2026, 11, 29))
            assert 'type="date"' in html and 'value="2026-11-29"' in html, where
            assert field.clean("2026-11-29") == datetime.date(2026, 11, 29), where
