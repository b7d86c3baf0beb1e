"""A service case keeps a dated log of follow-ups; an unfinished case always has its next date;
closing a case needs its outcome; the case page shows the caller's phone and the worker's stay."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from households.models import CaseFollowUp
from tests.conftest import VILLAGE_A
from tests.pages import picked

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def case(service_case):
    return service_case


def test_a_case_page_shows_the_caller_the_stay_and_a_log_of_follow_ups(client, officer_a, case):
    client.force_login(officer_a)
    url = reverse("households:request-follow-up", args=[case.pk])
    call = {"done_on": TODAY.isoformat(), "action": "call", "note": "Menelepon KBRI Kuala Lumpur.", "version": "1"}
    later = (TODAY + datetime.timedelta(days=3)).isoformat()
    assert client.post(url, {**call, "next_follow_up_on": later}).status_code == 302
    case.refresh_from_db()
    assert case.follow_up_on.isoformat() == later and case.version == 2
    visit = {"done_on": TODAY.isoformat(), "action": "visit", "note": "Kunjungan rumah.", "version": "2"}
    assert client.post(url, visit).status_code == 302  # no date given: the default
    case.refresh_from_db()
    assert case.follow_up_on == TODAY + datetime.timedelta(days=7)
    assert [(step.action, step.recorded_by) for step in case.follow_ups.order_by("id")] == [
        ("call", officer_a),
        ("visit", officer_a),
    ]
    page = client.get(case.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Menelepon KBRI Kuala Lumpur." in page and "Kunjungan rumah." in page
    assert 'href="tel:+6281234567890"' in page
    assert "Malaysia" in page and "Tuan Lim" in page and "C1234567" in page


def test_a_follow_up_on_a_case_changed_meanwhile_is_refused(client, officer_a, case):
    client.force_login(officer_a)
    url = reverse("households:request-follow-up", args=[case.pk])
    stale = {"done_on": TODAY.isoformat(), "action": "call", "version": "0"}
    response = client.post(url, stale, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200 and "someone else changed the case" in response.content.decode()
    assert not CaseFollowUp.objects.exists()


def test_a_follow_up_cannot_be_dated_tomorrow_nor_followed_before_it(client, officer_a, case):
    client.force_login(officer_a)
    url = reverse("households:request-follow-up", args=[case.pk])
    tomorrow = (TODAY + datetime.timedelta(days=1)).isoformat()
    response = client.post(url, {"done_on": tomorrow, "action": "call", "version": "1"})
    assert response.status_code == 200 and "done_on" in response.context["follow_up_form"].errors
    yesterday = (TODAY - datetime.timedelta(days=1)).isoformat()
    response = client.post(url, {"done_on": TODAY.isoformat(), "action": "call", "next_follow_up_on": yesterday})
    assert "next_follow_up_on" in response.context["follow_up_form"].errors
    assert not CaseFollowUp.objects.exists()


def test_others_cannot_add_to_the_log(client, officer_b, coordinator, case):
    for user in (officer_b, coordinator):
        client.force_login(user)
        data = {"done_on": TODAY.isoformat(), "action": "call", "version": "1"}
        assert client.post(reverse("households:request-follow-up", args=[case.pk]), data).status_code == 404
    assert not CaseFollowUp.objects.exists()


def test_a_new_case_gets_a_follow_up_date_and_closing_needs_an_outcome(client, officer_a, case):
    client.force_login(officer_a)
    household = case.person_served.household
    form = client.get(reverse("households:request-create") + f"?household={household.pk}").context["form"]
    assert form["follow_up_on"].value() == TODAY + datetime.timedelta(days=7)
    url = reverse("households:request-update", args=[case.pk])
    form = client.get(url).context["form"]
    data = {name: form[name].value() for name in form.fields if form[name].value() not in (None, "")}
    data = {key: (value.isoformat() if isinstance(value, datetime.date) else value) for key, value in data.items()}
    data.update(picked(VILLAGE_A))
    response = client.post(url, {**data, "status": "closed"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200 and "Write the outcome" in response.content.decode()
    response = client.post(url, {**data, "status": "closed", "outcome": "Gaji dibayar lewat KBRI."})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == "closed" and case.closed_on == TODAY
