"""The cascading village picker: scoped options, server-side validation, no 83k-option selects."""

import pytest
from django import forms
from django.urls import reverse

from desmigratif.access import Action
from desmigratif.forms import AreaField, VillageField
from desmigratif.models import Village
from tests.conftest import VILLAGE_A, VILLAGE_A_NEIGHBOUR, VILLAGE_B

pytestmark = pytest.mark.django_db


class VillageForm(forms.Form):
    village = VillageField()

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].limit_to(user, Action.WRITE)


def picker_data(code, name="village"):
    parts = code.split(".")
    keys = ["province", "regency", "district", "village"]
    return {f"{name}__{key}": ".".join(parts[: i + 1]) for i, key in enumerate(keys[: len(parts)])}


def test_officer_can_pick_their_village_only(officer_a):
    form = VillageForm(picker_data(VILLAGE_A), user=officer_a)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["village"] == Village.objects.get(code=VILLAGE_A)
    for other in (VILLAGE_A_NEIGHBOUR, VILLAGE_B):
        form = VillageForm(picker_data(other), user=officer_a)
        assert not form.is_valid()
        assert "village" in form.errors


def test_coordinator_cannot_pick_for_writing(coordinator):
    assert not VillageForm(picker_data(VILLAGE_A), user=coordinator).is_valid()


def test_unscoped_field_accepts_nothing(administrator):
    class Unscoped(forms.Form):
        village = VillageField()

    assert not Unscoped(picker_data(VILLAGE_A)).is_valid()


def test_picking_only_a_district_is_not_a_village(administrator):
    form = VillageForm(picker_data("32.12.16"), user=administrator)
    assert not form.is_valid()


def test_officer_picker_is_preselected_down_to_their_village(officer_a):
    html = VillageForm(user=officer_a)["village"].as_widget()
    assert f'value="{VILLAGE_A}" selected' in html
    assert "33.07" not in html


def test_administrator_picker_starts_with_provinces_only(administrator):
    html = VillageForm(user=administrator)["village"].as_widget()
    assert html.count("<option") < 60  # 38 provinces plus placeholders, never villages
    assert 'value="32"' in html and 'value="33"' in html
    assert VILLAGE_A not in html


def test_picker_fragment_cascades(client, administrator):
    client.force_login(administrator)
    url = reverse("region-picker")
    params = {"name": "village", "id": "id_village", "leaf": "1", "action": "write"}
    html = client.get(url, {**params, "village__province": "32"}).content.decode()
    assert 'value="32.12"' in html and 'value="32.13"' in html
    assert VILLAGE_A not in html
    html = client.get(url, {**params, **picker_data("32.12.16")}).content.decode()
    assert f'value="{VILLAGE_A}"' in html and f'value="{VILLAGE_A_NEIGHBOUR}"' in html


def test_picker_fragment_drops_stale_choices_below_a_changed_select(client, administrator):
    client.force_login(administrator)
    params = {
        "name": "village",
        "id": "id_village",
        "leaf": "1",
        "action": "write",
        "village__province": "33",
        "village__regency": "32.12",
        "village__district": "32.12.16",
    }
    html = client.get(reverse("region-picker"), params).content.decode()
    assert 'value="33.07"' in html
    assert 'value="32.12.16"' not in html


def test_picker_fragment_is_scoped_to_the_requesting_user(client, officer_a):
    client.force_login(officer_a)
    params = {"name": "village", "id": "id_village", "leaf": "1", "action": "write", **picker_data("33.07.10")}
    html = client.get(reverse("region-picker"), params).content.decode()
    assert "33.07" not in html
    assert f'value="{VILLAGE_A}" selected' in html  # falls back to what the officer may pick


def test_picker_fragment_rejects_bad_names_and_anonymous(client, officer_a):
    url = reverse("region-picker")
    assert client.get(url, {"name": "x", "id": "y"}).status_code == 302
    client.force_login(officer_a)
    assert client.get(url, {"name": "<script>", "id": "y"}).status_code == 400
    assert client.get(url, {"name": "x", "id": "y", "action": "destroy"}).status_code == 400


def test_area_field_accepts_any_level_inside_scope(coordinator, administrator):
    field = AreaField()
    field.limit_to(coordinator, Action.READ)
    assert field.clean("32.12.16") == "32.12.16"
    with pytest.raises(forms.ValidationError):
        field.clean("33.07")
    with pytest.raises(forms.ValidationError):
        field.clean("")  # the whole country is not inside a regency
    field.limit_to(administrator, Action.WRITE)
    assert field.clean("") == ""
    with pytest.raises(forms.ValidationError):
        field.clean("32.99")  # no such regency
