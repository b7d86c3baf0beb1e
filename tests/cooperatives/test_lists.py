"""The lists of pillars 2-4 page by keyset, as pillar 1's do: the next page starts after the
last row shown, filters kept, and a page far down costs what the first does."""

import pytest
from django.urls import reverse

from cooperatives.models import Cooperative
from tests.conftest import VILLAGE_A

pytestmark = pytest.mark.django_db


def test_the_cooperative_list_pages_by_keyset(client, officer_a):
    for n in range(55):
        Cooperative.objects.create(village_id=VILLAGE_A, kind="koperasi", name=f"Koperasi {n:02d}")
    client.force_login(officer_a)
    first = client.get(reverse("cooperatives:index"))
    names = [item.name for item in first.context["object_list"]]
    assert names == [f"Koperasi {n:02d}" for n in range(50)]
    cursor = first.context["page"].next_cursor
    assert cursor and f"after={cursor}" in first.content.decode()
    second = client.get(reverse("cooperatives:index"), {"after": cursor})
    assert [item.name for item in second.context["object_list"]] == [f"Koperasi {n:02d}" for n in range(50, 55)]
    assert second.context["page"].next_cursor is None
    # A tampered cursor starts again from the first page rather than failing.
    assert client.get(reverse("cooperatives:index"), {"after": "bm90LWEtY3Vyc29y"}).status_code == 200
