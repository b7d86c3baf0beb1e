"""The columns of a placement list extract (docs/import-format.md): BP2MI and SISKOP2MI exports
name them in several ways, in Indonesian or English; a header matches case-, space- and
punctuation-insensitively, as the household import's."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from households.imports.values import header_key


@dataclass(frozen=True)
class PlacementColumn:
    field: str
    label: object
    headers: tuple[str, ...]

    def header_keys(self) -> frozenset[str]:
        return frozenset(header_key(header) for header in self.headers)


COLUMNS = (
    PlacementColumn(
        "nik",
        _("NIK"),
        ("NIK", "No NIK", "NIK PMI", "NIK CPMI", "Nomor Induk Kependudukan", "No KTP", "ID Number"),
    ),
    PlacementColumn(
        "name", _("Name"), ("Nama", "Nama PMI", "Nama CPMI", "Nama Lengkap", "Nama Pekerja", "Name", "Full name")
    ),
    PlacementColumn(
        "birth_date",
        _("Date of birth"),
        ("Tanggal Lahir", "Tgl Lahir", "Tgl. Lahir", "Tanggal Lahir PMI", "Date of birth", "Birth date", "DOB"),
    ),
    PlacementColumn(
        "passport_number",
        _("Passport number"),
        ("Paspor", "No Paspor", "Nomor Paspor", "No. Paspor", "Passport", "Passport number", "Passport No"),
    ),
    PlacementColumn(
        "destination_country",
        _("Destination country"),
        ("Negara", "Negara Tujuan", "Negara Penempatan", "Destination", "Destination country", "Country"),
    ),
    PlacementColumn(
        "employer_name",
        _("Employer"),
        ("Pengguna", "Nama Pengguna", "Majikan", "Nama Majikan", "Pemberi Kerja", "Employer", "Employer name"),
    ),
    PlacementColumn(
        "agency_name",
        _("Placement agency (P3MI)"),
        ("P3MI", "Nama P3MI", "PPTKIS", "Perusahaan Penempatan", "Agency", "Placement agency"),
    ),
    PlacementColumn(
        "departure_date",
        _("Departure date"),
        (
            "Tanggal Keberangkatan",
            "Tgl Keberangkatan",
            "Tanggal Berangkat",
            "Tgl Berangkat",
            "Tanggal Penempatan",
            "Departure date",
            "Departure",
        ),
    ),
    PlacementColumn(
        "village_code",
        _("Village code"),
        ("Kode Desa", "Kode Desa/Kelurahan", "Kode Kelurahan", "Kode Wilayah", "Kode Wilayah Desa", "Village code"),
    ),
)
REQUIRED = ("name",)
# A row is matched by one of these at least, or by name, date of birth and village.
IDENTIFIERS = ("nik", "passport_number")


def placement_columns(headers: list[str]) -> tuple[dict[int, PlacementColumn], list[str]]:
    """Which file column is which, and the headers nobody knows (passed over, said so)."""
    positions: dict[int, PlacementColumn] = {}
    unknown = []
    for position, header in enumerate(headers):
        key = header_key(header)
        column = next((c for c in COLUMNS if key in c.header_keys() and c not in positions.values()), None)
        if column is not None:
            positions[position] = column
        elif str(header).strip():
            unknown.append(str(header))
    return positions, unknown
