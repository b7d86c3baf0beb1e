"""The one specification of the household import file: the importer, the downloadable
template and docs/import-format.md all read it."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from households.imports.values import header_key
from households.models import (
    Education,
    EmployerKind,
    EpisodeStatus,
    MaritalStatus,
    PlacementScheme,
    Procedural,
    Relationship,
    Religion,
    ReturnReason,
    Sector,
    Sex,
)

HOUSEHOLD, PERSON, MIGRATION = "household", "person", "migration"


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # Indonesian, as the template writes it
    aliases: tuple[str, ...]  # English and common variants
    level: str
    kind: str  # text, nik, kk, village, phone, date, choice, country, job, agency, passport, bpjs
    required: bool = False
    choices: tuple[tuple[str, str], ...] = ()
    example: str = ""
    help: object = ""
    max_length: int = 0
    extra_aliases: dict[str, str] = field(default_factory=dict)  # code-list synonyms

    def matches(self, header: str) -> bool:
        key = header_key(header)
        return key in {header_key(self.header), header_key(self.key), *(header_key(a) for a in self.aliases)}


SEX_ALIASES = {"l": "M", "lk": "M", "lakilaki": "M", "p": "F", "pr": "F", "perempuan": "F", "wanita": "F", "pria": "M"}

COLUMNS: tuple[Column, ...] = (
    Column(
        "kk_number",
        "No KK",
        ("kk", "nomor kk", "family card number", "kk number"),
        HOUSEHOLD,
        "kk",
        required=True,
        example="3212161503180007",
        help=_("16 digits; rows with the same No. KK form one household."),
    ),
    Column(
        "village",
        "Kode Desa",
        ("kode wilayah", "village code", "village"),
        HOUSEHOLD,
        "village",
        required=True,
        example="32.12.16.2004",
        help=_("Kemendagri code of the village, with or without dots."),
    ),
    Column("dusun", "Dusun", ("hamlet",), HOUSEHOLD, "text", max_length=80, example="Krajan"),
    Column("rt", "RT", (), HOUSEHOLD, "text", max_length=3, example="001"),
    Column("rw", "RW", (), HOUSEHOLD, "text", max_length=3, example="002"),
    Column("address", "Alamat", ("address",), HOUSEHOLD, "text", max_length=255, example="Jl. Kenanga No. 5"),
    Column(
        "phone",
        "Telepon",
        ("no hp", "nomor telepon", "phone", "phone number"),
        HOUSEHOLD,
        "phone",
        example="081234567890",
        help=_("Indonesian or foreign (+60, +886, +852, +966 …); stored as +62…"),
    ),
    Column(
        "nik",
        "NIK",
        ("nomor induk kependudukan", "id number"),
        PERSON,
        "nik",
        required=True,
        example="3212161204900001",
        help=_("16 digits. Format the column as Text in Excel."),
    ),
    Column(
        "name",
        "Nama",
        ("nama lengkap", "name", "full name"),
        PERSON,
        "text",
        required=True,
        max_length=150,
        example="Ahmad Suryana",
    ),
    Column(
        "sex",
        "Jenis Kelamin",
        ("jk", "sex", "gender", "l/p"),
        PERSON,
        "choice",
        required=True,
        choices=tuple(Sex.choices),
        example="L",
        extra_aliases=SEX_ALIASES,
    ),
    Column(
        "birth_place",
        "Tempat Lahir",
        ("place of birth", "birth place"),
        PERSON,
        "text",
        max_length=100,
        example="Indramayu",
    ),
    Column(
        "birth_date",
        "Tanggal Lahir",
        ("tgl lahir", "date of birth", "birth date"),
        PERSON,
        "date",
        example="12/04/1990",
        help=_("DD/MM/YYYY, YYYY-MM-DD or an Excel date."),
    ),
    Column(
        "relationship",
        "Hubungan Keluarga",
        ("shdk", "hubungan", "relationship", "relationship to head"),
        PERSON,
        "choice",
        required=True,
        choices=tuple(Relationship.choices),
        example="head",
        extra_aliases={
            "kepalakeluarga": "head",
            "kk": "head",
            "suami": "husband",
            "istri": "wife",
            "anak": "child",
            "menantu": "child_in_law",
            "cucu": "grandchild",
            "orangtua": "parent",
            "mertua": "parent_in_law",
            "famililain": "other_relative",
            "pembantu": "household_help",
            "lainnya": "other",
        },
    ),
    Column(
        "religion",
        "Agama",
        ("religion",),
        PERSON,
        "choice",
        choices=tuple(Religion.choices),
        example="islam",
        extra_aliases={
            "kristen": "protestant",
            "katolik": "catholic",
            "budha": "buddhist",
            "buddha": "buddhist",
            "khonghucu": "confucian",
            "konghucu": "confucian",
            "kepercayaan": "belief",
        },
    ),
    Column(
        "education",
        "Pendidikan",
        ("education",),
        PERSON,
        "choice",
        choices=tuple(Education.choices),
        example="primary",
        extra_aliases={
            "sd": "primary",
            "smp": "junior_secondary",
            "sltp": "junior_secondary",
            "sma": "senior_secondary",
            "slta": "senior_secondary",
            "smk": "senior_secondary",
            "s1": "bachelor",
            "s2": "master",
            "s3": "doctorate",
            "d3": "diploma_3",
            "tidaksekolah": "none",
        },
    ),
    Column("occupation", "Pekerjaan", ("occupation", "job at home"), PERSON, "text", max_length=100, example="Petani"),
    Column(
        "marital_status",
        "Status Perkawinan",
        ("marital status",),
        PERSON,
        "choice",
        choices=tuple(MaritalStatus.choices),
        example="married",
        extra_aliases={"belumkawin": "single", "kawin": "married", "ceraihidup": "divorced", "ceraimati": "widowed"},
    ),
    Column(
        "status",
        "Status Migrasi",
        ("migration status", "status pmi"),
        MIGRATION,
        "choice",
        choices=tuple(EpisodeStatus.choices),
        example="abroad",
        extra_aliases={
            "persiapan": "preparing",
            "diluarnegeri": "abroad",
            "bekerja": "abroad",
            "purna": "returned",
            "kembali": "returned",
            "pulang": "returned",
        },
    ),
    Column(
        "scheme",
        "Skema Penempatan",
        ("placement scheme",),
        MIGRATION,
        "choice",
        choices=tuple(PlacementScheme.choices),
        example="p3mi",
    ),
    Column(
        "procedural",
        "Prosedural",
        ("procedural",),
        MIGRATION,
        "choice",
        choices=tuple(Procedural.choices),
        example="procedural",
        extra_aliases={
            "ya": "procedural",
            "tidak": "non_procedural",
            "nonprosedural": "non_procedural",
            "prosedural": "procedural",
        },
    ),
    Column("agency", "P3MI", ("agency", "placement agency", "pptkis"), MIGRATION, "agency", example=""),
    Column(
        "destination_country",
        "Negara Tujuan",
        ("country", "destination", "destination country"),
        MIGRATION,
        "country",
        example="HK",
        help=_("ISO code (HK, TW, MY …) or the country's name."),
    ),
    Column("employer_name", "Pemberi Kerja", ("employer",), MIGRATION, "text", max_length=200, example=""),
    Column(
        "employer_kind",
        "Jenis Pemberi Kerja",
        ("employer kind",),
        MIGRATION,
        "choice",
        choices=tuple(EmployerKind.choices),
        example="household",
    ),
    Column("sector", "Sektor", ("sector",), MIGRATION, "choice", choices=tuple(Sector.choices), example="informal"),
    Column("job", "Jabatan", ("job", "pekerjaan di luar negeri"), MIGRATION, "job", example="domestic-worker"),
    Column(
        "departure_date", "Tanggal Berangkat", ("departure", "departure date"), MIGRATION, "date", example="01/02/2023"
    ),
    Column("contract_end", "Akhir Kontrak", ("contract end",), MIGRATION, "date", example="01/02/2025"),
    Column(
        "actual_return", "Tanggal Pulang", ("return", "return date", "actual return"), MIGRATION, "date", example=""
    ),
    Column(
        "return_reason",
        "Alasan Pulang",
        ("reason for return",),
        MIGRATION,
        "choice",
        choices=tuple(ReturnReason.choices),
        example="",
    ),
    Column("bpjs_number", "No BPJS", ("bpjs", "bpjs number"), MIGRATION, "bpjs", max_length=20, example="12345678901"),
    Column(
        "passport_number",
        "No Paspor",
        ("passport", "passport number"),
        MIGRATION,
        "passport",
        max_length=20,
        example="C1234567",
    ),
)


@dataclass
class HeaderMatch:
    columns: dict[int, Column]  # position in the file -> column
    missing: list[Column]
    unknown: list[str]


def match_headers(headers: list[str]) -> HeaderMatch:
    """Which file column is which; required columns missing; headers nobody knows."""
    positions: dict[int, Column] = {}
    unknown = []
    for position, header in enumerate(headers):
        column = next((c for c in COLUMNS if c.matches(header) and c not in positions.values()), None)
        if column is None:
            if header.strip():
                unknown.append(header)
        else:
            positions[position] = column
    missing = [c for c in COLUMNS if c.required and c not in positions.values()]
    return HeaderMatch(columns=positions, missing=missing, unknown=unknown)
