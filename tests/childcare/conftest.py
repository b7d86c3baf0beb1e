from importlib import import_module

import pytest


@pytest.fixture(autouse=True)
def activity_kinds(db):
    """The list comes from a data migration; a transactional test elsewhere empties the tables."""
    from childcare.models import ActivityKind

    for code, name, for_caregivers in import_module("childcare.migrations.0002_activity_kinds").ACTIVITY_KINDS:
        ActivityKind.objects.get_or_create(code=code, defaults={"name": name, "for_caregivers": for_caregivers})
