"""The reference import file of the import benchmark: households of real villages, one row
per person, in the import template's columns, with a few percent of invalid rows of the
kinds villages really send (a NIK Excel damaged, an impossible date, an unknown code,
a village outside the user's area, the same NIK twice).

`python benchmarks/reference_file.py OUT.csv [HOUSEHOLDS]` writes one; the benchmark calls
`write_reference_file` itself. Names are invented from short lists; NIK and KK numbers
follow the identifier rules and agree with each person's birth date and sex.
"""

from __future__ import annotations

import csv
import datetime
import random
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

HEADER = [
    "No KK",
    "Kode Desa",
    "Dusun",
    "RT",
    "RW",
    "Alamat",
    "Telepon",
    "NIK",
    "Nama",
    "Jenis Kelamin",
    "Tempat Lahir",
    "Tanggal Lahir",
    "Hubungan Keluarga",
    "Agama",
    "Pendidikan",
    "Pekerjaan",
    "Status Perkawinan",
    "Status Migrasi",
    "Skema Penempatan",
    "Prosedural",
    "Negara Tujuan",
    "Jenis Pemberi Kerja",
    "Sektor",
    "Jabatan",
    "Tanggal Berangkat",
    "Akhir Kontrak",
    "Tanggal Pulang",
    "No BPJS",
    "No Paspor",
]
MEN = [
    "Ahmad",
    "Budi",
    "Dedi",
    "Eko",
    "Fajar",
    "Hadi",
    "Imam",
    "Joko",
    "Kurniawan",
    "Lukman",
    "Mulyadi",
    "Nanang",
    "Rudi",
    "Slamet",
    "Taufik",
    "Wahyu",
    "Yusuf",
]
WOMEN = [
    "Ani",
    "Dewi",
    "Eka",
    "Fitri",
    "Kartini",
    "Lestari",
    "Marni",
    "Nur",
    "Rina",
    "Siti",
    "Sri",
    "Tuti",
    "Wati",
    "Yanti",
    "Yuli",
    "Sumiati",
    "Rohimah",
]
SURNAMES = [
    "Suryana",
    "Saputra",
    "Hidayat",
    "Kusuma",
    "Wijaya",
    "Pratama",
    "Setiawan",
    "Nugroho",
    "Rahman",
    "Santoso",
    "Hasan",
    "Firmansyah",
]
MOBILE_PREFIXES = ["11", "12", "13", "21", "22", "23", "31", "38", "52", "53", "57", "77", "78", "81", "95", "96"]
DUSUN = ["Krajan", "Kulon", "Wetan", "Lor", "Kidul", "Tengah"]
DESTINATIONS = [("HK", 25), ("TW", 24), ("MY", 20), ("SG", 5), ("JP", 6), ("KR", 6), ("SA", 4), ("BN", 2)]
JOBS = {"F": "domestic-worker", "M": "manufacturing"}
TODAY = datetime.date(2026, 11, 1)


@dataclass
class FileFacts:
    households: int = 0
    rows: int = 0
    invalid_rows: int = 0


def _nik(region: str, born: datetime.date, sex: str, serial: int) -> str:
    day = born.day + (40 if sex == "F" else 0)
    return f"{region}{day:02d}{born:%m%y}{serial:04d}"


def _born(rng: random.Random, low: int, high: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=rng.randint(low * 365, high * 365))


def _damage(rng: random.Random, row: list[str]) -> None:
    """One of the mistakes villages make, on one cell."""
    kind = rng.randrange(6)
    if kind == 0:
        row[7] = f"{int(row[7]) / 10**15:.5f}E+15"  # NIK as Excel shows it in scientific notation
    elif kind == 1:
        row[7] = row[7][:15]  # Excel dropped the 16th digit
    elif kind == 2:
        row[11] = "31/02/1990"  # no such date
    elif kind == 3:
        row[9] = "X"  # not a sex code
    elif kind == 4:
        row[1] = "99.99.99.9999"  # no such village
    else:
        row[12] = "Sepupu jauh"  # not a relationship code


def write_reference_file(path: Path, households: int, villages: Sequence[str], *, seed: int = 2026) -> FileFacts:
    """Write ``households`` households spread over ``villages`` (Kemendagri codes) to ``path``."""
    rng = random.Random(seed)
    facts = FileFacts()
    serials: dict[str, int] = {}

    def serial(prefix: str) -> int:
        serials[prefix] = serials.get(prefix, 0) + 1
        return serials[prefix]

    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for number in range(households):
            village = villages[number % len(villages)]
            region = village.replace(".", "")[:6]
            issued = TODAY - datetime.timedelta(days=rng.randint(200, 6000))
            kk = f"{region}{issued:%d%m%y}{serial(region + 'kk'):04d}"
            surname = rng.choice(SURNAMES)
            household = [
                kk,
                village,
                rng.choice(DUSUN),
                f"{rng.randint(1, 12):03d}",
                f"{rng.randint(1, 4):03d}",
                f"Jl. {rng.choice(SURNAMES)} No. {rng.randint(1, 80)}",
                f"08{rng.choice(MOBILE_PREFIXES)}{rng.randint(10_000_000, 99_999_999)}",
            ]
            members = [("M", "head", _born(rng, 24, 62)), ("F", "wife", _born(rng, 20, 55))]
            members += [
                (rng.choice("MF"), "child", _born(rng, 0, 20)) for _ in range(rng.choice([0, 1, 1, 2, 2, 3, 4]))
            ]
            worker = 1 if rng.random() < 0.65 else 0
            for position, (sex, relationship, born) in enumerate(members):
                first = rng.choice(MEN if sex == "M" else WOMEN)
                adult = relationship != "child"
                nik = _nik(region, born, sex, serial(region + born.isoformat() + sex) % 10000 or 1)
                row = [
                    *household,
                    nik,
                    f"{first} {surname}",
                    "L" if sex == "M" else "P",
                    "Indramayu",
                    born.strftime("%d/%m/%Y"),
                    {"head": "Kepala Keluarga", "wife": "Istri", "child": "Anak"}[relationship],
                    "Islam",
                    rng.choice(["SD", "SMP", "SMA"]) if adult else "",
                    rng.choice(["Petani", "Pedagang", "Buruh harian"]) if adult else "",
                    "Kawin" if adult else "Belum Kawin",
                    *([""] * 12),
                ]
                if position == worker and rng.random() < 0.75:
                    country = rng.choices([c for c, _ in DESTINATIONS], weights=[w for _, w in DESTINATIONS])[0]
                    departure = TODAY - datetime.timedelta(days=rng.randint(60, 3000))
                    returned = rng.random() < 0.3
                    row[17:29] = [
                        "purna" if returned else "bekerja",
                        "p3mi",
                        "prosedural" if rng.random() < 0.85 else "nonprosedural",
                        country,
                        "household" if sex == "F" else "company",
                        "informal" if sex == "F" else "formal",
                        JOBS[sex],
                        departure.strftime("%d/%m/%Y"),
                        (departure + datetime.timedelta(days=730)).strftime("%d/%m/%Y"),
                        min(TODAY, departure + datetime.timedelta(days=rng.randint(120, 900))).strftime("%d/%m/%Y")
                        if returned
                        else "",
                        f"{rng.randint(10**10, 10**11 - 1)}",
                        f"C{rng.randint(1_000_000, 9_999_999)}",
                    ]
                if rng.random() < 0.025:
                    _damage(rng, row)
                    facts.invalid_rows += 1
                writer.writerow(row)
                facts.rows += 1
            facts.households += 1
    return facts


if __name__ == "__main__":
    out = Path(sys.argv[1])
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 40_072
    # Villages of Indramayu (32.12), the programme's biggest sending regency, by code.
    villages = [f"32.12.{district:02d}.{2000 + village}" for district in range(1, 32) for village in range(1, 11)]
    print(write_reference_file(out, count, villages))
