"""Households, persons and episodes: services, forms and the admin, for the cast."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation

from desmigratif.models import Village
from households.forms import EpisodeForm, HouseholdForm, PersonForm
from households.models import EpisodeStatus, Household, MigrationEpisode, Person, ServiceRequest
from households.resources import HouseholdResource, PersonResource
from households.services import (
    MemberData,
    StaleRecordError,
    episode_return,
    household_kk_change,
    household_register,
    person_move,
    record_save,
)
from tests.conftest import VILLAGE_A, VILLAGE_B
from tests.factories import EpisodeFactory, HouseholdFactory, PersonFactory

pytestmark = pytest.mark.django_db

NIK_A = "3212161204900001"  # man born 12-04-1990, Sindang
NIK_WOMAN = "3212164511950002"  # woman born 05-11-1995


def register(user, village=VILLAGE_A, kk="3212161503180007", niks=(NIK_A,)):
    members = [
        MemberData(name=f"Member {i}", sex="M", relationship="head" if i == 0 else "child", nik=nik)
        for i, nik in enumerate(niks)
    ]
    return household_register(village=Village.objects.get(code=village), kk_number=kk, members=members, user=user)


# --- services ----------------------------------------------------------------------------------------------


def test_register_creates_household_members_kk_history_and_history_rows(officer_a):
    household = register(officer_a, niks=(NIK_A, NIK_WOMAN))
    assert household.members.count() == 2
    assert list(household.kk_numbers.values_list("number", flat=True)) == ["3212161503180007"]
    assert household.history.first().history_user == officer_a
    assert Person.objects.get(nik=NIK_A).history.first().history_user == officer_a


def test_old_kk_number_still_finds_the_household(officer_a):
    household = register(officer_a)
    household_kk_change(household=household, number="3212161001240003", user=officer_a)
    household.save()
    assert household.kk_number == "3212161001240003"
    assert Household.objects.filter(kk_numbers__number="3212161503180007").get() == household
    current = household.kk_numbers.get(replaced_on__isnull=True)
    assert current.number == "3212161001240003"


def test_nik_is_unique_across_the_country(officer_a, officer_b):
    register(officer_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        register(officer_b, village=VILLAGE_B, kk="3307101503180007")


def test_concurrent_edit_is_refused_with_what_the_other_changed(officer_a, db):
    household = register(officer_a)
    mine = Household.objects.get(pk=household.pk)
    theirs = Household.objects.get(pk=household.pk)
    theirs.address = "Jl. Raya Kenanga 1"
    record_save(instance=theirs, expected_version=theirs.version, user=officer_a, original={"address": ""})
    mine.address = "Jl. Lain 2"
    with pytest.raises(StaleRecordError) as conflict:
        record_save(instance=mine, expected_version=1, user=officer_a, original={"address": ""})
    assert conflict.value.changed_fields == {"address": ("", "Jl. Raya Kenanga 1")}
    assert Household.objects.get(pk=household.pk).address == "Jl. Raya Kenanga 1"
    assert Household.objects.get(pk=household.pk).version == 2


def test_moving_a_person_keeps_their_episodes_and_history(officer_a):
    first = register(officer_a)
    second = register(officer_a, kk="3212161001240003", niks=(NIK_WOMAN,))
    person = Person.objects.get(nik=NIK_A)
    episode = EpisodeFactory(person=person)
    person_move(person=person, household=second, relationship="husband", user=officer_a)
    person.refresh_from_db()
    assert person.household == second and person.episodes.get() == episode
    assert [h.household_id for h in person.history.order_by("history_date")] == [first.pk, second.pk]


def test_recording_a_return(officer_a):
    episode = EpisodeFactory(person__household__village_id=VILLAGE_A, departure_date=datetime.date(2023, 1, 5))
    episode_return(
        episode=episode, returned_on=datetime.date(2025, 1, 10), expected_version=episode.version, user=officer_a
    )
    episode.refresh_from_db()
    assert episode.status == EpisodeStatus.RETURNED and episode.actual_return == datetime.date(2025, 1, 10)
    assert episode.history.first().history_user == officer_a


def test_database_refuses_a_return_before_departure():
    with pytest.raises(IntegrityError), transaction.atomic():
        EpisodeFactory(departure_date=datetime.date(2024, 5, 1), actual_return=datetime.date(2024, 4, 1))


def test_alert_querysets():
    today = timezone.localdate()
    overdue = EpisodeFactory(contract_end=today - datetime.timedelta(days=10))
    EpisodeFactory(contract_end=today + datetime.timedelta(days=10), bpjs_number="12345678901")
    assert list(MigrationEpisode.objects.overdue_return()) == [overdue]
    assert list(MigrationEpisode.objects.without_bpjs()) == [overdue]


# --- forms ----------------------------------------------------------------------------------------------------


def household_data(**overrides):
    data = {
        "village__province": "32",
        "village__regency": "32.12",
        "village__district": "32.12.16",
        "village__village": VILLAGE_A,
        "kk_number": "3212 1615 0318 0007",
        "dusun": "Blok A",
        "rt": "1",
        "rw": "2",
        "address": "",
        "phone": "0812-3456-7890",
    }
    data.update(overrides)
    return data


def test_household_form_normalises_identifiers(officer_a):
    form = HouseholdForm(household_data(), user=officer_a)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["kk_number"] == "3212161503180007"
    assert form.cleaned_data["phone"] == "+6281234567890"
    assert form.cleaned_data["rt"] == "001"


def test_household_form_refuses_other_villages_and_bad_kk(officer_a):
    form = HouseholdForm(
        household_data(
            **{
                "village__province": "33",
                "village__regency": "33.07",
                "village__district": "33.07.10",
                "village__village": VILLAGE_B,
            }
        ),
        user=officer_a,
    )
    assert not form.is_valid() and "village" in form.errors
    form = HouseholdForm(household_data(kk_number="3.21216E+15"), user=officer_a)
    assert not form.is_valid() and "Excel" in str(form.errors["kk_number"])


def person_data(**overrides):
    data = {
        "nik": NIK_A,
        "name": "Ahmad",
        "sex": "M",
        "birth_place": "Indramayu",
        "birth_date": "1990-04-12",
        "relationship": "head",
        "religion": "islam",
        "education": "primary",
        "occupation": "Petani",
        "marital_status": "married",
    }
    data.update(overrides)
    return data


def test_person_form_stores_warnings_but_saves(officer_a):
    household = HouseholdFactory()
    form = PersonForm(
        person_data(birth_date="1990-04-21", sex="F"), user=officer_a, instance=Person(household=household)
    )
    assert form.is_valid(), form.errors
    person = form.save()
    assert [w["code"] for w in person.validation_warnings] == ["nik_birth_date_differs", "nik_sex_differs"]


def test_person_form_refuses_future_birth_date(officer_a):
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    form = PersonForm(
        person_data(nik="", birth_date=tomorrow), user=officer_a, instance=Person(household=HouseholdFactory())
    )
    assert not form.is_valid() and "birth_date" in form.errors


def test_duplicate_nik_links_the_record_only_when_the_user_may_see_it(officer_a, officer_b, coordinator):
    existing = PersonFactory(nik=NIK_A, household__village_id=VILLAGE_A)
    form = PersonForm(person_data(), user=coordinator, instance=Person(household=HouseholdFactory()))
    assert not form.is_valid()
    assert existing.get_absolute_url() in str(form.errors["nik"])
    form = PersonForm(person_data(), user=officer_b, instance=Person(household=HouseholdFactory(village_id=VILLAGE_B)))
    assert not form.is_valid()
    message = str(form.errors["nik"])
    assert existing.name not in message and "32.12.16" not in message and "href" not in message


def test_episode_form_date_rules(officer_a):
    base = {"status": "abroad", "procedural": "procedural", "destination_country": "TW", "departure_date": "2024-05-01"}
    form = EpisodeForm({**base, "contract_end": "2024-04-01"}, user=officer_a)
    assert not form.is_valid() and "contract_end" in form.errors
    form = EpisodeForm({**base, "status": "returned"}, user=officer_a)
    assert not form.is_valid() and "actual_return" in form.errors
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    form = EpisodeForm({**base, "departure_date": future}, user=officer_a)
    assert not form.is_valid() and "departure_date" in form.errors
    form = EpisodeForm({**base, "passport_number": "??", "bpjs_number": "12"}, user=officer_a)
    assert form.is_valid(), form.errors
    assert {w.code for w in form.warnings} == {"passport_format", "bpjs_format"}


# --- admin and resources ----------------------------------------------------------------------------------------


def staff(user, *codenames):
    user.is_staff = True
    user.save()
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return user


def test_admin_lists_only_households_in_scope(client, officer_a, officer_b):
    mine = HouseholdFactory(village_id=VILLAGE_A)
    theirs = HouseholdFactory(village_id=VILLAGE_B)
    client.force_login(staff(officer_b, "view_household", "change_household"))
    html = client.get(reverse("admin:households_household_changelist")).content.decode()
    assert f"/{theirs.pk}/change/" in html and f"/{mine.pk}/change/" not in html
    assert client.get(reverse("admin:households_household_change", args=[mine.pk])).status_code == 404


def test_admin_masks_nik_for_users_not_covering_the_village(client, coordinator, db):
    PersonFactory(nik=NIK_A, household__village_id=VILLAGE_A)
    from tests.factories import AssignmentFactory, UserFactory

    national_staff = UserFactory(username="staff.reader")
    AssignmentFactory(user=national_staff, role="administrator", area="33")
    client.force_login(staff(coordinator, "view_person"))
    assert NIK_A in client.get(reverse("admin:households_person_changelist")).content.decode()


def test_import_and_export_need_their_own_permission(client, officer_a):
    client.force_login(staff(officer_a, "view_household"))
    assert client.get(reverse("admin:households_household_export")).status_code == 403
    assert client.get(reverse("admin:households_household_import")).status_code == 403
    officer_a.user_permissions.add(Permission.objects.get(codename="export_household"))
    client.force_login(officer_a)
    assert client.get(reverse("admin:households_household_export")).status_code == 200


def test_export_masks_niks_and_formulas(officer_a, officer_b, coordinator):
    PersonFactory(nik=NIK_A, name='=HYPERLINK("http://x")', household__village_id=VILLAGE_A)
    dataset = PersonResource(user=officer_a).export(Person.objects.all())
    assert dataset.dict[0]["nik"] == NIK_A
    assert dataset.dict[0]["name"].startswith("'=")
    analyst_like = PersonResource(user=officer_b).export(Person.objects.all())
    assert analyst_like.dict[0]["nik"] == "3212********0001"


def test_import_refuses_rows_outside_the_users_villages(officer_b):
    import tablib

    dataset = tablib.Dataset(
        headers=["id", "village", "kk_number", "dusun", "rt", "rw", "address", "phone", "is_archived"]
    )
    dataset.append(["", VILLAGE_A, "3212161503180007", "", "", "", "", "", "0"])
    with translation.override("id"):
        result = HouseholdResource(user=officer_b).import_data(dataset, dry_run=False, raise_errors=False)
        # A row of the test (a validation error), not an exception in the import.
        assert result.has_validation_errors() and not result.has_errors()
        [row] = result.invalid_rows
        assert row.error_dict == {"__all__": ["Baris ini berisi data desa/kelurahan di luar wilayah tugas Anda."]}
    assert not Household.objects.exists()


@pytest.mark.parametrize(
    ("model", "make"),
    [
        ("household", lambda village: HouseholdFactory(village_id=village)),
        ("person", lambda village: PersonFactory(household__village_id=village)),
        ("migrationepisode", lambda village: EpisodeFactory(person__household__village_id=village)),
        (
            "servicerequest",
            lambda village: ServiceRequest.objects.create(
                village_id=village, kind="information", description="x", person_served_name="y"
            ),
        ),
    ],
)
def test_every_admin_changelist_is_scoped(client, officer_b, model, make):
    record_a, record_b = make(VILLAGE_A), make(VILLAGE_B)
    client.force_login(staff(officer_b, f"view_{model}", f"change_{model}"))
    html = client.get(reverse(f"admin:households_{model}_changelist")).content.decode()
    assert f"/{record_b.pk}/change/" in html and f"/{record_a.pk}/change/" not in html
    assert client.get(reverse(f"admin:households_{model}_change", args=[record_a.pk])).status_code == 404


def test_service_request_from_another_villages_household_is_404(client, officer_b):
    household = HouseholdFactory(village_id=VILLAGE_A)
    client.force_login(officer_b)
    assert client.get(reverse("households:request-create"), {"household": household.pk}).status_code == 404


def test_admin_deletes_a_household_only_after_confirmation_and_it_is_recorded(client, administrator):
    episode = EpisodeFactory(person__household__village_id=VILLAGE_A)
    household, person = episode.person.household, episode.person
    client.force_login(administrator)
    url = reverse("admin:households_household_delete", args=[household.pk])
    confirmation = client.get(url).content.decode()
    assert person.name in confirmation  # the page lists what goes with it
    assert Household.objects.filter(pk=household.pk).exists()
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not Household.objects.filter(pk=household.pk).exists()
    deleted = Household.history.filter(id=household.pk, history_type="-").get()
    assert deleted.history_user == administrator
    assert Person.history.filter(id=person.pk, history_type="-").exists()
    assert MigrationEpisode.history.filter(id=episode.pk, history_type="-").exists()
