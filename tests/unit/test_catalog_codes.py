"""The codes the catalogue stores: USCC (GB 32100), organisation code
(GB 11714), division codes (GB/T 2260), basic and implementation codes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.catalog.codes import (
    EXERCISE_LEVEL_OF_REGION,
    ExerciseLevel,
    ItemType,
    RegionLevel,
    is_valid_basic_code,
    is_valid_implementation_code,
    is_valid_uscc,
    make_government_uscc,
    make_implementation_code,
    parent_region,
    parse_basic_code,
    parse_implementation_code,
    region_level,
    region_scope,
)
from shared.codes.national import check_uscc, org_code_check_character, uscc_check_character


def _government_uscc(division: str, org_body: str) -> str:
    body = "11" + division + org_body + org_code_check_character(org_body)
    return body + uscc_check_character(body)


valid_usccs = st.builds(
    _government_uscc,
    st.from_regex(r"32[0-9]{4}", fullmatch=True),
    st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXY", min_size=8, max_size=8),
)
basic_codes = st.builds(
    lambda source, item_type, main, sub: source + item_type.value + main + sub,
    st.sampled_from(["00", "32", "11", "44"]),
    st.sampled_from(list(ItemType)),
    st.from_regex(r"[0-9]{5}", fullmatch=True),
    st.from_regex(r"[0-9]{3}", fullmatch=True),
)


class TestUnifiedSocialCreditCode:
    """The catalogue uses the one GB 32100 validator (shared.codes.national)."""

    def test_the_standards_example_is_valid(self) -> None:
        assert is_valid_uscc("91110000600037341L")

    @pytest.mark.parametrize(
        "code",
        [
            "91110000600037341M",  # wrong check character
            "9111000060003734IL",  # I is not in the charset
            "91AB0000600037341L",  # the division code must be digits
            # Right MOD 31 check character, but the embedded organisation code
            # 60003734 has check digit 1, not 2: the catalogue used to accept it
            "91110000600037342P",
            # Right check characters, but authority 9 (market regulation) never assigns type 5
            "951100006000373418",
        ],
    )
    def test_codes_the_national_validator_refuses_are_refused(self, code: str) -> None:
        assert not is_valid_uscc(code)
        assert not check_uscc(code).valid


class TestOrganisationCode:
    def test_government_uscc_is_valid_and_typed_as_an_organ(self) -> None:
        code = make_government_uscc("320102", "01010201")
        assert is_valid_uscc(code)
        assert code.startswith("11320102")
        assert code[16] == org_code_check_character(code[8:16])


class TestDivisionCodes:
    @pytest.mark.parametrize(
        ("code", "level", "parent", "scope"),
        [
            ("320000", RegionLevel.PROVINCE, None, "32"),
            ("320100", RegionLevel.CITY, "320000", "3201"),
            ("320102", RegionLevel.COUNTY, "320100", "320102"),
            ("320581", RegionLevel.COUNTY, "320500", "320581"),
            ("320115001", RegionLevel.TOWNSHIP, "320115", "320115001"),
            ("320115001201", RegionLevel.VILLAGE, "320115001", "320115001201"),
        ],
    )
    def test_level_parent_and_scope_follow_the_code(
        self, code: str, level: RegionLevel, parent: str | None, scope: str
    ) -> None:
        assert region_level(code) is level
        assert parent_region(code) == parent
        assert region_scope(code) == scope

    def test_townships_and_villages_have_their_exercise_levels(self) -> None:
        assert EXERCISE_LEVEL_OF_REGION[region_level("320115001")] is ExerciseLevel.TOWNSHIP
        assert EXERCISE_LEVEL_OF_REGION[region_level("320115001201")] is ExerciseLevel.VILLAGE

    @pytest.mark.parametrize(
        "code", ["32010", "3201000", "020100", "abcdef", "3201150010", "320115000", "320115001000", "3201150012011"]
    )
    def test_malformed_division_codes_raise(self, code: str) -> None:
        with pytest.raises(ValueError, match="division code"):
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

    @given(valid_usccs, st.sampled_from(list(ExerciseLevel)), basic_codes)
    def test_implementation_codes_round_trip(self, uscc: str, level: ExerciseLevel, basic: str) -> None:
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


def test_the_code_layout_is_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    from shared.catalog.codes import CodingLayout, configured_layout, parse_basic_code, parse_implementation_code
    from shared.catalog.config import catalog_coding_settings
    from shared.platform.config import ConfigurationError, reset_settings

    # the brief's layout is the default; a deployment with longer main and sub parts and no suffix
    assert configured_layout() == CodingLayout(2, 2, 5, 3, 2)
    monkeypatch.setenv("CATALOG_CODE_LAYOUT", "2,2,6,4")
    monkeypatch.setenv("CATALOG_BUSINESS_SUFFIX_DIGITS", "0")
    reset_settings()
    wider = configured_layout()
    assert (wider.basic_length, wider.business_suffix) == (14, 0)
    basic = parse_basic_code("00011700400001", wider)
    assert (basic.main_item, basic.sub_item) == ("170040", "0001")
    with pytest.raises(ValueError, match="14 digits"):
        parse_basic_code("000117004000", wider)
    uscc = make_government_uscc("320115", "01011504")
    assert parse_implementation_code(f"{uscc}400011700400001", wider).business_suffix is None
    with pytest.raises(ValueError, match="level digit"):
        parse_implementation_code(f"{uscc}40001170040000101", wider)  # no suffix in this layout
    for wrong in ("2,2,5", "3,2,5,3", "2,2,0,3", "a,b,c,d"):
        monkeypatch.setenv("CATALOG_CODE_LAYOUT", wrong)
        reset_settings()
        with pytest.raises(ConfigurationError, match="CATALOG_CODE_LAYOUT"):
            catalog_coding_settings()
    monkeypatch.delenv("CATALOG_CODE_LAYOUT")
    monkeypatch.delenv("CATALOG_BUSINESS_SUFFIX_DIGITS")
    reset_settings()


def test_the_cases_api_takes_item_codes_in_the_configured_layout() -> None:
    """Drafting a case (`POST /v1/cases`, hall intake) validates `item_code` with the
    catalogue's pattern for the configured layout, not a copy of the default one.
    In a fresh process: the pattern is read once, at import (a cold start)."""
    import os
    import subprocess
    import sys

    uscc = make_government_uscc("320115", "01011504")
    script = (
        "from shared.cases.shapes import HallIntakeRequest, NewCase\n"
        "from pydantic import ValidationError\n"
        f"NewCase(item_code='{uscc}4000117004000101')\n"  # 13-digit basic code + suffix
        f"HallIntakeRequest.model_validate({{'item_code': '{uscc}40001170040001', 'applicant': "
        "{'id_number': '320102199001011234', 'name': '张三'}})\n"
        "try:\n"
        f"    NewCase(item_code='{uscc}400011700400001')\n"  # the default 12-digit layout: refused
        "except ValidationError:\n"
        "    print('refused')\n"
    )
    env = {**os.environ, "CATALOG_CODE_LAYOUT": "2,2,6,3"}
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "refused"
