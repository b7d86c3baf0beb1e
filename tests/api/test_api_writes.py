"""Writes through the API: a village system (OpenSID) or a phone app registers a household with
its members and a stay abroad, meets someone else's change and resolves it, as an officer
does on the pages; the same rules, the same warnings, the same villages."""

import json

import pytest
from django.test import Client

from api.services import token_create
from desmigratif.models import AccessLog
from households.models import CaseFollowUp, Household, MigrationEpisode, Person, ServiceRequest
from tests.conftest import VILLAGE_A, VILLAGE_B
from tests.factories import EpisodeFactory, HouseholdFactory, PersonFactory

pytestmark = pytest.mark.django_db

HOUSEHOLDS = "/api/v1/households/"


class Api:
    """A client with the user's token, speaking JSON."""

    def __init__(self, user) -> None:
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {token_create(user=user, name='test', days=1)[1]}")

    def get(self, path, **params):
        return self.client.get(path, params)

    def post(self, path, body, **headers):
        return self.client.post(path, json.dumps(body), content_type="application/json", headers=headers)

    def patch(self, path, body, **headers):
        return self.client.patch(path, json.dumps(body), content_type="application/json", headers=headers)


@pytest.fixture
def api_a(officer_a):
    return Api(officer_a)


def new_family(**overrides):
    """What OpenSID would send for the Kenanga family of Ahmad (head) and Siti, his wife, whose
    NIK's date is not her birth date: a warning, as on the page."""
    return {
        "village": VILLAGE_A,
        "kk_number": "3212161503180007",
        "dusun": "Blok A",
        "rt": "1",
        "rw": "2",
        "phone": "0812-3456-7890",
        "members": [
            {
                "name": "Ahmad",
                "nik": "3212161204900001",
                "sex": "M",
                "relationship": "head",
                "birth_date": "1990-04-12",
            },
            {"name": "Siti", "nik": "3212164511950002", "sex": "F", "relationship": "wife", "birth_date": "1995-11-06"},
        ],
        **overrides,
    }


def test_a_client_registers_a_household_with_a_stay_abroad_meets_a_conflict_and_resolves_it(api_a, officer_a):
    created = api_a.post(HOUSEHOLDS, new_family(), **{"Idempotency-Key": "opensid-kenanga-0001"})
    assert created.status_code == 201, created.json()
    body = created.json()
    household = Household.objects.get()
    assert created["Location"] == f"{HOUSEHOLDS}{household.pk}/" and created["ETag"] == '"1"'
    assert (household.rt, household.phone, household.history.first().history_user) == (
        "001",
        "+6281234567890",
        officer_a,
    )
    assert [m["name"] for m in body["members"]] == ["Ahmad", "Siti"]
    assert [(w["field"], w["code"]) for w in body["warnings"]] == [("birth_date", "nik_birth_date_differs")]
    assert body["warnings"][0]["message"]  # in words, not only a code

    # The answer was lost on a 3G line: the app sends the same request again.
    again = api_a.post(HOUSEHOLDS, new_family(), **{"Idempotency-Key": "opensid-kenanga-0001"})
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == household.pk and Household.objects.count() == 1

    ahmad = Person.objects.get(name="Ahmad")
    stay = api_a.post(
        "/api/v1/stays/",
        {
            "person": ahmad.pk,
            "status": "abroad",
            "procedural": "procedural",
            "destination_country": "MY",
            "employer_name": "Sdn Bhd Perkasa",
            "departure_date": "2024-02-01",
            "passport_number": "C1234567",
        },
        **{"Idempotency-Key": "opensid-kenanga-stay-1"},
    )
    assert stay.status_code == 201, stay.json()
    episode = MigrationEpisode.objects.get()
    assert (episode.person, episode.destination_country, episode.status) == (ahmad, "MY", "abroad")
    # A stay read back and sent again: its placement confirmation is the lists' to set, not the client's.
    read_back = {**stay.json(), "employer_name": "Sdn Bhd Perkasa Jaya", "placement_source": "made up"}
    read_back = {k: v for k, v in read_back.items() if k not in {"person"}}
    assert api_a.patch(f"/api/v1/stays/{episode.pk}/", read_back).status_code == 200
    episode.refresh_from_db()
    assert (episode.employer_name, episode.placement_source) == ("Sdn Bhd Perkasa Jaya", "")

    # Meanwhile the officer changes the household's phone on the portal (version 1 -> 2).
    officer_edit = api_a.patch(f"{HOUSEHOLDS}{household.pk}/", {"version": 1, "phone": "081299998888"})
    assert officer_edit.status_code == 200 and officer_edit["ETag"] == '"2"'

    # The app, still at version 1, changes the address: refused, with what changed and the version now.
    stale = api_a.patch(f"{HOUSEHOLDS}{household.pk}/", {"version": 1, "address": "Jl. Kenanga 3"})
    assert stale.status_code == 409
    conflict = stale.json()
    assert conflict["current_version"] == 2 and conflict["current"]["phone"] == "+6281299998888"
    assert [change["field"] for change in conflict["changed_fields"]] == ["phone"]
    household.refresh_from_db()
    assert household.address == "" and household.version == 2

    # Named in If-Match, the stale version is a failed precondition (412), as HTTP has it.
    assert (
        api_a.patch(f"{HOUSEHOLDS}{household.pk}/", {"address": "Jl. Kenanga 3"}, **{"If-Match": '"1"'}).status_code
        == 412
    )

    # Resolved: the change sent again from the current version; the officer's phone stays.
    resolved = api_a.patch(f"{HOUSEHOLDS}{household.pk}/", {"address": "Jl. Kenanga 3"}, **{"If-Match": '"2"'})
    assert resolved.status_code == 200, resolved.json()
    household.refresh_from_db()
    assert (household.address, household.phone, household.version) == ("Jl. Kenanga 3", "+6281299998888", 3)
    assert household.members.count() == 2  # members the change did not name are kept


def test_an_update_names_its_version(api_a):
    household = HouseholdFactory(village_id=VILLAGE_A)
    PersonFactory(household=household, relationship="head")
    response = api_a.patch(f"{HOUSEHOLDS}{household.pk}/", {"dusun": "Blok B"})
    assert response.status_code == 428
    assert api_a.patch(f"{HOUSEHOLDS}{household.pk}/", {"dusun": "B"}, **{"If-Match": "tujuh"}).status_code == 400


def test_the_forms_rules_refuse_with_the_errors_per_field_and_write_nothing(api_a):
    two_heads = new_family()
    two_heads["members"][1]["relationship"] = "head"
    refused = api_a.post(HOUSEHOLDS, two_heads)
    assert refused.status_code == 400
    assert refused.json() == {
        "non_field_errors": [
            "Satu kartu keluarga memiliki satu kepala keluarga; Ahmad, Siti semuanya ditandai sebagai kepala."
        ]
    }

    bad_nik = new_family(kk_number="3.21216E+15")  # a No. KK Excel turned into a number
    bad_nik["members"][1]["nik"] = "12"
    errors = api_a.post(HOUSEHOLDS, bad_nik).json()
    assert "kk_number" in errors and list(errors["members"][1]) == ["nik"] and errors["members"][0] == {}

    assert api_a.post(HOUSEHOLDS, new_family(kk_nomor="x")).json() == {"kk_nomor": ["Bukan kolom penulisan ini."]}
    assert api_a.post(HOUSEHOLDS, new_family(rt={"a": 1})).status_code == 400  # a type the field does not take
    assert api_a.post(HOUSEHOLDS, ["not", "an", "object"]).status_code == 400
    assert not Household.objects.exists()


def test_only_villages_the_user_writes_in(api_a, cast):
    theirs = HouseholdFactory(village_id=VILLAGE_B)
    PersonFactory(household=theirs, relationship="head")
    assert api_a.post(HOUSEHOLDS, new_family(village=VILLAGE_B)).json()["village"]  # not a choice for officer A
    assert api_a.patch(f"{HOUSEHOLDS}{theirs.pk}/", {"version": 1, "dusun": "X"}).status_code == 404
    head_b = theirs.members.get()
    assert api_a.post("/api/v1/stays/", {"person": head_b.pk, "status": "abroad"}).json() == {
        "person": ["Sebutkan data dari desa tempat Anda menulis."]
    }
    for reader in ("coordinator", "analyst"):
        assert Api(cast[reader]).post(HOUSEHOLDS, new_family()).status_code == 403
    mine = HouseholdFactory(village_id=VILLAGE_A)
    assert Api(cast["coordinator"]).patch(f"{HOUSEHOLDS}{mine.pk}/", {"version": 1}).status_code == 403
    assert not Household.objects.filter(kk_number="3212161503180007").exists()


def test_members_are_added_changed_and_removed_only_by_name(api_a):
    created = api_a.post(HOUSEHOLDS, new_family()).json()
    ahmad = created["members"][0]
    # A list that leaves Siti out does not remove her; a member without id is added.
    changed = api_a.patch(
        f"{HOUSEHOLDS}{created['id']}/",
        {
            "version": 1,
            "members": [
                {"id": ahmad["id"], "occupation": "Petani"},
                {"name": "Dimas", "sex": "M", "relationship": "child", "birth_date": "2015-06-01"},
            ],
        },
    )
    assert changed.status_code == 200, changed.json()
    members = {m["name"]: m for m in changed.json()["members"]}
    assert set(members) == {"Ahmad", "Siti", "Dimas"} and members["Ahmad"]["occupation"] == "Petani"
    assert members["Ahmad"]["nik"] == "3212161204900001"  # fields not sent are kept

    removed = api_a.patch(
        f"{HOUSEHOLDS}{created['id']}/", {"version": 2, "members": [{"id": members["Dimas"]["id"], "remove": True}]}
    )
    assert [m["name"] for m in removed.json()["members"]] == ["Ahmad", "Siti"]

    stranger = PersonFactory(household__village_id=VILLAGE_A)
    refused = api_a.patch(
        f"{HOUSEHOLDS}{created['id']}/", {"version": 3, "members": [{"id": stranger.pk, "name": "X"}]}
    )
    assert refused.status_code == 400 and refused.json()["members"][0]["id"]


def test_a_person_is_added_and_changed_under_the_households_rules(api_a):
    created = api_a.post(HOUSEHOLDS, new_family()).json()
    household = Household.objects.get()
    added = api_a.post(
        "/api/v1/persons/",
        {"household": household.pk, "name": "Dimas", "sex": "M", "relationship": "child", "birth_date": "2015-06-01"},
    )
    assert added.status_code == 201, added.json()
    dimas = Person.objects.get(name="Dimas")
    assert added.json()["id"] == dimas.pk and added["Location"] == f"/api/v1/persons/{dimas.pk}/"
    household.refresh_from_db()
    assert household.version == 2  # a household form opened before is refused now

    second_head = api_a.post(
        "/api/v1/persons/", {"household": household.pk, "name": "Budi", "sex": "M", "relationship": "head"}
    )
    assert second_head.status_code == 400 and "non_field_errors" in second_head.json()

    siti = created["members"][1]
    changed = api_a.patch(f"/api/v1/persons/{siti['id']}/", {"version": siti["version"], "occupation": "Pedagang"})
    assert changed.status_code == 200 and changed.json()["occupation"] == "Pedagang"
    stale = api_a.patch(f"/api/v1/persons/{siti['id']}/", {"version": siti["version"], "occupation": "Guru"})
    assert stale.status_code == 409 and stale.json()["current"]["occupation"] == "Pedagang"
    assert api_a.patch(f"/api/v1/persons/{siti['id']}/", {"version": 9, "household": 1}).status_code == 400


def test_a_case_is_opened_and_followed_up(api_a):
    mother = PersonFactory(household__village_id=VILLAGE_A, name="Ibu Warsini", relationship="head")
    worker = PersonFactory(household=mother.household, name="Rina", sex="F", relationship="child")
    EpisodeFactory(person=worker, destination_country="MY")
    opened = api_a.post(
        "/api/v1/cases/",
        {
            "household": mother.household_id,
            "village": VILLAGE_A,
            "kind": "complaint",
            "person_served": mother.pk,
            "worker": worker.pk,
            "description": "Gaji tidak dibayar tiga bulan.",
            "status": "open",
        },
    )
    assert opened.status_code == 201, opened.json()
    case = ServiceRequest.objects.get()
    assert case.follow_up_on is not None  # an unfinished case keeps a date, as from the page

    step = api_a.post(
        f"/api/v1/cases/{case.pk}/follow-ups/",
        {"action": "call", "note": "Agen dihubungi.", "done_on": "2026-11-02"},
        **{"If-Match": f'"{case.version}"', "Idempotency-Key": "case-step-0001"},
    )
    assert step.status_code == 201, step.json()
    assert [f["note"] for f in step.json()["follow_ups"]] == ["Agen dihubungi."]
    again = api_a.post(
        f"/api/v1/cases/{case.pk}/follow-ups/",
        {"action": "call", "note": "Agen dihubungi.", "done_on": "2026-11-02"},
        **{"If-Match": f'"{case.version}"', "Idempotency-Key": "case-step-0001"},
    )
    assert again["Idempotent-Replayed"] == "true" and CaseFollowUp.objects.count() == 1
    stale = api_a.post(f"/api/v1/cases/{case.pk}/follow-ups/", {"action": "call", "version": case.version})
    assert stale.status_code == 409


def test_an_idempotency_key_belongs_to_one_request(api_a):
    key = {"Idempotency-Key": "one-key-one-request"}
    assert api_a.post(HOUSEHOLDS, new_family(), **key).status_code == 201
    person = Person.objects.get(name="Ahmad")
    other = api_a.post("/api/v1/stays/", {"person": person.pk, "status": "preparing"}, **key)
    assert other.status_code == 400 and "Idempotency-Key" in other.json()
    # A refused create frees its key for the corrected request.
    key2 = {"Idempotency-Key": "refused-then-fixed"}
    other_family = new_family(kk_number="12")
    for member, nik in zip(other_family["members"], ["3212160101800003", "3212164101820004"], strict=True):
        member["nik"] = nik
    assert api_a.post(HOUSEHOLDS, other_family, **key2).status_code == 400
    assert api_a.post(HOUSEHOLDS, {**other_family, "kk_number": "3212161503180008"}, **key2).status_code == 201


def test_writes_are_not_logged_as_reads(api_a, officer_a):
    api_a.post(HOUSEHOLDS, new_family())
    assert not AccessLog.objects.filter(user=officer_a, kind=AccessLog.Kind.API_READ).exists()
    api_a.get(f"{HOUSEHOLDS}{Household.objects.get().pk}/")
    assert AccessLog.objects.filter(user=officer_a, kind=AccessLog.Kind.API_READ).count() == 1


def test_a_key_whose_first_request_is_still_at_work_is_answered_409(api_a, officer_a):
    from desmigratif.models import SubmissionKey

    SubmissionKey.objects.create(user=officer_a, key="still-working-0001", path=HOUSEHOLDS)
    busy = api_a.post(HOUSEHOLDS, new_family(), **{"Idempotency-Key": "still-working-0001"})
    assert busy.status_code == 409 and not Household.objects.exists()
    assert api_a.post(HOUSEHOLDS, new_family(), **{"Idempotency-Key": "bad key!"}).status_code == 400
