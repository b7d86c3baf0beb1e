"""The one specification of the household import file: the importer, the downloadable
template and docs/import-format.md all read it.

Besides the portal's own template it knows the files villages already have: the population
export of OpenSID (its column names, numeric codes and labels) and the Dukcapil spellings
of the code lists. The OpenSID names and codes are those of OpenSID's own source
(`donjo-app/models/Impor_model.php` for the export's header, the reference tables seeded by
`donjo-app/models/seeders/Data_awal_seeder.php`, OpenSID v22.11 to v2410.1.0), listed in
docs/import-format.md.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from households.imports.values import ChoiceLookup, header_key
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
    aliases: tuple[str, ...]  # English, OpenSID's and other common headers
    level: str
    kind: str  # text, nik, kk, village, phone, date, choice, country, job, agency, passport, bpjs
    required: bool = False
    choices: tuple[tuple[str, object], ...] = ()
    example: str = ""
    help: object = ""
    max_length: int = 0
    spellings: dict[str, str] = field(default_factory=dict)  # other ways to write a code-list entry

    def matches(self, header: str) -> bool:
        return header_key(header) in self.header_keys()

    def header_keys(self) -> frozenset[str]:
        return frozenset({header_key(self.header), header_key(self.key), *(header_key(a) for a in self.aliases)})

    def lookup(self, text: str) -> str | None:
        """The code of a code-list entry written any known way, in either language."""
        if self.key not in _LOOKUPS:
            spellings = [(code, code) for code, _label in self.choices]
            for language in ("id", "en"):
                with translation.override(language):
                    spellings += [(str(label), code) for code, label in self.choices]
            _LOOKUPS[self.key] = ChoiceLookup([*spellings, *self.spellings.items()])
        return _LOOKUPS[self.key](text)


_LOOKUPS: dict[str, ChoiceLookup] = {}


def _numbered(*codes: str) -> dict[str, str]:
    """OpenSID's numeric ids of a reference table, 1, 2, … in order."""
    return {str(number): code for number, code in enumerate(codes, start=1)}


SEX_SPELLINGS = {
    **_numbered("M", "F"),
    "l": "M",
    "lk": "M",
    "laki-laki": "M",
    "pria": "M",
    "p": "F",
    "pr": "F",
    "perempuan": "F",
    "wanita": "F",
}
RELATIONSHIP_SPELLINGS = {
    **_numbered(
        "head",
        "husband",
        "wife",
        "child",
        "child_in_law",
        "grandchild",
        "parent",
        "parent_in_law",
        "other_relative",
        "household_help",
        "other",
    ),
    "kepala keluarga": "head",
    "kepala": "head",
    "kk": "head",
    "suami": "husband",
    "istri": "wife",
    "isteri": "wife",
    "anak": "child",
    "anak kandung": "child",
    "anak angkat": "child",
    "anak tiri": "child",
    "menantu": "child_in_law",
    "cucu": "grandchild",
    "orangtua": "parent",
    "orang tua": "parent",
    "ayah": "parent",
    "ibu": "parent",
    "mertua": "parent_in_law",
    "famili lain": "other_relative",
    "famili": "other_relative",
    "pembantu": "household_help",
    "lainnya": "other",
}
RELIGION_SPELLINGS = {
    **_numbered("islam", "protestant", "catholic", "hindu", "buddhist", "confucian", "belief"),
    "kristen": "protestant",
    "protestan": "protestant",
    "kristen protestan": "protestant",
    "katholik": "catholic",
    "katolik": "catholic",
    "kristen katolik": "catholic",
    "budha": "buddhist",
    "buddha": "buddhist",
    "khonghucu": "confucian",
    "konghucu": "confucian",
    "kong hu cu": "confucian",
    "kepercayaan": "belief",
    "kepercayaan terhadap tuhan yme": "belief",
    "kepercayaan terhadap tuhan yme / lainnya": "belief",
}
EDUCATION_SPELLINGS = {
    **_numbered(
        "none",
        "primary_incomplete",
        "primary",
        "junior_secondary",
        "senior_secondary",
        "diploma_1_2",
        "diploma_3",
        "bachelor",
        "master",
        "doctorate",
    ),
    "tidak / belum sekolah": "none",
    "tidak/blm sekolah": "none",
    "tidak sekolah": "none",
    "belum sekolah": "none",
    "belum tamat sd/sederajat": "primary_incomplete",
    "tidak tamat sd/sederajat": "primary_incomplete",
    "tidak tamat sd": "primary_incomplete",
    "tamat sd / sederajat": "primary",
    "sd": "primary",
    "sd/sederajat": "primary",
    "sltp/sederajat": "junior_secondary",
    "sltp": "junior_secondary",
    "smp": "junior_secondary",
    "slta / sederajat": "senior_secondary",
    "slta": "senior_secondary",
    "sma": "senior_secondary",
    "smk": "senior_secondary",
    "diploma i / ii": "diploma_1_2",
    "d1": "diploma_1_2",
    "d2": "diploma_1_2",
    "akademi/ diploma iii/s. muda": "diploma_3",
    "akademi/diploma iii/sarjana muda": "diploma_3",
    "diploma iii": "diploma_3",
    "d3": "diploma_3",
    "diploma iv/ strata i": "bachelor",
    "strata i": "bachelor",
    "d4": "bachelor",
    "s1": "bachelor",
    "sarjana": "bachelor",
    "strata ii": "master",
    "strata-ii": "master",
    "s2": "master",
    "strata iii": "doctorate",
    "s3": "doctorate",
}
MARITAL_SPELLINGS = {
    **_numbered("single", "married", "divorced", "widowed"),
    "belum kawin": "single",
    "bk": "single",
    "belum menikah": "single",
    "lajang": "single",
    "kawin": "married",
    "k": "married",
    "menikah": "married",
    "kawin tercatat": "married",
    "kawin belum tercatat": "married",
    "cerai hidup": "divorced",
    "ch": "divorced",
    "cerai hidup tercatat": "divorced",
    "cerai hidup belum tercatat": "divorced",
    "cerai mati": "widowed",
    "cm": "widowed",
    "cerai mati tercatat": "widowed",
    "cerai mati belum tercatat": "widowed",
}

# OpenSID's occupations (tweb_penduduk_pekerjaan): its export writes the id, the portal keeps
# the name.
OPENSID_OCCUPATIONS = (
    "BELUM/TIDAK BEKERJA",
    "MENGURUS RUMAH TANGGA",
    "PELAJAR/MAHASISWA",
    "PENSIUNAN",
    "PEGAWAI NEGERI SIPIL (PNS)",
    "TENTARA NASIONAL INDONESIA (TNI)",
    "KEPOLISIAN RI (POLRI)",
    "PERDAGANGAN",
    "PETANI/PEKEBUN",
    "PETERNAK",
    "NELAYAN/PERIKANAN",
    "INDUSTRI",
    "KONSTRUKSI",
    "TRANSPORTASI",
    "KARYAWAN SWASTA",
    "KARYAWAN BUMN",
    "KARYAWAN BUMD",
    "KARYAWAN HONORER",
    "BURUH HARIAN LEPAS",
    "BURUH TANI/PERKEBUNAN",
    "BURUH NELAYAN/PERIKANAN",
    "BURUH PETERNAKAN",
    "PEMBANTU RUMAH TANGGA",
    "TUKANG CUKUR",
    "TUKANG LISTRIK",
    "TUKANG BATU",
    "TUKANG KAYU",
    "TUKANG SOL SEPATU",
    "TUKANG LAS/PANDAI BESI",
    "TUKANG JAHIT",
    "TUKANG GIGI",
    "PENATA RIAS",
    "PENATA BUSANA",
    "PENATA RAMBUT",
    "MEKANIK",
    "SENIMAN",
    "TABIB",
    "PARAJI",
    "PERANCANG BUSANA",
    "PENTERJEMAH",
    "IMAM MASJID",
    "PENDETA",
    "PASTOR",
    "WARTAWAN",
    "USTADZ/MUBALIGH",
    "JURU MASAK",
    "PROMOTOR ACARA",
    "ANGGOTA DPR-RI",
    "ANGGOTA DPD",
    "ANGGOTA BPK",
    "PRESIDEN",
    "WAKIL PRESIDEN",
    "ANGGOTA MAHKAMAH KONSTITUSI",
    "ANGGOTA KABINET KEMENTERIAN",
    "DUTA BESAR",
    "GUBERNUR",
    "WAKIL GUBERNUR",
    "BUPATI",
    "WAKIL BUPATI",
    "WALIKOTA",
    "WAKIL WALIKOTA",
    "ANGGOTA DPRD PROVINSI",
    "ANGGOTA DPRD KABUPATEN/KOTA",
    "DOSEN",
    "GURU",
    "PILOT",
    "PENGACARA",
    "NOTARIS",
    "ARSITEK",
    "AKUNTAN",
    "KONSULTAN",
    "DOKTER",
    "BIDAN",
    "PERAWAT",
    "APOTEKER",
    "PSIKIATER/PSIKOLOG",
    "PENYIAR TELEVISI",
    "PENYIAR RADIO",
    "PELAUT",
    "PENELITI",
    "SOPIR",
    "PIALANG",
    "PARANORMAL",
    "PEDAGANG",
    "PERANGKAT DESA",
    "KEPALA DESA",
    "BIARAWATI",
    "WIRASWASTA",
    "LAINNYA",
)
OCCUPATION_SPELLINGS = {str(number): name for number, name in enumerate(OPENSID_OCCUPATIONS, start=1)}

# How jobs abroad are called in village lists, to the codes of the job list (only codes the
# list still has count).
JOB_SPELLINGS = {
    "prt": "domestic-worker",
    "plrt": "domestic-worker",
    "art": "domestic-worker",
    "penata laksana rumah tangga": "domestic-worker",
    "asisten rumah tangga": "domestic-worker",
    "pembantu rumah tangga": "domestic-worker",
    "domestic worker": "domestic-worker",
    "perawat lansia": "caregiver",
    "caregiver": "caregiver",
    "abk": "fishing-crew",
    "anak buah kapal": "fishing-crew",
    "buruh pabrik": "manufacturing",
    "operator pabrik": "manufacturing",
    "pabrik": "manufacturing",
    "perkebunan": "plantation",
    "buruh perkebunan": "plantation",
    "konstruksi": "construction",
    "sopir": "driver",
    "supir": "driver",
}

DATE_HELP = gettext_lazy("A date, day first (see Dates).")

COLUMNS: tuple[Column, ...] = (
    Column(
        "kk_number",
        "No KK",
        ("kk", "nomor kk", "no kartu keluarga", "nomor kartu keluarga", "family card number", "kk number"),
        HOUSEHOLD,
        "kk",
        required=True,
        example="3212161503180007",
        help=gettext_lazy("16 digits; rows with the same No. KK form one household."),
    ),
    Column(
        "village",
        "Kode Desa",
        ("kode wilayah", "kode wilayah desa", "desa_id", "village code", "village"),
        HOUSEHOLD,
        "village",
        required=True,
        example="32.12.16.2004",
        help=gettext_lazy(
            "Kemendagri code of the village, with or without dots. A file without this column (an OpenSID "
            "export) takes the village chosen on upload, or the officer's only village."
        ),
    ),
    Column("dusun", "Dusun", ("hamlet",), HOUSEHOLD, "text", max_length=80, example="Krajan"),
    Column("rt", "RT", (), HOUSEHOLD, "text", max_length=3, example="001"),
    Column("rw", "RW", (), HOUSEHOLD, "text", max_length=3, example="002"),
    Column("address", "Alamat", ("address",), HOUSEHOLD, "text", max_length=255, example="Jl. Kenanga No. 5"),
    Column(
        "phone",
        "Telepon",
        ("no hp", "nomor hp", "nomor telepon", "no telepon", "phone", "phone number"),
        HOUSEHOLD,
        "phone",
        example="081234567890",
        help=gettext_lazy("Indonesian or foreign (+60, +886, +852, +966 …); stored as +62…"),
    ),
    Column(
        "nik",
        "NIK",
        ("nomor nik", "no nik", "nomor induk kependudukan", "id number"),
        PERSON,
        "nik",
        required=True,
        example="3212161204900001",
        help=gettext_lazy("16 digits. Format the column as Text in Excel."),
    ),
    Column(
        "name",
        "Nama",
        ("nama lengkap", "nama penduduk", "name", "full name"),
        PERSON,
        "text",
        required=True,
        max_length=150,
        example="Ahmad Suryana (CONTOH)",
    ),
    Column(
        "sex",
        "Jenis Kelamin",
        ("jk", "kelamin", "sex", "gender", "l/p"),
        PERSON,
        "choice",
        required=True,
        choices=tuple(Sex.choices),
        example="L",
        spellings=SEX_SPELLINGS,
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
        help=DATE_HELP,
    ),
    Column(
        "relationship",
        "Hubungan Keluarga",
        (
            "shdk",
            "hubungan",
            "hub keluarga",
            "hubungan dalam keluarga",
            "status hubungan dalam keluarga",
            "kk_level",
            "relationship",
            "relationship to head",
        ),
        PERSON,
        "choice",
        required=True,
        choices=tuple(Relationship.choices),
        example="Kepala Keluarga",
        spellings=RELATIONSHIP_SPELLINGS,
    ),
    Column(
        "religion",
        "Agama",
        ("agama_id", "religion"),
        PERSON,
        "choice",
        choices=tuple(Religion.choices),
        example="Islam",
        spellings=RELIGION_SPELLINGS,
    ),
    Column(
        "education",
        "Pendidikan",
        (
            "pendidikan_kk_id",
            "pendidikan dlm kk",
            "pendidikan dalam kk",
            "pendidikan terakhir",
            "education",
        ),
        PERSON,
        "choice",
        choices=tuple(Education.choices),
        example="SD",
        spellings=EDUCATION_SPELLINGS,
    ),
    Column(
        "occupation",
        "Pekerjaan",
        ("pekerjaan_id", "occupation", "job at home"),
        PERSON,
        "occupation",
        max_length=100,
        example="Petani",
        help=gettext_lazy("Free text; OpenSID's occupation number (1 to 89) is replaced by its name."),
    ),
    Column(
        "marital_status",
        "Status Perkawinan",
        ("status kawin", "kawin", "marital status"),
        PERSON,
        "choice",
        choices=tuple(MaritalStatus.choices),
        example="Kawin",
        spellings=MARITAL_SPELLINGS,
    ),
    Column(
        "status",
        "Status Migrasi",
        ("migration status", "status pmi"),
        MIGRATION,
        "choice",
        choices=tuple(EpisodeStatus.choices),
        example="Bekerja",
        spellings={
            "persiapan": "preparing",
            "calon pmi": "preparing",
            "di luar negeri": "abroad",
            "luar negeri": "abroad",
            "bekerja": "abroad",
            "bekerja di luar negeri": "abroad",
            "purna": "returned",
            "purna pmi": "returned",
            "kembali": "returned",
            "pulang": "returned",
            "sudah pulang": "returned",
        },
    ),
    Column(
        "scheme",
        "Skema Penempatan",
        ("placement scheme",),
        MIGRATION,
        "choice",
        choices=tuple(PlacementScheme.choices),
        example="P3MI",
        spellings={
            "pptkis": "p3mi",
            "pjtki": "p3mi",
            "g to g": "g2g",
            "mandiri": "independent",
            "perseorangan": "independent",
            "untuk kepentingan perusahaan sendiri": "employer",
        },
    ),
    Column(
        "procedural",
        "Prosedural",
        ("procedural",),
        MIGRATION,
        "choice",
        choices=tuple(Procedural.choices),
        example="Ya",
        spellings={
            "ya": "procedural",
            "resmi": "procedural",
            "tidak": "non_procedural",
            "tidak resmi": "non_procedural",
            "nonprosedural": "non_procedural",
            "non prosedural": "non_procedural",
            "tidak tahu": "unknown",
        },
    ),
    Column("agency", "P3MI", ("agency", "placement agency", "pptkis"), MIGRATION, "agency", example=""),
    Column(
        "destination_country",
        "Negara Tujuan",
        ("negara", "negara penempatan", "country", "destination", "destination country"),
        MIGRATION,
        "country",
        example="Hong Kong",
        help=gettext_lazy("ISO code (HK, TW, MY …) or the country's name in Indonesian or English."),
    ),
    Column("employer_name", "Pemberi Kerja", ("majikan", "employer"), MIGRATION, "text", max_length=200, example=""),
    Column(
        "employer_kind",
        "Jenis Pemberi Kerja",
        ("employer kind",),
        MIGRATION,
        "choice",
        choices=tuple(EmployerKind.choices),
        example="Rumah tangga",
        spellings={"perusahaan": "company", "badan hukum": "company", "rumah tangga": "household", "kapal": "ship"},
    ),
    Column(
        "sector",
        "Sektor",
        ("sector",),
        MIGRATION,
        "choice",
        choices=tuple(Sector.choices),
        example="Informal",
    ),
    Column(
        "job",
        "Jabatan",
        ("job", "pekerjaan di luar negeri"),
        MIGRATION,
        "job",
        example="Pekerja rumah tangga",
    ),
    Column(
        "departure_date",
        "Tanggal Berangkat",
        ("tgl berangkat", "departure", "departure date"),
        MIGRATION,
        "date",
        example="01/02/2023",
        help=gettext_lazy("A date, day first (see Dates). In the future only for a stay being prepared."),
    ),
    Column("contract_end", "Akhir Kontrak", ("contract end",), MIGRATION, "date", example="01/02/2025", help=DATE_HELP),
    Column(
        "actual_return",
        "Tanggal Pulang",
        ("tgl pulang", "return", "return date", "actual return"),
        MIGRATION,
        "date",
        example="",
        help=DATE_HELP,
    ),
    Column(
        "return_reason",
        "Alasan Pulang",
        ("reason for return",),
        MIGRATION,
        "choice",
        choices=tuple(ReturnReason.choices),
        example="",
        spellings={
            "habis kontrak": "contract_ended",
            "kontrak selesai": "contract_ended",
            "selesai kontrak": "contract_ended",
            "phk": "terminated",
            "pemutusan hubungan kerja": "terminated",
            "sakit": "health",
            "kecelakaan": "health",
            "masalah dengan majikan": "employer_problem",
            "deportasi": "deported",
            "dideportasi": "deported",
            "alasan keluarga": "family",
            "keluarga": "family",
            "meninggal": "deceased",
            "meninggal dunia": "deceased",
            "lainnya": "other",
        },
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

# OpenSID's life status (status_dasar): only the living are registered.
LIFE_STATUS_HEADERS = frozenset(map(header_key, ("status_dasar", "status dasar")))
NOT_LIVING = frozenset(
    {"2", "3", "4", "6", "9", "mati", "pindah", "hilang", "pergi", "tidakvalid", "pindahdalamnegeri"}
    | {"pindahluarnegeri"}
)
# Columns of an OpenSID population export the portal does not keep: passed over without a
# note each (a passport of the person's papers is not a stay abroad).
OPENSID_UNUSED = frozenset(
    map(
        header_key,
        (
            "pendidikan_sedang_id",
            "pendidikan sdg ditempuh",
            "pendidikan sedang ditempuh",
            "warganegara_id",
            "kewarganegaraan",
            "ayah_nik",
            "nik ayah",
            "nama_ayah",
            "ibu_nik",
            "nik ibu",
            "nama_ibu",
            "golongan_darah_id",
            "gol darah",
            "golongan darah",
            "akta_lahir",
            "dokumen_pasport",
            "nomor dokumen paspor",
            "nomor dokumen pasport",
            "tanggal_akhir_paspor",
            "tanggal akhir pasport",
            "dokumen_kitas",
            "nomor dokumen kitas",
            "akta_perkawinan",
            "nomor akta perkawinan",
            "tanggalperkawinan",
            "akta_perceraian",
            "nomor akta perceraian",
            "tanggalperceraian",
            "cacat_id",
            "cacat",
            "cara_kb_id",
            "cara kb",
            "hamil",
            "ktp_el",
            "status_rekam",
            "alamat_sekarang",
            "suku",
            "tag_id_card",
            "id_asuransi",
            "asuransi",
            "no_asuransi",
            "nomor asuransi",
            "lat",
            "lng",
            "foto",
            "created_at",
            "updated_at",
        ),
    )
)


# The columns the error file adds to the user's own (households.imports.errors): passed over
# silently when the fixed file comes back.
ERROR_FILE_COLUMNS = (gettext_noop("Row in the checked file"), gettext_noop("Errors"), gettext_noop("Warnings"))


@functools.cache
def _error_file_keys() -> frozenset[str]:
    keys = set()
    for language in ("id", "en"):
        with translation.override(language):
            keys |= {header_key(_(name)) for name in ERROR_FILE_COLUMNS}
    return frozenset(keys)


def _known_header_keys() -> frozenset[str]:
    return frozenset(key for column in COLUMNS for key in column.header_keys()) | LIFE_STATUS_HEADERS


KNOWN_HEADER_KEYS = _known_header_keys()


def header_score(cells: list[object]) -> int:
    """How many of ``cells`` name a known import column: the header row is the row that names most."""
    return sum(1 for cell in cells if isinstance(cell, str) and header_key(cell) in KNOWN_HEADER_KEYS)


@dataclass
class HeaderMatch:
    columns: dict[int, Column]  # position in the file -> column
    missing: list[Column]
    unknown: list[str]
    skipped: list[str] = field(default_factory=list)  # notes on known columns not kept
    life_status: int | None = None  # position of OpenSID's status_dasar

    def filter_rows(
        self, rows: Iterator[tuple[int, list[object]]], notes: list[str]
    ) -> Iterator[tuple[int, list[object]]]:
        """The rows of living people: an OpenSID export filtered otherwise than by default
        also lists the dead and those who moved away (a note says how many were left out)."""
        if self.life_status is None:
            return rows
        return self._living(rows, notes, self.life_status)

    def _living(
        self, rows: Iterator[tuple[int, list[object]]], notes: list[str], position: int
    ) -> Iterator[tuple[int, list[object]]]:
        left_out = 0
        for row in rows:
            cells = row[1]
            value = cells[position] if position < len(cells) else ""
            if header_key(str(value or "")) in NOT_LIVING:
                left_out += 1
                continue
            yield row
        if left_out:
            notes.append(
                _(
                    "%(count)s rows of people who have died, moved away or are missing (OpenSID status_dasar) "
                    "were not imported."
                )
                % {"count": left_out}
            )


def match_headers(headers: list[str]) -> HeaderMatch:
    """Which file column is which; required columns missing; headers nobody knows."""
    positions: dict[int, Column] = {}
    unknown, unused = [], []
    life_status = None
    for position, header in enumerate(headers):
        key = header_key(header)
        column = next((c for c in COLUMNS if key in c.header_keys() and c not in positions.values()), None)
        if column is not None:
            positions[position] = column
        elif key in LIFE_STATUS_HEADERS:
            life_status = position
        elif key in OPENSID_UNUSED:
            unused.append(header)
        elif key in _error_file_keys():
            continue
        elif header.strip():
            unknown.append(header)
    missing = [c for c in COLUMNS if c.required and c not in positions.values()]
    skipped = []
    if unused:
        skipped.append(
            _("Columns of OpenSID that the portal does not keep were passed over: %(columns)s.")
            % {"columns": ", ".join(unused)}
        )
    return HeaderMatch(columns=positions, missing=missing, unknown=unknown, skipped=skipped, life_status=life_status)


def occupation(text: str) -> str:
    """An occupation as typed; OpenSID's number replaced by its name."""
    return OCCUPATION_SPELLINGS.get(text.strip(), text)
