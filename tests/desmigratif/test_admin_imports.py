"""The admin's import and export keep the portal's rules (issue 14): a row finds only records
the user may write, links only to records the user may write, goes through the model's
validation, and the file between preview and confirmation belongs to the session that
uploaded it. The files are CSVs as the admin's own export writes them."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
import tablib
from django.contrib.auth.models import Permission

from enterprises.models import Enterprise
from households.models import Household
from tests.admin_pages import confirm, preview
from tests.conftest import VILLAGE_A, VILLAGE_B
from tests.factories import AssignmentFactory, HouseholdFactory, PersonFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("categories")]


def test_an_import_row_with_another_villages_id_is_an_error_not_an_update(client, staff_a):
    theirs = HouseholdFactory(village_id=VILLAGE_B, kk_number="3307101503180009", address="Kuripan 1")
    PersonFactory(household=theirs, name="Warga Kuripan")
    client.force_login(staff_a)
    page = preview(
        client,
        Household,
        "id,village,kk_number,dusun,rt,rw,address,phone,is_archived\n"
        f"{theirs.pk},{VILLAGE_A},3212161503180007,,,,Kenanga 5,,0\n",
    )
    html = page.content.decode()
    assert page.status_code == 200 and "di luar wilayah tugas Anda" in html
    assert "3307101503180009" not in html and "Kuripan 1" not in html and "Warga Kuripan" not in html
    theirs.refresh_from_db()
    assert theirs.village_id == VILLAGE_B and theirs.address == "Kuripan 1"


def test_an_import_cannot_link_another_villages_records(staff_a):
    from enterprises.models import Category
    from enterprises.resources import EnterpriseResource

    mine = HouseholdFactory(village_id=VILLAGE_A)
    theirs = PersonFactory(household__village_id=VILLAGE_B)
    dataset = tablib.Dataset(headers=["village", "owner", "name", "category", "status", "members"])
    food = Category.objects.get(code="food").pk
    dataset.append([VILLAGE_A, mine.pk, "Usaha Kenanga", food, "active", str(theirs.pk)])
    result = EnterpriseResource(user=staff_a).import_data(dataset, dry_run=False)
    assert result.has_validation_errors()
    assert "di luar wilayah tugas Anda" in str(result.invalid_rows[0].error_dict)
    assert not Enterprise.objects.exists()
    dataset = tablib.Dataset(headers=["village", "owner", "name", "category", "status"])
    dataset.append([VILLAGE_A, HouseholdFactory(village_id=VILLAGE_B).pk, "Usaha", food, "active"])
    assert EnterpriseResource(user=staff_a).import_data(dataset, dry_run=False).has_validation_errors()


def test_imported_records_go_through_their_models_validation(staff_a):
    from households.resources import HouseholdResource

    dataset = tablib.Dataset(
        headers=["id", "village", "kk_number", "dusun", "rt", "rw", "address", "phone", "is_archived"]
    )
    dataset.append(["", VILLAGE_A, "3212161503180007", "", "12345", "", "", "", "0"])  # an RT of 5 characters
    result = HouseholdResource(user=staff_a).import_data(dataset, dry_run=False)
    assert result.has_validation_errors() and not Household.objects.exists()


def test_the_file_between_preview_and_confirmation_belongs_to_its_session(client, staff_a):
    client.force_login(staff_a)
    text = (
        "id,village,kk_number,dusun,rt,rw,address,phone,is_archived\n"
        f",{VILLAGE_A},3212161503180007,Krajan,001,002,Kenanga 5,,0\n"
    )
    page = preview(client, Household, text)
    assert confirm(client, Household, page).status_code == 302
    assert Household.objects.get().address == "Kenanga 5"

    victim = Path(tempfile.gettempdir()) / "someone-elses-file.txt"
    victim.write_text("keep me")
    page = preview(client, Household, text.replace("Kenanga 5", "Kenanga 6"))
    assert confirm(client, Household, page, import_file_name=victim.name).status_code == 403
    assert victim.read_text() == "keep me"
    other = UserFactory(username="staff.a2", is_staff=True)
    AssignmentFactory(user=other, role="officer", area=VILLAGE_A)
    other.user_permissions.set(Permission.objects.filter(codename__regex=r"^(view|add|change|import)_"))
    client.force_login(other)  # another user (another session) cannot use the first one's file
    assert confirm(client, Household, page).status_code == 403
    assert Household.objects.get().address == "Kenanga 5"
    victim.unlink()
