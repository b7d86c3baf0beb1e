"""The stay-abroad edit page carries the version it was opened at, so an officer's edit saves
(it used to be refused as a conflict every time: the form had no version field)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from households.models import MigrationEpisode
from tests.conftest import VILLAGE_A
from tests.factories import EpisodeFactory, PersonFactory

pytestmark = pytest.mark.django_db


def test_a_stay_abroad_is_edited_through_its_page(client, officer_a):
    episode = EpisodeFactory(person__household__village_id=VILLAGE_A, destination_country="MY")
    client.force_login(officer_a)
    url = reverse("households:episode-update", args=[episode.pk])
    form = client.get(url).context["form"]
    assert form["version"].value() == episode.version
    data = {name: form[name].value() for name in form.fields if form[name].value() not in (None, "")}
    response = client.post(url, {**data, "employer_name": "Tuan A"})
    assert response.status_code == 302, response.context["form"].errors if response.context else ""
    episode.refresh_from_db()
    assert episode.employer_name == "Tuan A" and episode.version == 2


def test_a_planned_departure_may_lie_in_the_future_only_while_preparing(client, officer_a):
    person = PersonFactory(household__village_id=VILLAGE_A)
    client.force_login(officer_a)
    url = reverse("households:episode-create", args=[person.pk])
    planned = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    stay = {"status": "preparing", "procedural": "unknown", "destination_country": "TW", "departure_date": planned}
    response = client.post(url, {**stay, "version": ""})
    assert response.status_code == 302, response.context["form"].errors if response.context else ""
    episode = MigrationEpisode.objects.get(person=person)
    assert episode.departure_date.isoformat() == planned

    # Gone abroad with a date still in the future: that date cannot be a departure yet.
    edit = reverse("households:episode-update", args=[episode.pk])
    response = client.post(edit, {**stay, "status": "abroad", "version": str(episode.version)})
    assert response.status_code == 200 and "departure_date" in response.context["form"].errors
