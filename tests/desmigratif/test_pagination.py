"""Keyset pages: every row exactly once, in order, whatever the sort, ties included."""

import pytest
from django.utils import timezone

from desmigratif.pagination import keyset_page
from households.models import Household
from tests.conftest import VILLAGE_A, VILLAGE_B
from tests.factories import HouseholdFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "order",
    [["-created_at", "-id"], ["kk_number", "id"], ["village_id", "id"], ["village_id", "-id"], ["-kk_number", "id"]],
)
def test_walking_the_pages_gives_every_row_once_in_order(order):
    for i in range(23):
        extra = {"kk_number": ""} if i % 5 == 0 else {}  # ties on the KK too
        HouseholdFactory(village_id=VILLAGE_A if i % 3 else VILLAGE_B, **extra)
    Household.objects.update(created_at=timezone.now())  # ties on the first key, as after a bulk import
    expected = list(Household.objects.order_by(*order).values_list("pk", flat=True))
    seen, cursor = [], None
    while True:
        page = keyset_page(Household.objects.all(), order=order, cursor=cursor, size=5)
        seen += [household.pk for household in page.items]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert seen == expected
