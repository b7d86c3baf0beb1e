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


@pytest.fixture
def offices():
    from households.services import referral_targets_load

    assert referral_targets_load() > 30
    assert referral_targets_load() == 0  # a second load adds nothing


def case_post(case, **values):
    return {
        "village__province": "32",
        "village__regency": "32.12",
        "village__district": "32.12.16",
        "village__village": VILLAGE_A,
        "kind": case.kind,
        "person_served": case.person_served_id,
        "worker": case.worker_id,
        "description": case.description,
        "status": "referred",
        "opened_on": case.opened_on.isoformat(),
        "version": case.version,
        **values,
    }


def test_a_case_is_referred_to_an_office_of_the_register_that_serves_it(client, officer_a, case, offices):
    from households.models import ReferralTarget

    client.force_login(officer_a)
    url = reverse("households:request-update", args=[case.pk])
    page = client.get(url).content.decode()
    # Offered: national offices, the BP3MI of the village's province, the missions in Malaysia.
    assert "BP3MI Jawa Barat" in page and "KBRI Kuala Lumpur" in page and "KJRI Johor Bahru" in page
    assert "Kementerian Luar Negeri" in page
    assert "BP3MI Jawa Tengah" not in page and "KDEI Taipei" not in page

    elsewhere = ReferralTarget.objects.get(name="BP3MI Jawa Tengah")
    refused = client.post(url, case_post(case, referred_to=elsewhere.pk))
    assert refused.status_code == 200
    case.refresh_from_db()
    assert case.referred_to is None

    office = ReferralTarget.objects.get(name="BP3MI Jawa Barat")
    office.address = "Jl. Soekarno-Hatta No. 1, Bandung"
    office.phone = "022 000000"
    office.save()
    assert client.post(url, case_post(case, referral="", referred_to=office.pk)).status_code == 302
    case.refresh_from_db()
    assert case.referred_to == office and case.referral == "bp3mi"  # the office says the kind
    letter = client.get(reverse("households:request-referral", args=[case.pk])).content.decode()
    assert "BP3MI Jawa Barat" in letter and "Jl. Soekarno-Hatta No. 1, Bandung" in letter and "022 000000" in letter
    assert "BP3MI Jawa Barat" in client.get(case.get_absolute_url()).content.decode()


def test_administrators_keep_the_register_and_a_retired_office_is_not_offered(
    client, administrator, officer_a, case, offices
):
    from households.models import ReferralTarget

    client.force_login(administrator)
    response = client.post(
        reverse("admin:households_referraltarget_add"),
        {
            "kind": "disnaker",
            "name": "Disnaker Kabupaten Indramayu",
            "area_code": "32.12",
            "country": "",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    retired = ReferralTarget.objects.get(name="KJRI Penang")
    retired.is_active = False
    retired.save()
    client.force_login(officer_a)
    page = client.get(reverse("households:request-update", args=[case.pk])).content.decode()
    assert "Disnaker Kabupaten Indramayu" in page and "KJRI Penang" not in page
