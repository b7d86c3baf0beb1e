"""Cell values as spreadsheets deliver them: dates in three shapes, numbers Excel
mangled, code-list entries typed as labels. Each parser returns (value, error message)."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

EXCEL_EPOCH = datetime.date(1899, 12, 30)  # Excel's day 0, after its 1900 leap-year bug
_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def parse_date(raw: object) -> tuple[datetime.date | None, str]:
    """DD/MM/YYYY (also with . or -), YYYY-MM-DD, an Excel serial number, or a date cell."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, ""
    if isinstance(raw, datetime.datetime):
        return raw.date(), ""
    if isinstance(raw, datetime.date):
        return raw, ""
    text = str(raw).strip()
    try:
        if match := _DMY.match(text):
            day, month, year = (int(part) for part in match.groups())
            return datetime.date(year, month, day), ""
        if match := _YMD.match(text):
            year, month, day = (int(part) for part in match.groups())
            return datetime.date(year, month, day), ""
        serial = float(text.replace(",", "."))
    except ValueError:
        return None, _("“%(value)s” is not a date: use DD/MM/YYYY or YYYY-MM-DD.") % {"value": text}
    if 1 <= serial < 2958466 and serial == int(serial):
        return EXCEL_EPOCH + datetime.timedelta(days=int(serial)), ""
    return None, _("“%(value)s” is not a date: use DD/MM/YYYY or YYYY-MM-DD.") % {"value": text}


def number_text(raw: object) -> str:
    """A long number as text. Integers and floats from XLSX cells lose nothing up to 15
    digits; beyond that Excel already lost digits, and the validators say so."""
    if raw in (None, ""):
        return ""
    if isinstance(raw, bool):
        return str(raw)
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, int):
        text = str(raw)
        if len(text) >= 16 and text.endswith("0"):
            # A number cell keeps 15 significant digits: Excel zeroed the 16th. Hand the
            # validator Excel's own rendering (3.21216E+15) so it explains the fix.
            return f"{raw:.6g}".upper()
        return text
    if isinstance(raw, float):
        return f"{raw:.6g}".upper()
    text = str(raw).strip()
    if re.fullmatch(r"\d+\.0+", text):
        return text.split(".")[0]
    return text


def parse_choice(raw: object, choices: list[tuple[str, str]], aliases: dict[str, str] | None = None) -> tuple[str, str]:
    """A code-list entry by its code, its label (in either language) or a known alias."""
    text = str(raw or "").strip()
    if not text:
        return "", ""
    key = _key(text)
    for code, label in choices:
        if key in {_key(code), _key(str(label))}:
            return code, ""
    if aliases and key in aliases:
        return aliases[key], ""
    return "", _("“%(value)s” is not one of: %(codes)s.") % {
        "value": text,
        "codes": ", ".join(code for code, _label in choices),
    }


def parse_decimal(raw: object) -> tuple[Decimal | None, str]:
    if raw in (None, ""):
        return None, ""
    try:
        return Decimal(str(raw).replace(" ", "").replace(",", ".")), ""
    except InvalidOperation:
        return None, _("“%(value)s” is not a number.") % {"value": raw}


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def header_key(text: str) -> str:
    """Headers match case-, space- and punctuation-insensitively: "No. KK", "no_kk", "NO KK"."""
    return _key(text)
