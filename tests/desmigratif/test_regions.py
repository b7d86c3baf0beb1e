"""The Kemendagri region list: exact counts, idempotent reloads, code-list updates."""

import pytest
from django.core.management import call_command

from desmigratif.models import District, Province, Regency, Village
from desmigratif.regions_source import RegionList, kemendagri_2025, village_kind
from desmigratif.services import regions_load

pytestmark = pytest.mark.django_db


def test_load_regions_gives_the_complete_current_list(capsys):
    call_command("load_regions")
    assert Province.objects.active().count() == 38
    assert Regency.objects.active().count() == 514
    assert District.objects.active().count() == 7285
    assert Village.objects.active().count() == 83762
    assert Village.objects.filter(kind=Village.Kind.KELURAHAN).count() == 8496
    assert Village.objects.filter(kind=Village.Kind.DESA).count() == 75252
    assert Village.objects.filter(kind=Village.Kind.DESA_ADAT).count() == 14
    assert Regency.objects.filter(kind=Regency.Kind.KOTA).count() == 98
    kenanga = Village.objects.select_related("district__regency__province").get(code="32.12.16.2004")
    assert kenanga.name == "Kenanga" and kenanga.kind == Village.Kind.DESA
    assert kenanga.district.regency.name == "Kabupaten Indramayu"
    assert kenanga.district.regency.province.name == "Jawa Barat"
    assert Village.objects.get(code="33.07.10.2004").name == "Kuripan"

    call_command("load_regions")
    assert "already up to date" in capsys.readouterr().out
    assert Village.objects.count() == 83762


def test_reload_with_the_same_list_changes_nothing():
    regions = kemendagri_2025()
    regions.villages = [row for row in regions.villages if row[0].startswith("32.12.16.")]
    regions.districts = [row for row in regions.districts if row[0].startswith("32.12.")]
    regions_load(regions=regions)
    report = regions_load(regions=regions)
    assert not report.changed
    assert report.levels["villages"].unchanged == len(regions.villages)


def test_code_list_update_renames_adds_and_retires_without_deleting():
    regions_load(
        regions=RegionList(
            provinces=[("32", "Jawa Barat")],
            regencies=[("32.12", "Kabupaten Indramayu", "kabupaten")],
            districts=[("32.12.16", "Sindang")],
            villages=[("32.12.16.2004", "Kenanga", "desa"), ("32.12.16.2005", "Penganjang", "desa")],
        )
    )
    report = regions_load(
        regions=RegionList(
            provinces=[("32", "Jawa Barat")],
            regencies=[("32.12", "Kabupaten Indramayu", "kabupaten")],
            districts=[("32.12.16", "Sindang")],
            villages=[("32.12.16.2004", "Kenanga Baru", "desa"), ("32.12.16.2099", "Desa Pemekaran", "desa")],
        )
    )
    villages = report.levels["villages"]
    assert (villages.created, villages.updated, villages.retired) == (1, 1, 1)
    assert Village.objects.get(code="32.12.16.2004").name == "Kenanga Baru"
    retired = Village.objects.get(code="32.12.16.2005")
    assert not retired.is_active  # kept: records may still point at it
    assert not Village.objects.active().filter(code="32.12.16.2005").exists()


def test_retired_code_comes_back_when_listed_again():
    base = {
        "provinces": [("32", "Jawa Barat")],
        "regencies": [("32.12", "Kabupaten Indramayu", "kabupaten")],
        "districts": [("32.12.16", "Sindang")],
    }
    regions_load(regions=RegionList(**base, villages=[]))
    assert not Village.objects.get(code="32.12.16.2004").is_active
    regions_load(regions=RegionList(**base, villages=[("32.12.16.2004", "Kenanga", "desa")]))
    assert Village.objects.get(code="32.12.16.2004").is_active


@pytest.mark.parametrize(
    ("code", "kind"),
    [("32.12.16.2004", "desa"), ("32.73.01.1001", "kelurahan"), ("91.03.01.3007", "desa_adat")],
)
def test_village_kind_follows_the_fourth_segment(code, kind):
    assert village_kind(code) == kind
