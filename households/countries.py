"""Destination countries: the ISO 3166-1 list (from ``pycountry``) with names in the
reader's language. Records store the two-letter code."""

from __future__ import annotations

import functools
import gettext
import re

import pycountry
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

# Names Indonesian institutions use where the ISO list's official form differs.
OVERRIDES = {
    "id": {"TW": "Taiwan", "KR": "Korea Selatan", "HK": "Hong Kong", "MO": "Makau", "BN": "Brunei Darussalam"},
    "en": {"TW": "Taiwan", "KR": "South Korea", "HK": "Hong Kong", "MO": "Macao", "BN": "Brunei Darussalam"},
}
# Names spreadsheets use for destinations that neither the ISO list nor its Indonesian
# translation spell that way (docs/import-format.md lists them).
ALIASES = {
    "arab": "SA",
    "saudi": "SA",
    "ksa": "SA",
    "uea": "AE",
    "uae": "AE",
    "emirat": "AE",
    "emiratarab": "AE",
    "dubai": "AE",
    "abudhabi": "AE",
    "brunei": "BN",
    "bruneidarusalam": "BN",
    "hongkongsar": "HK",
    "korea": "KR",
    "korsel": "KR",
    "koreasel": "KR",
    "taipei": "TW",
    "taiwanroc": "TW",
    "macau": "MO",
    "makao": "MO",
    "malaysiatimur": "MY",
    "sabah": "MY",
    "sarawak": "MY",
    "singapore": "SG",
    "inggris": "GB",
    "britania": "GB",
    "uk": "GB",
    "amerika": "US",
    "usa": "US",
    "tiongkok": "CN",
    "china": "CN",
    "rrc": "CN",
    "katar": "QA",
    "yordan": "JO",
    "jordan": "JO",
    "turkiye": "TR",
}

# The usual destinations of Indonesian workers come first in pickers.
COMMON = ["HK", "TW", "MY", "SG", "SA", "KR", "JP", "BN", "AE", "QA", "KW", "OM", "US"]


@functools.cache
def _translator(language: str) -> gettext.NullTranslations:
    if language == "en":
        return gettext.NullTranslations()
    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language], fallback=True)


def _language() -> str:
    return "en" if (get_language() or "id").startswith("en") else "id"


@functools.cache
def _names(language: str) -> dict[str, str]:
    translate = _translator(language).gettext
    names = {
        country.alpha_2: translate(getattr(country, "common_name", None) or country.name)
        if language == "en"
        else translate(country.name)
        for country in pycountry.countries
    }
    names.update(OVERRIDES[language])
    return names


def country_name(code: str) -> str:
    if not code:
        return ""
    return _names(_language()).get(code.upper(), code)


def is_country(code: str) -> bool:
    return code.upper() in _names("en")


def country_choices() -> list:
    """Common destinations first, then every country by name, in the active language."""
    names = _names(_language())
    rest = sorted((code for code in names if code not in COMMON), key=lambda code: names[code])
    return [
        ("", "—"),
        (_("Common destinations"), [(code, names[code]) for code in COMMON]),
        (_("All countries"), [(code, names[code]) for code in rest]),
    ]


@functools.cache
def _codes_by_name() -> dict[str, str]:
    key = functools.partial(re.sub, r"[^a-z0-9]", "")
    codes = {key(name.lower()): code for code, name in _names("en").items()}
    codes.update({key(name.lower()): code for code, name in _names("id").items()})
    codes.update(ALIASES)
    return codes


def country_code(text: str) -> str:
    """An ISO code from a code or a country name in either language; "" when unknown."""
    text = (text or "").strip()
    if len(text) == 2 and is_country(text):
        return text.upper()
    return _codes_by_name().get(re.sub(r"[^a-z0-9]", "", text.lower()), "")
