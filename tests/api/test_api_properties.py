"""Property-based tests of the API against its own schema (schemathesis): for every operation,
requests generated from the schema (odd ids, odd areas, odd cursors, odd page sizes), as a
village officer with a token and with records in her village, never answer 500 and answer as
the schema says. Derandomized: the same cases every run."""

from __future__ import annotations

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from api.services import token_create
from desmigratif.models import Role
from tests.conftest import VILLAGE_A
from tests.factories import AssignmentFactory, EpisodeFactory, PersonFactory, UserFactory


class InTestTransactionApp:
    """The portal's WSGI application, run inside the test's transaction: Django closes the
    database connection at the end of each request, which would end the test's own (Django's
    test client keeps it open the same way)."""

    def __init__(self) -> None:
        self.app = get_wsgi_application()

    def __call__(self, environ: dict, start_response):
        signals.request_started.disconnect(close_old_connections)
        signals.request_finished.disconnect(close_old_connections)
        try:
            response = self.app(environ, start_response)
            body = list(response)
            response.close()
            return body
        finally:
            signals.request_started.connect(close_old_connections)
            signals.request_finished.connect(close_old_connections)


schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
schema.app = InTestTransactionApp()


@pytest.fixture
def token(db):
    officer = AssignmentFactory(user=UserFactory(), role=Role.OFFICER, area=VILLAGE_A).user
    EpisodeFactory(person=PersonFactory(household__village_id=VILLAGE_A))
    return token_create(user=officer, name="schemathesis", days=1)[1]


@schema.parametrize()
@settings(
    max_examples=15,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_no_request_the_schema_allows_answers_500(case, token):
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=[not_a_server_error])
