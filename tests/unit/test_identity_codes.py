"""Resident ID number (GB 11643-1999) and USCC (GB 32100-2015) validators:
the standards' examples, each rule named when it fails, and properties over
generated codes — valid ones pass, every single-character substitution and
every transposition of two adjacent distinct characters is caught."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from shared.codes import divisions as regions
from shared.codes.national import (
    DEFAULT_AUTHORITY_TYPES,
    ID_NUMBER_WEIGHTS,
    USCC_CHARSET,
    USCC_WEIGHTS,
    IdNumberRule,
    UsccRule,
    check_resident_id,
    check_uscc,
    normalize_code,
    org_code_check_character,
    resident_id_check_character,
    uscc_check_character,
)
from shared.platform.clock import frozen_at
from shared.platform.errors import registered_codes

TODAY = dt.date(2026, 11, 25)


def id_number(address: str, birth: str, sequence: str = "001") -> str:
    """A number with the right check character for the given parts."""
    body = address + birth + sequence
    return body + resident_id_check_character(body)


def uscc(prefix: str, division: str, org_8: str, *, org_check: str | None = None) -> str:
    """A USCC with the right organisation-code and MOD 31 check characters
    (or a chosen organisation-code check character)."""
    body = prefix + division + org_8 + (org_check or org_code_check_character(org_8))
    return body + uscc_check_character(body)


# --- resident ID number --------------------------------------------------------------


def test_standard_example_check_character_is_x() -> None:
    # Given the example of GB 11643: sum 189, 189 mod 11 = 2 → X
    body = "34052419800101001"
    assert sum(int(d) * w for d, w in zip(body, ID_NUMBER_WEIGHTS, strict=True)) == 189
    assert resident_id_check_character(body) == "X"
    # Then the full example passes format and checksum; its address code 340524 is
    # not in GB/T 2260 (the example is illustrative), which is the only rule it fails
    assert check_resident_id(body + "X", today=TODAY).failed_rule is IdNumberRule.ADDRESS_CODE


def test_a_real_county_number_is_valid_and_parsed() -> None:
    number = id_number("320102", "19800101", "001")  # 南京市玄武区, in use since 1983
    result = check_resident_id(number, today=TODAY)
    assert result.valid
    assert result.parts is not None
    assert result.parts.birth_date == dt.date(1980, 1, 1)
    assert result.parts.sex == "male"
    female = check_resident_id(id_number("320102", "19800101", "002"), today=TODAY).parts
    assert female is not None
    assert female.sex == "female"


@pytest.mark.parametrize(
    "value",
    [
        "32010219800101001",  # 17 characters
        "3201021980010100123",  # 19
        "32010219800101001x",  # lower-case x: normalize_code first
        "3201021980010100X1",  # X not last
        "32010219800101001A",
        "３２０１０２１９８００１０１００１７",  # full-width digits
    ],
)
def test_format(value: str) -> None:
    assert check_resident_id(value, today=TODAY).failed_rule is IdNumberRule.FORMAT


def test_normalize_code_fixes_what_people_type() -> None:
    number = id_number("320102", "19800101", "001")
    full_width = number.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    assert normalize_code(f" {full_width[:6]} {full_width[6:14]}-{full_width[14:]} ") == number
    assert normalize_code("91110000600037341l") == "91110000600037341L"


def test_checksum() -> None:
    number = id_number("320102", "19800101")
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    assert check_resident_id(wrong, today=TODAY).failed_rule is IdNumberRule.CHECKSUM


@pytest.mark.parametrize("birth", ["19800230", "19801301", "19800001", "20230229", "00000000"])
def test_impossible_birth_dates(birth: str) -> None:
    assert check_resident_id(id_number("320102", birth), today=TODAY).failed_rule is IdNumberRule.BIRTH_DATE


def test_future_birth_date_uses_the_platform_clock_in_shanghai() -> None:
    tomorrow = id_number("320102", "20261126")
    # Given 2026-11-25 16:30 UTC, which is already 2026-11-26 in Shanghai
    with frozen_at(dt.datetime(2026, 11, 25, 16, 30, tzinfo=dt.UTC)):
        assert check_resident_id(tomorrow).valid
    # Given 2026-11-25 15:30 UTC (23:30 in Shanghai) the same birth date is in the future
    with frozen_at(dt.datetime(2026, 11, 25, 15, 30, tzinfo=dt.UTC)):
        assert check_resident_id(tomorrow).failed_rule is IdNumberRule.FUTURE_BIRTH_DATE
    # A 2099 birth date is never accepted (python-stdnum's ric does)
    far_future = id_number("320102", "20990101")
    assert check_resident_id(far_future, today=TODAY).failed_rule is IdNumberRule.FUTURE_BIRTH_DATE


@pytest.mark.parametrize(
    ("address", "why"),
    [
        ("320000", "province level"),
        ("320100", "city level"),
        ("321300", "city level (宿迁)"),
        ("329999", "not a code"),
        ("000000", "not a code"),
        ("810000", "residence permit code, not asked for"),
    ],
)
def test_address_code_must_be_a_county(address: str, why: str) -> None:
    result = check_resident_id(id_number(address, "19900101"), today=TODAY)
    assert result.failed_rule is IdNumberRule.ADDRESS_CODE, why


def test_address_code_must_have_been_in_use_when_the_number_was_issued() -> None:
    # 320405 戚墅堰区 existed 1983–2015
    assert check_resident_id(id_number("320405", "19900101"), today=TODAY).valid
    assert check_resident_id(id_number("320405", "20150601"), today=TODAY).valid
    assert check_resident_id(id_number("320405", "20160101"), today=TODAY).failed_rule is IdNumberRule.ADDRESS_CODE
    # 320413 金坛区 exists since 2015: someone born in 1970 may have been issued it later
    assert check_resident_id(id_number("320413", "19700101"), today=TODAY).valid


def test_cities_without_counties_are_accepted() -> None:
    # 东莞 441900 has no counties: people there carry the city's code
    assert check_resident_id(id_number("441900", "19900101"), today=TODAY).valid


def test_residence_permit_codes_only_when_asked() -> None:
    number = id_number("810000", "19900101")
    assert check_resident_id(number, today=TODAY, accept_residence_permit_codes=True).valid


def test_rules_are_checked_in_the_documented_order() -> None:
    # A wrong check character wins over a future birth date and a city-level code
    bad = id_number("320100", "20990101")
    bad = bad[:-1] + ("1" if bad[-1] != "1" else "2")
    assert check_resident_id(bad, today=TODAY).failed_rule is IdNumberRule.CHECKSUM


# --- USCC ---------------------------------------------------------------------------


def test_standard_example_is_valid_and_parsed() -> None:
    result = check_uscc("91110000600037341L")
    assert result.valid
    assert result.parts is not None
    assert (result.parts.registration_authority, result.parts.organisation_type) == ("9", "1")
    assert result.parts.division_code == "110000"
    assert result.parts.organisation_code == "600037341"
    assert uscc_check_character("91110000600037341") == "L"
    assert org_code_check_character("60003734") == "1"


def test_weights_are_powers_of_three() -> None:
    assert USCC_WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


@pytest.mark.parametrize(
    "code",
    [
        "9144030071526726XG",  # organisation check character X
        "92141127MA0KD1Y64A",  # 个体工商户, letters in the organisation code
        "91310115MA1K3BTP2B",
        "121200004013590816",  # 事业单位
    ],
)
def test_published_codes_are_valid(code: str) -> None:
    assert check_uscc(code).valid


def test_org_code_check_maps_10_to_x_and_11_to_0() -> None:
    assert org_code_check_character("71526726") == "X"
    eleven = next(f"{n:08d}" for n in range(10**6) if org_code_check_character(f"{n:08d}") == "0")
    weighted = sum(int(d) * w for d, w in zip(eleven, (3, 7, 9, 10, 5, 8, 4, 2), strict=True))
    assert weighted % 11 == 0


@pytest.mark.parametrize("prefix", ["11", "12", "13", "19", "31", "51", "52", "53", "71", "81", "91", "92", "93"])
def test_common_authority_type_pairs(prefix: str) -> None:
    assert check_uscc(uscc(prefix, "320100", "12345678")).valid


@pytest.mark.parametrize("prefix", ["A1", "G1", "J1", "N1", "N2", "N3", "Q1", "Y1"])
def test_letter_authorities_are_accepted(prefix: str) -> None:
    assert check_uscc(uscc(prefix, "320100", "MA1K3BTP")).valid


@pytest.mark.parametrize("prefix", ["94", "10", "28", "Y2", "B1", "N4"])
def test_unknown_authority_type_pairs(prefix: str) -> None:
    assert check_uscc(uscc(prefix, "320100", "12345678")).failed_rule is UsccRule.AUTHORITY_TYPE


def test_authority_types_are_configuration() -> None:
    code = uscc("G5", "320100", "12345678")
    assert check_uscc(code).valid
    narrowed = {**DEFAULT_AUTHORITY_TYPES, "G": frozenset("19")}
    assert check_uscc(code, authority_types=narrowed).failed_rule is UsccRule.AUTHORITY_TYPE


@pytest.mark.parametrize(
    ("division", "valid"),
    [("100000", True), ("320583", True), ("329999", True), ("990000", False), ("000000", False), ("10A000", False)],
)
def test_division_code_needs_a_known_province_or_the_national_code(division: str, valid: bool) -> None:
    result = check_uscc(uscc("91", division, "12345678"))
    assert result.valid is valid
    if not valid:
        assert result.failed_rule is UsccRule.DIVISION_CODE


def test_org_code_checksum() -> None:
    right = org_code_check_character("60003734")
    code = uscc("91", "110000", "60003734", org_check="2" if right != "2" else "3")
    assert check_uscc(code).failed_rule is UsccRule.ORG_CODE_CHECKSUM


@pytest.mark.parametrize(
    "code",
    ["91110000600037341", "91110000600037341LL", "91110000600O37341L", "91110000600037341l", "９1110000600037341L"],
)
def test_uscc_format(code: str) -> None:
    assert check_uscc(code).failed_rule is UsccRule.FORMAT


def test_uscc_checksum() -> None:
    assert check_uscc("91110000600037341M").failed_rule is UsccRule.CHECKSUM


# --- every rule code has zh and en messages -------------------------------------------


def test_rule_codes_are_registered_with_messages() -> None:
    codes = registered_codes()
    for rule in [*IdNumberRule, *UsccRule]:
        zh, en = codes[rule.value]
        assert zh
        assert en


# --- what the check characters catch, exhaustively -----------------------------------


def test_mod_11_2_catches_all_substitutions_and_adjacent_transpositions() -> None:
    # The full number satisfies Σ a_i·w_i ≡ 1 (mod 11) with the check character's weight 1.
    weights = (*ID_NUMBER_WEIGHTS, 1)
    values = range(11)  # digits and X = 10
    assert all(d * w % 11 for w in weights for d in range(1, 11))
    for i in range(17):
        for a in values:
            for b in values:
                if a != b:
                    assert (a - b) * (weights[i] - weights[i + 1]) % 11, (i, a, b)


def test_mod_31_catches_all_substitutions_and_adjacent_transpositions() -> None:
    # The full code satisfies Σ c_i·w_i ≡ 0 (mod 31) with the check character's weight 1.
    weights = (*USCC_WEIGHTS, 1)
    values = range(31)
    assert all(d * w % 31 for w in weights for d in range(1, 31))
    for i in range(17):
        for a in values:
            for b in values:
                if a != b:
                    assert (a - b) * (weights[i] - weights[i + 1]) % 31, (i, a, b)


# --- properties over generated codes -------------------------------------------------

_COUNTY_CODES = sorted(code for code in regions.divisions() if regions.is_county_level(code))


@st.composite
def valid_id_numbers(draw: Any) -> str:
    division = regions.divisions()[draw(st.sampled_from(_COUNTY_CODES))]
    period = draw(st.sampled_from(division.periods))
    # born no later than the code's last year in use (issued at birth at the latest)
    last = min(dt.date(period.last_year or TODAY.year, 12, 31), TODAY)
    birth = draw(st.dates(min_value=dt.date(1900, 1, 1), max_value=last))
    sequence = draw(st.integers(min_value=0, max_value=999))
    return id_number(division.code, birth.strftime("%Y%m%d"), f"{sequence:03d}")


@st.composite
def valid_usccs(draw: Any) -> str:
    authority = draw(st.sampled_from(sorted(DEFAULT_AUTHORITY_TYPES)))
    kind = draw(st.sampled_from(sorted(DEFAULT_AUTHORITY_TYPES[authority])))
    province = draw(st.sampled_from(sorted(regions.province_prefixes())))
    division = draw(st.one_of(st.just("100000"), st.from_regex(rf"\A{province}[0-9]{{4}}\Z")))
    org_8 = draw(st.text(alphabet=USCC_CHARSET, min_size=8, max_size=8))
    return uscc(authority + kind, division, org_8)


@settings(max_examples=300, deadline=None)
@given(number=valid_id_numbers())
def test_generated_id_numbers_pass(number: str) -> None:
    assert check_resident_id(number, today=TODAY).valid


@settings(max_examples=300, deadline=None)
@given(number=valid_id_numbers(), data=st.data())
def test_any_single_substitution_in_an_id_number_fails(number: str, data: Any) -> None:
    position = data.draw(st.integers(min_value=0, max_value=17))
    replacement = data.draw(st.sampled_from([c for c in "0123456789X" if c != number[position]]))
    changed = number[:position] + replacement + number[position + 1 :]
    assert check_resident_id(changed, today=TODAY).failed_rule in {IdNumberRule.CHECKSUM, IdNumberRule.FORMAT}


@settings(max_examples=300, deadline=None)
@given(number=valid_id_numbers(), position=st.integers(min_value=0, max_value=16))
def test_any_adjacent_transposition_in_an_id_number_fails(number: str, position: int) -> None:
    swapped = number[:position] + number[position + 1] + number[position] + number[position + 2 :]
    if swapped != number:  # transposing two equal characters changes nothing
        assert check_resident_id(swapped, today=TODAY).failed_rule in {IdNumberRule.CHECKSUM, IdNumberRule.FORMAT}


@settings(max_examples=300, deadline=None)
@given(code=valid_usccs())
def test_generated_usccs_pass(code: str) -> None:
    assert check_uscc(code).valid


@settings(max_examples=300, deadline=None)
@given(code=valid_usccs(), data=st.data())
def test_any_single_substitution_in_a_uscc_fails(code: str, data: Any) -> None:
    position = data.draw(st.integers(min_value=0, max_value=17))
    replacement = data.draw(st.sampled_from([c for c in USCC_CHARSET if c != code[position]]))
    changed = code[:position] + replacement + code[position + 1 :]
    assert check_uscc(changed).failed_rule is UsccRule.CHECKSUM


@settings(max_examples=300, deadline=None)
@given(code=valid_usccs(), position=st.integers(min_value=0, max_value=16))
def test_any_adjacent_transposition_in_a_uscc_fails(code: str, position: int) -> None:
    swapped = code[:position] + code[position + 1] + code[position] + code[position + 2 :]
    if swapped != code:
        assert check_uscc(swapped).failed_rule is UsccRule.CHECKSUM


# --- address codes the division table cannot know ---------------------------------------

_KNOWN_CODES = frozenset(regions.divisions())


@st.composite
def unknown_county_codes(draw: Any) -> str:
    """A county-shaped code under a real province that the table does not list
    (e.g. one retired before the table's coverage begins)."""
    province = draw(st.sampled_from(sorted(regions.province_prefixes())))
    city = draw(st.integers(min_value=1, max_value=99))
    county = draw(st.integers(min_value=1, max_value=99))
    code = f"{province}{city:02d}{county:02d}"
    assume(code not in _KNOWN_CODES)
    return code


def test_the_table_coverage_begins_in_1980() -> None:
    assert regions.coverage_first_year() == 1980


def test_a_code_retired_before_the_table_begins_is_accepted_for_people_born_before_it() -> None:
    # Given 320130, a Nanjing county code the table does not list
    assert regions.division("320130") is None
    # Then someone born in 1965 may carry it (their number was issued before the table's coverage)
    assert check_resident_id(id_number("320130", "19650412"), today=TODAY).valid
    # But someone born in 1990 may not: the table covers every code in use since 1980
    later = check_resident_id(id_number("320130", "19900412"), today=TODAY)
    assert later.failed_rule is IdNumberRule.ADDRESS_CODE
    # And an unknown province, or a city-level code, is refused whatever the year
    assert check_resident_id(id_number("960130", "19650412"), today=TODAY).failed_rule is IdNumberRule.ADDRESS_CODE
    assert check_resident_id(id_number("320100", "19650412"), today=TODAY).failed_rule is IdNumberRule.ADDRESS_CODE


@settings(max_examples=200, deadline=None)
@given(
    code=unknown_county_codes(),
    birth=st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(1979, 12, 31)),
    sequence=st.integers(min_value=0, max_value=999),
)
def test_unknown_county_codes_before_the_coverage_are_never_refused(code: str, birth: dt.date, sequence: int) -> None:
    assert check_resident_id(id_number(code, birth.strftime("%Y%m%d"), f"{sequence:03d}"), today=TODAY).valid


@settings(max_examples=200, deadline=None)
@given(code=unknown_county_codes(), birth=st.dates(min_value=dt.date(1980, 1, 1), max_value=TODAY))
def test_unknown_county_codes_within_the_coverage_are_refused(code: str, birth: dt.date) -> None:
    result = check_resident_id(id_number(code, birth.strftime("%Y%m%d")), today=TODAY)
    assert result.failed_rule is IdNumberRule.ADDRESS_CODE
