"""The API's first part: personal tokens made in the portal, the households of the user's
villages through them, the region list, the schema and its documentation."""

import datetime
import re

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from api.models import ApiToken, token_digest
from api.services import token_create
from api.throttling import TokenRateThrottle
from desmigratif.models import AccessLog
from households.models import Household
from tests.conftest import VILLAGE_A, VILLAGE_B
from tests.factories import EpisodeFactory, HouseholdFactory, PersonFactory

pytestmark = pytest.mark.django_db

HOUSEHOLDS = "/api/v1/households/"


def api(token: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def family(village: str, name: str = "Siti Aminah", nik: str | None = None):
    household = HouseholdFactory(village_id=village)
    PersonFactory(household=household, name=name, nik=nik)
    return household


def test_a_token_is_made_in_the_portal_shown_once_and_kept_only_as_a_digest(client, officer_a):
    client.force_login(officer_a)
    page = client.post(reverse("api-tokens"), {"name": "OpenSID Kenanga", "days": "90"})
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    secret = re.search(r"dm_[\w-]{40,}", page.content.decode()).group(0)
    token = ApiToken.objects.get(user=officer_a)
    assert token.digest == token_digest(secret) and secret not in str(token.__dict__)
    assert secret not in client.get(reverse("api-tokens")).content.decode()  # never shown again
    assert (token.expires_at - timezone.now()).days in {89, 90}

    family(VILLAGE_A)
    assert api(secret).get(HOUSEHOLDS).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None

    assert client.post(reverse("api-token-revoke", args=[token.pk])).status_code == 302
    refused = api(secret).get(HOUSEHOLDS)
    assert refused.status_code == 401 and refused["WWW-Authenticate"] == "Bearer"


def test_an_expired_or_unknown_token_is_refused(officer_a):
    token, secret = token_create(user=officer_a, name="old", days=30)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert api(secret).get(HOUSEHOLDS).status_code == 401
    assert api("dm_" + "x" * 43).get(HOUSEHOLDS).status_code == 401
    assert Client(HTTP_AUTHORIZATION="Bearer").get(HOUSEHOLDS).status_code == 401
    assert Client().get(HOUSEHOLDS).status_code == 401
    officer_a.is_active = False
    officer_a.save()
    _token, fresh = token_create(user=officer_a, name="new", days=30)
    assert api(fresh).get(HOUSEHOLDS).status_code == 401  # a deactivated user's tokens stop at once


def test_the_api_shows_only_the_villages_the_user_may_read_and_logs_each_read(officer_a):
    mine = family(VILLAGE_A, nik="3212164107900001")
    theirs = family(VILLAGE_B, "Wahyuni")
    _token, secret = token_create(user=officer_a, name="x", days=30)
    listed = api(secret).get(HOUSEHOLDS).json()
    assert [row["id"] for row in listed["results"]] == [mine.pk]
    member = listed["results"][0]["members"][0]
    assert member["name"] == "Siti Aminah" and member["nik"] == "3212164107900001"
    assert api(secret).get(f"{HOUSEHOLDS}{theirs.pk}/").status_code == 404
    assert api(secret).get(HOUSEHOLDS, {"area": VILLAGE_B}).json()["results"] == []
    assert api(secret).get(HOUSEHOLDS, {"q": "Siti"}).json()["results"][0]["id"] == mine.pk
    assert api(secret).get(HOUSEHOLDS, {"area": "not a code"}).status_code == 400
    logged = AccessLog.objects.filter(user=officer_a, kind=AccessLog.Kind.API_READ)
    assert logged.count() == 3 and logged.filter(rows=1).exists()  # the reads that answered, refusals not
    # A village code as OpenSID and Dukcapil write it: ten digits.
    assert [row["id"] for row in api(secret).get(HOUSEHOLDS, {"area": "3212162004"}).json()["results"]] == [mine.pk]


def test_pages_are_keyset_cursors(officer_a):
    for _ in range(5):
        family(VILLAGE_A)
    _token, secret = token_create(user=officer_a, name="x", days=30)
    first = api(secret).get(HOUSEHOLDS, {"page_size": 2}).json()
    assert len(first["results"]) == 2 and "cursor=" in first["next"] and "offset" not in first["next"]
    second = api(secret).get(first["next"]).json()
    assert {row["id"] for row in first["results"]}.isdisjoint(row["id"] for row in second["results"])


def test_each_token_has_its_own_rate(officer_a, monkeypatch):
    monkeypatch.setattr(TokenRateThrottle, "THROTTLE_RATES", {"token": "2/minute"})
    _one, first = token_create(user=officer_a, name="one", days=30)
    _two, second = token_create(user=officer_a, name="two", days=30)
    assert [api(first).get(HOUSEHOLDS).status_code for _ in range(3)] == [200, 200, 429]
    assert api(second).get(HOUSEHOLDS).status_code == 200


def test_the_region_list_and_the_schema(officer_a):
    _token, secret = token_create(user=officer_a, name="x", days=30)
    provinces = api(secret).get("/api/v1/regions/").json()
    west_java = next(row for row in provinces if row["code"] == "32")
    assert west_java["level"] == 1 and west_java["parent"] == "" and west_java["is_active"]
    villages = api(secret).get("/api/v1/regions/", {"parent": "32.12.16"}).json()
    assert VILLAGE_A in [row["code"] for row in villages] and all(row["level"] == 4 for row in villages)
    schema = api(secret).get("/api/v1/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    assert "/api/v1/households/" in schema.content.decode()
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")


def test_the_documentation_page_needs_no_inline_script(client, officer_a):
    client.force_login(officer_a)
    page = client.get(reverse("api:docs"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "swagger-ui" in html and "cdn" not in html.lower()
    assert not re.search(r"<script>(?!\s*</script>)", html)  # every script has a src (the CSP)


def test_a_user_who_needs_a_second_factor_passes_it_before_making_a_token(analyst):
    password_only = Client()
    password_only.force_login(analyst)
    response = password_only.post(reverse("api-tokens"), {"name": "x", "days": "30"})
    assert response.status_code == 302 and "dua-faktor" in response.url
    assert not ApiToken.objects.exists()


def test_the_figures_of_an_area_are_the_dashboards_with_the_same_protection(officer_a, analyst):
    from childcare.models import Child
    from dashboards.services import figures_refresh

    household = family(VILLAGE_A)
    for born in (datetime.date(2017, 1, 1), datetime.date(2019, 6, 1)):
        Child.objects.create(person=PersonFactory(household=household, relationship="child", birth_date=born))
    figures_refresh()

    def figures(user, **params):
        _token, secret = token_create(user=user, name="x", days=1)
        return api(secret).get("/api/v1/figures/", params)

    mine = figures(officer_a, area=VILLAGE_A).json()
    headlines = {row["slug"]: row["value"] for row in mine["headlines"]}
    assert headlines["households"] == 1 and headlines["children"] == 2 and mine["villages"] == "all"
    seen = figures(analyst, area=VILLAGE_A).json()
    assert {row["slug"]: row["value"] for row in seen["headlines"]}["children"] is None  # "<5" outside the village
    assert figures(officer_a, area=VILLAGE_B).status_code == 404  # not her statistics scope
    assert figures(officer_a).status_code == 404  # nor the country's
    national = figures(analyst, period=str(timezone.localdate().year - 1)).json()
    assert national["period"] == str(timezone.localdate().year - 1)
    assert any(panel["slug"] == "trends" for panel in national["panels"])
    assert figures(analyst, area="x.y").status_code == 400


def test_the_household_list_filters_as_the_list_page(officer_a):
    abroad = family(VILLAGE_A, name="Rina")
    EpisodeFactory(person=abroad.members.get(), status="abroad", destination_country="MY")
    at_home = family(VILLAGE_A, name="Sari")
    archived = family(VILLAGE_A, name="Wati")
    Household.objects.filter(pk=archived.pk).update(is_archived=True)
    client = api(token_create(user=officer_a, name="t", days=1)[1])

    def ids(**params):
        return {row["id"] for row in client.get(HOUSEHOLDS, params).json()["results"]}

    assert ids() == {abroad.pk, at_home.pk}
    assert ids(status="abroad", country="MY") == {abroad.pk}
    assert ids(status="abroad", country="TW") == set()
    assert ids(archived="true") == {abroad.pk, at_home.pk, archived.pk}
    assert client.get(HOUSEHOLDS, {"procedural": "maybe"}).status_code == 400
