"""The annual report and the figures of past periods: every panel compared with counts made
here, record by record, on a dataset built for it, a past year reconstructed from records'
dates and change history included."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from childcare.models import Child
from cooperatives.models import Cooperative, Facility
from dashboards.services import figures_refresh
from desmigratif.models import ProgrammeVillage
from desmigratif.periods import Period, periods_available
from enterprises.models import Category, Enterprise, Training
from households.models import Household, MigrationEpisode, ServiceRequest
from tests.conftest import VILLAGE_A, VILLAGE_A_NEIGHBOUR, VILLAGE_B, in_language
from tests.factories import HouseholdFactory, PersonFactory

pytestmark = pytest.mark.django_db

YEAR = 2021
END = datetime.date(YEAR, 12, 31)
D = datetime.date


def at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))


def registered(record, day):
    """The record as entered on ``day``: its creation time and first history row moved there."""
    type(record).objects.filter(pk=record.pk).update(created_at=at(day))
    record.history.filter(history_type="+").update(history_date=at(day))
    record.refresh_from_db()
    return record


def changed(record, day, **values):
    """``values`` saved on ``day``, as its change history then records it."""
    for name, value in values.items():
        setattr(record, name, value)
    record.save()
    latest = record.history.order_by("-history_id").first()
    type(latest).objects.filter(pk=latest.pk).update(history_date=at(day))
    return record


def household(village, day, archived_on=None):
    found = registered(HouseholdFactory(village_id=village), day)
    if archived_on:
        changed(found, archived_on, is_archived=True)
    return found


def stay(home, departure, status="abroad", country="MY", procedural="procedural", actual_return=None, marked_on=None):
    person = PersonFactory(household=home, birth_date=D(1990, 1, 1), relationship="head")
    episode = MigrationEpisode.objects.create(
        person=person,
        status="abroad" if marked_on else status,
        destination_country=country,
        procedural=procedural,
        departure_date=departure,
        actual_return=actual_return,
    )
    if marked_on:
        changed(episode, marked_on, status=status)
    return episode


def child(home, registered_on, born):
    kid = PersonFactory(household=home, relationship="child", birth_date=born)
    return registered(Child.objects.create(person=kid), registered_on)


@pytest.fixture
def dataset(db):
    """Villages A (in the programme since 2019) and A's neighbour (2020, left mid-2021); B
    has records but is not in the programme."""
    ProgrammeVillage.objects.create(village_id=VILLAGE_A, cohort=2019)
    ProgrammeVillage.objects.create(
        village_id=VILLAGE_A_NEIGHBOUR, cohort=2020, status="left", status_since=D(2021, 6, 30)
    )
    h1 = household(VILLAGE_A, D(2019, 5, 1))
    household(VILLAGE_A, D(2021, 11, 15))
    household(VILLAGE_A, D(2022, 2, 1))  # after the year
    household(VILLAGE_A, D(2020, 1, 10), archived_on=D(2021, 8, 1))  # archived within it
    h5 = household(VILLAGE_A, D(2020, 3, 3), archived_on=D(2022, 3, 1))  # archived after it
    hb = household(VILLAGE_B, D(2020, 4, 4))
    household(VILLAGE_A_NEIGHBOUR, D(2020, 5, 5))

    stay(h1, D(2019, 7, 1))
    stay(h1, D(2021, 2, 1), "returned", "HK", "non_procedural", actual_return=D(2021, 10, 1))
    stay(h5, D(2020, 6, 1), "returned", "SA", marked_on=D(2022, 1, 15))  # no return date: its history
    stay(h5, D(2021, 5, 5), country="", procedural="unknown")
    stay(hb, D(2021, 1, 1), country="TW")
    stay(h1, D(2021, 3, 1), "preparing")  # never left

    child(h1, D(2020, 2, 2), D(2010, 1, 1))
    child(h1, D(2021, 3, 3), D(2003, 6, 1))  # 18 in June 2021
    child(h1, D(2022, 1, 1), D(2015, 1, 1))  # registered after the year

    food, crafts = Category.objects.get(code="food"), Category.objects.get(code="crafts")
    Enterprise.objects.create(village_id=VILLAGE_A, owner=h1, name="A", category=food, started_on=D(2019, 4, 1))
    crafted = Enterprise.objects.create(
        village_id=VILLAGE_A, owner=h1, name="B", category=crafts, started_on=D(2021, 9, 9)
    )
    changed(crafted, D(2022, 5, 10), status="closed")
    registered(Enterprise.objects.create(village_id=VILLAGE_A, owner=h1, name="C", category=food), D(2022, 2, 2))
    closed = Enterprise.objects.create(
        village_id=VILLAGE_A, owner=h1, name="D", category=food, started_on=D(2020, 1, 1)
    )
    changed(closed, D(2021, 7, 1), status="closed")

    Cooperative.objects.create(village_id=VILLAGE_A, kind="koperasi", name="K", founded_on=D(2020, 1, 1))
    bumdes = Cooperative.objects.create(village_id=VILLAGE_A, kind="bumdes", name="B", legal_date=D(2021, 4, 4))
    changed(bumdes, D(2021, 12, 1), status="dissolved")

    Facility.objects.create(village_id=VILLAGE_A, kind="internet", status="in_use", status_on=D(2020, 5, 5))
    Facility.objects.create(village_id=VILLAGE_A, kind="internet", status="built", status_on=D(2021, 1, 1))
    Facility.objects.create(village_id=VILLAGE_A, kind="solar", status="planned")
    Facility.objects.create(village_id=VILLAGE_A, kind="road", status="in_use", status_on=D(2022, 1, 1))

    ServiceRequest.objects.create(
        village_id=VILLAGE_A, kind="complaint", description="x", opened_on=D(2021, 2, 2), referral="disnaker"
    )
    ServiceRequest.objects.create(
        village_id=VILLAGE_A, kind="information", description="x", opened_on=D(2020, 2, 2), referral="disnaker"
    )
    Training.objects.create(village_id=VILLAGE_A, kind="mtu", topic="T", starts_on=D(2021, 3, 3), ends_on=D(2021, 3, 3))
    figures_refresh()


# --- the counts, record by record ------------------------------------------------------------------------


def day_of(moment):
    return timezone.localtime(moment).date()


def first_history_day(record, **state):
    rows = [
        row for row in record.history.order_by("history_date") if all(getattr(row, k) == v for k, v in state.items())
    ]
    return day_of(rows[0].history_date) if rows else None


def in_programme(village, end):
    entry = ProgrammeVillage.objects.filter(village_id=village).first()
    return bool(entry and entry.cohort <= end.year and not (entry.status == "left" and entry.status_since <= end))


def villages_counted(end, programme_only, area):
    villages = {v for v in (VILLAGE_A, VILLAGE_B, VILLAGE_A_NEIGHBOUR) if v == area or v.startswith(area)}
    return {v for v in villages if in_programme(v, end)} if programme_only else villages


def archived_by(home, end):
    day = first_history_day(home, is_archived=True) if home.is_archived else None
    return day is not None and day <= end


def expected(end, programme_only=True, area=""):
    """Every figure of the report of ``area`` for the year ending ``end``, counted record by record."""
    start = D(end.year, 1, 1)
    villages = villages_counted(end, programme_only, area)
    homes = [h for h in Household.objects.all() if h.village_id in villages]
    standing_homes = [h for h in homes if day_of(h.created_at) <= end and not archived_by(h, end)]
    stays = [
        e
        for e in MigrationEpisode.objects.select_related("person__household")
        if e.person.household.village_id in villages and e.status in {"abroad", "returned"} and e.departure_date
    ]

    def stay_end(e):
        ends = [e.actual_return or (first_history_day(e, status="returned") if e.status == "returned" else None)]
        if e.person.household.is_archived:
            ends.append(first_history_day(e.person.household, is_archived=True))
        ends = [day for day in ends if day]
        return min(ends) if ends else None

    abroad = [e for e in stays if e.departure_date <= end and not (stay_end(e) and stay_end(e) <= end)]
    by_country = {}
    for e in abroad:
        by_country[e.destination_country] = by_country.get(e.destination_country, 0) + 1
    departed = [e for e in stays if start <= e.departure_date <= end]
    kids = [
        c
        for c in Child.objects.select_related("person__household")
        if c.person.household.village_id in villages
        and day_of(c.created_at) <= end
        and D(c.person.birth_date.year + 18, c.person.birth_date.month, c.person.birth_date.day) > end
        and not archived_by(c.person.household, end)
    ]
    enterprises = [x for x in Enterprise.objects.all() if x.village_id in villages]

    def enterprise_start(x):
        return x.started_on or day_of(x.created_at)

    def closed_by(x):
        day = first_history_day(x, status="closed") if x.status == "closed" else None
        return day is not None and day <= end

    def of_category(category):
        return [x for x in enterprises if x.category == category]

    cooperatives = [c for c in Cooperative.objects.all() if c.village_id in villages]

    def founded(c):
        return c.founded_on or c.legal_date or day_of(c.created_at)

    def dissolved_by(c):
        day = first_history_day(c, status="dissolved") if c.status == "dissolved" else None
        return day is not None and day <= end

    facilities = {
        (f.village_id, f.kind)
        for f in Facility.objects.all()
        if f.village_id in villages and f.status in {"built", "in_use"} and (f.status_on or day_of(f.created_at)) <= end
    }
    return {
        "programme_villages": sum(1 for v in villages if in_programme(v, end)),
        "households": len(standing_homes),
        "abroad": len(abroad),
        "abroad_by_country": by_country,
        "departures": {
            p: sum(1 for e in departed if e.procedural == p) for p in ("procedural", "non_procedural", "unknown")
        },
        "returns": sum(1 for e in stays if stay_end(e) and start <= stay_end(e) <= end),
        "children": len(kids),
        "enterprises": {
            category.code: (
                sum(
                    1 for x in enterprises if x.category == category and enterprise_start(x) <= end and not closed_by(x)
                ),
                sum(1 for x in enterprises if x.category == category and start <= enterprise_start(x) <= end),
            )
            for category in Category.objects.all()
        },
        "cooperatives": {
            kind: (
                sum(1 for c in cooperatives if c.kind == kind and founded(c) <= end and not dissolved_by(c)),
                sum(1 for c in cooperatives if c.kind == kind and start <= founded(c) <= end),
            )
            for kind in ("koperasi", "bumdes", "pre", "production")
        },
        "facilities": {kind: sum(1 for _v, k in facilities if k == kind) for kind in ("internet", "solar", "road")},
        "cases": {
            kind: ServiceRequest.objects.filter(
                village_id__in=villages, kind=kind, opened_on__gte=start, opened_on__lte=end
            ).count()
            for kind in ("complaint", "information")
        },
        "trainings": Training.objects.filter(
            village_id__in=villages, kind="mtu", starts_on__gte=start, starts_on__lte=end
        ).count(),
    }


# --- the report, read as its users get it --------------------------------------------------------------


def workbook(client, code, year, query=""):
    url = reverse("dashboards:area-report-download", args=[code, year, "xlsx"]) if code else None
    url = url or reverse("dashboards:national-report-download", args=[year, "xlsx"])
    response = client.get(url + query, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    sheets = Sheets()
    for sheet in book.worksheets:
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]
        sheets[sheet.title.split(" ", 1)[1] if sheet.title[0].isdigit() else sheet.title] = rows
    return sheets


class Sheets(dict):
    """The workbook's sheets by title; a title cut at 31 characters is found by its full one."""

    def __getitem__(self, title):
        return next(rows for name, rows in self.items() if title.startswith(name))


def table(sheet):
    """{first column: the other columns} of a sheet's rows under its header."""
    return {row[0]: row[1:] for row in sheet[1:]}


def compare(sheets, want):
    summary = table(sheets["Summary"])
    assert summary["Programme villages"][0] == want["programme_villages"]
    assert summary["Households"][0] == want["households"]
    assert summary["Workers abroad"][0] == want["abroad"]
    assert summary["Departures"][0] == sum(want["departures"].values())
    countries = table(sheets["Workers abroad by destination"])
    names = {"MY": "Malaysia", "SA": "Saudi Arabia", "TW": "Taiwan", "": "Not recorded"}
    assert {country: row[0] for country, row in countries.items()} == {
        names[code]: n for code, n in want["abroad_by_country"].items()
    }
    movements = table(sheets["Departures and returns"])
    assert [movements[label][0] for label in ("Procedural", "Non-procedural", "Unknown", "Returns")] == [
        *want["departures"].values(),
        want["returns"],
    ]
    with in_language("en"):
        categories = {category.label: category.code for category in Category.objects.all()}
    enterprises = table(sheets["Enterprises by category"])
    assert len(enterprises) == Category.objects.count()  # every category, zeros included
    assert {categories[name]: tuple(row) for name, row in enterprises.items()} == want["enterprises"]
    cooperatives = table(sheets["Cooperatives by kind"])
    kinds = ["Cooperative (koperasi)", "Village-owned enterprise (BUMDes)", "Pre-cooperative", "Production house"]
    assert [tuple(cooperatives[kind]) for kind in kinds] == list(want["cooperatives"].values())
    facilities = table(sheets["Villages with each facility"])
    assert len(facilities) == 6
    assert facilities["Internet access"][0] == want["facilities"]["internet"]
    assert facilities["Solar panels"][0] == want["facilities"]["solar"]
    assert facilities["Road"][0] == want["facilities"]["road"]
    cases = table(sheets["Service requests opened"])
    assert cases["Complaint"][0] == want["cases"]["complaint"]
    assert cases["Safe-migration information"][0] == want["cases"]["information"]
    assert table(sheets["Trainings"])["Mobile training unit (MTU)"][0] == want["trainings"]


def test_the_report_of_a_past_year_matches_the_records_counted_one_by_one(client, officer_a, dataset):
    client.force_login(officer_a)  # works in village A: children's counts are exact
    want = expected(END, area=VILLAGE_A)
    # The dataset is built so that each rule matters: this is what it must come to.
    assert want["households"] == 3 and want["abroad"] == 3 and want["children"] == 1
    assert want["departures"] == {"procedural": 0, "non_procedural": 1, "unknown": 1} and want["returns"] == 1
    assert want["enterprises"]["crafts"] == (1, 1) and want["enterprises"]["food"] == (1, 0)
    assert want["cooperatives"]["bumdes"] == (0, 1) and want["facilities"]["internet"] == 1
    sheets = workbook(client, VILLAGE_A, YEAR)
    compare(sheets, want)
    assert table(sheets["Community parenting"])["Children"][0] == want["children"]
    # The year before, and the year after, from the same records.
    for year in (2020, 2022):
        compare(workbook(client, VILLAGE_A, year), expected(D(year, 12, 31), area=VILLAGE_A))
    # The trends: each year's row, for the villages of the report (village A, all its years).
    trends = table(workbook(client, VILLAGE_A, 2022)["Trends by year"])
    assert list(trends) == [str(year) for year in range(2016, 2023)]
    for year, row in trends.items():
        want = expected(D(int(year), 12, 31), programme_only=False, area=VILLAGE_A)
        households, abroad, procedural, non_procedural, returns, cases = row[1:7]
        enterprises, started, trainings, cooperatives, facilities = row[7:12]
        assert (households, abroad, returns) == (want["households"], want["abroad"], want["returns"]), year
        assert (procedural, non_procedural) == (want["departures"]["procedural"], want["departures"]["non_procedural"])
        assert cases == sum(want["cases"].values()) and trainings == want["trainings"], year
        assert enterprises == sum(standing for standing, _started in want["enterprises"].values()), year
        assert started == sum(begun for _standing, begun in want["enterprises"].values()), year
        assert cooperatives == sum(standing for standing, _founded in want["cooperatives"].values()), year
        assert facilities == sum(want["facilities"].values()), year


def test_programme_villages_are_the_default_and_all_villages_are_one_choice_away(client, analyst, dataset):
    client.force_login(analyst)
    programme = workbook(client, "", YEAR)
    compare(programme, expected(END))
    everything = workbook(client, "", YEAR, "?villages=all")
    compare(everything, expected(END, programme_only=False))
    # B's household and stay count only among all villages; the neighbour left in 2021.
    assert table(everything["Summary"])["Households"][0] == table(programme["Summary"])["Households"][0] + 2
    areas = table(programme["Areas"])
    assert list(areas) == ["32"]  # only provinces holding a programme village
    # Outside the village, a child count of 1 to 4 is "<5", in the workbook as on the page.
    assert table(programme["Community parenting"])["Children"][0] == "<5"
    assert table(programme["Summary"])["Children"][0] == "<5"


def test_the_dashboard_of_a_quarter_and_its_csv_agree_with_the_report(client, analyst, dataset):
    client.force_login(analyst)
    page = client.get(reverse("dashboards:area", args=[VILLAGE_A]) + "?period=2021-Q3").content.decode()
    # End of Q3 2021: h1, h5 and the household archived on 1 August… is gone; the November one not yet.
    assert 'id="headline-households">2<' in page
    assert 'id="headline-programme-villages">1<' in page
    response = client.get(
        reverse("dashboards:area-csv", args=[VILLAGE_A, "departures"]) + "?period=2021",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Figure", "Stays"]
    assert rows[1:6] == [
        ["Procedural", "0"],
        ["Non-procedural", "1"],
        ["Unknown", "1"],
        ["Verified by placement data", "0"],
        ["Returns", "1"],
    ]
    assert "programme villages" in rows[-2][0]


def test_a_period_that_has_not_ended_cannot_be_read(client, analyst, dataset):
    client.force_login(analyst)
    next_year = timezone.localdate().year + 1
    assert client.get(reverse("dashboards:national-report", args=[next_year])).status_code == 404
    assert client.get(reverse("dashboards:national-report", args=[2015])).status_code == 404  # before the programme
    page = client.get(reverse("dashboards:national") + f"?period={next_year}").content.decode()
    assert 'id="headline-overdue"' in page  # an unreadable period shows the figures of now
    this_year = Period.parse(str(timezone.localdate().year))
    assert this_year is None or not this_year.is_complete
    assert all(period.ended_quarters() for period in periods_available())


def test_the_report_page_prints_and_links_its_downloads_and_areas(client, coordinator, dataset):
    client.force_login(coordinator)
    page = client.get(reverse("dashboards:area-report", args=["32.12", YEAR])).content.decode()
    assert 'id="report-xlsx"' in page and 'id="report-csv"' in page and "data-print" in page
    assert reverse("dashboards:area-report", args=["32.12.16", YEAR]) in page  # the district below, drilled into
    response = client.get(reverse("dashboards:area-report-download", args=["32.12", YEAR, "csv"]))
    text = response.content.decode("utf-8-sig")
    assert text.count("\r\n\r\n") >= 10  # the tables one after another
    assert client.get(reverse("dashboards:area-report-download", args=["32.12", YEAR, "pdf"])).status_code == 404
