"""Pages of the shell and the region browser, as each member of the cast."""

import pytest
from django.urls import reverse

from tests.conftest import VILLAGE_A, VILLAGE_A_NEIGHBOUR, VILLAGE_B

pytestmark = pytest.mark.django_db

PAGES = [
    "home",
    "region-index",
    "households:list",
    "enterprises:index",
    "childcare:index",
    "cooperatives:index",
    "password_change",
]


def login(client, user):
    client.force_login(user)
    return client


@pytest.mark.parametrize("name", PAGES)
def test_anonymous_is_sent_to_login(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_login_page_is_indonesian_by_default(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="id">' in html
    assert "Masuk" in html and "Sandi" in html


def test_language_switch_to_english(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("login")}, follow=True)
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Log in" in html and "Password" in html


def test_demo_style_login_with_password(client, officer_a):
    response = client.post(reverse("login"), {"username": "officer.a", "password": "desmigratif-demo"})
    assert response.status_code == 302 and response.url == reverse("home")


@pytest.mark.parametrize("name", PAGES)
def test_every_shell_page_renders_for_an_officer(client, officer_a, name):
    response = login(client, officer_a).get(reverse(name))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Kenanga" in html  # the user's areas in the header


def test_officer_home_shows_only_their_village(client, officer_a):
    html = login(client, officer_a).get(reverse("home")).content.decode()
    assert "Kenanga" in html
    assert "Kuripan" not in html
    assert login(client, officer_a).get(reverse("home")).context["village_total"] == 1


def test_officer_region_index_lists_only_their_province(client, officer_a):
    response = login(client, officer_a).get(reverse("region-index"))
    codes = [child["region"].code for child in response.context["children"]]
    assert codes == ["32"]


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("32", 200),
        ("32.12", 200),
        ("32.12.16", 200),
        (VILLAGE_A, 200),
        (VILLAGE_A_NEIGHBOUR, 404),
        ("32.13", 404),
        ("33", 404),
        (VILLAGE_B, 404),
        ("99", 404),
    ],
)
def test_officer_region_pages_outside_scope_are_404(client, officer_a, code, status):
    assert login(client, officer_a).get(reverse("region-detail", args=[code])).status_code == status


def test_district_page_of_officer_lists_only_their_village(client, officer_a):
    response = login(client, officer_a).get(reverse("region-detail", args=["32.12.16"]))
    assert [child["region"].code for child in response.context["children"]] == [VILLAGE_A]
    assert response.context["partial_view"]


def test_coordinator_sees_the_whole_regency_only(client, coordinator):
    client = login(client, coordinator)
    response = client.get(reverse("region-detail", args=["32.12.16"]))
    codes = [child["region"].code for child in response.context["children"]]
    assert VILLAGE_A in codes and VILLAGE_A_NEIGHBOUR in codes
    assert not response.context["partial_view"]
    assert client.get(reverse("region-detail", args=["32.13"])).status_code == 404
    assert client.get(reverse("region-detail", args=[VILLAGE_B])).status_code == 404


def test_analyst_and_administrator_see_every_province(client, analyst, administrator):
    for user in (analyst, administrator):
        response = login(client, user).get(reverse("region-index"))
        assert len(response.context["children"]) == 38
        assert client.get(reverse("region-detail", args=[VILLAGE_B])).status_code == 200


def test_region_search_is_scoped(client, officer_a, administrator):
    url = reverse("region-search")
    officer_hits = login(client, officer_a).get(url, {"q": "Kuripan"}).context["results"]
    assert officer_hits == []
    assert [r.code for r in client.get(url, {"q": "Kenanga"}).context["results"]] == [VILLAGE_A]
    admin_hits = login(client, administrator).get(url, {"q": "Kuripan"}).context["results"]
    assert VILLAGE_B in [r.code for r in admin_hits]
    by_code = client.get(url, {"q": "32.12.16.20"}).context["results"]
    assert by_code and all(region.code.startswith("32.12.16.20") for region in by_code)


def test_user_without_assignment_sees_no_area(client, db):
    from tests.factories import UserFactory

    user = UserFactory(username="new.user")
    response = login(client, user).get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "Your account has no area yet." in response.content.decode()
    assert client.get(reverse("region-index")).status_code == 404


def test_every_page_sends_a_content_security_policy(client, administrator):
    for url in (reverse("login"), reverse("admin:index")):
        policy = login(client, administrator).get(url).headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy


def test_health(client):
    response = client.get(reverse("health"))
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_logout_is_a_post(client, officer_a):
    login(client, officer_a)
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_favicon_redirects_to_the_portal_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response.url.endswith("desmigratif/favicon.svg")


def test_an_address_no_page_has_answers_404_with_the_menu(client, cast, settings):
    # Production settings: the 404 page renders the templates (with DEBUG the debug page does).
    settings.DEBUG = False
    for user in (cast["officer_a"], cast["analyst"], None):
        if user is not None:
            client.force_login(user)
        else:
            client.logout()
        response = client.get("/layanan-migrasi/tidak-ada/", HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 404
        if user is not None:
            assert "Migration services" in response.content.decode()


def test_a_refused_page_says_why_inside_the_portal(client, cast, settings):
    settings.DEBUG = False
    client.force_login(cast["coordinator"])  # reads the regency, exports nothing without the permission
    response = client.get(reverse("households:export"), HTTP_ACCEPT_LANGUAGE="id")
    html = response.content.decode()
    assert response.status_code == 403
    assert "Anda tidak dapat membuka halaman ini" in html and "Layanan migrasi" in html  # the menu is there


def test_the_server_error_page_needs_no_database_and_leads_home(rf):
    from desmigratif.views import server_error

    try:
        raise RuntimeError("boom")
    except RuntimeError:
        response = server_error(rf.get("/"))
    html = response.content.decode()
    assert response.status_code == 500
    assert "Terjadi kesalahan pada server" in html and "Server error" in html
    assert f'href="{reverse("home")}"' in html and "bootstrap" in html
