import pytest


@pytest.fixture(autouse=True)
def activity_kinds(activity_kinds):
    """The activity kinds (tests/conftest.py), put back for every test of this directory."""
    return activity_kinds
