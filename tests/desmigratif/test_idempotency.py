"""A form sent twice with the same key is done once: a phone's outbox, or a form sent again after
its answer was lost, never registers a second household or records a second return."""

import datetime
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from desmigratif.idempotency import FIELD, submission_keys_purge
from desmigratif.models import SubmissionKey
from households.models import EpisodeStatus, Household
from tests.factories import EpisodeFactory
from tests.households.pages import household_post, management, member

pytestmark = pytest.mark.django_db


def registration(key: str, **values) -> dict:
    return {
        **household_post(kk_number="3212161503180088"),
        **management(1),
        **member(0, nik="3212161204900011", name="Karsim", relationship="head", birth_date="1990-04-12"),
        FIELD: key,
        **values,
    }


def test_a_household_sent_twice_is_registered_once(client, officer_a):
    client.force_login(officer_a)
    key = uuid.uuid4().hex
    first = client.post(reverse("households:create"), registration(key))
    again = client.post(reverse("households:create"), registration(key))
    assert first.status_code == again.status_code == 302
    assert again.url == first.url and again["X-Idempotent-Replay"] == "1"
    assert Household.objects.filter(kk_number="3212161503180088").count() == 1
    other = client.post(reverse("households:create"), registration(uuid.uuid4().hex))
    assert other.status_code == 200  # a new key is a new form: this one is refused as a duplicate KK


def test_a_refused_form_can_be_corrected_and_sent_with_its_key(client, officer_a):
    client.force_login(officer_a)
    key = uuid.uuid4().hex
    refused = client.post(reverse("households:create"), registration(key, kk_number="123"))
    assert refused.status_code == 200 and not SubmissionKey.objects.exists()
    saved = client.post(reverse("households:create"), registration(key))
    assert saved.status_code == 302 and Household.objects.count() == 1


def test_a_return_sent_twice_is_recorded_once_without_a_conflict(client, officer_a):
    from tests.conftest import VILLAGE_A

    episode = EpisodeFactory(person__household__village_id=VILLAGE_A, departure_date=datetime.date(2024, 1, 10))
    client.force_login(officer_a)
    prefix = f"return-{episode.pk}"
    today = timezone.localdate().isoformat()
    data = {f"{prefix}-returned_on": today, f"{prefix}-reason": "health", f"{prefix}-version": "1"}
    key = uuid.uuid4().hex
    url = reverse("households:episode-return", args=[episode.pk])
    client.post(url, {**data, FIELD: key})
    response = client.post(url, {**data, FIELD: key}, follow=True)
    episode.refresh_from_db()
    assert episode.status == EpisodeStatus.RETURNED and episode.version == 2
    assert "pengguna lain" not in response.content.decode()  # no "changed by someone else"


def test_keys_belong_to_their_user_and_are_forgotten_after_a_month(client, officer_a, officer_b):
    key = uuid.uuid4().hex
    client.force_login(officer_a)
    client.post(reverse("households:create"), registration(key))
    client.force_login(officer_b)  # the same key from another user replays nothing of officer A's
    response = client.post(reverse("households:create"), registration(key, kk_number="3312161503180088"))
    assert "X-Idempotent-Replay" not in response
    assert SubmissionKey.objects.count() == 1  # officer B's form was refused (not their village)
    SubmissionKey.objects.update(created_at=timezone.now() - datetime.timedelta(days=31))
    assert submission_keys_purge() == 1 and not SubmissionKey.objects.exists()


def test_a_key_that_is_not_one_is_ignored(client, officer_a):
    client.force_login(officer_a)
    client.post(reverse("households:create"), registration("'; drop table --"))
    assert Household.objects.count() == 1 and not SubmissionKey.objects.exists()


def test_a_form_sent_while_its_first_sending_is_still_being_saved_is_told_to_wait(client, officer_a):
    client.force_login(officer_a)
    key = uuid.uuid4().hex
    SubmissionKey.objects.create(user=officer_a, key=key, path=reverse("households:create"))  # in flight
    response = client.post(reverse("households:create"), registration(key))
    assert response.status_code == 202 and response["X-Idempotent-Busy"] == "1"
    assert not Household.objects.exists()
    # A first sending that never finished (its worker was stopped) is taken over after 5 minutes.
    SubmissionKey.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=6))
    assert client.post(reverse("households:create"), registration(key)).status_code == 302
    assert Household.objects.count() == 1
