"""A case gives the family a printable receipt with its number, and a referred case a referral
letter addressed from the village and the worker's country."""

import pytest
from django.urls import reverse

from tests.conftest import VILLAGE_A

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(service_case):
    service_case.referral = "mission"
    service_case.save()
    return service_case


def test_a_receipt_with_the_case_number_for_the_family(client, officer_a, case):
    client.force_login(officer_a)
    html = client.get(reverse("households:request-receipt", args=[case.pk]), HTTP_ACCEPT_LANGUAGE="en").content
    page = html.decode()
    assert f"{VILLAGE_A}/{case.opened_on:%Y}/{case.pk:06d}" in page and "Ibu Warsini" in page
    assert "data-print" in page and "print.js" in page and len(html) < 100_000


def test_a_referral_letter_goes_to_the_mission_of_the_workers_country(client, officer_a, case):
    client.force_login(officer_a)
    page = client.get(reverse("households:request-referral", args=[case.pk]), HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert "The Indonesian mission in Malaysia" in html and "Tuan Lim" in html and "C1234567" in html
    case.referral = "disnaker"
    case.save()
    html = client.get(reverse("households:request-referral", args=[case.pk]), HTTP_ACCEPT_LANGUAGE="en").content
    assert b"Head of the labour office (Disnaker) of" in html
    case.referral = ""
    case.save()
    assert client.get(reverse("households:request-referral", args=[case.pk])).status_code == 404
