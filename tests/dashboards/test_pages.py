"""Dashboard pages: each user sees exactly their area, drill-down from the nation to a
village, small-cell suppression of children's figures, no names or NIKs, CSV per panel."""

import re

import pytest
from django.urls import reverse

from dashboards.services import figures_refresh
from households.models import Person
from tests.conftest import SMALL_VILLAGE, VILLAGE_A, VILLAGE_B
from tests.factories import AssignmentFactory, HouseholdFactory, UserFactory

pytestmark = pytest.mark.django_db


def url(code=""):
    return reverse("dashboards:area", args=[code]) if code else reverse("dashboards:national")


def child_rows(html: str) -> list[tuple[str, list[str]]]:
    """The child-area table as shown: (code, the figure cells' text) per row."""
    rows = re.findall(r'<td class="font-monospace">([\d.]+)</td>\s*<td>.*?</td>(.*?)</tr>', html, re.S)
    return [(code, re.findall(r'<td class="text-end">(.*?)</td>', cells)) for code, cells in rows]


@pytest.fixture
def refreshed(programme):
    figures_refresh()


@pytest.mark.parametrize(
    ("user", "lands_on", "opens", "refused"),
    [
        ("officer_a", VILLAGE_A, [VILLAGE_A], ["", "32", "32.12", "32.12.16", VILLAGE_B, SMALL_VILLAGE]),
        ("coordinator", "32.12", ["32.12", "32.12.16", VILLAGE_A, SMALL_VILLAGE], ["", "32", "33", VILLAGE_B, "32.13"]),
        ("analyst", "", ["", "32", "33", "32.12", VILLAGE_A, VILLAGE_B], []),
    ],
)
def test_each_user_sees_exactly_their_area(client, refreshed, request, user, lands_on, opens, refused):
    client.force_login(request.getfixturevalue(user))
    assert client.get(reverse("dashboards:home")).url == url(lands_on)
    for code in opens:
        assert client.get(url(code)).status_code == 200, code
        assert client.get(f"{url(code)}abroad-country.csv").status_code == 200, code
    for code in refused:
        assert client.get(url(code)).status_code == 404, code
        assert client.get(f"{url(code)}abroad-country.csv").status_code == 404, code


def test_anonymous_users_are_sent_to_log_in(client):
    for address in (reverse("dashboards:home"), url(""), url(VILLAGE_A), f"{url(VILLAGE_A)}children.csv"):
        response = client.get(address)
        assert response.status_code == 302 and response.url.startswith(reverse("login")), address


def test_a_user_with_several_areas_chooses_one(client, refreshed, officer_a):
    AssignmentFactory(user=officer_a, role="officer", area=VILLAGE_B)
    client.force_login(officer_a)
    page = client.get(reverse("dashboards:home"))
    assert page.status_code == 200
    assert url(VILLAGE_A) in page.text and url(VILLAGE_B) in page.text


def test_drill_down_from_the_nation_to_a_village(client, refreshed, analyst):
    client.force_login(analyst)
    page = client.get(url(""))
    for code in ("32", "32.12", "32.12.16", VILLAGE_A):
        assert f'href="{url(code)}"' in page.text, code
        page = client.get(url(code))
        assert page.status_code == 200
        assert f'href="{url("")}"' in page.text  # the breadcrumb back to the nation
    assert "child-areas" not in page.text  # a village has no areas below it


def test_child_areas_sort_by_any_figure_and_swap_with_htmx(client, refreshed, analyst):
    client.force_login(analyst)
    page = client.get(
        url("32.12.16"), {"sort": "households", "dir": "desc"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="child-areas"
    )
    assert page.status_code == 200
    assert page.text.lstrip().startswith('<section id="child-areas"') and "<html" not in page.text
    codes = re.findall(r'<td class="font-monospace">([\d.]+)</td>', page.text)
    full_page = client.get(url("32.12.16"), {"sort": "households", "dir": "desc"}).text
    households = [int(cells[0].replace(".", "")) for _code, cells in child_rows(full_page)]
    assert len(households) > 1
    assert households == sorted(households, reverse=True)
    assert codes[:2] == ["32.12.16.2005", "32.12.16.2004"]  # 12 households each: a tie goes by code, reversed too


def test_small_children_counts_are_suppressed_outside_the_village(client, refreshed, coordinator):
    officer = AssignmentFactory(user=UserFactory(username="officer.small"), role="officer", area=SMALL_VILLAGE).user
    client.force_login(officer)
    own = client.get(url(SMALL_VILLAGE))
    assert re.search(r'id="headline-children">\s*2\s*<', own.text)
    assert "2" in client.get(f"{url(SMALL_VILLAGE)}children.csv").content.decode()

    client.force_login(coordinator)
    outside = client.get(url(SMALL_VILLAGE))
    assert re.search(r'id="headline-children">\s*&lt;5\s*<', outside.text)
    assert 'data-value="2"' not in outside.text.split('id="panel-children"')[1].split("</figure>")[0]
    csv = client.get(f"{url(SMALL_VILLAGE)}children.csv").content.decode()
    assert "<5" in csv
    district = client.get(url("32.12.01"))
    cells = next(cells for code, cells in child_rows(district.text) if code == SMALL_VILLAGE)
    assert cells[5] == "&lt;5"  # the children's column


def test_analysts_see_no_name_or_nik_on_any_dashboard(client, refreshed, analyst):
    client.force_login(analyst)
    persons = list(Person.objects.values_list("name", "nik"))
    assert persons
    for code in ("", "32", "32.12", "32.12.16", VILLAGE_A, VILLAGE_B):
        text = client.get(url(code)).text
        for name, nik in persons:
            assert nik not in text
            if " " in name:
                assert name not in text, (code, name)


def test_a_panel_downloads_as_csv(client, refreshed, analyst):
    client.force_login(analyst)
    response = client.get(f"{url('')}requests.csv")
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert len(lines) > 3
    assert client.get(f"{url('')}no-such-panel.csv").status_code == 404


def test_every_panel_has_a_table_a_definition_and_a_csv_link(client, refreshed, analyst):
    client.force_login(analyst)
    page = client.get(url(""), HTTP_ACCEPT_LANGUAGE="id")
    panels = re.findall(r'<figure [^>]*id="panel-([\w-]+)"(.*?)</figure>', page.text, re.S)
    assert len(panels) >= 15
    for slug, html in panels:
        definition = re.search(r'<p class="small text-body-secondary mb-2">(.*?)</p>', html, re.S)
        assert definition and definition.group(1).strip(), slug
        assert "<table" in html, slug
        assert f'href="{url("")}{slug}.csv"' in html, slug
    assert '<div class="chart-box"><canvas role="img" aria-label="Grafik: ' in page.text


def test_stale_figures_queue_a_refresh(client, programme, analyst):
    from django_tasks_db.models import DBTaskResult

    client.force_login(analyst)
    page = client.get(url(""))
    assert page.status_code == 200
    assert DBTaskResult.objects.filter(task_path="dashboards.tasks.refresh_figures").count() == 1
    client.get(url(""))  # a second view within the minute queues nothing more
    assert DBTaskResult.objects.filter(task_path="dashboards.tasks.refresh_figures").count() == 1


def test_a_refresh_shows_new_figures_on_a_page_seen_before(client, refreshed, officer_a):
    client.force_login(officer_a)

    def households_headline():
        page = client.get(url(VILLAGE_A))
        return int(re.search(r'id="headline-households">\s*([\d.]+)\s*<', page.text).group(1).replace(".", ""))

    before = households_headline()
    HouseholdFactory(village_id=VILLAGE_A)
    assert households_headline() == before  # the figures are those of the last refresh
    figures_refresh(villages=[VILLAGE_A])
    assert households_headline() == before + 1


def headline_links(html: str) -> dict[str, str]:
    return {
        slug: link for link, slug in re.findall(r'<a class="[^"]*" href="([^"]+)"><span id="headline-([\w-]+)"', html)
    }


def test_headline_figures_link_to_the_lists_behind_them(client, refreshed, coordinator, officer_a, analyst):
    client.force_login(coordinator)
    links = headline_links(client.get(url("32.12")).content.decode())
    assert links["households"] == "/layanan-migrasi/?area=32.12"
    assert links["abroad"] == "/layanan-migrasi/?area=32.12&amp;status=abroad"
    assert links["overdue"] == "/layanan-migrasi/layanan/?area=32.12&amp;status=overdue"
    assert "children" not in links  # children's records are for the village's officers

    # A list opened so counts the area's records only, and says so.
    listed = client.get(links["enterprises"].replace("&amp;", "&")).content.decode()
    assert 'id="narrowed-to"' in listed and "Indramayu" in listed

    client.force_login(officer_a)
    links = headline_links(client.get(url(VILLAGE_A)).content.decode())
    assert links["children"] == f"{reverse('childcare:index')}?area={VILLAGE_A}"
    client.force_login(analyst)  # figures only: no list behind them
    assert headline_links(client.get(url("32.12")).content.decode()) == {}


def test_a_list_narrowed_to_an_area_shows_its_records_only(client, coordinator):
    from tests.factories import enterprise

    enterprise(name="Usaha Kenanga")
    enterprise(village=SMALL_VILLAGE, name="Usaha Tetangga")
    client.force_login(coordinator)
    index = reverse("enterprises:index")
    whole = client.get(index).content.decode()
    assert "Usaha Kenanga" in whole and "Usaha Tetangga" in whole
    narrowed = client.get(index, {"area": "32.12.16"}).content.decode()
    assert "Usaha Kenanga" in narrowed and "Usaha Tetangga" not in narrowed
    outside = client.get(index, {"area": "33.07"}).content.decode()  # another regency: nothing, not more
    assert "Usaha Kenanga" not in outside and "Usaha Tetangga" not in outside
    for junk in ("32.12'", "x", "32.12.16.2004.1"):
        assert "Usaha Tetangga" in client.get(index, {"area": junk}).content.decode(), junk


def test_the_figures_say_when_they_were_counted_to_the_second_in_the_areas_time(client, refreshed, analyst):
    from dashboards.models import FigureRefresh
    from desmigratif.timezones import area_time_zone

    refresh = FigureRefresh.objects.order_by("-started_at").first()
    client.force_login(analyst)
    page = client.get(url("32.12")).content.decode()
    local = refresh.started_at.astimezone(area_time_zone("32.12")[0])
    assert f"{local:%H:%M:%S} WIB" in page
    assert [area_time_zone(code)[1] for code in ("", "32", "51.71", "73.71.01", "91.01.01.2001")] == [
        "WIB",
        "WIB",
        "WITA",
        "WITA",
        "WIT",
    ]
