"""The issue's story end to end: register, worker abroad, return, trafficking red flag with a
referral, all in history; the other village's officer sees none of it. Plus the service desk
and alerts pages for the cast."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from households.models import EpisodeStatus, Household, MigrationEpisode, ServiceRequest
from tests.conftest import VILLAGE_A
from tests.factories import EpisodeFactory, PersonFactory
from tests.households.pages import household_post, management, member

pytestmark = pytest.mark.django_db


def test_the_service_post_story(client, officer_a, officer_b):
    client.force_login(officer_a)
    client.post(
        reverse("households:create"),
        {
            **household_post(),
            **management(2),
            **member(0, nik="3212161204900001", name="Ahmad", relationship="head", birth_date="1990-04-12"),
            **member(1, nik="3212164511950002", name="Siti", sex="F", relationship="wife", birth_date="1995-11-05"),
        },
    )
    household = Household.objects.get()
    siti = household.members.get(name="Siti")

    # Siti works abroad.
    response = client.post(
        reverse("households:episode-create", args=[siti.pk]),
        {
            "status": "abroad",
            "scheme": "p3mi",
            "procedural": "procedural",
            "destination_country": "HK",
            "employer_kind": "household",
            "sector": "informal",
            "departure_date": "2023-02-01",
            "contract_end": "2025-02-01",
            "bpjs_number": "12345678901",
            "bpjs_jkk": "on",
            "bpjs_jkm": "on",
            "passport_number": "C1234567",
            "version": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    episode = MigrationEpisode.objects.get()
    assert episode.status == EpisodeStatus.ABROAD and episode.destination_country == "HK"
    page = client.get(household.get_absolute_url()).content.decode()
    assert "Hong Kong" in page and "return-" in page  # the return form is offered

    # She comes back: date and reason are prefilled, one more click saves.
    prefix = f"return-{episode.pk}"
    response = client.post(
        reverse("households:episode-return", args=[episode.pk]),
        {f"{prefix}-returned_on": "2025-03-01", f"{prefix}-reason": "contract_ended", f"{prefix}-version": "1"},
    )
    assert response.status_code == 302
    episode.refresh_from_db()
    assert episode.status == EpisodeStatus.RETURNED and episode.actual_return == datetime.date(2025, 3, 1)

    # Ahmad reports a trafficking red flag; the case is referred to the police.
    response = client.post(
        reverse("households:request-create") + f"?household={household.pk}",
        {
            "household": str(household.pk),
            "village__province": "32",
            "village__regency": "32.12",
            "village__district": "32.12.16",
            "village__village": VILLAGE_A,
            "kind": "trafficking",
            "person_served": str(household.members.get(name="Ahmad").pk),
            "worker": str(siti.pk),
            "description": "Calo menawarkan kerja ke luar negeri tanpa dokumen.",
            "referral": "police",
            "status": "referred",
            "opened_on": timezone.localdate().isoformat(),
            "version": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    case = ServiceRequest.objects.get()
    assert case.referral == "police" and case.referred_on == timezone.localdate()

    # Everything is in the history, with who did it.
    assert {h.history_user for h in episode.history.all()} == {officer_a}
    assert case.history.get().history_user == officer_a
    page = client.get(household.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert "Indikasi perdagangan orang (TPPO)" in page

    # The other village's officer sees none of it.
    client.force_login(officer_b)
    for url in (
        household.get_absolute_url(),
        case.get_absolute_url(),
        reverse("households:episode-update", args=[episode.pk]),
        reverse("households:request-update", args=[case.pk]),
        reverse("households:episode-create", args=[siti.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("households:episode-return", args=[episode.pk]), {}).status_code == 404
    assert "Ahmad" not in client.get(reverse("households:list")).content.decode()
    assert "Calo" not in client.get(reverse("households:request-list") + "?status=all").content.decode()


def test_return_before_departure_is_refused(client, officer_a):
    episode = EpisodeFactory(person__household__village_id=VILLAGE_A, departure_date=datetime.date(2024, 5, 1))
    client.force_login(officer_a)
    prefix = f"return-{episode.pk}"
    client.post(
        reverse("households:episode-return", args=[episode.pk]),
        {f"{prefix}-returned_on": "2024-04-01", f"{prefix}-reason": "health", f"{prefix}-version": "1"},
    )
    episode.refresh_from_db()
    assert episode.status == EpisodeStatus.ABROAD


def test_stale_episode_edit_is_a_conflict(client, officer_a):
    episode = EpisodeFactory(person__household__village_id=VILLAGE_A)
    client.force_login(officer_a)
    url = reverse("households:episode-update", args=[episode.pk])
    base = {"status": "abroad", "procedural": "unknown", "destination_country": "MY", "version": "1"}
    assert client.post(url, {**base, "employer_name": "Tuan A"}).status_code == 302
    response = client.post(url, {**base, "employer_name": "Tuan B"})
    assert response.status_code == 409
    episode.refresh_from_db()
    assert episode.employer_name == "Tuan A"


@pytest.mark.parametrize(
    ("member_name", "sees"), [("officer_a", True), ("coordinator", True), ("officer_b", False), ("analyst", None)]
)
def test_alerts_and_desk_are_scoped(client, cast, member_name, sees):
    today = timezone.localdate()
    person = PersonFactory(name="Rina Overdue", household__village_id=VILLAGE_A)
    EpisodeFactory(person=person, contract_end=today - datetime.timedelta(days=30))
    ServiceRequest.objects.create(
        village_id=VILLAGE_A,
        kind="documents",
        description="Paspor hilang",
        person_served_name="Rina",
        follow_up_on=today - datetime.timedelta(days=2),
    )
    client.force_login(cast[member_name])
    alerts = client.get(reverse("households:alerts"))
    desk = client.get(reverse("households:request-list") + "?status=overdue")
    if sees is None:
        assert alerts.status_code == 404
        assert desk.status_code == 200 and "Rina" not in desk.content.decode()
        return
    html = alerts.content.decode()
    assert ("Rina Overdue" in html) is sees
    assert ("Rina" in desk.content.decode()) is sees


def test_officer_archives_after_confirmation_and_can_restore(client, officer_a, officer_b):
    household = PersonFactory(household__village_id=VILLAGE_A).household
    url = reverse("households:archive", args=[household.pk])
    client.force_login(officer_b)
    assert client.get(url).status_code == 404
    client.force_login(officer_a)
    assert client.get(url).status_code == 200  # the confirmation page
    assert client.post(url, {"version": "1"}).status_code == 302
    household.refresh_from_db()
    assert household.is_archived and household.members.count() == 1
    assert household.history.first().history_user == officer_a
    assert household.pk not in [r["household"].pk for r in client.get(reverse("households:list")).context["rows"]]
    client.post(url, {"version": "2"})
    household.refresh_from_db()
    assert not household.is_archived


def test_household_page_history_shows_member_and_episode_changes(client, officer_a):
    from households.services import record_save

    episode = EpisodeFactory(person__household__village_id=VILLAGE_A, person__name="Rudi")
    person = episode.person
    person.occupation = "Nelayan"
    record_save(instance=person, expected_version=person.version, user=officer_a)
    episode.employer_name = "Ocean Fishing Co."
    record_save(instance=episode, expected_version=episode.version, user=officer_a)
    client.force_login(officer_a)
    html = client.get(reverse("households:history", args=[person.household_id])).content.decode()
    assert "Nelayan" in html and "Ocean Fishing Co." in html and "officer.a" in html


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_return_form_opens_with_today_in_iso_and_warns_of_a_contract_not_ended(client, officer_a, language):
    episode = EpisodeFactory(
        person__household__village_id=VILLAGE_A,
        departure_date=datetime.date(2024, 1, 10),
        contract_end=datetime.date(2099, 1, 9),
    )
    client.force_login(officer_a)
    page = client.get(episode.person.household.get_absolute_url(), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    today = timezone.localdate().isoformat()
    assert f'type="date" name="return-{episode.pk}-returned_on" value="{today}"' in page

    prefix = f"return-{episode.pk}"
    response = client.post(
        reverse("households:episode-return", args=[episode.pk]),
        {f"{prefix}-returned_on": today, f"{prefix}-reason": "contract_ended", f"{prefix}-version": "1"},
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )
    episode.refresh_from_db()
    assert episode.status == EpisodeStatus.RETURNED  # recorded all the same
    assert [w["code"] for w in episode.validation_warnings] == ["contract_not_ended"]
    assert "the contract runs until 2099-01-09" in response.content.decode()


def test_a_planned_departure_is_recorded_in_two_taps_with_what_is_not_ready(client, officer_a, officer_b):
    planned = timezone.localdate() - datetime.timedelta(days=2)
    episode = EpisodeFactory(
        person__household__village_id=VILLAGE_A,
        status=EpisodeStatus.PREPARING,
        departure_date=planned,
        passport_ready=True,
        visa_ready=True,
    )
    household = episode.person.household
    prefix = f"depart-{episode.pk}"
    client.force_login(officer_b)
    url = reverse("households:episode-depart", args=[episode.pk])
    assert client.post(url, {f"{prefix}-departed_on": planned.isoformat(), f"{prefix}-version": "1"}).status_code == 404

    client.force_login(officer_a)
    page = client.get(household.get_absolute_url()).content.decode()
    assert f'type="date" name="{prefix}-departed_on" value="{planned.isoformat()}"' in page  # the planned date
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    client.post(url, {f"{prefix}-departed_on": tomorrow, f"{prefix}-version": "1"})
    episode.refresh_from_db()
    assert episode.status == EpisodeStatus.PREPARING  # a departure is not recorded ahead of time

    response = client.post(url, {f"{prefix}-departed_on": planned.isoformat(), f"{prefix}-version": "1"}, follow=True)
    episode.refresh_from_db()
    assert episode.status == EpisodeStatus.ABROAD and episode.departure_date == planned and episode.version == 2
    html = response.content.decode()
    assert "Keberangkatan" in html and "Belum siap sebelum berangkat" in html and "BPJS" in html
    assert f'name="return-{episode.pk}-returned_on"' in html  # the next step, the return, is offered

    # Once abroad, a second "departure" (a stale page) changes nothing.
    client.post(url, {f"{prefix}-departed_on": planned.isoformat(), f"{prefix}-version": "2"})
    episode.refresh_from_db()
    assert episode.version == 2
