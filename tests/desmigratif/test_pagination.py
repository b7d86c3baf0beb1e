"""Keyset pages: every row exactly once, in order, whatever the sort, ties included."""

import re

import pytest
from django import forms
from django.utils import timezone

from desmigratif.forms import LongSelect
from desmigratif.pagination import keyset_page
from households.countries import country_choices
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


def test_long_select_renders_what_django_select_renders():
    attrs = {"class": "form-select", "id": "id_country"}
    for value in ("HK", "", None, "ZZ"):
        ours = LongSelect(choices=country_choices(), attrs=attrs).render("country", value)
        django = forms.Select(choices=country_choices(), attrs=attrs).render("country", value)
        assert ours == re.sub(r">\s+<", "><", django.strip())
