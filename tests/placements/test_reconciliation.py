"""Reconciling the register with a national placement list: an extract as a coordinator gets it
(SISKOP2MI's columns, Indonesian headers, saved by Excel as a semicolon CSV with day-first
dates), matched to the register, reviewed, applied and reverted, and the three lists of each
village counted exactly."""

import datetime

import pytest
from django.urls import reverse

from households.models import MigrationEpisode
from placements.lists import batch_lists, open_gaps
from placements.models import PlacementBatch, PlacementGap, PlacementRecord
from placements.services import (
    PlacementFileError,
    PlacementStateError,
    placement_batch_apply,
    placement_batch_revert,
    placement_batch_upload,
    placement_decide,
)
from tests.conftest import REGENCY_A, VILLAGE_A, VILLAGE_A_NEIGHBOUR, VILLAGE_B
from tests.factories import EpisodeFactory, PersonFactory

pytestmark = pytest.mark.django_db

HEADER = (
    "No;NIK;Nama PMI;Tgl. Lahir;No. Paspor;Negara Penempatan;Nama Pengguna;Nama P3MI;Tanggal Keberangkatan;Kode Desa"
)


def extract(*rows: str) -> bytes:
    """The file as Excel saves "CSV UTF-8" in an Indonesian locale."""
    return ("\r\n".join([HEADER, *rows]) + "\r\n").encode("utf-8-sig")


@pytest.fixture
def register():
    """Village A: Rina (NIK), Dewi (passport only), Sari (neither), Wati and Yanti abroad and in no
    list, Ahmad registered with no stay. Its neighbour: Joko abroad, departure not recorded. And
    village B, another regency, with Tuti abroad."""
    rina = PersonFactory(household__village_id=VILLAGE_A, name="Rina Lestari", nik="3212164503950002", sex="F")
    dewi = PersonFactory(household__village_id=VILLAGE_A, name="Dewi Sartika", nik=None, sex="F")
    sari = PersonFactory(
        household__village_id=VILLAGE_A, name="Sari Wulandari", nik=None, sex="F", birth_date=datetime.date(1995, 2, 3)
    )
    wati = PersonFactory(household__village_id=VILLAGE_A, name="Wati", nik=None, sex="F")
    yanti = PersonFactory(household__village_id=VILLAGE_A, name="Yanti", nik=None, sex="F")
    ahmad = PersonFactory(household__village_id=VILLAGE_A, name="Ahmad", nik="3212161204900001")
    joko = PersonFactory(household__village_id=VILLAGE_A_NEIGHBOUR, name="Joko", nik=None)
    tuti = PersonFactory(household__village_id=VILLAGE_B, name="Tuti", nik="3307104808900003", sex="F")
    stays = {
        "rina": EpisodeFactory(
            person=rina, destination_country="MY", departure_date=datetime.date(2024, 3, 1), procedural="procedural"
        ),
        "dewi": EpisodeFactory(
            person=dewi,
            destination_country="TW",
            passport_number="C7654321",
            departure_date=datetime.date(2024, 5, 10),
            procedural="procedural",
        ),
        "sari": EpisodeFactory(
            person=sari, destination_country="HK", departure_date=datetime.date(2024, 7, 1), procedural="unknown"
        ),
        "wati": EpisodeFactory(
            person=wati, destination_country="SA", departure_date=datetime.date(2024, 6, 1), procedural="procedural"
        ),
        "yanti": EpisodeFactory(
            person=yanti, destination_country="HK", departure_date=datetime.date(2019, 1, 5), procedural="procedural"
        ),
        "joko": EpisodeFactory(person=joko, destination_country="KR", departure_date=None),
        "tuti": EpisodeFactory(person=tuti, destination_country="MY", departure_date=datetime.date(2024, 4, 1)),
    }
    return {"ahmad": ahmad, "stays": stays}


ROWS = (
    # Rina by NIK (the list's date a few days after the one the family gave).
    f"1;3212164503950002;RINA LESTARI;05/03/1995;;Malaysia;Sdn Bhd Perkasa;PT Maju Jaya;05/03/2024;{VILLAGE_A}",
    # Dewi by passport: the list has no NIK for her.
    f"2;;Dewi Sartika;;C 7654321;Taiwan;Mr Chen;PT Duta;12/05/2024;{VILLAGE_A}",
    # Sari by name, date of birth and village only: waits for review.
    f"3;;SARI  WULANDARI;03/02/1995;;Hong Kong;Mrs Wong;PT Duta;01/07/2024;{VILLAGE_A}",
    # Budi: placed, registered nowhere.
    f"4;3212160505880003;Budi Santoso;05/05/1988;;Korea Selatan;Hyundai;PT Karya;20/08/2024;{VILLAGE_A}",
    # Ahmad: registered, but without this stay.
    f"5;3212161204900001;Ahmad;12/04/1990;;Jepang;Toyota;PT Karya;02/02/2024;{VILLAGE_A}",
    # A resident of the neighbouring village, registered nowhere; the village as OpenSID writes it.
    "6;3212160707920004;Eko Prasetyo;07/07/1992;;Singapura;;PT Karya;15/09/2024;3212162005",
    # Tuti of village B: outside the coordinator's regency, passed over.
    f"7;3307104808900003;Tuti;08/08/1990;;Malaysia;;PT Duta;01/04/2024;{VILLAGE_B}",
    # A NIK Excel turned into a number: said, and the row kept without it.
    f"8;3.21216E+15;Nur Aini;;;Malaysia;;;10/10/2024;{VILLAGE_A}",
)


def upload(coordinator, rows=ROWS):
    return placement_batch_upload(
        user=coordinator,
        data=extract(*rows),
        file_name="siskop2mi-indramayu.csv",
        area=REGENCY_A,
        source="SISKOP2MI",
        extracted_on=datetime.date(2026, 11, 20),
    )


def counts(batch, user):
    lists = batch_lists(batch, user)
    return {
        village.code: (len(village.confirmed), len(village.unlisted), len(village.unregistered), len(village.pending))
        for village in lists.villages
    }


def test_an_extract_gives_each_village_its_three_lists_with_exact_counts(register, coordinator, officer_a):
    batch = upload(coordinator)
    assert batch.status == PlacementBatch.Status.STAGED and batch.rows == 7
    assert (batch.departures_from, batch.departures_until) == (datetime.date(2024, 2, 2), datetime.date(2024, 10, 10))
    assert any("Row 9" in p or "Baris 9" in p for p in batch.problems)  # the Excel-mangled NIK, by its row
    by_row = {record.row: record for record in batch.records.all()}
    assert [by_row[r].matched_by for r in (2, 3, 4)] == ["nik", "passport", "name"]
    stays = register["stays"]
    assert by_row[2].episode == stays["rina"] and by_row[3].episode == stays["dewi"]

    # (confirmed, registered abroad without a placement, placements not registered, waiting for review)
    # Yanti left in 2019, before anything the extract covers: not on its lists.
    assert counts(batch, coordinator) == {VILLAGE_A: (2, 1, 3, 1), VILLAGE_A_NEIGHBOUR: (0, 1, 1, 0)}
    assert batch_lists(batch, coordinator).villages[0].unlisted == [stays["wati"]]

    with pytest.raises(PlacementStateError):
        placement_batch_apply(batch=batch, user=coordinator)  # the match by name is reviewed first
    placement_decide(record=by_row[4], user=coordinator, confirmed=True)
    assert counts(batch, coordinator) == {VILLAGE_A: (3, 1, 3, 0), VILLAGE_A_NEIGHBOUR: (0, 1, 1, 0)}
    assert counts(batch, officer_a) == {VILLAGE_A: (3, 1, 3, 0)}  # an officer sees their village only

    assert placement_batch_apply(batch=batch, user=coordinator) == 3
    for name in ("rina", "dewi", "sari"):
        stays[name].refresh_from_db()
        assert (stays[name].placement_source, stays[name].placement_verified_on) == (
            f"SISKOP2MI 2026-11-20 #{batch.pk}",
            datetime.date(2026, 11, 20),
        )
        assert stays[name].history.first().history_user == coordinator
    stays["sari"].refresh_from_db()
    assert stays["sari"].procedural == "unknown"  # what the officer recorded is not overwritten
    assert [gap.episode for gap in open_gaps(officer_a)] == [stays["wati"]]
    assert PlacementGap.objects.filter(batch=batch).count() == 2  # Wati, and Joko next door

    assert placement_batch_revert(batch=batch, user=coordinator) == 3
    stays["rina"].refresh_from_db()
    assert (stays["rina"].placement_source, stays["rina"].placement_verified_on) == ("", None)
    assert not PlacementGap.objects.exists() and not open_gaps(officer_a)


def test_a_rejected_name_match_lists_the_stay_and_the_placement_apart(register, coordinator):
    batch = upload(coordinator)
    sari_row = batch.records.get(row=4)
    placement_decide(record=sari_row, user=coordinator, confirmed=False)
    assert counts(batch, coordinator)[VILLAGE_A] == (2, 2, 4, 0)


def test_a_later_extract_keeps_its_mark_when_an_earlier_one_is_reverted(register, coordinator):
    first = upload(coordinator, ROWS[:1])
    placement_batch_apply(batch=first, user=coordinator)
    second = upload(coordinator, ROWS[:1])
    placement_batch_apply(batch=second, user=coordinator)
    placement_batch_revert(batch=first, user=coordinator)
    rina = MigrationEpisode.objects.get(pk=register["stays"]["rina"].pk)
    assert rina.placement_source == f"SISKOP2MI 2026-11-20 #{second.pk}"
    placement_batch_revert(batch=second, user=coordinator)
    rina.refresh_from_db()
    assert rina.placement_source == f"SISKOP2MI 2026-11-20 #{first.pk}"  # what was there before it


def test_a_file_that_is_not_an_extract_is_refused(coordinator):
    with pytest.raises(PlacementFileError):
        placement_batch_upload(
            user=coordinator,
            data=b"kolom;lain\r\n1;2\r\n",
            file_name="x.csv",
            area=REGENCY_A,
            source="SISKOP2MI",
            extracted_on=datetime.date(2026, 11, 20),
        )
    assert not PlacementBatch.objects.exists()


def test_only_coordinators_and_administrators_upload_and_act(client, cast, register):
    with pytest.raises(PlacementStateError):
        upload(cast["officer_a"])
    batch = upload(cast["coordinator"])
    for name, index, detail in (
        ("officer_a", 200, 200),
        ("officer_b", 200, 404),
        ("coordinator", 200, 200),
        ("analyst", 404, 404),
        ("administrator", 200, 200),
    ):
        client.force_login(cast[name])
        assert client.get(reverse("placements:index")).status_code == index, name
        assert client.get(reverse("placements:detail", args=[batch.pk])).status_code == detail, name
    client.force_login(cast["officer_a"])
    assert client.post(reverse("placements:apply", args=[batch.pk])).status_code == 404
    record = batch.records.get(row=4)
    assert client.post(reverse("placements:decide", args=[record.pk]), {"decision": "confirm"}).status_code == 404
    record.refresh_from_db()
    assert record.decision == PlacementRecord.Decision.PENDING


def test_the_coordinator_uploads_reviews_and_applies_on_the_pages(client, coordinator, register):
    client.force_login(coordinator)
    page = client.post(
        reverse("placements:index"),
        {
            "file": _file(extract(*ROWS)),
            "area__province": "32",
            "area__regency": REGENCY_A,
            "source": "SISKOP2MI",
            "extracted_on": "2026-11-20",
        },
    )
    batch = PlacementBatch.objects.get()
    assert page.status_code == 302 and page.url == batch.get_absolute_url()
    detail = client.get(batch.get_absolute_url()).content.decode()
    assert 'data-total="confirmed">2<' in detail and 'data-total="pending">1<' in detail
    record = batch.records.get(row=4)
    client.post(reverse("placements:decide", args=[record.pk]), {"decision": "confirm"})
    client.post(reverse("placements:apply", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == PlacementBatch.Status.APPLIED
    assert 'data-total="confirmed">3<' in client.get(batch.get_absolute_url()).content.decode()


def _file(data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("siskop2mi.csv", data, content_type="text/csv")


def test_the_dashboards_show_the_procedural_share_verified_by_placement_data(register, coordinator):
    from dashboards import panels
    from dashboards.services import figures_refresh
    from dashboards.summary import SummaryFigures
    from desmigratif.periods import Period

    batch = upload(coordinator)
    placement_decide(record=batch.records.get(row=4), user=coordinator, confirmed=True)
    placement_batch_apply(batch=batch, user=coordinator)
    figures_refresh()
    for area in (VILLAGE_A, REGENCY_A):
        panel = next(
            panel
            for _title, section in panels.sections(SummaryFigures(area))
            for panel in section
            if panel.slug == "departures-confirmed"
        )
        # 2024: Rina, Dewi, Sari, Wati departed (three confirmed); 2019: Yanti, not confirmed.
        assert panel.rows == [["2019", 1, 1, 0, "0%"], ["2024", 4, 3, 3, "75%"]], area
    assert panels_of_year(VILLAGE_A, Period(2024)) == 3


def panels_of_year(area, period):
    from dashboards.summary import SummaryFigures
    from households import stats

    return stats.confirmed_departures_in(SummaryFigures(area), period)


def test_an_extract_saved_as_a_workbook_with_a_title_above_its_header(register, coordinator):
    """BP2MI's workbooks put a title above the header, and their dates are date cells."""
    import io

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["DATA PENEMPATAN PMI KABUPATEN INDRAMAYU TAHUN 2024"])
    sheet.append([])
    sheet.append(HEADER.split(";"))
    rina = [1, "3212164503950002", "Rina Lestari", datetime.date(1995, 3, 5), None, "MY", "", "PT Maju Jaya"]
    sheet.append([*rina, datetime.date(2024, 3, 5), VILLAGE_A])
    sheet.append(
        [2, None, "Dewi Sartika", None, "C7654321", "Taiwan", "", "PT Duta", datetime.date(2024, 5, 12), VILLAGE_A]
    )
    data = io.BytesIO()
    book.save(data)
    batch = placement_batch_upload(
        user=coordinator,
        data=data.getvalue(),
        file_name="penempatan-2024.xlsx",
        area=REGENCY_A,
        source="BP2MI",
        extracted_on=datetime.date(2026, 11, 20),
    )
    stays = register["stays"]
    assert [(r.row, r.matched_by, r.episode) for r in batch.records.order_by("row")] == [
        (4, "nik", stays["rina"]),
        (5, "passport", stays["dewi"]),
    ]
    assert (batch.departures_from, batch.departures_until) == (datetime.date(2024, 3, 5), datetime.date(2024, 5, 12))
