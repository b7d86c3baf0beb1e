from importlib import import_module

import pytest


@pytest.fixture(autouse=True)
def categories(db):
    """The category list comes from a data migration; a transactional test elsewhere empties
    the tables after itself, so it is put back here."""
    from enterprises.models import Category

    for code, name in import_module("enterprises.migrations.0002_categories").CATEGORIES:
        Category.objects.get_or_create(code=code, defaults={"name": name})
