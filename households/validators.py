"""The identifier and date rules of the household registry, in one place.

The records apply them in their own validation (households.models.IdentifierRules, reached
by the portal's forms, the admin and its import through ``full_clean``), and the bulk importer
calls them on its columns, so a NIK is judged the same way wherever it is typed. Each check
returns *findings*: errors block saving, warnings are shown and stored on the record (as codes
and parameters, so they are shown in the reader's language) but do not block.

Rules (brief, "Identifier rules"):

* NIK: 16 digits = province(2) regency(2) district(2) + DDMMYY birth date
  (day + 40 for women) + serial(4, not 0000). Errors: not 16 digits, unknown
  province, impossible date, serial 0000. Warnings: regency or district not in
  today's list (codes change; a NIK never does), birth date or sex that
  disagree with the person's record.
* No. KK: 16 digits = region code(6) + issue date DDMMYY + serial(4).
* Phone: parsed with ``phonenumbers``, stored in E.164; foreign numbers are normal.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import phonenumbers
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from desmigratif.access import can_see_full_nik
from desmigratif.models import region_codes

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

ERROR = "error"
WARNING = "warning"
KK_EARLIEST_YEAR = 1970

# Every message the rules can produce, by code. Stored warnings keep the code
# and its parameters; the text is rendered in the reader's language.
MESSAGES: dict[str, Any] = {
    "required": _("%(label)s is required."),
    "excel_scientific": _(
        "%(label)s was damaged by Excel (%(value)s): the number was turned into scientific notation and its "
        "last digits are lost. Format the column as Text in Excel and type the number again."
    ),
    "excel_truncated": _(
        "%(label)s has 15 digits (%(value)s): Excel keeps only 15 significant digits and may have dropped "
        "the 16th. Format the column as Text and type the full number again."
    ),
    "not_16_digits": _("%(label)s must be exactly 16 digits; %(value)s has %(length)s."),
    "not_digits": _("%(label)s may contain digits only."),
    "unknown_province": _("%(label)s starts with province code %(code)s, which does not exist."),
    "impossible_date": _("%(label)s contains an impossible date (%(value)s)."),
    "serial_zero": _("%(label)s ends in serial number 0000, which is never issued."),
    "unknown_regency": _(
        "Regency code %(code)s in %(label)s is not in today's list (it may have changed since issue)."
    ),
    "unknown_district": _(
        "District code %(code)s in %(label)s is not in today's list (it may have changed since issue)."
    ),
    "nik_birth_date_differs": _("The birth date in the NIK (%(nik_date)s) differs from the date of birth (%(date)s)."),
    "nik_sex_differs": _("The NIK is that of a %(nik_sex)s but the person is recorded as %(sex)s."),
    "invalid_phone": _("%(label)s is not a valid phone number (%(value)s). Use +country code for foreign numbers."),
    "date_in_future": _("%(label)s cannot be in the future."),
    "before_departure": _("%(label)s cannot be before the departure date."),
    "contract_not_ended": _(
        "The reason is “contract ended”, but the contract runs until %(contract_end)s: check the reason."
    ),
    "passport_format": _("%(label)s does not look like a passport number (%(value)s)."),
    "bpjs_format": _("%(label)s does not look like a BPJS Ketenagakerjaan number (11 digits)."),
    "duplicate_open_stay": _(
        "This stay was open beside another stay of the same person and was set to “other” when one open stay "
        "per person became the rule: check it, and delete it if it was recorded twice."
    ),
}

SEX_LABELS = {"M": _("man"), "F": _("woman")}


@dataclass(frozen=True)
class Finding:
    field: str
    code: str
    severity: str
    # dataclasses.field by its full name: here ``field`` is also this class's first attribute.
    params: dict[str, Any] = dataclasses.field(default_factory=dict)

    @property
    def message(self) -> str:
        return str(MESSAGES[self.code]) % {key: str(value) for key, value in self.params.items()}

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def as_json(self) -> dict[str, Any]:
        return {"field": self.field, "code": self.code, "params": {k: str(v) for k, v in self.params.items()}}


def render_warning(stored: dict[str, Any]) -> str:
    """Text of a warning stored with :meth:`Finding.as_json`, in the active language."""
    template = MESSAGES.get(stored.get("code", ""))
    if template is None:
        return str(stored.get("code", ""))
    return str(template) % stored.get("params", {})


@dataclass(frozen=True)
class NikFacts:
    """What a valid NIK says about its holder."""

    region: str  # "32.12.16"
    birth_date: datetime.date
    sex: str  # "M" or "F"
    serial: str


_SCIENTIFIC = re.compile(r"^\d(?:[.,]\d+)?[eE]\+?\d+$")
_SEPARATORS = re.compile(r"[\s.\-']")


def normalize_number(raw: Any) -> str:
    """Strip what people and spreadsheets add around a 16-digit number: spaces,
    dots, dashes and Excel's leading apostrophe."""
    return _SEPARATORS.sub("", str(raw or "").strip())


def _sixteen_digits(value: str, raw: str, field_name: str, label: StrOrPromise) -> list[Finding]:
    if len(value) == 16 and value.isascii() and value.isdigit():  # the usual case first: imports check thousands
        return []
    params = {"label": label, "value": raw.strip()}
    if not value:
        return [Finding(field_name, "required", ERROR, {"label": label})]
    if _SCIENTIFIC.match(raw.strip()):
        return [Finding(field_name, "excel_scientific", ERROR, params)]
    if not (value.isascii() and value.isdigit()):
        return [Finding(field_name, "not_digits", ERROR, {"label": label})]
    if len(value) == 15:
        return [Finding(field_name, "excel_truncated", ERROR, params)]
    if len(value) != 16:
        return [Finding(field_name, "not_16_digits", ERROR, {**params, "length": len(value)})]
    return []


REGION_PROBLEMS = {
    "province": ("unknown_province", ERROR),
    "regency": ("unknown_regency", WARNING),
    "district": ("unknown_district", WARNING),
}


def _region_findings(value: str, field_name: str, label: StrOrPromise) -> list[Finding]:
    problem = region_codes().prefix_problem(value)
    if problem is None:
        return []
    level, code = problem
    finding, severity = REGION_PROBLEMS[level]
    return [Finding(field_name, finding, severity, {"label": label, "code": code})]


@functools.lru_cache(maxsize=1 << 16)
def _century(day: int, month: int, yy: int, today: datetime.date) -> datetime.date | None:
    """The most recent date with these digits that is not in the future; None if impossible."""
    for century in (2000, 1900):
        try:
            candidate = datetime.date(century + yy, month, day)
        except ValueError:
            return None
        if candidate <= today:
            return candidate
    return None


def check_nik(
    raw: Any,
    *,
    field_name: str = "nik",
    label: StrOrPromise | None = None,
    birth_date: datetime.date | None = None,
    sex: str | None = None,
    today: datetime.date | None = None,
) -> tuple[str, NikFacts | None, list[Finding]]:
    """Normalise and judge a NIK. Returns (normalised value, facts if readable, findings).
    ``today`` saves a bulk caller from asking the clock once per number."""
    label = label or _("NIK")  # lazy: only a finding renders it
    raw_text = str(raw or "")
    value = raw_text if raw_text.isascii() and raw_text.isdigit() else normalize_number(raw_text)
    findings = _sixteen_digits(value, raw_text, field_name, label)
    if findings:
        return value, None, findings
    findings = _region_findings(value, field_name, label)
    if any(f.is_error for f in findings):
        return value, None, findings

    day, month, yy = int(value[6:8]), int(value[8:10]), int(value[10:12])
    nik_sex = "F" if day > 40 else "M"
    day = day - 40 if day > 40 else day
    nik_date = _century(day, month, yy, today or timezone.localdate()) if 1 <= day <= 31 else None
    if nik_date is None:
        return (
            value,
            None,
            [*findings, Finding(field_name, "impossible_date", ERROR, {"label": label, "value": value[6:12]})],
        )
    if value[12:] == "0000":
        return value, None, [*findings, Finding(field_name, "serial_zero", ERROR, {"label": label})]

    facts = NikFacts(
        region=f"{value[:2]}.{value[2:4]}.{value[4:6]}", birth_date=nik_date, sex=nik_sex, serial=value[12:]
    )
    if birth_date is not None and (birth_date.day, birth_date.month, birth_date.year % 100) != (day, month, yy):
        findings.append(
            Finding(
                "birth_date",
                "nik_birth_date_differs",
                WARNING,
                {"nik_date": f"{day:02d}-{month:02d}-{yy:02d}", "date": birth_date.strftime("%d-%m-%y")},
            )
        )
    if sex in SEX_LABELS and sex != nik_sex:
        findings.append(
            Finding("sex", "nik_sex_differs", WARNING, {"nik_sex": SEX_LABELS[nik_sex], "sex": SEX_LABELS[sex]})
        )
    return value, facts, findings


def check_kk(
    raw: Any, *, field_name: str = "kk_number", label: StrOrPromise | None = None, today: datetime.date | None = None
) -> tuple[str, list[Finding]]:
    """Normalise and judge a No. KK (family card number)."""
    label = label or _("No. KK")
    raw_text = str(raw or "")
    value = normalize_number(raw_text)
    findings = _sixteen_digits(value, raw_text, field_name, label)
    if findings:
        return value, findings
    findings = _region_findings(value, field_name, label)
    if any(f.is_error for f in findings):
        return value, findings
    day, month, yy = int(value[6:8]), int(value[8:10]), int(value[10:12])
    issued = _century(day, month, yy, today or timezone.localdate())
    # Family cards in this numbering exist from the 1970s on; an earlier reading of
    # the digits means a date in the future or a typing error.
    if issued is None or issued.year < KK_EARLIEST_YEAR:
        return value, [*findings, Finding(field_name, "impossible_date", ERROR, {"label": label, "value": value[6:12]})]
    if value[12:] == "0000":
        return value, [*findings, Finding(field_name, "serial_zero", ERROR, {"label": label})]
    return value, findings


def _mobile_plan(region: str) -> tuple[tuple[int, ...], re.Pattern[str]]:
    """The lengths and the pattern of a region's mobile numbers, from libphonenumber's metadata."""
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    mobile = metadata.mobile if metadata is not None else None
    if mobile is None or mobile.national_number_pattern is None:
        raise LookupError(f"libphonenumber has no mobile numbering plan for {region}")
    return mobile.possible_length, re.compile(mobile.national_number_pattern)


_ID_MOBILE_LENGTHS, _ID_MOBILE_PATTERN = _mobile_plan("ID")


def _indonesian_mobile(text: str) -> str | None:
    """The national number of a plain 08… or +628… mobile number, straight from libphonenumber's
    own metadata: most numbers in a village register take this path, which is a regex instead
    of a full parse (an import checks tens of thousands). Anything else returns None."""
    national = text[1:] if text.startswith("0") else text[3:] if text.startswith("+62") else ""
    if (
        national.isascii()
        and national.isdigit()
        and len(national) in _ID_MOBILE_LENGTHS
        and _ID_MOBILE_PATTERN.fullmatch(national)
    ):
        return national
    return None


def check_phone(raw: Any, *, field_name: str = "phone", label: StrOrPromise | None = None) -> tuple[str, list[Finding]]:
    """Parse a phone number (Indonesian unless it starts with +) to E.164."""
    label = label or _("Phone")
    text = str(raw or "").strip()
    if not text:
        return "", []
    if text.startswith("00"):
        text = "+" + text[2:]
    if (national := _indonesian_mobile(text)) is not None:
        return f"+62{national}", []
    try:
        number = phonenumbers.parse(text, "ID")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        return text, [Finding(field_name, "invalid_phone", ERROR, {"label": label, "value": text})]
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), []


def check_not_future(value: datetime.date | None, *, field_name: str, label: StrOrPromise | None) -> list[Finding]:
    if value is not None and value > timezone.localdate():
        return [Finding(field_name, "date_in_future", ERROR, {"label": label})]
    return []


def check_not_before(
    value: datetime.date | None, departure: datetime.date | None, *, field_name: str, label: StrOrPromise | None
) -> list[Finding]:
    if value is not None and departure is not None and value < departure:
        return [Finding(field_name, "before_departure", ERROR, {"label": label})]
    return []


def check_return_reason(
    reason: str | None,
    returned_on: datetime.date | None,
    contract_end: datetime.date | None,
    *,
    field_name: str = "return_reason",
) -> list[Finding]:
    """A return "because the contract ended" before the contract's end only warns: the end date
    typed may be the wrong one."""
    if reason == "contract_ended" and returned_on and contract_end and returned_on < contract_end:
        return [Finding(field_name, "contract_not_ended", WARNING, {"contract_end": contract_end.isoformat()})]
    return []


_PASSPORT = re.compile(r"^[A-Z]{1,2}\d{6,8}$")


def check_passport(
    raw: Any, *, field_name: str = "passport_number", label: StrOrPromise | None = None
) -> tuple[str, list[Finding]]:
    """Loose: Indonesian passports are a letter or two and 7 digits; anything else only warns."""
    value = re.sub(r"\s", "", str(raw or "")).upper()
    if value and not _PASSPORT.match(value):
        return value, [
            Finding(
                field_name, "passport_format", WARNING, {"label": str(label or _("Passport number")), "value": value}
            )
        ]
    return value, []


def check_bpjs(
    raw: Any, *, field_name: str = "bpjs_number", label: StrOrPromise | None = None
) -> tuple[str, list[Finding]]:
    value = normalize_number(raw)
    if value and not (value.isdigit() and len(value) == 11):
        return value, [Finding(field_name, "bpjs_format", WARNING, {"label": str(label or _("BPJS number"))})]
    return value, []


def nik_shown_to(user: Any, nik: str | None, village_code: str) -> str:
    """The NIK whole for users who may read the village's records, masked for everyone else."""
    if user is not None and can_see_full_nik(user, village_code):
        return nik or ""
    return mask_nik(nik)


def mask_nik(nik: str | None) -> str:
    """3212161204900001 -> 3212********0001: the region stays readable, the person does not."""
    if not nik:
        return ""
    return f"{nik[:4]}{'*' * (len(nik) - 8)}{nik[-4:]}" if len(nik) > 8 else "*" * len(nik)
