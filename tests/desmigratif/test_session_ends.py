"""A session that ends does not lose the officer's work: the login page says why it ended, the
form's draft (kept by the browser, static/desmigratif/drafts.js) is deleted only when the server
says the form was saved (the ``draft_saved`` cookie), and logging out is remembered apart from
a session that expired."""

import time
from urllib.parse import unquote

import pytest
from django.test import Client
from django.urls import reverse

from desmigratif.services import DEMO_PASSWORD
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def signed_in(username="officer.a") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.post(reverse("login"), {"username": username, "password": DEMO_PASSWORD})
    return client


def idle(client, settings) -> None:
    session = client.session
    session["_session_seen"] = time.time() - settings.SESSION_IDLE_TIMEOUT - 1
    session.save()


def test_a_save_after_the_session_ended_leads_to_a_login_page_that_says_why(officer_a, settings):
    person = PersonFactory()
    client = signed_in()
    url = reverse("households:episode-create", args=[person.pk])
    idle(client, settings)
    response = client.post(url, {"status": "abroad", "destination_country": "MY", "version": 1})
    assert response.status_code == 302 and "draft_saved" not in response.cookies  # the draft stays
    assert response.url.startswith(f"{reverse('login')}?ended=idle") and "next=" in response.url
    page = client.get(response.url).content.decode()
    assert "Your session ended after 30 minutes without activity." in page
    assert "what you typed in a form is kept on this phone" in page
    assert not person.episodes.exists()


def test_a_session_that_expired_in_the_browser_is_told_from_a_first_visit(officer_a):
    client = signed_in()
    assert client.cookies["signed_in"].value == "1"
    client.cookies.pop("sessionid")  # the browser dropped the expired session cookie
    response = client.get(reverse("households:list"))
    assert "Your session has ended." in client.get(response.url).content.decode()
    stranger = Client(HTTP_ACCEPT_LANGUAGE="en")  # never signed in here: nothing ended
    assert 'id="session-ended"' not in stranger.get(stranger.get(reverse("households:list")).url).content.decode()


def test_logging_out_is_not_a_session_that_ended(officer_a):
    client = signed_in()
    response = client.post(reverse("logout"))
    assert response.cookies["signed_in"].value == ""  # deleted
    page = client.get(client.get(reverse("households:list")).url).content.decode()
    assert 'id="session-ended"' not in page


def test_a_saved_form_tells_the_browser_to_drop_its_draft_and_a_refused_one_does_not(officer_a):
    person = PersonFactory()
    client = signed_in()
    url = reverse("households:episode-create", args=[person.pk])
    refused = client.post(url, {"status": "abroad", "destination_country": "MY", "departure_date": "2099-01-01"})
    assert refused.status_code == 200 and "draft_saved" not in refused.cookies
    saved = client.post(url, {"status": "abroad", "procedural": "unknown", "destination_country": "MY"})
    assert saved.status_code == 302 and unquote(saved.cookies["draft_saved"].value) == url
    assert not saved.cookies["draft_saved"]["httponly"]  # drafts.js reads it


def test_the_pages_name_their_user_for_drafts_and_offer_them_back(officer_a, client):
    page = signed_in().get(reverse("households:create")).content.decode()
    assert f'data-user="{officer_a.pk}"' in page and "data-draft" in page and 'id="draft-offer"' in page
    assert "drafts.js" in page and "data-logout" in page
    anonymous = Client().get(reverse("login")).content.decode()
    assert "data-user=" not in anonymous and 'id="draft-offer"' not in anonymous
