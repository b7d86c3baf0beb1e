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


def test_preparation_keeps_a_checklist_and_an_agency_typed_by_the_officer_awaits_review(client, officer_a):
    from households.models import PlacementAgency

    person = PersonFactory(household__village_id=VILLAGE_A)
    client.force_login(officer_a)
    planned = (timezone.localdate() + datetime.timedelta(days=20)).isoformat()
    stay = {
        "status": "preparing",
        "procedural": "unknown",
        "destination_country": "TW",
        "departure_date": planned,
        "new_agency": "  PT Maju   Bersama Sejahtera ",
        "passport_ready": "on",
        "agreement_signed": "on",
        "orientation_done": "on",
        "siskop2mi_id": "SK-2026-0042",
        "version": "",
    }
    response = client.post(reverse("households:episode-create", args=[person.pk]), stay)
    assert response.status_code == 302, response.context["form"].errors if response.context else ""
    episode = MigrationEpisode.objects.get(person=person)
    agency = episode.agency
    assert (agency.name, agency.is_reviewed, agency.proposed_by) == ("PT Maju Bersama Sejahtera", False, officer_a)
    assert episode.procedural == "procedural"  # an agency places workers procedurally, unless told otherwise
    assert episode.checklist_done() == 3 and episode.siskop2mi_id == "SK-2026-0042"

    page = client.get(person.household.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Before departure: 3 of 6 ready" in page and "awaiting review" in page

    # A second officer typing the same name finds that agency, not a second one.
    other = PersonFactory(household__village_id=VILLAGE_A)
    again = {**stay, "new_agency": "pt maju bersama sejahtera", "procedural": "non_procedural"}
    assert client.post(reverse("households:episode-create", args=[other.pk]), again).status_code == 302
    second = MigrationEpisode.objects.get(person=other)
    assert second.agency == agency and second.procedural == "non_procedural"  # what the officer said stands
    assert PlacementAgency.objects.count() == 1


def test_a_new_stays_form_starts_with_nothing_ticked_and_nothing_typed(client, officer_a):
    person = PersonFactory(household__village_id=VILLAGE_A)
    client.force_login(officer_a)
    form = client.get(reverse("households:episode-create", args=[person.pk])).context["form"]
    assert form["siskop2mi_id"].value() == "" and form["new_agency"].value() in (None, "")
    assert not any(form[name].value() for name in MigrationEpisode.CHECKLIST)
