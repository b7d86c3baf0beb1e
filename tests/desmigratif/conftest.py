"""Fixtures of the core's tests."""

import pytest
from django.contrib.auth.models import Permission

from tests.conftest import VILLAGE_A
from tests.factories import AssignmentFactory, UserFactory


@pytest.fixture
def staff_a(db):
    """A staff officer of village A who may view, add, change, import and export everything."""
    user = UserFactory(username="staff.a", is_staff=True)
    AssignmentFactory(user=user, role="officer", area=VILLAGE_A)
    user.user_permissions.set(Permission.objects.filter(codename__regex=r"^(view|add|change|import|export)_"))
    return user
