"""Read replicas: opted-in reads go to a replica, every write and every other read to the
primary. A replica here is a second real connection to the test database (a TEST mirror)."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser, Permission
from django.contrib.sessions.models import Session
from django.core.exceptions import ImproperlyConfigured
from django.db import connections, router
from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.template.response import SimpleTemplateResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils.functional import SimpleLazyObject
from django.views import View

from desmigratif.models import Assignment, Province, User
from desmigratif.routers import PrimaryReplicaRouter, ReplicaReadMixin, read_from_replica, replica_aliases
from desmigratif.settings import replica_databases
from households.models import Job
from tests.factories import UserFactory

REPLICAS = ["replica_1", "replica_2"]

# Tests that read from the replicas must declare them, or Django's test guard refuses the connection.
uses_replicas = pytest.mark.django_db(databases=["default", *REPLICAS])


@pytest.fixture(scope="module")
def replicas(django_db_setup) -> Iterator[list[str]]:
    """Two replica aliases, each a second connection to the test database (TEST mirrors).

    Module-scoped so that they exist before each test's database guard is set up; a
    mirror sees only committed rows, like a real replica."""
    primary = connections["default"].settings_dict
    for alias in REPLICAS:
        assert alias not in connections, f"{alias} is already configured; unset DATABASE_REPLICA_URLS for the tests"
        mirror = copy.deepcopy(primary)
        mirror["TEST"] = {**primary["TEST"], "MIRROR": "default"}
        connections.settings[alias] = mirror
    yield REPLICAS
    for alias in REPLICAS:
        connections[alias].close()
        del connections[alias]
        del connections.settings[alias]


@contextmanager
def replicas_removed() -> Iterator[None]:
    """As if DATABASE_REPLICA_URLS were empty, whatever other tests of this module configured."""
    hidden = {alias: connections.settings.pop(alias) for alias in replica_aliases()}
    try:
        yield
    finally:
        connections.settings.update(hidden)


def test_settings_install_the_router():
    assert settings.DATABASE_ROUTERS == ["desmigratif.routers.PrimaryReplicaRouter"]


@uses_replicas
def test_reads_inside_the_context_go_to_a_replica(replicas):
    expected = Province.objects.count()  # the region sample, committed at session start
    assert expected > 0
    with read_from_replica() as alias:
        assert alias in replicas
        assert Province.objects.all().db == alias
        with (
            CaptureQueriesContext(connections["default"]) as on_primary,
            CaptureQueriesContext(connections[alias]) as on_replica,
        ):
            assert Province.objects.count() == expected
    assert len(on_replica) == 1
    assert len(on_primary) == 0


@uses_replicas
def test_reads_outside_the_context_go_to_the_primary(replicas):
    with ExitStack() as stack:
        on_replicas = [stack.enter_context(CaptureQueriesContext(connections[alias])) for alias in replicas]
        assert Province.objects.all().db == "default"
        Province.objects.count()
        with read_from_replica():
            pass
        assert Province.objects.all().db == "default"
        Province.objects.count()
    assert [len(queries) for queries in on_replicas] == [0, 0]


@uses_replicas
def test_writes_inside_the_context_go_to_the_primary(replicas):
    with read_from_replica() as alias:
        with (
            CaptureQueriesContext(connections["default"]) as on_primary,
            CaptureQueriesContext(connections[alias]) as on_replica,
        ):
            Job.objects.create(code="router-test", name="Router test")
        assert len(on_replica) == 0
        assert any("INSERT" in query["sql"] for query in on_primary)
        # Written in the test's open transaction on the primary: the replica does not see it yet.
        assert not Job.objects.filter(code="router-test").exists()
    assert Job.objects.filter(code="router-test").exists()


@uses_replicas
def test_sessions_users_and_assignments_are_always_read_from_the_primary(replicas):
    with read_from_replica():
        for model in (Session, User, Assignment, Permission):
            assert model.objects.all().db == "default", model


@uses_replicas
def test_without_replicas_everything_is_the_primary(replicas):
    with replicas_removed():
        assert replica_aliases() == []
        with CaptureQueriesContext(connections["default"]) as on_primary, read_from_replica() as alias:
            assert alias is None
            assert Province.objects.all().db == "default"
            Province.objects.count()
            Job.objects.create(code="router-test", name="Router test")
            assert Job.objects.filter(code="router-test").exists()
        assert len(on_primary) == 3


@uses_replicas
def test_replicas_are_taken_in_turn_and_kept_for_a_whole_request(replicas):
    chosen = []
    for _ in range(2):
        with read_from_replica() as outer:
            with read_from_replica() as inner:
                assert inner == outer
                assert Province.objects.all().db == outer
            assert Province.objects.all().db == outer
            chosen.append(outer)
    assert sorted(chosen) == replicas


@uses_replicas
def test_read_from_replica_is_also_a_decorator(replicas):
    @read_from_replica()
    def alias_read() -> str:
        return Province.objects.all().db

    assert alias_read() in replicas
    assert alias_read() in replicas
    assert Province.objects.all().db == "default"


def test_router_rules():
    chooser = PrimaryReplicaRouter()
    assert chooser.db_for_read(Province) is None  # outside the context: Django's default
    assert chooser.db_for_write(Province) == "default"
    assert chooser.allow_migrate("default", "households") is True
    assert chooser.allow_migrate("replica_1", "households") is False
    assert chooser.allow_relation(Province(), Job()) is True
    assert router.allow_migrate("replica_1", "desmigratif") is False


class Probe(ReplicaReadMixin, View):
    """GET renders a template with a lazy queryset; POST counts directly."""

    def get(self, request: HttpRequest) -> SimpleTemplateResponse:
        template = engines["django"].from_string("{{ provinces|length }}")
        return SimpleTemplateResponse(template, {"provinces": Province.objects.all()})

    def post(self, request: HttpRequest) -> HttpResponse:
        return HttpResponse(str(Province.objects.count()))


def _queries_per_alias(request: HttpRequest) -> tuple[HttpResponse, dict[str, int]]:
    with ExitStack() as stack:
        captured = {alias: stack.enter_context(CaptureQueriesContext(connections[alias])) for alias in connections}
        response = Probe.as_view()(request)
    return response, {alias: len(queries) for alias, queries in captured.items()}


@uses_replicas
def test_mixin_reads_get_from_a_replica_template_included(replicas):
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    response, queries = _queries_per_alias(request)
    assert response.is_rendered
    assert response.content.decode() == str(Province.objects.count())
    # The template's lazy queryset ran inside the view, on one replica.
    assert queries["default"] == 0
    assert sorted(queries[alias] for alias in replicas) == [0, 1]


@uses_replicas
def test_mixin_leaves_post_on_the_primary(replicas):
    request = RequestFactory().post("/")
    request.user = AnonymousUser()
    response, queries = _queries_per_alias(request)
    assert response.status_code == 200
    assert queries == {"default": 1, **dict.fromkeys(replicas, 0)}


@uses_replicas
def test_mixin_authenticates_on_the_primary(replicas):
    # A user the replicas cannot see yet (uncommitted here, lagging in production).
    user = UserFactory(username="fresh.login")
    request = RequestFactory().get("/")
    request.user = SimpleLazyObject(lambda: User.objects.get(pk=user.pk))
    response = Probe.as_view()(request)
    assert response.status_code == 200
    assert request.user.is_authenticated
    assert request.user._state.db == "default"


# --- the DATABASE_REPLICA_URLS parser ---------------------------------------------------


def test_replica_urls_become_mirrored_aliases():
    replicas = replica_databases(
        " postgres://portal:secret@db-replica-1.internal:5432/desmigratif ,"
        "postgresql://portal:secret@db-replica-2.internal/desmigratif?sslmode=require,",
        conn_max_age=60,
        connect_timeout=10,
    )
    assert list(replicas) == ["replica_1", "replica_2"]
    first, second = replicas["replica_1"], replicas["replica_2"]
    assert first["ENGINE"] == "django.db.backends.postgresql"
    assert (first["HOST"], first["PORT"], first["NAME"]) == ("db-replica-1.internal", 5432, "desmigratif")
    assert first["CONN_MAX_AGE"] == 60
    assert first["TEST"] == {"MIRROR": "default"}
    assert second["OPTIONS"] == {"sslmode": "require", "connect_timeout": 10}


@pytest.mark.parametrize("raw", ["", " ", ","])
def test_no_replica_urls_means_no_replicas(raw):
    assert replica_databases(raw, conn_max_age=60, connect_timeout=10) == {}


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("db-replica.internal:5432/desmigratif", "could not be parsed"),
        ("postgres://portal:s3cret@db-replica.internal:port/desmigratif", "could not be parsed"),
        ("mysql://portal:s3cret@db-replica.internal/desmigratif", "no other database"),
        ("sqlite:///replica.db", "no other database"),
        ("postgres://portal:s3cret@db-replica.internal:5432", "host and database name"),
        ("postgres:///desmigratif", "host and database name"),
        ("postgres://portal@db-replica-1.internal/desmigratif,postgres://portal:s3cret@:5432/x", "entry 2"),
    ],
)
def test_malformed_replica_url_is_refused(raw, message):
    with pytest.raises(ImproperlyConfigured, match="DATABASE_REPLICA_URLS") as refused:
        replica_databases(raw, conn_max_age=60, connect_timeout=10)
    assert message in str(refused.value)
    assert "s3cret" not in str(refused.value)
