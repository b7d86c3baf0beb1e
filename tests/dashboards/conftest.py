import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def code_lists(code_lists):
    """The categories and activity kinds (tests/conftest.py), put back for every test of this directory."""
    return code_lists


@pytest.fixture(autouse=True)
def no_refresh_debounce():
    cache.clear()
    yield
    cache.clear()
