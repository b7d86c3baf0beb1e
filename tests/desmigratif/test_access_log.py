"""The access log (UU PDP): exports, imports, children's records and whole NIKs, who and
when, readable by administrators only."""

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from desmigratif.models import AccessLog
from households.models import Household
from tests.conftest import VILLAGE_A
from tests.factories import HouseholdFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_household_page_with_whole_niks_is_logged(client, officer_a, coordinator):
    household = HouseholdFactory(village_id=VILLAGE_A)
    PersonFactory(household=household)
    client.force_login(officer_a)
    client.get(reverse("households:detail", args=[household.pk]))
    log = AccessLog.objects.get()
    assert (log.user, log.kind, log.what, log.rows) == (officer_a, "nik_view", f"household {household.pk}", 1)


def test_a_household_without_niks_shown_is_not_logged(client, officer_a):
    household = HouseholdFactory(village_id=VILLAGE_A)
    PersonFactory(household=household, nik=None)
    client.force_login(officer_a)
    client.get(reverse("households:detail", args=[household.pk]))
    assert not AccessLog.objects.exists()


def test_an_admin_export_is_logged(administrator):
    HouseholdFactory(village_id=VILLAGE_A)
    request = RequestFactory().get("/")
    request.user = administrator
    model_admin = admin.site._registry[Household]
    model_admin.get_data_for_export(request, Household.objects.all())
    log = AccessLog.objects.get()
    assert (log.user, log.kind, log.what, log.rows) == (administrator, "export", "admin households.Household", 1)


def test_the_log_is_for_administrators_only(client, administrator):
    AccessLog.objects.create(user=administrator, kind=AccessLog.Kind.EXPORT, what="households", rows=3)
    url = reverse("admin:desmigratif_accesslog_changelist")
    client.force_login(administrator)
    assert client.get(url).status_code == 200
    staff = UserFactory(username="staff", is_staff=True)
    client.force_login(staff)
    assert client.get(url).status_code == 403
    entry = AccessLog.objects.get()
    client.force_login(administrator)
    assert (
        client.post(reverse("admin:desmigratif_accesslog_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403
    )
    assert AccessLog.objects.count() == 1
