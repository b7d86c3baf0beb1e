"""The import pages: upload, background check, preview, confirm, error file, rollback."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from households.models import ImportBatch, Person
from tests.conftest import VILLAGE_A
from tests.households.imports import FILE, hostile_uploads

pytestmark = pytest.mark.django_db

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def upload(client, text, name="register.csv"):
    return client.post(reverse("households:import"), {"file": SimpleUploadedFile(name, text.encode())})


@override_settings(TASKS=IMMEDIATE)
def test_upload_preview_confirm_and_roll_back(client, officer_a):
    client.force_login(officer_a)
    assert client.get(reverse("households:import")).status_code == 200
    response = upload(client, FILE)
    batch = ImportBatch.objects.get()
    assert response.url == reverse("households:import-detail", args=[batch.pk])
    assert batch.status == ImportBatch.Status.VALIDATED and batch.counts["persons_create"] == 3
    page = client.get(response.url).content.decode()
    assert "Orang yang akan dibuat" in page and 'name="mode"' in page
    assert not Person.objects.exists()  # nothing written before the confirmation

    client.post(reverse("households:import-confirm", args=[batch.pk]), {"mode": "all"})
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.COMMITTED and Person.objects.count() == 3
    client.post(reverse("households:import-rollback", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.ROLLED_BACK and not Person.objects.exists()


@override_settings(TASKS=IMMEDIATE)
def test_bad_rows_are_listed_with_an_error_file(client, officer_a):
    client.force_login(officer_a)
    upload(client, FILE + "3212161503180007;32.12.16.2004;3.21216E+15;Rusak;L;;Anak;;;\n")
    batch = ImportBatch.objects.get()
    page = client.get(reverse("households:import-detail", args=[batch.pk])).content.decode()
    assert "Excel" in page and "3.21216E+15" in page
    errors = client.get(reverse("households:import-errors", args=[batch.pk, "csv"])).content.decode("utf-8-sig")
    assert errors.count("\n") == 2 and "Rusak" in errors
    client.post(reverse("households:import-confirm", args=[batch.pk]), {"mode": "all"})
    assert not Person.objects.exists()  # all or nothing


def test_unreadable_upload_is_refused_on_the_form(client, officer_a):
    client.force_login(officer_a)
    response = upload(client, "", name="empty.csv")
    assert response.status_code == 200 and not ImportBatch.objects.exists()


@override_settings(TASKS=IMMEDIATE)
def test_batches_belong_to_their_uploader(client, officer_a, officer_b, coordinator, analyst):
    client.force_login(officer_a)
    upload(client, FILE)
    batch = ImportBatch.objects.get()
    client.force_login(officer_b)
    assert client.get(reverse("households:import-detail", args=[batch.pk])).status_code == 404
    assert client.post(reverse("households:import-rollback", args=[batch.pk])).status_code == 404
    for user in (coordinator, analyst):  # no write scope: no import pages
        client.force_login(user)
        assert client.get(reverse("households:import")).status_code == 404


def test_templates_download(client, officer_a):
    client.force_login(officer_a)
    assert client.get(reverse("households:import-template", args=["xlsx"])).content[:2] == b"PK"
    assert client.get(reverse("households:import-template", args=["csv"])).status_code == 200
    assert client.get(reverse("households:import-template", args=["exe"])).status_code == 404


@override_settings(TASKS=IMMEDIATE, IMPORT_APPROVAL_REQUIRED=True)
def test_coordinator_approval_when_required(client, officer_a, coordinator, officer_b, db):
    from tests.factories import AssignmentFactory, UserFactory

    other_coordinator = UserFactory(username="coordinator.subang")
    AssignmentFactory(user=other_coordinator, role="coordinator", area="32.13")
    client.force_login(officer_a)
    upload(client, FILE)
    batch = ImportBatch.objects.get()
    assert batch.villages == [VILLAGE_A]
    client.post(reverse("households:import-confirm", args=[batch.pk]), {"mode": "all"})
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.AWAITING_APPROVAL and not Person.objects.exists()

    for outsider in (other_coordinator, officer_b):
        client.force_login(outsider)
        assert client.post(reverse("households:import-approve", args=[batch.pk])).status_code == 404
    client.force_login(coordinator)
    assert batch.file_name in client.get(reverse("households:import-approvals")).content.decode()
    client.post(reverse("households:import-approve", args=[batch.pk]), {"decision": "approve"})
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.COMMITTED and batch.approved_by == coordinator
    assert Person.objects.count() == 3
    assert client.get(reverse("households:import-detail", args=[batch.pk])).status_code == 200


@override_settings(TASKS=IMMEDIATE, IMPORT_APPROVAL_REQUIRED=True)
def test_coordinator_can_reject(client, officer_a, coordinator):
    client.force_login(officer_a)
    upload(client, FILE)
    batch = ImportBatch.objects.get()
    client.post(reverse("households:import-confirm", args=[batch.pk]), {"mode": "all"})
    client.force_login(coordinator)
    client.post(reverse("households:import-approve", args=[batch.pk]), {"decision": "reject"})
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.REJECTED and not Person.objects.exists()


@pytest.mark.parametrize(("name", "content"), hostile_uploads())
@override_settings(DEBUG=False)
def test_hostile_uploads_are_refused_with_a_message_and_never_a_500(client, officer_a, name, content):
    client.force_login(officer_a)
    response = client.post(reverse("households:import"), {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert not ImportBatch.objects.exists()
