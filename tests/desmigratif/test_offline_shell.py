"""The portal as an installed app: its manifest and icons, the service worker at the root (so
that it covers every page), and the outbox page its scripts fill."""

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from PIL import Image

pytestmark = pytest.mark.django_db
STATIC = Path(settings.BASE_DIR) / "static" / "desmigratif"


def test_the_portal_can_be_installed(client, officer_a):
    client.force_login(officer_a)
    page = client.get(reverse("home")).content.decode()
    assert 'rel="manifest"' in page and "manifest.webmanifest" in page
    manifest = json.loads((STATIC / "manifest.webmanifest").read_text())
    assert manifest["start_url"] == "/" and manifest["display"] == "standalone" and manifest["lang"] == "id"
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in manifest["icons"]:
        if icon["type"] == "image/png":
            with Image.open(STATIC / icon["src"]) as image:
                assert f"{image.width}x{image.height}" == icon["sizes"]


def test_the_service_worker_is_served_at_the_root_and_never_cached(client):
    response = client.get("/sw.js")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/javascript")
    assert "no-store" in response["Cache-Control"]
    script = response.content.decode()
    assert 'importScripts("/static/desmigratif/outbox-store.js")' in script
    assert (STATIC / "outbox-store.js").is_file()


def test_the_outbox_page_is_for_signed_in_users_and_names_them_for_the_scripts(client, officer_a):
    assert client.get(reverse("outbox")).status_code == 302
    client.force_login(officer_a)
    page = client.get(reverse("outbox")).content.decode()
    assert 'id="outbox-list"' in page and 'id="outbox-entry"' in page and "outbox.js" in page
    assert f'data-user="{officer_a.pk}"' in page and 'data-service-worker="/sw.js"' in page


def test_forms_that_may_wait_carry_a_fresh_key(client, officer_a):
    client.force_login(officer_a)
    first = client.get(reverse("households:create")).content.decode()
    second = client.get(reverse("households:create")).content.decode()
    key = 'name="_idempotency_key" value="'
    assert "data-offline" in first and key in first
    assert first.split(key)[1][:32] != second.split(key)[1][:32]


def test_the_service_worker_is_served_before_the_second_factor(analyst):
    """A browser refuses a service worker's script behind a redirect: found by the analyst's
    walk (tests/browser/test_annual_report.py), where the console logged it between the
    password and the code."""
    from django.test import Client

    plain = Client()  # logged in with the password only
    plain.force_login(analyst)
    assert plain.get(reverse("dashboards:national")).status_code == 302  # to the second factor
    assert plain.get("/sw.js").status_code == 200
