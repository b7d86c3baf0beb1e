"""Cell values as spreadsheets deliver them: dates in the shapes Indonesian offices type,
numbers Excel mangled, code-list entries typed as labels in either language, and the
placeholders villages type for "none". Each parser returns (value, error message)."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable

from django.utils.translation import gettext as _

EXCEL_EPOCH = datetime.date(1899, 12, 30)  # Excel's day 0, after its 1900 leap-year bug
_TIME = r"(?:[ T]\d{1,2}[:.]\d{2}(?:[:.]\d{2}(?:\.\d+)?)?)?"  # "00:00:00" that programs append
_DMY = re.compile(rf"^(\d{{1,2}})\s*[/.\-]\s*(\d{{1,2}})\s*[/.\-]\s*(\d{{2}}|\d{{4}}){_TIME}$")
_YMD = re.compile(rf"^(\d{{4}})[/.\-](\d{{1,2}})[/.\-](\d{{1,2}}){_TIME}$")
_D_MONTH_Y = re.compile(r"^(\d{1,2})[\s.\-/]*([^\W\d_]+)\.?[\s.\-/,]*(\d{2}|\d{4})$")
_MONTH_D_Y = re.compile(r"^([^\W\d_]+)\.?\s+(\d{1,2}),?\s+(\d{4})$")
_NUMBER = re.compile(r"^\d+(?:[.,]\d+)?$")

# Month names and their usual abbreviations, Indonesian and English (the old Indonesian
# spellings "Pebruari", "Nopember" are still typed).
MONTHS = {
    1: ("januari", "january", "jan"),
    2: ("februari", "pebruari", "february", "feb", "peb"),
    3: ("maret", "march", "mar"),
    4: ("april", "apr"),
    5: ("mei", "may"),
    6: ("juni", "june", "jun"),
    7: ("juli", "july", "jul"),
    8: ("agustus", "august", "agu", "agt", "ags", "agst", "aug"),
    9: ("september", "sep", "sept"),
    10: ("oktober", "october", "okt", "oct"),
    11: ("november", "nopember", "nov", "nop"),
    12: ("desember", "december", "des", "dec"),
}
MONTH_NUMBERS = {name: number for number, names in MONTHS.items() for name in names}

# What villages type for "none": counted as blank, never as a value or an error. ("tidak"
# alone is not here: in the Prosedural column it means "no".)
PLACEHOLDER_WORDS = frozenset(
    {
        "",  # only punctuation: "-", "--", ".", "?"
        "na",
        "nil",
        "null",
        "none",
        "kosong",
        "tidakada",
        "tdkada",
        "belumada",
        "blmada",
        "tidakpunya",
        "belumpunya",
    }
)
PLACEHOLDER_LONGEST = 12  # characters: longer text is never a placeholder
_NOT_WORD = re.compile(r"[\W_]+")
_ZEROS = re.compile(r"^[0\s\-.]+$")


def is_placeholder(text: str) -> bool:
    """'-', '--', 'n/a', 'tidak ada', 'belum ada' …: a village's way of leaving a cell empty.
    Letters of any script count, so a name in Arabic script is never taken for punctuation."""
    return len(text) <= PLACEHOLDER_LONGEST and _NOT_WORD.sub("", text.lower()) in PLACEHOLDER_WORDS


def is_placeholder_phone(text: str) -> bool:
    """A phone of only zeros ('0', '00000', '0-0') is 'no phone'."""
    return is_placeholder(text) or bool(_ZEROS.match(text))


def _bad_date(text: str) -> str:
    return _("“%(value)s” is not a date: write the day first, as DD/MM/YYYY (for example 17/08/1990).") % {
        "value": text
    }


def _date(year: int, month: int, day: int, text: str) -> tuple[datetime.date | None, str]:
    try:
        return datetime.date(year, month, day), ""
    except ValueError:
        return None, _bad_date(text)


def parse_date(raw: object) -> tuple[datetime.date | None, str]:
    """A date as Indonesian offices write it: DD/MM/YYYY (also with - or .), YYYY-MM-DD,
    "17 Agustus 1990" or "17-Aug-1990" (Indonesian or English month names), or a date or
    number cell of a real workbook. Day first always: 12/09/1976 is 12 September.

    Text of digits only is refused: in a CSV "1989" is a year someone typed, not day 1989
    of Excel's calendar; serial numbers are accepted only from numeric workbook cells."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, ""
    if isinstance(raw, datetime.datetime):
        return raw.date(), ""
    if isinstance(raw, datetime.date):
        return raw, ""
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        if 1 <= raw < 2958466 and float(raw).is_integer():
            return EXCEL_EPOCH + datetime.timedelta(days=int(raw)), ""
        return None, _bad_date(str(raw))
    text = " ".join(str(raw).split())
    if match := _DMY.match(text):
        day, month, year = match.groups()
        if len(year) == 2:
            return None, _("“%(value)s”: write the year with four digits (DD/MM/YYYY).") % {"value": text}
        return _date(int(year), int(month), int(day), text)
    if match := _YMD.match(text):
        year, month, day = match.groups()
        return _date(int(year), int(month), int(day), text)
    if (match := _D_MONTH_Y.match(text)) or (match := _MONTH_D_Y.match(text)):
        first, second, year = match.groups()
        day, name = (first, second) if first.isdigit() else (second, first)
        month = MONTH_NUMBERS.get(name.lower())
        if month is None:
            return None, _bad_date(text)
        if len(year) == 2:
            return None, _("“%(value)s”: write the year with four digits (DD/MM/YYYY).") % {"value": text}
        return _date(int(year), month, int(day), text)
    if _NUMBER.match(text):
        return None, _("“%(value)s” is not a full date: write day, month and year, as DD/MM/YYYY.") % {"value": text}
    return None, _bad_date(text)


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


def choice_key(text: str) -> str:
    """Code-list entries compare by their words: case, punctuation and spacing do not matter,
    but word boundaries do ("DIPLOMA I / II" is not "DIPLOMA III")."""
    return " ".join(_NOT_WORD.sub(" ", text.lower()).split())


def squashed(text: str) -> str:
    return _NOT_WORD.sub("", text.lower())


class ChoiceLookup:
    """Every way a code-list entry may be written, to its code: the code, the label in each
    language, the official Dukcapil/OpenSID spelling and the usual short forms. A spelling
    matches with its spaces and punctuation ("Kepala Keluarga") and without ("KEPALAKELUARGA"),
    except where squeezing the spaces out would make two entries alike."""

    def __init__(self, spellings: Iterable[tuple[str, str]]) -> None:
        self.by_words: dict[str, str] = {}
        by_letters: dict[str, set[str]] = {}
        for spelling, code in spellings:
            self.by_words.setdefault(choice_key(spelling), code)
            by_letters.setdefault(squashed(spelling), set()).add(code)
        self.by_letters = {key: codes.pop() for key, codes in by_letters.items() if len(codes) == 1}

    def __call__(self, text: str) -> str | None:
        return self.by_words.get(choice_key(text)) or self.by_letters.get(squashed(text))


def parse_choice(raw: object, choices: list[tuple[str, str]], aliases: dict[str, str] | None = None) -> tuple[str, str]:
    """A code-list entry by its code, its label (in the active language) or a known alias.
    The importer uses :class:`ChoiceLookup`, which knows both languages at once."""
    text = str(raw or "").strip()
    if not text:
        return "", ""
    spellings = [(code, code) for code, _label in choices] + [(str(label), code) for code, label in choices]
    code = ChoiceLookup([*spellings, *(aliases or {}).items()])(text)
    if code is not None:
        return code, ""
    return "", _("“%(value)s” is not one of: %(codes)s.") % {
        "value": text,
        "codes": ", ".join(code for code, _label in choices),
    }


def header_key(text: str) -> str:
    """Headers match case-, space- and punctuation-insensitively: "No. KK", "no_kk", "NO KK"."""
    return re.sub(r"[^a-z0-9]", "", str(text).lower())
