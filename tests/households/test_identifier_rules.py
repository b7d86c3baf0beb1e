"""One house for the identifier rules (issue 15): NIK, No. KK and phone numbers (and the loose
passport and BPJS rules) are judged by the record's own validation
(households.models.IdentifierRules). The portal's forms, the admin's forms, the admin's import
and a plain full_clean() therefore refuse, normalise and warn alike: the same message on the
same field, the same number stored, the same warnings kept."""

from __future__ import annotations

import datetime
import inspect

import pytest
import tablib
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from desmigratif.models import Role
from households import forms as household_forms
from households.forms import EpisodeForm, HouseholdForm, PersonForm
from households.models import Household, KKNumber, MigrationEpisode, Person
from households.resources import HouseholdResource, PersonResource
from tests.admin_pages import admin_form_data
from tests.conftest import VILLAGE_A
from tests.factories import AssignmentFactory, EpisodeFactory, HouseholdFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db

NIK = "3212161204900001"  # a man born 12-04-1990, Sindang
KK = "3212161503180007"  # issued 15-03-2018, Sindang


@pytest.fixture(autouse=True)
def indonesian():
    # The admin's pages answer in the portal's default language; the forms and full_clean()
    # called here speak it too, so their messages can be compared word for word.
    with translation.override("id"):
        yield


@pytest.fixture
def staff(db):
    """A staff officer of village A who may view, add and change pillar 1's records in the admin."""
    user = UserFactory(username="staff.identifiers", is_staff=True)
    AssignmentFactory(user=user, role=Role.OFFICER, area=VILLAGE_A)
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="households", codename__regex=r"^(view|add|change)_")
    )
    return user


def change_url(record) -> str:
    return reverse(f"admin:households_{record._meta.model_name}_change", args=[record.pk])


def admin_post(client, record, **changes):
    """The record's admin change page, posted as the browser would with ``changes`` typed in."""
    data = admin_form_data(client.get(change_url(record)), type(record))
    return client.post(change_url(record), {**data, **changes})


def admin_errors(response) -> dict[str, list[str]]:
    assert response.status_code == 200, "the admin saved what it should have refused"
    return {name: list(errors) for name, errors in response.context["adminform"].form.errors.items()}


def household_data(**overrides) -> dict[str, str]:
    return {
        "village__province": "32",
        "village__regency": "32.12",
        "village__district": "32.12.16",
        "village__village": VILLAGE_A,
        "kk_number": KK,
        "dusun": "Blok A",
        "rt": "1",
        "rw": "2",
        "address": "",
        "phone": "",
        **overrides,
    }


def person_data(**overrides) -> dict[str, str]:
    return {"nik": NIK, "name": "Ahmad", "sex": "M", "birth_date": "1990-04-12", "relationship": "head", **overrides}


def model_errors(record) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as refused:
        record.full_clean()
    return refused.value.message_dict


# --- households: No. KK and phone --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "raw"),
    [
        ("kk_number", "3212163203180007"),  # 32 March
        ("kk_number", "3.21216E+15"),  # Excel's scientific notation
        ("kk_number", "321216150318000"),  # 15 digits
        ("kk_number", "9912161503180007"),  # no province 99
        ("kk_number", "3212161503180000"),  # serial 0000
        ("phone", "12345"),
        ("phone", "0812 3456 7890 1234 5678 9"),  # longer than the column, and no number
    ],
)
def test_a_bad_number_is_refused_alike_by_the_portal_the_admin_and_full_clean(client, staff, officer_a, field, raw):
    portal = HouseholdForm(household_data(**{field: raw}), user=officer_a)
    assert not portal.is_valid()
    expected = {field: list(portal.errors[field])}
    assert model_errors(Household(village_id=VILLAGE_A, **{field: raw})) == expected
    household = HouseholdFactory(village_id=VILLAGE_A, phone="+6281298765432")
    before = (household.kk_number, household.phone)
    client.force_login(staff)
    assert admin_errors(admin_post(client, household, **{field: raw})) == expected
    household.refresh_from_db()
    assert (household.kk_number, household.phone) == before and household.version == 1


def test_the_messages_are_those_of_the_rules():
    with translation.override("en"):
        household = Household(village_id=VILLAGE_A, kk_number="3212163203180007", phone="12345")
        assert model_errors(household) == {
            "kk_number": ["No. KK contains an impossible date (320318)."],
            "phone": ["Contact phone is not a valid phone number (12345). Use +country code for foreign numbers."],
        }


def test_numbers_typed_with_spaces_and_dashes_are_stored_normalised_by_every_surface(client, staff, officer_a):
    typed = {"kk_number": "3212 1615-0318 0099", "phone": "0812 3456 7890"}  # the KK is longer than its column
    stored = {"kk_number": "3212161503180099", "phone": "+6281234567890"}

    portal = HouseholdForm(household_data(**typed), user=officer_a)
    assert portal.is_valid(), portal.errors
    assert {name: portal.cleaned_data[name] for name in typed} == stored  # what the page's service saves

    record = Household(village_id=VILLAGE_A, **typed)
    record.full_clean()
    assert {name: getattr(record, name) for name in typed} == stored

    household = HouseholdFactory(village_id=VILLAGE_A)
    client.force_login(staff)
    response = admin_post(client, household, **typed)
    assert response.status_code == 302, admin_errors(response)
    household.refresh_from_db()
    assert {name: getattr(household, name) for name in typed} == stored and household.version == 2


def test_a_kk_warning_is_stored_alike_by_the_portal_the_admin_and_full_clean(client, staff, officer_a):
    typed = "3299161503180007"  # regency 32.99 is not in today's list: a warning, not an error
    portal = HouseholdForm(household_data(kk_number=typed), user=officer_a)
    assert portal.is_valid(), portal.errors
    assert [w.code for w in portal.warnings] == ["unknown_regency"]  # shown after the save
    expected = portal.stored_warnings()
    assert expected == [
        {"field": "kk_number", "code": "unknown_regency", "params": {"label": "No. KK", "code": "32.99"}}
    ]
    assert portal.instance.validation_warnings == expected

    record = Household(village_id=VILLAGE_A, kk_number=typed)
    record.full_clean()
    assert record.validation_warnings == expected
    assert [w.message for w in record.identifier_warnings] == [w.message for w in portal.warnings]

    household = HouseholdFactory(village_id=VILLAGE_A)
    client.force_login(staff)
    assert admin_post(client, household, kk_number=typed).status_code == 302
    household.refresh_from_db()
    assert household.kk_number == typed and household.validation_warnings == expected


def test_the_admins_import_applies_the_same_rules(staff, officer_a):
    headers = ["id", "village", "kk_number", "dusun", "rt", "rw", "address", "phone", "is_archived"]
    refused = tablib.Dataset(headers=headers)
    refused.append(["", VILLAGE_A, "3212163203180007", "", "", "", "", "12345", "0"])
    result = HouseholdResource(user=staff).import_data(refused, dry_run=False, raise_errors=False)
    portal = HouseholdForm(household_data(kk_number="3212163203180007", phone="12345"), user=officer_a)
    assert not portal.is_valid()
    [row] = result.invalid_rows
    assert row.error_dict == {name: list(portal.errors[name]) for name in ("kk_number", "phone")}
    saved = tablib.Dataset(headers=headers)
    saved.append(["", VILLAGE_A, "3212 1615 0318 0007", "", "", "", "", "0812 3456 7890", "0"])
    assert not HouseholdResource(user=staff).import_data(saved, dry_run=False).has_validation_errors()
    household = Household.objects.get()
    assert (household.kk_number, household.phone) == (KK, "+6281234567890")


def test_a_family_card_number_of_the_history_is_judged_by_the_same_rule():
    household = HouseholdFactory()
    assert model_errors(KKNumber(household=household, number="3212163203180007")) == {
        "number": model_errors(Household(village_id=VILLAGE_A, kk_number="3212163203180007"))["kk_number"]
    }
    number = KKNumber(household=household, number="3212 1615 0318 0007")
    number.full_clean()
    assert number.number == KK


# --- persons: the NIK, with the date of birth and sex ------------------------------------------------------------


def test_a_nik_with_an_impossible_date_is_refused_by_full_clean_as_by_the_forms(client, staff, officer_a):
    impossible = "3212163204900001"  # 32 April
    with translation.override("en"):
        record = Person(household=HouseholdFactory(), nik=impossible, name="Ahmad", sex="M", relationship="head")
        assert model_errors(record) == {"nik": ["NIK contains an impossible date (320490)."]}
    portal = PersonForm(person_data(nik=impossible), user=officer_a, instance=Person(household=HouseholdFactory()))
    assert not portal.is_valid()
    expected = {"nik": list(portal.errors["nik"])}
    record = Person(household=HouseholdFactory(), nik=impossible, name="Ahmad", sex="M", relationship="head")
    assert model_errors(record) == expected
    person = PersonFactory(household__village_id=VILLAGE_A, nik=NIK, birth_date=datetime.date(1990, 4, 12))
    client.force_login(staff)
    assert admin_errors(admin_post(client, person, nik=impossible)) == expected
    person.refresh_from_db()
    assert person.nik == NIK and person.version == 1


def test_a_nik_that_disagrees_with_the_record_warns_alike_everywhere(client, staff, officer_a):
    typed = {"nik": "3212 1612 0490 0001", "birth_date": "1990-04-21", "sex": "F"}
    codes = ["nik_birth_date_differs", "nik_sex_differs"]

    portal = PersonForm(person_data(**typed), user=officer_a, instance=Person(household=HouseholdFactory()))
    assert portal.is_valid(), portal.errors
    assert [w.code for w in portal.warnings] == codes
    expected = portal.stored_warnings()
    saved = portal.save()
    assert saved.nik == NIK and saved.validation_warnings == expected
    saved.delete()

    record = Person(
        household=HouseholdFactory(),
        nik=typed["nik"],
        birth_date=datetime.date(1990, 4, 21),
        sex="F",
        name="Ahmad",
        relationship="head",
    )
    record.full_clean()
    assert record.nik == NIK and record.validation_warnings == expected
    assert [w.message for w in record.identifier_warnings] == [w.message for w in portal.warnings]

    person = PersonFactory(household__village_id=VILLAGE_A, nik=None, birth_date=datetime.date(1990, 4, 12))
    client.force_login(staff)
    response = admin_post(client, person, **typed)
    assert response.status_code == 302, admin_errors(response)
    person.refresh_from_db()
    assert person.nik == NIK and person.validation_warnings == expected


def test_no_nik_is_stored_as_null(staff):
    record = Person(household=HouseholdFactory(), nik="", name="Bayi", sex="F", relationship="child")
    record.full_clean()
    assert record.nik is None
    # The admin's import too: an empty NIK cell is a person without a NIK, not a broken one.
    dataset = tablib.Dataset(headers=["household", "nik", "name", "sex", "relationship"])
    dataset.append([HouseholdFactory(village_id=VILLAGE_A).pk, "", "Bayi", "F", "child"])
    assert not PersonResource(user=staff).import_data(dataset, dry_run=False).has_validation_errors()
    assert Person.objects.get(name="Bayi").nik is None


# --- what full_clean is told to leave out, and what it keeps ------------------------------------------------------


def test_full_clean_judges_only_the_fields_it_is_asked_to():
    household = Household(village_id=VILLAGE_A, kk_number="3212163203180007", phone="0812 3456 7890")
    household.full_clean(exclude=["kk_number"])  # as a form without the field
    assert household.kk_number == "3212163203180007" and household.phone == "+6281234567890"
    stored = {"field": "nik", "code": "unknown_regency", "params": {"code": "32.99", "label": "NIK"}}
    person = PersonFactory(nik="3299161204900001", validation_warnings=[stored])
    person.full_clean(exclude=["nik"])
    assert person.validation_warnings == [stored]  # not judged again: kept
    person.nik = NIK
    person.full_clean()
    assert person.validation_warnings == []


def test_stay_numbers_are_normalised_and_warned_about_by_the_model_as_by_the_form(officer_a):
    typed = {"passport_number": "b 1234567", "bpjs_number": "123 456"}
    portal = EpisodeForm(
        {"status": "abroad", "procedural": "procedural", "destination_country": "TW", **typed},
        user=officer_a,
        instance=MigrationEpisode(person=PersonFactory()),
    )
    assert portal.is_valid(), portal.errors
    assert [w.code for w in portal.warnings] == ["bpjs_format"]
    episode = EpisodeFactory(**typed)
    duplicate = {"field": "status", "code": "duplicate_open_stay", "params": {}}
    episode.validation_warnings = [duplicate]  # from the migration that closed duplicate stays
    episode.full_clean()
    assert (episode.passport_number, episode.bpjs_number) == ("B1234567", "123456")
    assert episode.passport_number == portal.cleaned_data["passport_number"]
    assert episode.validation_warnings == [duplicate, *portal.stored_warnings()]


def test_the_forms_leave_the_identifier_rules_to_the_models():
    source = inspect.getsource(household_forms)
    for rule in ("check_nik(", "check_kk(", "check_phone(", "check_passport(", "check_bpjs("):
        assert rule not in source
