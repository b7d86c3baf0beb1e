"""The NIK, No. KK, phone and date rules (brief, "Identifier rules"), including property-based checks."""

import datetime

import pytest
from django.utils import timezone
from django.utils.translation import override
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from households.validators import (
    ERROR,
    WARNING,
    check_bpjs,
    check_kk,
    check_nik,
    check_not_before,
    check_not_future,
    check_passport,
    check_phone,
    render_warning,
)

pytestmark = pytest.mark.django_db

KENANGA_DISTRICT = "321216"  # 32.12.16 Sindang, in the test region sample
HYPOTHESIS = settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)


def nik(region=KENANGA_DISTRICT, day=12, month=4, yy=90, female=False, serial="0001"):
    return f"{region}{day + 40 if female else day:02d}{month:02d}{yy:02d}{serial}"


def codes(findings, severity=None):
    return [f.code for f in findings if severity is None or f.severity == severity]


def test_valid_nik_gives_its_facts():
    value, facts, findings = check_nik(nik(day=12, month=4, yy=90))
    assert findings == []
    assert value == "3212161204900001"
    assert facts.region == "32.12.16" and facts.sex == "M"
    assert facts.birth_date == datetime.date(1990, 4, 12)


def test_women_have_forty_added_to_the_day():
    _, facts, findings = check_nik(nik(day=5, month=11, yy=2, female=True))
    assert findings == [] and facts.sex == "F" and facts.birth_date == datetime.date(2002, 11, 5)


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", "required"),
        ("3.21216E+15", "excel_scientific"),
        ("3,21216E+15", "excel_scientific"),
        ("321216120490000", "excel_truncated"),
        ("32121612049000011", "not_16_digits"),
        ("32121612049O0001", "not_digits"),
        ("9912161204900001", "unknown_province"),
        ("3212163204900001", "impossible_date"),  # day 32
        ("3212167204900001", "impossible_date"),  # day 72 = woman, day 32
        ("3212161213900001", "impossible_date"),  # month 13
        ("3212163002900001", "impossible_date"),  # 30 February
        ("3212161204900000", "serial_zero"),
    ],
)
def test_nik_errors(raw, code):
    _, facts, findings = check_nik(raw)
    assert facts is None
    assert codes(findings, ERROR) == [code]


def test_nik_with_spaces_dots_and_excel_apostrophe_is_normalised():
    assert check_nik("'3212 1612.0490-0001")[0] == "3212161204900001"


def test_regency_or_district_missing_from_todays_list_only_warns():
    _, facts, findings = check_nik(nik(region="329916"))  # 32.99 never existed
    assert facts is not None and codes(findings) == ["unknown_regency"] and findings[0].severity == WARNING
    _, facts, findings = check_nik(nik(region="321299"))
    assert facts is not None and codes(findings) == ["unknown_district"]


def test_nik_disagreeing_with_the_record_warns_with_both_values():
    _, _, findings = check_nik(nik(day=12, month=4, yy=90), birth_date=datetime.date(1990, 4, 21), sex="F")
    assert codes(findings, WARNING) == ["nik_birth_date_differs", "nik_sex_differs"]
    with override("id"):
        message = findings[0].message
    assert "12-04-90" in message and "21-04-90" in message
    assert render_warning(findings[1].as_json())


def test_messages_are_indonesian_by_default_and_english_when_chosen():
    _, _, findings = check_nik("321216120490000")
    with override("id"):
        assert "Excel" in findings[0].message and "digit" in findings[0].message
        indonesian = findings[0].message
    with override("en"):
        assert findings[0].message != indonesian


@HYPOTHESIS
@given(
    birth=st.dates(min_value=datetime.date(1927, 1, 1), max_value=datetime.date(2025, 12, 31)),
    female=st.booleans(),
    serial=st.integers(min_value=1, max_value=9999),
)
def test_any_real_birth_date_round_trips_through_a_nik(birth, female, serial):
    value = nik(day=birth.day, month=birth.month, yy=birth.year % 100, female=female, serial=f"{serial:04d}")
    _, facts, findings = check_nik(value, birth_date=birth, sex="F" if female else "M")
    assert findings == []
    assert facts.sex == ("F" if female else "M")
    # Two-digit years: the most recent date that is not in the future.
    assert facts.birth_date.replace(year=birth.year % 100 + 2000) == birth.replace(year=birth.year % 100 + 2000)


@HYPOTHESIS
@given(text=st.text(max_size=20))
def test_anything_typed_gives_a_verdict_never_an_exception(text):
    value, facts, findings = check_nik(text)
    assert (facts is None) == any(f.is_error for f in findings)
    if facts is not None:
        assert len(value) == 16 and value.isdigit()


@HYPOTHESIS
@given(digits=st.from_regex(r"\A\d{1,15}\Z|\A\d{17,20}\Z"))
def test_wrong_lengths_are_always_errors(digits):
    _, facts, findings = check_nik(digits)
    assert facts is None and findings[0].severity == ERROR


def test_valid_kk():
    value, findings = check_kk("3212 1615 0318 0007")
    assert value == "3212161503180007" and findings == []


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("3212161503180", "not_16_digits"),
        ("9912161503180007", "unknown_province"),
        ("3212163106180007", "impossible_date"),
        ("3212161503180000", "serial_zero"),
        ("3.21216E+15", "excel_scientific"),
    ],
)
def test_kk_errors(raw, code):
    assert codes(check_kk(raw)[1], ERROR) == [code]


def test_kk_issued_in_the_future_is_an_error():
    later = timezone.localdate() + datetime.timedelta(days=400)
    assert codes(check_kk(f"321216{later:%d%m%y}0001")[1], ERROR) == ["impossible_date"]


@HYPOTHESIS
@given(
    issued=st.dates(min_value=datetime.date(2000, 1, 1), max_value=datetime.date(2025, 12, 31)),
    serial=st.integers(min_value=1, max_value=9999),
)
def test_any_past_issue_date_makes_a_valid_kk(issued, serial):
    assert check_kk(f"{KENANGA_DISTRICT}{issued:%d%m%y}{serial:04d}")[1] == []


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("0812-3456-7890", "+6281234567890"),
        ("+62 812 3456 7890", "+6281234567890"),
        ("+60 12-345 6789", "+60123456789"),  # Malaysia
        ("+886 912 345 678", "+886912345678"),  # Taiwan
        ("+852 9123 4567", "+85291234567"),  # Hong Kong
        ("00966 50 123 4567", "+966501234567"),  # Saudi Arabia
        ("", ""),
    ],
)
def test_phone_numbers_are_stored_in_e164(raw, e164):
    value, findings = check_phone(raw)
    assert findings == [] and value == e164


@pytest.mark.parametrize("raw", ["12345", "+62 1", "not a number"])
def test_bad_phone_numbers_are_errors(raw):
    assert codes(check_phone(raw)[1], ERROR) == ["invalid_phone"]


@given(prefix=st.sampled_from(["0", "+62", "62", "00"]), digits=st.from_regex(r"\A8\d{6,12}\Z"))
def test_the_mobile_shortcut_agrees_with_a_full_parse(prefix, digits):
    import phonenumbers

    text = prefix + digits
    value, findings = check_phone(text)
    try:
        number = phonenumbers.parse("+" + text[2:] if text.startswith("00") else text, "ID")
        valid = phonenumbers.is_valid_number(number)
    except phonenumbers.NumberParseException:
        valid = False
    if valid:
        assert findings == [] and value == phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    else:
        assert codes(findings, ERROR) == ["invalid_phone"]


def test_dates():
    today = timezone.localdate()
    assert codes(check_not_future(today + datetime.timedelta(days=1), field_name="d", label="D")) == ["date_in_future"]
    assert check_not_future(today, field_name="d", label="D") == []
    departure = datetime.date(2024, 5, 1)
    assert codes(check_not_before(datetime.date(2024, 4, 30), departure, field_name="r", label="R")) == [
        "before_departure"
    ]
    assert check_not_before(departure, departure, field_name="r", label="R") == []


def test_passport_and_bpjs_formats_only_warn():
    assert check_passport("c 1234567") == ("C1234567", [])
    assert codes(check_passport("12-AB")[1], WARNING) == ["passport_format"]
    assert check_bpjs("12345678901")[1] == []
    assert codes(check_bpjs("1234")[1], WARNING) == ["bpjs_format"]
