"""The household list: scoped search, filters, keyset pages, export."""

import csv
import io

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from desmigratif.models import AccessLog
from households.services import household_kk_change
from tests.conftest import VILLAGE_A, VILLAGE_A_NEIGHBOUR, VILLAGE_B
from tests.factories import EpisodeFactory, HouseholdFactory, PersonFactory

pytestmark = pytest.mark.django_db


def listed(client, **params):
    response = client.get(reverse("households:list"), params)
    assert response.status_code == 200
    return [row["household"].pk for row in response.context["rows"]], response


@pytest.fixture
def households():
    a = PersonFactory(name="Siti Rohmah", nik="3212164511950002", household__village_id=VILLAGE_A).household
    EpisodeFactory(person=a.members.get(), destination_country="TW", procedural="procedural")
    neighbour = PersonFactory(name="Dedi", household__village_id=VILLAGE_A_NEIGHBOUR).household
    b = PersonFactory(name="Siti Kuripan", nik="3307104511950002", household__village_id=VILLAGE_B).household
    return {"a": a, "neighbour": neighbour, "b": b}


def test_each_user_lists_only_their_households(client, cast, households):
    client.force_login(cast["officer_a"])
    assert listed(client)[0] == [households["a"].pk]
    client.force_login(cast["coordinator"])
    assert set(listed(client)[0]) == {households["a"].pk, households["neighbour"].pk}
    client.force_login(cast["officer_b"])
    assert listed(client)[0] == [households["b"].pk]
    client.force_login(cast["analyst"])
    assert client.get(reverse("households:list")).status_code == 200
    assert listed(client)[0] == []


def test_search_by_name_nik_and_former_kk(client, coordinator, households):
    client.force_login(coordinator)
    assert listed(client, q="siti")[0] == [households["a"].pk]  # Siti Kuripan is outside the regency
    assert listed(client, q="3212 1645 1195 0002")[0] == [households["a"].pk]
    old_kk = households["a"].kk_number
    household_kk_change(household=households["a"], number="3212161001240003")
    households["a"].save()
    assert listed(client, q=old_kk)[0] == [households["a"].pk]


def test_episode_filters(client, coordinator, households):
    client.force_login(coordinator)
    assert listed(client, status="abroad", country="TW")[0] == [households["a"].pk]
    assert listed(client, country="MY")[0] == []
    assert listed(client, procedural="procedural", area="32.12.16")[0] == [households["a"].pk]


def test_keyset_pages_cover_every_household_once(client, officer_a):
    created = [HouseholdFactory(village_id=VILLAGE_A).pk for _ in range(60)]
    client.force_login(officer_a)
    seen, params = [], {"sort": "kk"}
    for _ in range(10):
        ids, response = listed(client, **params)
        seen += ids
        cursor = response.context["page"].next_cursor
        if not cursor:
            break
        params["after"] = cursor
    assert sorted(seen) == sorted(created) and len(seen) == len(set(seen))


def test_bad_cursor_starts_again(client, officer_a, households):
    client.force_login(officer_a)
    assert listed(client, after="not-a-cursor")[0] == [households["a"].pk]


def downloaded(response) -> str:
    return b"".join(response.streaming_content).decode("utf-8-sig")


def test_an_officer_exports_their_own_village_streamed_and_logged(client, cast, households):
    client.force_login(cast["coordinator"])  # reads the regency, works in no village: no export
    assert client.get(reverse("households:export"), {"format": "csv"}).status_code == 403
    officer_a = cast["officer_a"]
    client.force_login(officer_a)
    assert "format=csv" in client.get(reverse("households:list")).content.decode()  # offered on the list
    response = client.get(reverse("households:export"), {"format": "csv", "q": "siti"})
    assert response.status_code == 200 and response.streaming and response["X-Row-Count"] == "1"
    assert response["Content-Disposition"].endswith('-1.csv"')
    assert not AccessLog.objects.exists()  # logged when the file has been sent
    rows = list(csv.reader(io.StringIO(downloaded(response))))
    assert len(rows) == 2 and rows[1][0] == str(households["a"].pk) and "3212164511950002" in rows[1]
    log = AccessLog.objects.get()
    assert (log.user, log.kind, log.rows, log.detail["q"]) == (officer_a, "export", 1, "siti")
    everything = list(csv.reader(io.StringIO(downloaded(client.get(reverse("households:export"))))))
    assert [row[0] for row in everything[1:]] == [str(households["a"].pk)]  # their village only
    xlsx = client.get(reverse("households:export"), {"format": "xlsx"})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK" and xlsx["X-Row-Count"] == "1"


def test_with_the_permission_an_export_covers_what_the_user_reads(client, cast, households):
    coordinator = cast["coordinator"]
    coordinator.user_permissions.add(Permission.objects.get(codename="export_household"))
    client.force_login(coordinator)
    response = client.get(reverse("households:export"), {"format": "csv"})
    rows = list(csv.reader(io.StringIO(downloaded(response))))
    assert response["X-Row-Count"] == "2"
    assert {row[0] for row in rows[1:]} == {str(households["a"].pk), str(households["neighbour"].pk)}


def test_the_filters_are_drawn_when_opened_or_in_use(client, coordinator, households):
    client.force_login(coordinator)
    html = client.get(reverse("households:list"), {"q": "siti"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'name="q"' in html and 'name="sort"' in html
    assert 'name="country"' not in html  # some 250 options, only when opened
    assert "part=filters" in html and "filters=1" in html  # htmx fetches them; without script, a link

    fragment = client.get(reverse("households:list"), {"part": "filters", "q": "siti", "country": "TW"})
    body = fragment.content.decode()
    assert fragment.status_code == 200 and "<html" not in body
    assert '<option value="TW" selected>' in body and 'name="q"' not in body
    assert "<tr" not in body  # the list is not queried for the filters

    opened = client.get(reverse("households:list"), {"country": "TW"}).content.decode()
    assert '<details class="card mb-3" open>' in opened and '<option value="TW" selected>' in opened
    assert (
        '<details class="card mb-3" open>' in client.get(reverse("households:list"), {"filters": "1"}).content.decode()
    )


def test_the_filters_offer_only_the_users_areas(client, cast, households):
    client.force_login(cast["officer_b"])
    body = client.get(reverse("households:list"), {"part": "filters"}).content.decode()
    assert VILLAGE_B in body and VILLAGE_A not in body


def test_a_family_is_listed_by_its_head_and_a_search_says_which_member_it_found(client, officer_a, households):
    PersonFactory(household=households["a"], name="Ahmad Fauzi", relationship="husband")
    client.force_login(officer_a)
    html = client.get(reverse("households:list"), {"q": "ahmad"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Siti Rohmah</a>" in html  # the head names the family
    assert "found: Ahmad Fauzi" in html and households["a"].kk_number in html
    html = client.get(reverse("households:list"), {"q": "3212164511950002"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "found: Siti Rohmah" in html
