"""Every URL of the portal, found from the URLconf, as each of the cast, on records of
village A and of village B. A page nobody classified here fails the test, and so does a
classified page that lets someone reach a record outside their area.

Statuses: 200 (or a redirect after a successful POST), 302 to the login page, 404 outside
the user's area (the portal does not even confirm a record exists), 403 where a
permission beyond the area is missing (exports), 405 for the wrong method.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Permission
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from api.services import token_create
from childcare.models import ActivityKind, Child, LearningHouse, Session
from cooperatives.models import Cooperative, Facility
from enterprises.models import Category, Enterprise, Training
from households.models import ImportBatch, MigrationEpisode, ServiceRequest
from households.services import document_attach
from placements.models import PlacementBatch, PlacementGap, PlacementRecord
from tests.conftest import VILLAGE_A, VILLAGE_B
from tests.factories import AssignmentFactory, HouseholdFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()  # noqa: DTZ011 - dates of records
CAST = ["anonymous", "officer_a", "officer_b", "coordinator", "analyst", "administrator"]
LOGIN = "login"  # a redirect to the login page
PDF = b"%PDF-1.4\n%%EOF\n"
ADMIN_LOGIN = "admin-login"


def all_url_names() -> list[tuple[str, str]]:
    """(name, route) of every named URL of the portal, the admin's included."""

    def walk(patterns, prefix="", namespace=None):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = namespace
                if pattern.namespace:
                    inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            elif isinstance(pattern, URLPattern):
                name = pattern.name and (f"{namespace}:{pattern.name}" if namespace else pattern.name)
                yield name or f"<unnamed {prefix}{pattern.pattern}>", prefix + str(pattern.pattern)

    return sorted(set(walk(get_resolver().url_patterns)))


# --- records of one village ------------------------------------------------------------------------


def village_records(village: str) -> dict:
    household = HouseholdFactory(village_id=village)
    adult = PersonFactory(household=household, birth_date=datetime.date(1990, 1, 1), relationship="head")
    minor = PersonFactory(household=household, relationship="child", birth_date=TODAY - datetime.timedelta(days=3000))
    kid = PersonFactory(household=household, relationship="child", birth_date=TODAY - datetime.timedelta(days=2000))
    episode = MigrationEpisode.objects.create(person=adult, status="abroad", destination_country="HK")
    request = ServiceRequest.objects.create(
        village_id=village, kind="information", description="x", status="open", opened_on=TODAY, referral="disnaker"
    )
    category, _ = Category.objects.get_or_create(code="food", defaults={"name": "Makanan"})
    enterprise = Enterprise.objects.create(village_id=village, owner=household, name="Usaha", category=category)
    training = Training.objects.create(village_id=village, kind="mtu", topic="T", starts_on=TODAY, ends_on=TODAY)
    house = LearningHouse.objects.create(village_id=village, name="Rumah Belajar")
    child = Child.objects.create(person=kid, learning_house=house)
    kind, _ = ActivityKind.objects.get_or_create(code="reading", defaults={"name": "Membaca"})
    Session.objects.create(learning_house=house, kind=kind, held_on=TODAY)
    cooperative = Cooperative.objects.create(village_id=village, kind="koperasi", name="Koperasi")
    facility = Facility.objects.create(village_id=village, kind="road", funder="x")
    document = document_attach(owner=adult, kind="ktp", data=PDF, user=None)
    child_document = document_attach(owner=minor, kind="kk", data=PDF, user=None)
    placements = placement_batch_of(village)
    pending = PlacementRecord.objects.create(
        batch=placements,
        row=2,
        name=adult.name,
        village_code=village,
        person=adult,
        episode=episode,
        matched_by=PlacementRecord.MatchedBy.NAME,
        decision=PlacementRecord.Decision.PENDING,
    )
    gap = PlacementGap.objects.create(batch=placements, episode=episode)
    return {
        "village": village,
        "household": household,
        "adult": adult,
        "minor": minor,
        "episode": episode,
        "request": request,
        "enterprise": enterprise,
        "training": training,
        "house": house,
        "child": child,
        "cooperative": cooperative,
        "facility": facility,
        "document": document,
        "child_document": child_document,
        "placements": placements,
        "pending": pending,
        "gap": gap,
    }


def placement_batch_of(village: str) -> PlacementBatch:
    """A placement list extract of the village, checked and waiting to be applied."""
    return PlacementBatch.objects.create(
        user=UserFactory(), extracted_on=TODAY, area_code=village, file_name="siskop2mi.csv", sha256="0" * 64
    )


def batch_of(village: str, user) -> ImportBatch:
    return ImportBatch.objects.create(
        user=user,
        file_name="x.csv",
        sha256="0" * 64,
        status=ImportBatch.Status.VALIDATED,
        villages=[village],
        upload=b"no_kk;nama\n1;x\n",
    )


# --- expectations -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """Expected status per user; a pair means (record of village A, record of village B)."""

    statuses: dict[str, int | str | tuple]
    method: str = "get"


def per_area(read: set[str], *, on_success: int = 200) -> dict[str, tuple]:
    """Statuses for a page of one village's record, readable by the users in ``read``
    (administrators always)."""
    a_users = {"officer_a", "coordinator", "administrator"} & (read | {"administrator"})
    b_users = {"officer_b", "administrator"} & (read | {"administrator"})
    expected: dict[str, tuple | str] = {"anonymous": LOGIN}
    for user in CAST[1:]:
        expected[user] = (on_success if user in a_users else 404, on_success if user in b_users else 404)
    return expected


READ = per_area({"officer_a", "officer_b", "coordinator"})
WRITE = per_area({"officer_a", "officer_b"})
STATS = {**per_area({"officer_a", "officer_b", "coordinator", "analyst"}), "analyst": (200, 200)}
# Pages with no record: anyone logged in, or anyone with some scope for the action.
LOGGED_IN = {"anonymous": LOGIN, **dict.fromkeys(CAST[1:], 200)}
ANY_READ = {**LOGGED_IN, "analyst": 404}
# Lists show what the user may read: nothing at all for an analyst (test_lists_show_only_the_users_records).
LIST = LOGGED_IN
ANY_WRITE = {**ANY_READ, "coordinator": 404}
ANY_STATS = LOGGED_IN

PORTAL: dict[str, Rule] = {
    "home": Rule(LOGGED_IN),
    "login": Rule({"anonymous": 200, **dict.fromkeys(CAST[1:], 302)}),
    "logout": Rule(dict.fromkeys(CAST, 405)),
    "password_change": Rule(LOGGED_IN),
    "password_change_done": Rule(LOGGED_IN),
    "two-factor-verify": Rule(LOGGED_IN),
    # Offered to those without a second factor; analysts and administrators here have passed theirs.
    "two-factor-setup": Rule({**LOGGED_IN, "analyst": 302, "administrator": 302}),
    "set_language": Rule(dict.fromkeys(CAST, 302), method="post"),
    "health": Rule(dict.fromkeys(CAST, 200)),
    "service-worker": Rule(dict.fromkeys(CAST, 200)),
    "outbox": Rule(LOGGED_IN),
    "<unnamed favicon.ico>": Rule(dict.fromkeys(CAST, 301)),
    "region-index": Rule(ANY_STATS),
    "region-search": Rule(ANY_STATS),
    "region-picker": Rule({**ANY_STATS}),
    "region-detail": Rule(STATS),
    "households:list": Rule(LIST),
    "households:export": Rule({**ANY_READ, "coordinator": 403}),
    "households:create": Rule(ANY_WRITE),
    "households:member-row": Rule(ANY_WRITE),
    "households:detail": Rule(READ),
    "households:history": Rule(READ),
    "households:update": Rule(WRITE),
    "households:archive": Rule(WRITE),
    "households:episode-create": Rule(WRITE),
    "households:episode-update": Rule(WRITE),
    "households:episode-return": Rule(per_area({"officer_a", "officer_b"}, on_success=302), method="post"),
    "households:episode-depart": Rule(per_area({"officer_a", "officer_b"}, on_success=302), method="post"),
    "households:person-document-add": Rule(per_area({"officer_a", "officer_b"}, on_success=302), method="post"),
    "households:episode-document-add": Rule(per_area({"officer_a", "officer_b"}, on_success=302), method="post"),
    "households:case-document-add": Rule(per_area({"officer_a", "officer_b"}, on_success=302), method="post"),
    "households:document": Rule(READ),
    "households:document-delete": Rule(per_area({"officer_a", "officer_b"}, on_success=302), method="post"),
    "households:request-list": Rule(LIST),
    "households:request-create": Rule(ANY_WRITE),
    "households:request-detail": Rule(READ),
    "households:request-update": Rule(WRITE),
    "households:request-receipt": Rule(READ),
    "households:request-referral": Rule(READ),
    "households:request-follow-up": Rule(WRITE, method="post"),  # an empty form: the page with its errors
    # Without htmx the lists' page is the alerts page.
    "households:today": Rule({**ANY_READ, **{user: 302 for user, status in ANY_READ.items() if status == 200}}),
    "households:alerts": Rule(ANY_READ),
    "households:import": Rule(ANY_WRITE),
    "households:import-template": Rule(ANY_WRITE),
    "households:import-detail": Rule(WRITE),
    "households:import-confirm": Rule(per_area({"officer_a", "officer_b"}, on_success=302), method="post"),
    "households:import-recheck": Rule(per_area({"officer_a", "officer_b"}, on_success=302), method="post"),
    "households:import-approve": Rule(per_area({"coordinator"}, on_success=302), method="post"),
    "households:import-approvals": Rule({**LOGGED_IN, "officer_a": 404, "officer_b": 404, "analyst": 404}),
    "households:import-rollback": Rule(per_area({"officer_a", "officer_b"}, on_success=302), method="post"),
    "households:import-errors": Rule(WRITE),
    "placements:index": Rule(ANY_READ),
    "placements:detail": Rule(READ),
    "placements:apply": Rule(per_area({"coordinator"}, on_success=302), method="post"),
    "placements:revert": Rule(per_area({"coordinator"}, on_success=302), method="post"),
    "placements:discard": Rule(per_area({"coordinator"}, on_success=302), method="post"),
    "placements:decide": Rule(per_area({"coordinator"}, on_success=302), method="post"),
    "placements:gap-check": Rule(per_area({"officer_a", "officer_b"}, on_success=302), method="post"),
    "enterprises:index": Rule(LIST),
    "enterprises:create": Rule(WRITE),
    "enterprises:detail": Rule(READ),
    "enterprises:update": Rule(WRITE),
    "enterprises:visit-create": Rule(WRITE),
    "enterprises:aid-create": Rule(WRITE),
    "enterprises:training-list": Rule(LIST),
    "enterprises:training-create": Rule(ANY_WRITE),
    "enterprises:training-detail": Rule(READ),
    "enterprises:training-update": Rule(WRITE),
    # An empty POST: the form comes back with its errors.
    "enterprises:training-attendance": Rule(WRITE, method="post"),
    "childcare:index": Rule(LIST),
    "childcare:house-create": Rule(ANY_WRITE),
    "childcare:house-detail": Rule(READ),
    "childcare:house-update": Rule(WRITE),
    "childcare:session-create": Rule(WRITE),
    "childcare:child-create": Rule(WRITE),
    "childcare:child-detail": Rule(WRITE),  # children: the village's officers only
    "childcare:child-update": Rule(WRITE),
    "cooperatives:index": Rule(LIST),
    "cooperatives:create": Rule(ANY_WRITE),
    "cooperatives:detail": Rule(READ),
    "cooperatives:update": Rule(WRITE),
    "cooperatives:member-create": Rule(WRITE),
    "cooperatives:facility-list": Rule(LIST),
    "cooperatives:facility-create": Rule(ANY_WRITE),
    "cooperatives:facility-update": Rule(WRITE),
    "dashboards:home": Rule({**LOGGED_IN, **dict.fromkeys(CAST[1:], 302)}),
    "dashboards:national": Rule({**ANY_STATS, "officer_a": 404, "officer_b": 404, "coordinator": 404}),
    "dashboards:national-csv": Rule({**ANY_STATS, "officer_a": 404, "officer_b": 404, "coordinator": 404}),
    "dashboards:area": Rule(STATS),
    "dashboards:area-csv": Rule(STATS),
    "dashboards:national-areas-csv": Rule({**ANY_STATS, "officer_a": 404, "officer_b": 404, "coordinator": 404}),
    # Of the village's district: whole only to its regency's coordinator and the analyst.
    "dashboards:area-areas-csv": Rule({**per_area({"coordinator"}), "analyst": (200, 200)}),
    "dashboards:national-report": Rule({**ANY_STATS, "officer_a": 404, "officer_b": 404, "coordinator": 404}),
    "dashboards:national-report-download": Rule({**ANY_STATS, "officer_a": 404, "officer_b": 404, "coordinator": 404}),
    "dashboards:area-report": Rule(STATS),
    "dashboards:area-report-download": Rule(STATS),
    # The API: 401 (with "WWW-Authenticate: Bearer") instead of the login page; its records and
    # lists are in tests/api/test_api_matrix.py, generated from the schema.
    "api:schema": Rule({**LOGGED_IN, "anonymous": 401}),
    "api:docs": Rule({**LOGGED_IN, "anonymous": 401}),
    "api-tokens": Rule(LOGGED_IN),
    # Someone else's token: nobody revokes it.
    "api-token-revoke": Rule({**dict.fromkeys(CAST[1:], 404), "anonymous": LOGIN}, method="post"),
}

# Query strings of fragments that need one.
QUERY: dict[str, dict] = {
    "households:member-row": {"index": "1"},
    "region-picker": {"name": "village", "id": "id_village", "action": "write"},
}

# The record each page's URL names, by URL name: a function of one village's records.
ARGUMENTS: dict[str, Callable[[dict], list]] = {
    "region-detail": lambda r: [r["village"]],
    "dashboards:area": lambda r: [r["village"]],
    "dashboards:area-csv": lambda r: [r["village"], "children"],
    "dashboards:national-csv": lambda r: ["children"],
    "dashboards:area-areas-csv": lambda r: [r["village"][:8]],
    "api-token-revoke": lambda r: [token_create(user=UserFactory(), name="x", days=30)[0].pk],
    "dashboards:national-report": lambda r: [TODAY.year - 1],
    "dashboards:national-report-download": lambda r: [TODAY.year - 1, "xlsx"],
    "dashboards:area-report": lambda r: [r["village"], TODAY.year - 1],
    "dashboards:area-report-download": lambda r: [r["village"], TODAY.year - 1, "csv"],
    "households:detail": lambda r: [r["household"].pk],
    "households:history": lambda r: [r["household"].pk],
    "households:update": lambda r: [r["household"].pk],
    "households:archive": lambda r: [r["household"].pk],
    "households:episode-create": lambda r: [r["adult"].pk],
    "households:episode-update": lambda r: [r["episode"].pk],
    "households:episode-return": lambda r: [r["episode"].pk],
    "households:episode-depart": lambda r: [r["episode"].pk],
    "households:person-document-add": lambda r: [r["adult"].pk],
    "households:episode-document-add": lambda r: [r["episode"].pk],
    "households:case-document-add": lambda r: [r["request"].pk],
    "households:document": lambda r: [r["document"].pk],
    # Each try removes a document: a new one for each.
    "households:document-delete": lambda r: [document_attach(owner=r["adult"], kind="ktp", data=PDF, user=None).pk],
    "households:request-detail": lambda r: [r["request"].pk],
    "households:request-update": lambda r: [r["request"].pk],
    "households:request-receipt": lambda r: [r["request"].pk],
    "households:request-referral": lambda r: [r["request"].pk],
    "households:request-follow-up": lambda r: [r["request"].pk],
    "households:import-template": lambda r: ["csv"],
    "households:import-detail": lambda r: [r["batch"].pk],
    "households:import-confirm": lambda r: [r["batch"].pk],
    "households:import-recheck": lambda r: [r["batch"].pk],
    "households:import-approve": lambda r: [r["batch"].pk],
    "households:import-rollback": lambda r: [r["batch"].pk],
    "households:import-errors": lambda r: [r["batch"].pk, "xlsx"],
    "placements:detail": lambda r: [r["placements"].pk],
    "placements:apply": lambda r: [r["placements"].pk],
    "placements:revert": lambda r: [r["placements"].pk],
    # Each try discards an extract: a new one for each.
    "placements:discard": lambda r: [placement_batch_of(r["village"]).pk],
    "placements:decide": lambda r: [r["pending"].pk],
    "placements:gap-check": lambda r: [r["gap"].pk],
    "enterprises:create": lambda r: [r["household"].pk],
    "enterprises:detail": lambda r: [r["enterprise"].pk],
    "enterprises:update": lambda r: [r["enterprise"].pk],
    "enterprises:visit-create": lambda r: [r["enterprise"].pk],
    "enterprises:aid-create": lambda r: [r["enterprise"].pk],
    "enterprises:training-detail": lambda r: [r["training"].pk],
    "enterprises:training-update": lambda r: [r["training"].pk],
    "enterprises:training-attendance": lambda r: [r["training"].pk],
    "childcare:house-detail": lambda r: [r["house"].pk],
    "childcare:house-update": lambda r: [r["house"].pk],
    "childcare:session-create": lambda r: [r["house"].pk],
    "childcare:child-create": lambda r: [r["minor"].pk],
    "childcare:child-detail": lambda r: [r["child"].pk],
    "childcare:child-update": lambda r: [r["child"].pk],
    "cooperatives:detail": lambda r: [r["cooperative"].pk],
    "cooperatives:update": lambda r: [r["cooperative"].pk],
    "cooperatives:member-create": lambda r: [r["cooperative"].pk],
    "cooperatives:facility-update": lambda r: [r["facility"].pk],
}


def unprotected(response) -> list[str]:
    """The protective headers a response lacks: every answer of the portal and of the admin
    carries the Content Security Policy (no inline scripts, no framing), X-Frame-Options and
    a Referrer-Policy; every answer to a logged-in user, Cache-Control: no-store."""
    policy = response.headers.get("Content-Security-Policy", "")
    scripts = next((part for part in policy.split(";") if part.strip().startswith("script-src")), "")
    missing = []
    if "'self'" not in scripts or "unsafe-inline" in scripts or "frame-ancestors 'none'" not in policy:
        missing.append("Content-Security-Policy")
    if response.headers.get("X-Frame-Options") != "DENY":
        missing.append("X-Frame-Options")
    if not response.headers.get("Referrer-Policy"):
        missing.append("Referrer-Policy")
    # Shared village computers: nothing a logged-in user is shown stays in a cache (issue 14).
    if response.wsgi_request.user.is_authenticated and "no-store" not in response.headers.get("Cache-Control", ""):
        missing.append("Cache-Control: no-store")
    return missing


def status_of(response) -> int | str:
    if response.status_code == 302 and response.url.startswith(reverse("login")):
        return LOGIN
    if response.status_code == 302 and response.url.startswith(reverse("admin:login")):
        return ADMIN_LOGIN
    return response.status_code


@pytest.fixture
def world(cast):
    records = {"A": village_records(VILLAGE_A), "B": village_records(VILLAGE_B)}
    records["A"]["batch"] = batch_of(VILLAGE_A, cast["officer_a"])
    records["B"]["batch"] = batch_of(VILLAGE_B, cast["officer_b"])
    return records


def portal_names() -> list[str]:
    """The portal's pages; the admin's have their own tests, and the API's records and lists
    have tests/api/test_api_matrix.py, generated from the API's schema."""
    return [
        name
        for name, route in all_url_names()
        if not route.startswith("admin/") and not (route.startswith("api/v1/") and name != "api:schema")
    ]


def test_every_portal_url_is_classified():
    unclassified = sorted(set(portal_names()) - set(PORTAL))
    assert not unclassified, f"add these pages to the permission matrix: {unclassified}"


def mismatches_of(client, cast, world, name: str, rule: Rule, arguments=ARGUMENTS) -> list[tuple]:
    """(user, village, expected, got) wherever a page answers other than its rule says."""
    mismatches = []
    for user_name in CAST:
        user = cast[user_name]
        client.logout()
        if user.is_authenticated:
            client.force_login(user)
        expected = rule.statuses[user_name]
        targets = ["A", "B"] if name in arguments else [None]
        for index, village in enumerate(targets):
            args = arguments[name](world[village]) if village else []
            url = reverse(name, args=args) if not name.startswith("<unnamed") else "/favicon.ico"
            if name == "households:import-approve":  # each approval needs a batch that waits for one
                ImportBatch.objects.update(status=ImportBatch.Status.AWAITING_APPROVAL)
            response = getattr(client, rule.method)(url, QUERY.get(name, {}))
            want = expected[index] if isinstance(expected, tuple) else expected
            if status_of(response) != want:
                mismatches.append((user_name, village, want, status_of(response)))
            if unprotected(response):
                mismatches.append((user_name, village, "headers", unprotected(response)))
    return mismatches


@pytest.mark.parametrize("name", sorted(PORTAL))
def test_portal_url(client, cast, world, name):
    assert not mismatches_of(client, cast, world, name, PORTAL[name])


@override_settings(ROOT_URLCONF="tests.leaky_urls")
def test_a_new_page_without_scoping_fails_the_matrix(client, cast, world):
    """The guard itself: a household page that forgot its scoping is caught twice, first as
    unclassified, then, once classified as a record page, by its statuses."""
    assert "leak" in set(portal_names()) - set(PORTAL)
    arguments = {"leak": lambda r: [r["household"].pk]}
    found = mismatches_of(client, cast, world, "leak", Rule(READ), arguments)
    assert ("officer_b", "A", 404, 200) in found and ("analyst", "B", 404, 200) in found


LISTS = {
    "households:list": "household",
    "households:request-list": "request",
    "enterprises:index": "enterprise",
    "enterprises:training-list": "training",
    "childcare:index": "house",
    "cooperatives:index": "cooperative",
    "cooperatives:facility-list": "facility",
}


@pytest.mark.parametrize("name", sorted(LISTS))
def test_lists_show_only_the_users_records(client, cast, world, name):
    """A list answers 200 to anyone logged in, with only the records of the user's areas."""
    readers = {
        "officer_a": {"A"},
        "officer_b": {"B"},
        "coordinator": {"A"},
        "analyst": set(),
        "administrator": {"A", "B"},
    }
    for user_name, villages in readers.items():
        client.force_login(cast[user_name])
        page = client.get(reverse(name))
        shown = {record.pk for record in page.context["object_list"]} if "object_list" in page.context else None
        if shown is None:  # the household list pages by keyset
            shown = {row["household"].pk for row in page.context["rows"]}
        expected = {world[village][LISTS[name]].pk for village in villages}
        assert shown == expected, (user_name, name)


# --- the admin -------------------------------------------------------------------------------------------


def admin_objects(world, cast) -> dict:
    """An object of every model the admin registers: village A's and B's for scoped models."""
    from django.contrib import admin
    from django.contrib.auth.models import Group

    from cooperatives.models import Membership
    from dashboards.tasks import refresh_figures
    from desmigratif.models import AccessLog, Assignment, User
    from enterprises.models import Attendance, EquipmentAid, MentoringVisit
    from households.models import Job, PlacementAgency
    from tests.factories import pillar_record

    Group.objects.get_or_create(name="Petugas")
    AccessLog.objects.create(user=cast["officer_a"], kind=AccessLog.Kind.EXPORT, what="households", rows=1)
    refresh_figures.enqueue()
    Job.objects.get_or_create(code="x", defaults={"name": "Pekerja"})
    PlacementAgency.objects.get_or_create(name="P3MI")
    for village in ("A", "B"):
        code = world[village]["village"]
        for model in (Attendance, MentoringVisit, EquipmentAid, Membership):
            world[village][model.__name__] = pillar_record(model, code, f"{model.__name__} {village}")
    by_model = {}
    for model in admin.site._registry:
        scoped_pair = (
            [r for r in world["A"].values() if isinstance(r, model)],
            [r for r in world["B"].values() if isinstance(r, model)],
        )
        if scoped_pair[0] and scoped_pair[1]:
            by_model[model] = (scoped_pair[0][0], scoped_pair[1][0])
        elif model is Assignment:
            by_model[model] = tuple(Assignment.objects.get(user=cast[u]) for u in ("officer_a", "officer_b"))
        elif model is User:
            by_model[model] = (cast["officer_a"], cast["officer_b"])
        else:
            instance = model._default_manager.order_by("pk").first()
            by_model[model] = (instance, instance)
    return by_model


def admin_urls(objects: dict) -> list[tuple[str, str, object]]:
    """(url name, url, object or None) of every admin page."""
    from django.contrib import admin

    urls = [(f"admin:{name}", reverse(f"admin:{name}"), None) for name in ("index", "password_change")]
    for model, model_admin in admin.site._registry.items():
        for pattern in model_admin.get_urls():
            name = getattr(pattern, "name", None)
            if not name:
                continue
            groups = pattern.pattern.regex.groups
            if groups == 2:  # a past version: /<object>/history/<version>/
                for instance in objects[model] if hasattr(model, "history") and objects[model][0] else ():
                    version = instance.history.order_by("history_id").first().history_id
                    urls.append((f"admin:{name}", reverse(f"admin:{name}", args=[instance.pk, version]), instance))
            elif groups == 1:
                # Models with no record here (axes' lockouts, OTP devices) are covered by their list page.
                for instance in (i for i in objects[model] if i is not None):
                    urls.append((f"admin:{name}", reverse(f"admin:{name}", args=[instance.pk]), instance))
            elif "process_import" not in name:
                urls.append((f"admin:{name}", reverse(f"admin:{name}"), None))
    return urls


def test_admin_pages_are_for_staff_and_scoped(client, cast, world):
    """Every admin page: anonymous users and the portal's non-staff roles are sent to the admin's
    login; the administrator opens everything; a staff officer of village A with every view
    permission opens village A's records and not village B's."""
    from django.contrib import admin

    objects = admin_objects(world, cast)
    staff = UserFactory(username="staff.officer.a", is_staff=True)
    AssignmentFactory(user=staff, role="officer", area=VILLAGE_A)
    staff.user_permissions.set(Permission.objects.filter(codename__startswith="view_"))
    scoped_models = {
        model for model, pair in objects.items() if pair[0] is not pair[1] and getattr(model, "scope_path", None)
    }
    mismatches = []
    for name, url, instance in admin_urls(objects):
        for user_name in ("anonymous", "officer_a", "coordinator", "analyst"):
            client.logout()
            if cast[user_name].is_authenticated:
                client.force_login(cast[user_name])
            if status_of(client.get(url)) != ADMIN_LOGIN:
                mismatches.append((name, url, user_name))
        client.force_login(cast["administrator"])
        # Regions come from the Kemendagri list and tasks from the worker: nobody adds or deletes them by hand;
        # a second factor is set up by its owner, on the portal's page.
        read_only = name == "admin:otp_totp_totpdevice_add" or (
            name.endswith(("_add", "_delete"))
            and any(
                part in name
                for part in (
                    "_province_",
                    "_regency_",
                    "_district_",
                    "_village_",
                    "_dbtaskresult_",
                    "_accesslog_",
                    "_accessattempt_",
                    "_accessfailurelog_",
                )
            )
        )
        response = client.get(url)
        status = response.status_code
        if status != (403 if read_only else 200):
            mismatches.append((name, url, "administrator", status))
        if unprotected(response):
            mismatches.append((name, url, "administrator", unprotected(response)))
        if instance is not None and type(instance) in scoped_models and name.endswith(("_change", "_history")):
            client.force_login(staff)
            status = client.get(url).status_code
            in_a = scoped(type(instance)._default_manager.filter(pk=instance.pk), staff).exists()
            if (status == 200) != in_a:
                mismatches.append((name, url, "staff officer A", status))
    assert not mismatches, mismatches
    assert len(admin.site._registry) > 20


def scoped(queryset, user):
    from desmigratif.access import scoped as scope

    return scope(queryset, user)


# --- the admin's forms ----------------------------------------------------------------------------------


def staff_cast(cast) -> dict:
    """The cast as staff who may add and change everything in the admin: what each may link a
    record to is then their scope's doing alone."""
    everything = Permission.objects.filter(codename__regex=r"^(view|add|change)_")
    staff = {}
    for name in ("officer_a", "officer_b", "coordinator", "administrator"):
        user = cast[name]
        user.is_staff = True
        user.save()
        user.user_permissions.set(everything)
        staff[name] = type(user)._default_manager.get(pk=user.pk)  # without cached permissions
    return staff


REGION_DIGITS = {"Province": 2, "Regency": 5, "District": 8, "Village": 13}


def other_village_record(world, village: str, model):
    """A record of ``model`` in ``village`` (for a region model: the region ``village`` lies in)."""
    from desmigratif.models import Region

    if issubclass(model, Region):
        return model._default_manager.get(pk=world[village]["village"][: REGION_DIGITS[model.__name__]])
    return next((record for record in world[village].values() if isinstance(record, model)), None)


def admin_forms(model_admin, request, instance):
    """(form, label) of the admin's own form and of each of its inlines' forms, as the admin
    instantiates them (a form may cut its choices to the user when it is made)."""
    # The form as if the user may change the record (one they may only view has no fields).
    yield model_admin.get_form(request, instance)(instance=instance), type(model_admin).__name__
    for inline in model_admin.get_inline_instances(request, instance):
        yield inline.get_formset(request, instance)(instance=instance).empty_form, type(inline).__name__


def test_admin_forms_offer_and_accept_only_writable_records(rf, cast, world):
    """Every foreign key and many-to-many field of every admin and inline, as each of the cast
    made staff: the records of village B are neither offered to nor accepted from village A's
    officer (nor from the coordinator, who writes nowhere); the administrator may link anything."""
    from django.contrib import admin
    from django.core.exceptions import ValidationError
    from django.forms import ModelChoiceField, ModelMultipleChoiceField

    from desmigratif.access import writable_choices

    objects = admin_objects(world, cast)
    staff = staff_cast(cast)
    checked, mismatches = 0, []
    for model, model_admin in admin.site._registry.items():
        instance = objects.get(model, (None, None))[0]
        for user_name, user in staff.items():
            request = rf.get("/")
            request.user = user
            for form, label in admin_forms(model_admin, request, instance):
                for name, field in form.fields.items():
                    # An inline form's own id field names the records of its formset, not a choice.
                    if not isinstance(field, ModelChoiceField) or name == form._meta.model._meta.pk.name:
                        continue
                    target = field.queryset.model
                    if writable_choices(target, user) is None:
                        continue  # a national code list
                    other = other_village_record(world, "B", target)
                    if other is None:
                        continue
                    checked += 1
                    may_link = user_name in {"officer_b", "administrator"}
                    offered = field.queryset.filter(pk=other.pk).exists()
                    posted = [str(other.pk)] if isinstance(field, ModelMultipleChoiceField) else str(other.pk)
                    try:
                        field.clean(posted)
                        accepted = True
                    except ValidationError:
                        accepted = False
                    if offered != may_link or accepted != may_link:
                        mismatches.append((label, name, user_name, offered, accepted))
    assert not mismatches, mismatches
    assert checked > 100


def test_the_reported_side_doors_are_shut(client, cast, world):
    """The admin forms an officer of village A used to link village B's records: each now says
    the choice is not available, and nothing is saved."""
    from childcare.models import Child, Session
    from cooperatives.models import Cooperative
    from enterprises.models import Enterprise

    staff = staff_cast(cast)
    client.force_login(staff["officer_a"])
    a, b = world["A"], world["B"]
    enterprise = a["enterprise"]
    response = client.post(
        reverse("admin:enterprises_enterprise_change", args=[enterprise.pk]),
        {
            "village": VILLAGE_A,
            "owner": a["household"].pk,
            "name": "Usaha",
            "category": enterprise.category_id,
            "status": enterprise.status,
            "members": [b["adult"].pk],
        },
    )
    assert response.status_code == 200 and "members" in response.context["adminform"].form.errors
    assert not Enterprise.objects.get(pk=enterprise.pk).members.filter(pk=b["adult"].pk).exists()
    cooperative_form = client.get(reverse("admin:cooperatives_cooperative_change", args=[a["cooperative"].pk]))
    form = cooperative_form.context["adminform"].form
    assert not form.fields["enterprises"].queryset.filter(pk=b["enterprise"].pk).exists()
    assert not form.fields["villages_served"].queryset.filter(pk=VILLAGE_B).exists()
    assert not Cooperative.objects.filter(villages_served=VILLAGE_B).exists()
    session_form = client.get(
        reverse("admin:childcare_session_change", args=[Session.objects.get(learning_house=a["house"]).pk])
    )
    assert not session_form.context["adminform"].form.fields["children"].queryset.filter(pk=b["child"].pk).exists()
    child_form = client.get(reverse("admin:childcare_child_change", args=[a["child"].pk]))
    assert (
        not child_form.context["adminform"].form.fields["parents_abroad"].queryset.filter(pk=b["episode"].pk).exists()
    )
    assert not Child.objects.filter(parents_abroad=b["episode"]).exists()


def test_admin_autocompletes_offer_only_writable_records(client, cast, world):
    staff = staff_cast(cast)
    client.force_login(staff["officer_a"])
    answer = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "enterprises", "model_name": "enterprise", "field_name": "members", "term": ""},
    ).json()
    offered = {int(result["id"]) for result in answer["results"]}
    assert world["A"]["adult"].pk in offered and world["B"]["adult"].pk not in offered
    client.force_login(staff["coordinator"])  # reads village A, writes nowhere
    answer = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "enterprises", "model_name": "enterprise", "field_name": "members", "term": ""},
    ).json()
    assert answer["results"] == []


# What a tampered or broken link sends: a NUL byte, a huge number, a word, a very long value.
ODD_VALUES = ["\x00", "a\x00b", "9" * 40, "-1", "x" * 5000, "'; --"]
FILTER_NAMES = [
    "q", "area", "village", "category", "status", "kind", "sort", "dir", "after", "page", "format",
    "household", "index", "year", "name", "id", "action", "p", "o", "e", "all",
]  # fmt: skip


@pytest.mark.parametrize("value", ODD_VALUES, ids=["nul", "nul-inside", "huge", "negative", "long", "quote"])
def test_no_filter_parameter_answers_500(client, cast, world, value):
    """Every page the portal and the admin answer to GET, each of its filters given an odd value:
    a refusal (400) or the value ignored, never a server error."""
    failures = []
    client.raise_request_exception = False

    for user_name in ("officer_a", "administrator"):
        client.force_login(cast[user_name])
        urls = []
        for name, rule in PORTAL.items():
            if rule.method == "get" and not name.startswith("<unnamed") and name != "logout":
                urls.append(reverse(name, args=ARGUMENTS[name](world["A"]) if name in ARGUMENTS else []))
        urls += [url for _name, url, _record in admin_urls(admin_objects(world, cast)) if url.endswith("/")]
        for url in urls:
            response = client.get(url, dict.fromkeys(FILTER_NAMES, value))
            if response.status_code >= 500:
                failures.append((user_name, url, response.status_code))
    assert not failures
    if "\x00" in value:
        client.force_login(cast["officer_a"])
        assert client.get(reverse("enterprises:index"), {"category": value}).status_code == 400


def test_no_admin_page_answers_500_to_an_id_that_is_not_one(client, cast):
    """A broken or tampered admin link (``/admin/…/abc/change/``, a history version ``abc``) is
    a record that is not there, for every admin, as a staff officer and as a superuser."""
    from django.contrib import admin

    client.raise_request_exception = False
    failures = []
    for user_name in ("officer_a", "administrator"):
        client.force_login(cast[user_name])
        for model in admin.site._registry:
            info = (model._meta.app_label, model._meta.model_name)
            for name, args in (("change", ["abc"]), ("delete", ["abc"]), ("history", ["abc"])):
                url = reverse(f"admin:{info[0]}_{info[1]}_{name}", args=args)
                if client.get(url).status_code >= 500:
                    failures.append((user_name, url))
            if hasattr(model, "history"):
                url = reverse(f"admin:{info[0]}_{info[1]}_simple_history", args=["1", "abc"])
                if client.get(url).status_code >= 500:
                    failures.append((user_name, url))
    assert not failures
