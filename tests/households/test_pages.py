"""Household and service-request pages, as each member of the cast."""

import pytest
from django.urls import reverse

from households.models import ServiceRequest
from tests.conftest import VILLAGE_A
from tests.factories import EpisodeFactory, PersonFactory

pytestmark = pytest.mark.django_db

NIK = "3212161204900001"


@pytest.fixture
def household_a():
    person = PersonFactory(nik=NIK, name="Ahmad Suryana", household__village_id=VILLAGE_A)
    EpisodeFactory(
        person=person,
        destination_country="TW",
        validation_warnings=[
            {"field": "passport_number", "code": "passport_format", "params": {"label": "Paspor", "value": "??"}}
        ],
    )
    return person.household


@pytest.mark.parametrize(
    ("member", "status"),
    [
        ("officer_a", 200),
        ("coordinator", 200),
        ("administrator", 200),
        ("officer_b", 404),
        ("analyst", 404),
        ("anonymous", 302),
    ],
)
def test_household_page_is_scoped(client, cast, household_a, member, status):
    if member != "anonymous":
        client.force_login(cast[member])
    response = client.get(household_a.get_absolute_url())
    assert response.status_code == status
    if status == 200:
        html = response.content.decode()
        assert "Ahmad Suryana" in html and NIK in html
        assert "Taiwan" in html
        assert "Paspor" in html  # stored warnings are shown


def test_household_page_shows_history_with_who(client, officer_a, household_a):
    from households.services import record_save

    household_a.address = "Jl. Kenanga 9"
    record_save(instance=household_a, expected_version=household_a.version, user=officer_a)
    client.force_login(officer_a)
    html = client.get(household_a.get_absolute_url()).content.decode()
    assert household_a.kk_number in html
    history_url = reverse("households:history", args=[household_a.pk])
    assert f'hx-get="{history_url}"' in html  # loaded when the section is opened
    history = client.get(history_url).context["history"]
    change = next(entry for entry in history if entry.changes)
    assert change.who == "officer.a" and ("alamat", "", "Jl. Kenanga 9") in change.changes
    fragment = client.get(history_url, HTTP_HX_REQUEST="true").content.decode()
    assert fragment.lstrip().startswith('<div class="table-responsive">') and "Jl. Kenanga 9" in fragment
    assert "<html" not in fragment


@pytest.mark.parametrize(("member", "status"), [("officer_a", 200), ("officer_b", 404), ("analyst", 404)])
def test_service_request_page_is_scoped(client, cast, member, status):
    request = ServiceRequest.objects.create(
        village_id=VILLAGE_A, kind="trafficking", description="Calo menawarkan", referral="police"
    )
    client.force_login(cast[member])
    assert client.get(reverse("households:request-detail", args=[request.pk])).status_code == status
