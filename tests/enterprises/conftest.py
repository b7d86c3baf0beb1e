import pytest


@pytest.fixture(autouse=True)
def categories(categories):
    """The category list (tests/conftest.py), put back for every test of this directory."""
    return categories
