"""Every endpoint of the API's schema, for each of the cast of users: the statuses are generated from the
schema itself, so an endpoint added without an expectation fails here, and one that forgets its
scoping fails by its statuses (tests/test_permission_matrix.py does the same for pages)."""

import pytest
from drf_spectacular.generators import SchemaGenerator

from tests.conftest import VILLAGE_A, VILLAGE_B
from tests.test_permission_matrix import CAST, LOGGED_IN, per_area, status_of, unprotected, village_records

pytestmark = pytest.mark.django_db

# The record of one village each resource's detail endpoint is tried with (tests/test_permission_matrix.py).
RECORDS = {
    "households": "household",
    "persons": "adult",
    "stays": "episode",
    "cases": "request",
    "enterprises": "enterprise",
    "trainings": "training",
    "learning-houses": "house",
    "children": "child",
    "cooperatives": "cooperative",
    "facilities": "facility",
}
READERS = {"officer_a", "officer_b", "coordinator"}
# Children are for their village's officers only, as their pages.
ONLY_OFFICERS = {"children"}
# Endpoints without records of a village: anyone logged in.
OPEN = {"/api/v1/regions/", "/api/v1/schema/"}


def endpoints() -> list[tuple[str, str]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return sorted((path, method.upper()) for path, operations in schema["paths"].items() for method in operations)


@pytest.fixture
def world(cast):
    return {"A": village_records(VILLAGE_A), "B": village_records(VILLAGE_B)}


# Who writes: the villages' officers and the administrators, as on the pages; coordinators
# and analysts read only (403 before anything else).
NOT_WRITERS = {"anonymous": 401, "coordinator": 403, "analyst": 403}


def expected(path: str, method: str) -> tuple[dict, bool]:
    """The statuses per user (a pair: A's record, B's) and whether the path names a record.
    Writes are sent empty: a writer is refused by the form (400), or, for a change, for naming
    no version (428), once the record is one they may write."""
    if path in OPEN:
        return {**LOGGED_IN, "anonymous": 401}, False
    if path == "/api/v1/figures/":  # the whole country's, without ?area=: the national roles only
        return {**dict.fromkeys(CAST, 404), "anonymous": 401, "analyst": 200, "administrator": 200}, False
    resource = path.removeprefix("/api/v1/").split("/")[0]
    assert resource in RECORDS, f"add {path} to the API matrix"
    if "{id}" not in path:
        if method == "POST":
            return {**dict.fromkeys(CAST, 400), **NOT_WRITERS}, False
        return {**LOGGED_IN, "anonymous": 401}, False  # a list: only the user's records (below)
    if method != "GET":
        writes = per_area({"officer_a", "officer_b"}, on_success=428)
        return {**writes, **NOT_WRITERS}, True
    readers = {"officer_a", "officer_b"} if resource in ONLY_OFFICERS else READERS
    return {**per_area(readers), "anonymous": 401}, True


def test_every_endpoint_of_the_schema_answers_each_user_as_its_scope_says(client, cast, world):
    mismatches = []
    for path, method in endpoints():
        statuses, names_record = expected(path, method)
        resource = path.removeprefix("/api/v1/").split("/")[0]
        for user_name in CAST:
            client.logout()
            if cast[user_name].is_authenticated:
                client.force_login(cast[user_name])
            for index, village in enumerate(["A", "B"] if names_record else [None]):
                url = path.replace("{id}", str(world[village][RECORDS[resource]].pk)) if village else path
                response = client.generic(method, url, "{}", content_type="application/json")
                want = statuses[user_name][index] if isinstance(statuses[user_name], tuple) else statuses[user_name]
                if status_of(response) != want:
                    mismatches.append((method, path, user_name, village, want, status_of(response)))
                if unprotected(response):
                    mismatches.append((method, path, user_name, village, "headers", unprotected(response)))
    assert not mismatches, mismatches


@pytest.mark.parametrize("resource", sorted(RECORDS))
def test_lists_hold_only_the_records_the_user_may_read(client, cast, world, resource):
    readers = {
        "officer_a": {"A"},
        "officer_b": {"B"},
        "coordinator": {"A"},
        "analyst": set(),
        "administrator": {"A", "B"},
    }
    if resource in ONLY_OFFICERS:
        readers["coordinator"] = set()
    for user_name, villages in readers.items():
        client.force_login(cast[user_name])
        got = {row["id"] for row in client.get(f"/api/v1/{resource}/", {"page_size": 500}).json()["results"]}
        mine = {world[village][RECORDS[resource]].pk for village in villages}
        others = {world[village][RECORDS[resource]].pk for village in {"A", "B"} - villages}
        assert mine <= got and not (others & got), (user_name, resource)
