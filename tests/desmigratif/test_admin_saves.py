"""Admin saves keep the portal's rules (issue 14): the same identifier checks (NIK, KK, phone)
and the same version check, so neither side silently overwrites the other's edit. The forms are
posted as the browser would post the admin's own page."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from cooperatives.models import Membership
from households.models import Household, Person
from households.services import record_save
from tests.admin_pages import admin_form_data, confirm, preview
from tests.conftest import VILLAGE_A
from tests.factories import HouseholdFactory, PersonFactory, cooperative, enterprise
from tests.households.imports import commit, roll_back

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("categories")]
TODAY = datetime.date.today()  # noqa: DTZ011 - dates of records


def change_url(record) -> str:
    return reverse(f"admin:{record._meta.app_label}_{record._meta.model_name}_change", args=[record.pk])


def opened(client, record) -> dict:
    """The admin change page of ``record`` as its form would be posted."""
    return admin_form_data(client.get(change_url(record)), type(record))


def test_an_admin_save_on_a_stale_page_is_refused_naming_what_changed(client, staff_a, officer_a):
    household = HouseholdFactory(village_id=VILLAGE_A, address="Kenanga 1", phone="+6281234567890")
    client.force_login(staff_a)
    data = opened(client, household)
    household.address = "Kenanga 2"  # meanwhile, in the portal
    record_save(instance=household, expected_version=household.version, user=officer_a, original={"address": ""})
    response = client.post(change_url(household), {**data, "phone": "081298765432"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "officer.a" in html and "alamat" in html.lower()
    household.refresh_from_db()
    assert household.address == "Kenanga 2" and household.phone == "+6281234567890"


def test_an_admin_save_bumps_the_version_so_a_stale_portal_form_is_refused(client, staff_a, officer_a):
    record = enterprise(VILLAGE_A, name="Keripik Lama")
    client.force_login(officer_a)
    portal_form = client.get(reverse("enterprises:update", args=[record.pk])).context["form"]
    assert portal_form["version"].value() == 1
    portal_data = {name: portal_form[name].value() for name in portal_form.fields}
    portal_data = {name: value for name, value in portal_data.items() if value not in (None, "")}
    parts = VILLAGE_A.split(".")
    portal_data.pop("village", None)
    for n, key in enumerate(["province", "regency", "district", "village"]):
        portal_data[f"village__{key}"] = ".".join(parts[: n + 1])
    client.force_login(staff_a)
    response = client.post(change_url(record), {**opened(client, record), "name": "Keripik Admin"})
    assert response.status_code == 302, response.content.decode()[:2000]
    record.refresh_from_db()
    assert record.name == "Keripik Admin" and record.version == 2
    client.force_login(officer_a)
    stale = client.post(reverse("enterprises:update", args=[record.pk]), {**portal_data, "name": "Keripik Portal"})
    assert stale.status_code == 409
    record.refresh_from_db()
    assert record.name == "Keripik Admin"


@pytest.mark.parametrize(
    ("make", "field", "bad", "good", "stored"),
    [
        (lambda: PersonFactory(household__village_id=VILLAGE_A), "nik", "3212161204900", "3212164204900012", None),
        (lambda: HouseholdFactory(village_id=VILLAGE_A), "kk_number", "3.21216E+15", "3212-1615-0318-0099", None),
        (lambda: HouseholdFactory(village_id=VILLAGE_A), "phone", "12345", "0812 3456 7890", "+6281234567890"),
    ],
)
def test_the_admin_applies_the_portals_identifier_rules(client, staff_a, make, field, bad, good, stored):
    record = make()
    client.force_login(staff_a)
    data = opened(client, record)
    refused = client.post(change_url(record), {**data, field: bad})
    assert refused.status_code == 200 and refused.context["adminform"].form.errors.get(field)
    saved = client.post(change_url(record), {**data, field: good})
    assert saved.status_code == 302, saved.context["adminform"].form.errors
    record.refresh_from_db()
    assert getattr(record, field) == (stored or good.replace("-", "")) and record.version == 2


def test_an_inline_row_on_a_stale_page_is_refused(client, staff_a, officer_a):
    coop = cooperative(VILLAGE_A)
    household = HouseholdFactory(village_id=VILLAGE_A)
    membership = Membership.objects.create(
        cooperative=coop, household=household, joined_on=TODAY, share_capital=100, savings=10
    )
    client.force_login(staff_a)
    data = opened(client, coop)
    assert data["memberships-0-expected_version"] == "1"
    membership.savings = 50  # meanwhile, in the portal
    record_save(instance=membership, expected_version=1, user=officer_a, original={"savings": 10})
    response = client.post(change_url(coop), {**data, "memberships-0-savings": "20"})
    assert response.status_code == 200
    membership.refresh_from_db()
    assert membership.savings == 50
    fresh = opened(client, coop)
    assert client.post(change_url(coop), {**fresh, "memberships-0-savings": "20"}).status_code == 302
    membership.refresh_from_db()
    assert membership.savings == 20 and membership.version == 3


def test_a_revert_from_the_history_goes_through_the_version_check(client, staff_a, officer_a):
    household = HouseholdFactory(village_id=VILLAGE_A, address="Kenanga 1")
    household.address = "Kenanga 2"
    record_save(instance=household, expected_version=1, user=officer_a, original={"address": "Kenanga 1"})
    first = household.history.order_by("history_id").first()
    url = reverse("admin:households_household_simple_history", args=[household.pk, first.history_id])
    client.force_login(staff_a)
    data = admin_form_data(client.get(url), Household, past_version=True)
    assert data["expected_version"] == "2" and data["address"] == "Kenanga 1"
    assert client.post(url, data).status_code == 302
    household.refresh_from_db()
    assert household.address == "Kenanga 1" and household.version == 3


def test_the_admin_import_applies_the_identifier_rules_and_bumps_the_version(client, staff_a):
    person = PersonFactory(household__village_id=VILLAGE_A, name="Siti", nik="3212164204900012")
    client.force_login(staff_a)
    header = "id,household,nik,name,sex"
    page = preview(client, Person, f"{header}\n{person.pk},{person.household_id},3.21216E+15,Siti Aminah,F\n")
    assert page.status_code == 200 and page.context["result"].has_validation_errors()
    page = preview(client, Person, f"{header}\n{person.pk},{person.household_id},'3212164204900012,Siti Aminah,F\n")
    assert not page.context["result"].has_validation_errors(), page.context["result"].invalid_rows
    assert confirm(client, Person, page).status_code == 302
    person.refresh_from_db()
    assert person.name == "Siti Aminah" and person.nik == "3212164204900012" and person.version == 2


def test_an_admin_edit_after_an_import_is_seen_by_its_rollback(client, staff_a, officer_a):
    from households.models import ImportBatch

    batch = commit(officer_a)
    siti = Person.objects.get(name="Siti")
    client.force_login(staff_a)
    assert client.post(change_url(siti), {**opened(client, siti), "name": "Siti Rahayu"}).status_code == 302
    refused = roll_back(batch)
    assert refused.status == ImportBatch.Status.COMMITTED and refused.message  # the refusal says why
    assert Person.objects.filter(name="Siti Rahayu").exists()
