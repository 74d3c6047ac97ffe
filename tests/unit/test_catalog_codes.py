"""The codes the catalogue stores: USCC (GB 32100), organisation code
(GB 11714), division codes (GB/T 2260), basic and implementation codes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.catalog.codes import (
    USCC_CHARSET,
    ExerciseLevel,
    ItemType,
    RegionLevel,
    is_valid_basic_code,
    is_valid_implementation_code,
    is_valid_uscc,
    make_government_uscc,
    make_implementation_code,
    organization_code_check_char,
    parent_region,
    parse_basic_code,
    parse_implementation_code,
    region_level,
    region_scope,
    uscc_check_char,
)

uscc_bodies = st.builds(
    lambda authority, kind, division, rest: authority + kind + division + rest,
    st.sampled_from("123456789AGJNQY"),
    st.sampled_from(USCC_CHARSET),
    st.from_regex(r"[1-8][0-9]{5}", fullmatch=True),
    st.text(alphabet=USCC_CHARSET, min_size=9, max_size=9),
)
basic_codes = st.builds(
    lambda source, item_type, main, sub: source + item_type.value + main + sub,
    st.sampled_from(["00", "32", "11", "44"]),
    st.sampled_from(list(ItemType)),
    st.from_regex(r"[0-9]{5}", fullmatch=True),
    st.from_regex(r"[0-9]{3}", fullmatch=True),
)


class TestUnifiedSocialCreditCode:
    def test_the_standards_example_is_valid(self) -> None:
        assert is_valid_uscc("91110000600037341L")

    def test_a_wrong_check_character_is_refused(self) -> None:
        assert not is_valid_uscc("91110000600037341M")

    @pytest.mark.parametrize(
        "code",
        [
            "",
            "91110000600037341",  # 17 characters
            "91110000600037341LL",  # 19 characters
            "9111000060003734IL",  # I is not in the charset
            "0111000060003734L1",  # no registration authority 0
            "91AB0000600037341L",  # the division code must be digits
        ],
    )
    def test_malformed_codes_are_refused(self, code: str) -> None:
        assert not is_valid_uscc(code)

    @given(uscc_bodies)
    def test_the_computed_check_character_always_validates(self, body: str) -> None:
        assert is_valid_uscc(body + uscc_check_char(body))

    @given(uscc_bodies, st.sampled_from(USCC_CHARSET))
    def test_any_other_check_character_is_refused(self, body: str, other: str) -> None:
        right = uscc_check_char(body)
        assert is_valid_uscc(body + other) == (other == right)

    @given(uscc_bodies, st.integers(min_value=0, max_value=16), st.sampled_from(USCC_CHARSET))
    def test_a_single_changed_character_is_detected(self, body: str, position: int, replacement: str) -> None:
        code = body + uscc_check_char(body)
        changed = code[:position] + replacement + code[position + 1 :]
        if changed != code:
            assert not is_valid_uscc(changed)

    def test_letter_registration_authorities_are_accepted(self) -> None:
        body = "N2320102MA1XYW123"
        assert is_valid_uscc(body + uscc_check_char(body))


class TestOrganisationCode:
    def test_the_check_digit_of_the_standards_example(self) -> None:
        # positions 9-17 of 91110000600037341L are the organisation code 600037341
        assert organization_code_check_char("60003734") == "1"

    @pytest.mark.parametrize(("body", "check"), [("D2143569", "X"), ("00000000", "0")])
    def test_ten_becomes_x_and_eleven_becomes_zero(self, body: str, check: str) -> None:
        assert organization_code_check_char(body) == check

    def test_government_uscc_is_valid_and_typed_as_an_organ(self) -> None:
        code = make_government_uscc("320102", "01010201")
        assert is_valid_uscc(code)
        assert code.startswith("11320102")
        assert code[16] == organization_code_check_char(code[8:16])


class TestDivisionCodes:
    @pytest.mark.parametrize(
        ("code", "level", "parent", "scope"),
        [
            ("320000", RegionLevel.PROVINCE, None, "32"),
            ("320100", RegionLevel.CITY, "320000", "3201"),
            ("320102", RegionLevel.COUNTY, "320100", "320102"),
            ("320581", RegionLevel.COUNTY, "320500", "320581"),
        ],
    )
    def test_level_parent_and_scope_follow_the_code(
        self, code: str, level: RegionLevel, parent: str | None, scope: str
    ) -> None:
        assert region_level(code) is level
        assert parent_region(code) == parent
        assert region_scope(code) == scope

    @pytest.mark.parametrize("code", ["32010", "3201000", "020100", "abcdef"])
    def test_malformed_division_codes_raise(self, code: str) -> None:
        with pytest.raises(ValueError, match="GB/T 2260"):
            region_level(code)


class TestItemCodes:
    def test_a_basic_code_splits_into_its_four_parts(self) -> None:
        basic = parse_basic_code("000117004000")
        assert (basic.source, basic.item_type, basic.main_item, basic.sub_item) == (
            "00",
            ItemType.LICENSING,
            "17004",
            "000",
        )

    @pytest.mark.parametrize("code", ["00011700400", "001117004000", "990117004000", "00011700400A"])
    def test_bad_basic_codes_are_refused(self, code: str) -> None:
        # too short, unknown type 11, unknown source 99, a letter
        assert not is_valid_basic_code(code)

    @given(uscc_bodies, st.sampled_from(list(ExerciseLevel)), basic_codes)
    def test_implementation_codes_round_trip(self, body: str, level: ExerciseLevel, basic: str) -> None:
        uscc = body + uscc_check_char(body)
        code = make_implementation_code(uscc, level, basic)
        assert len(code) == 31
        parsed = parse_implementation_code(code)
        assert (parsed.uscc, parsed.exercise_level, str(parsed.basic_code)) == (uscc, level, basic)
        assert str(parsed) == code

    def test_a_two_digit_business_suffix_is_allowed(self) -> None:
        code = make_implementation_code("91110000600037341L", ExerciseLevel.CITY, "000117004000", "01")
        assert parse_implementation_code(code).business_suffix == "01"

    @pytest.mark.parametrize(
        "code",
        [
            "91110000600037341M3000117004000",  # USCC check character wrong
            "91110000600037341L7000117004000",  # no exercise level 7
            "91110000600037341L3001117004000",  # basic code with unknown type 11
            "91110000600037341L300011700400",  # one character short
        ],
    )
    def test_bad_implementation_codes_are_refused(self, code: str) -> None:
        assert not is_valid_implementation_code(code)
