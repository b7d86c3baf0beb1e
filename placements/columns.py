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


def format_section() -> str:
    """The placement list part of docs/import-format.md (English, for developers and trainers)."""
    from django.utils import translation

    lines = [
        "# Placement list extracts",
        "",
        "An extract of the national placement data (BP2MI, SISKOP2MI) is uploaded by a regency",
        "coordinator or an administrator at *Layanan migrasi → Daftar penempatan* (`/daftar-penempatan/`)",
        "for an area they coordinate. It is read by the household import's reader (CSV in any encoding",
        "and delimiter Excel or LibreOffice writes, or XLSX; dates as Indonesian offices write them, day",
        "first), checked and matched, shown, and changes nothing until it is applied; an applied",
        "extract can be reverted. One row per placement. Headers match case-, space- and",
        "punctuation-insensitively; unknown columns are passed over.",
        "",
        "| column | headers accepted | rules |",
        "|---|---|---|",
    ]
    rules = {
        "nik": "16 digits, judged as in the forms; a NIK with an error (Excel damage) is left out, with a note",
        "name": "required; a row without a name is passed over",
        "birth_date": "day first (DD/MM/YYYY, DD-MM-YYYY, `12 Mei 1990`) or ISO",
        "passport_number": "spaces dropped, upper case",
        "destination_country": "an ISO code or the country's name (as in the household import)",
        "departure_date": "as dates above; the extract's first and last departures bound its period",
        "village_code": "a village's Kemendagri code, dotted or as ten digits; rows of villages outside the "
        "area are passed over",
    }
    with translation.override("en"):
        for column in COLUMNS:
            headers = ", ".join(f"`{header}`" for header in column.headers)
            lines.append(f"| {column.label} | {headers} | {rules.get(column.field, '')} |")
    lines += [
        "",
        "A file needs the name column and a NIK or passport column.",
        "",
        "**Matching**, within the extract's area only: a row is the person with its NIK; else the person",
        "with a stay whose passport number is the row's; else the one person of the row's village with",
        "its name (compared without case, accents, punctuation or spacing) and date of birth. A match by",
        "name waits for the uploader's review (the same person, or not) before the extract can be",
        "applied. The person's stay abroad it lists is the stay with the row's passport, or to the same",
        "country, or departed within 120 days of the row's date; a row that names neither country nor",
        "date lists the stay abroad now.",
        "",
        "**The three lists**, per village, counted exactly:",
        "",
        "- *confirmed*: stays a row lists (matched by NIK or passport, or by name and confirmed); applying",
        "  marks them with the list, the extract's date and number (`SISKOP2MI 2026-11-20 #12`) and the",
        "  date, as a change of the stay in its history. Nothing the officer recorded is overwritten: a",
        "  stay recorded as not procedural is flagged on the list for the officer.",
        "- *registered abroad, no placement record*: stays of the area abroad now, departed within the",
        "  extract's period (or on a day not recorded), that no row lists. Applying opens a follow-up for",
        "  the village's officers (ask the family), not a finding.",
        "- *placements no household registers*: rows matched to nobody, or to a person without that",
        "  stay, or whose match by name was rejected.",
        "",
        "Reverting gives each stay its earlier mark back (unless a later extract marked it since) and",
        "closes the follow-ups. Discarding an extract not applied deletes its rows.",
        "",
    ]
    return "\n".join(lines)
