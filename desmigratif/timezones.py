"""Indonesia's three time zones, for saying when a figure was counted in the time of the area it
is about: WIB (UTC+7) in Sumatra, Java and West and Central Kalimantan; WITA (UTC+8) in Bali, Nusa
Tenggara, the rest of Kalimantan and Sulawesi; WIT (UTC+9) in Maluku and Papua. By the province
code (the first two digits of every Kemendagri code); the whole country is told in WIB, Jakarta's."""

from __future__ import annotations

from zoneinfo import ZoneInfo

WIB = (ZoneInfo("Asia/Jakarta"), "WIB")
WITA = (ZoneInfo("Asia/Makassar"), "WITA")
WIT = (ZoneInfo("Asia/Jayapura"), "WIT")

WITA_PROVINCES = {"51", "52", "53", "63", "64", "65", "71", "72", "73", "74", "75", "76"}
WIT_PROVINCES = {"81", "82", "91", "92", "93", "94", "95", "96", "97"}


def area_time_zone(code: str) -> tuple[ZoneInfo, str]:
    """The time zone of the area ``code`` (any level; "" is the whole country) and its name."""
    province = code[:2]
    if province in WIT_PROVINCES:
        return WIT
    if province in WITA_PROVINCES:
        return WITA
    return WIB
