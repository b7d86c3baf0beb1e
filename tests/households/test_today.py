"""The officer's home page says what to do today, with names and links; the alerts page lists
the same, most urgent first."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from desmigratif.models import Village
from households.models import MigrationEpisode, ServiceRequest
from tests.conftest import VILLAGE_A, VILLAGE_B
from tests.factories import EpisodeFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def days(n):
    return TODAY + datetime.timedelta(days=n)


@pytest.fixture
def village_day():
    leaving = EpisodeFactory(
        person__name="Rina Berangkat",
        person__household__village_id=VILLAGE_A,
        status="preparing",
        departure_date=days(3),
    )
    ending = EpisodeFactory(person__name="Dedi Pulang", person__household__village_id=VILLAGE_A, contract_end=days(30))
    silent = EpisodeFactory(person__name="Sari Sunyi", person__household__village_id=VILLAGE_A)
    MigrationEpisode.objects.filter(pk=silent.pk).update(updated_at=timezone.now() - datetime.timedelta(days=200))
    case = ServiceRequest.objects.create(
        village=Village.objects.get(pk=VILLAGE_A),
        kind="complaint",
        person_served_name="Ibu Warsini",
        description="Gaji belum dibayar.",
        follow_up_on=days(-2),
    )
    EpisodeFactory(person__name="Orang Desa B", person__household__village_id=VILLAGE_B, contract_end=days(10))
    return {"leaving": leaving, "ending": ending, "silent": silent, "case": case}


def test_the_home_page_offers_the_days_work_and_loads_its_lists(client, officer_a, village_day):
    client.force_login(officer_a)
    home = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert reverse("households:create") in home and reverse("households:request-create") in home
    assert f'hx-get="{reverse("households:today")}"' in home and 'name="q"' in home
    lists = client.get(reverse("households:today"), HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="en")
    html = lists.content.decode()
    assert "<html" not in html
    for name in ("Ibu Warsini", "Rina Berangkat", "Dedi Pulang", "Sari Sunyi"):
        assert name in html
    assert "overdue since" in html and "Orang Desa B" not in html
    assert village_day["case"].get_absolute_url() in html and village_day["leaving"].get_absolute_url() in html
    # Without htmx, the same lists are the alerts page.
    assert client.get(reverse("households:today")).url == reverse("households:alerts")


def test_the_alerts_page_lists_the_same_most_urgent_first(client, officer_a, village_day):
    EpisodeFactory(person__name="Budi Lebih Dulu", person__household__village_id=VILLAGE_A, contract_end=days(5))
    client.force_login(officer_a)
    html = client.get(reverse("households:alerts"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert html.index("Budi Lebih Dulu") < html.index("Dedi Pulang")
    assert "Ibu Warsini" in html and "Rina Berangkat" in html


def test_a_coordinator_has_no_days_work_panel(client, coordinator, village_day):
    client.force_login(coordinator)
    home = client.get(reverse("home")).content.decode()
    assert reverse("households:today") not in home
