"""Pure rules of the cases context: the transition table, the timeline's hash
chain, case numbers, per-field form checks and automatic pre-review."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.cases.formats import content_matches, format_of
from shared.cases.forms import form_errors
from shared.cases.models import (
    Applicant,
    AttachedMaterial,
    Case,
    DeliveryChoice,
    DeliveryMethod,
    ItemSnapshot,
    MaterialSlot,
)
from shared.cases.numbers import CASE_NUMBER_PATTERN, COUNTER_SHARDS, counter_key, format_case_number
from shared.cases.pre_review import deficiencies
from shared.cases.states import TRANSITIONS, CaseAction, CaseState, TransitionNotAllowed, allowed_actions, next_state
from shared.cases.timeline import GENESIS_HASH, next_entry, verify

MOMENT = dt.datetime(2026, 9, 21, 2, 0, tzinfo=dt.UTC)
SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "properties": {
        "applicant_name": {"type": "string", "title": "申请人姓名", "minLength": 1},
        "household_size": {"type": "integer", "title": "家庭人口", "minimum": 1, "maximum": 20},
        "phone": {"type": "string", "title": "联系电话", "pattern": "^1[3-9][0-9]{9}$"},
    },
    "required": ["applicant_name", "household_size"],
    "additionalProperties": False,
}


class TestTransitionTable:
    def test_closed_states_are_terminal_and_an_accepted_case_may_still_be_withdrawn(self) -> None:
        assert allowed_actions(CaseState.REFUSED_AT_INTAKE) == []
        assert allowed_actions(CaseState.WITHDRAWN) == []
        assert allowed_actions(CaseState.COMPLETED) == []
        assert CaseAction.WITHDRAW in allowed_actions(CaseState.ACCEPTED)

    def test_only_the_table_decides(self) -> None:
        for state in CaseState:
            for action in CaseAction:
                if (state, action) in TRANSITIONS:
                    assert next_state(state, action) is TRANSITIONS[(state, action)]
                else:
                    with pytest.raises(TransitionNotAllowed):
                        next_state(state, action)

    def test_a_submission_can_only_come_from_a_draft_and_a_resubmission_from_a_notice(self) -> None:
        assert [s for (s, a) in TRANSITIONS if a is CaseAction.SUBMIT] == [CaseState.DRAFT]
        assert [s for (s, a) in TRANSITIONS if a is CaseAction.SUPPLEMENT] == [CaseState.SUPPLEMENT_REQUIRED]

    def test_art32_deems_acceptance_only_while_the_intake_decision_is_pending(self) -> None:
        sources = {s for (s, a) in TRANSITIONS if a is CaseAction.DEEM_ACCEPTED}
        assert sources == {CaseState.SUBMITTED, CaseState.PRE_REVIEW_PASSED}


def _chain(length: int) -> list[Any]:
    entries = []
    previous_hash, state = "", None
    for seq in range(length):
        target = list(CaseState)[seq % len(CaseState)]
        entry = next_entry(
            "CASE1",
            previous_length=seq,
            previous_hash=previous_hash,
            at=MOMENT + dt.timedelta(minutes=seq),
            action=CaseAction.SUBMIT,
            from_state=state,
            to_state=target,
            actor_role="citizen",
            actor="citizen:01JD****XA1",
            reason=None if seq % 2 else f"理由{seq}",
        )
        entries.append(entry)
        previous_hash, state = entry.hash, target
    return entries


class TestTimeline:
    def test_an_untouched_chain_verifies(self) -> None:
        entries = _chain(5)
        result = verify("CASE1", entries, entries[-1].hash)
        assert result.valid
        assert result.broken_at is None
        assert entries[0].prev_hash == GENESIS_HASH

    @given(st.integers(min_value=0, max_value=5), st.sampled_from(["reason", "actor", "to_state", "at"]))
    def test_changing_any_field_of_any_entry_breaks_the_chain_there(self, index: int, field: str) -> None:
        entries = _chain(6)
        changed = {
            "reason": "篡改",
            "actor": "citizen:someone else",
            "to_state": CaseState.ACCEPTED if entries[index].to_state is not CaseState.ACCEPTED else CaseState.DRAFT,
            "at": entries[index].at + dt.timedelta(seconds=1),
        }[field]
        entries[index] = entries[index].model_copy(update={field: changed})
        result = verify("CASE1", entries, entries[-1].hash)
        assert not result.valid
        assert result.broken_at == index + 1

    def test_removing_the_last_entry_is_caught_by_the_head(self) -> None:
        entries = _chain(4)
        result = verify("CASE1", entries[:-1], entries[-1].hash)
        assert not result.valid
        assert result.broken_at == 4

    def test_the_chain_is_bound_to_its_case(self) -> None:
        entries = _chain(3)
        assert not verify("CASE2", entries, entries[-1].hash).valid


class TestCaseNumbers:
    @given(
        st.sampled_from(["320102", "320100", "320500"]),
        st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2099, 12, 31)),
        st.integers(min_value=0, max_value=COUNTER_SHARDS - 1),
        st.integers(min_value=1, max_value=999_999),
    )
    def test_numbers_carry_region_date_shard_and_sequence(
        self, region: str, day: dt.date, shard: int, seq: int
    ) -> None:
        number = format_case_number(region, day, shard, seq)
        parsed = CASE_NUMBER_PATTERN.match(number)
        assert parsed is not None
        assert parsed["region"] == region
        assert parsed["day"] == day.strftime("%Y%m%d")
        assert (int(parsed["shard"]), int(parsed["seq"])) == (shard, seq)

    def test_township_and_village_cases_are_numbered_in_their_countys_series(self) -> None:
        day = dt.date(2026, 9, 21)
        for region in ("320115001", "320115001001"):
            number = format_case_number(region, day, 3, 42)
            parsed = CASE_NUMBER_PATTERN.match(number)
            assert parsed is not None
            assert parsed["region"] == "320115"
            assert counter_key(region, day, 3) == counter_key("320115", day, 3)

    def test_a_full_shard_refuses_rather_than_wrapping(self) -> None:
        with pytest.raises(ValueError, match="999,999"):
            format_case_number("320102", dt.date(2026, 9, 21), 0, 1_000_000)


class TestForms:
    def test_every_bad_field_is_reported_at_once(self) -> None:
        errors = form_errors(SCHEMA, {"household_size": 0, "phone": "123", "nickname": "x"}, partial=True)
        assert {(e.field, e.code) for e in errors} == {
            ("form.household_size", "case.form_invalid_value"),
            ("form.phone", "case.form_invalid_value"),
            ("form.nickname", "case.form_unknown_field"),
        }

    def test_a_draft_may_leave_required_fields_for_later_but_a_complete_check_names_them(self) -> None:
        assert form_errors(SCHEMA, {"applicant_name": "张伟"}, partial=True) == []
        missing = form_errors(SCHEMA, {"applicant_name": "张伟"}, partial=False)
        assert [(e.field, e.code) for e in missing] == [("form.household_size", "field.required")]

    def test_id_numbers_and_usccs_in_a_form_are_checked_with_the_national_validators(self) -> None:
        schema = {
            "type": "object",
            "properties": {
                "partner_id_number": {"type": "string", "format": "cn-resident-id"},
                "supplier_uscc": {"type": "string", "format": "cn-uscc"},
            },
        }
        valid = {"partner_id_number": "320106199207090461", "supplier_uscc": "91110000600037341L"}
        assert form_errors(schema, valid, partial=False) == []
        # each passes a regex: a wrong check character, 31 February, a wrong USCC check character
        for field, value in (
            ("partner_id_number", "320106199207090462"),
            ("partner_id_number", "320106199202310461"),
            ("supplier_uscc", "91110000600037341K"),
        ):
            errors = form_errors(schema, valid | {field: value}, partial=True)
            assert [(e.field, e.code) for e in errors] == [(f"form.{field}", "case.form_invalid_value")], value


class TestFormats:
    def test_content_types_map_to_the_slot_formats(self) -> None:
        assert format_of("application/pdf", ["pdf", "jpg"]) == "pdf"
        assert format_of("image/jpeg; charset=binary", ["pdf", "jpg"]) == "jpg"
        assert format_of("image/png", ["pdf", "jpg"]) is None

    def test_a_renamed_file_does_not_pass_for_a_pdf(self) -> None:
        assert content_matches("application/pdf", b"%PDF-1.7")
        assert not content_matches("application/pdf", b"\x89PNG\r\n\x1a\n")


def _case(**changes: Any) -> Case:
    slots = [
        MaterialSlot(slot_id="id_card", name="居民身份证", requirement="required", accepted_formats=["pdf", "jpg"]),
        MaterialSlot(
            slot_id="disability_certificate",
            name="残疾人证",
            requirement="conditional",
            condition="家庭成员有残疾的提交",
            accepted_formats=["pdf"],
            max_size_bytes=1000,
        ),
    ]
    base = Case(
        case_id="CASE1",
        case_number="3201022026092100000001",
        version=2,
        state=CaseState.SUBMITTED,
        applicant=Applicant(subject_id="S", kind="natural_person"),
        item=ItemSnapshot(
            implementation_code="X",
            name="最低生活保障金给付",
            version=1,
            department_id="320102-civil",
            department_name="南京市玄武区民政局",
            region_code="320102",
            region_name="玄武区",
            exercise_level=4,
            legal_limit_days=30,
            promised_limit_days=20,
            immediate=False,
            channel="visit_once",
            applicant_kinds=["natural_person"],
            materials=slots,
            form_schema=SCHEMA,
        ),
        form={"applicant_name": "张伟", "household_size": 3},
        delivery=DeliveryChoice(method=DeliveryMethod.ELECTRONIC),
        materials=[_material("id_card")],
        created_at=MOMENT,
        updated_at=MOMENT,
    )
    return base.model_copy(update=changes)


def _material(slot_id: str, *, fmt: str = "pdf", size: int = 100) -> AttachedMaterial:
    return AttachedMaterial(
        material_id=f"M-{slot_id}-{fmt}-{size}",
        slot_id=slot_id,
        file_name=f"{slot_id}.{fmt}",
        content_type="application/pdf",
        format=fmt,
        size_bytes=size,
        sha256="0" * 64,
        uploaded_at=MOMENT,
    )


class TestPreReview:
    def test_a_complete_case_passes(self) -> None:
        assert deficiencies(_case()) == []

    def test_everything_wrong_is_named_in_one_list(self) -> None:
        # Given a case missing its ID card, with a declared condition but no certificate,
        # an oversized file of a wrong format, a bad form and the wrong applicant kind
        case = _case(
            materials=[_material("disability_certificate", fmt="jpg", size=5000), _material("old_slot")],
            applicable_conditions=["disability_certificate"],
            form={"applicant_name": "张伟"},
            applicant=Applicant(subject_id="S", uscc="91320102MA1W8K3R68", kind="legal_person"),
        )
        # When pre-reviewed
        found = deficiencies(case)
        # Then one list names every problem (一次性告知)
        assert sorted((d.kind.value, d.target) for d in found) == [
            ("applicant_kind", "applicant"),
            ("form_field", "form.household_size"),
            ("material_format", "disability_certificate"),
            ("material_too_large", "disability_certificate"),
            ("missing_material", "id_card"),
            ("unexpected_material", "old_slot"),
        ]
        assert all(d.message for d in found)

    def test_a_conditional_slot_is_needed_only_when_its_condition_is_declared(self) -> None:
        assert deficiencies(_case()) == []
        found = deficiencies(_case(applicable_conditions=["disability_certificate"]))
        assert [(d.kind.value, d.target) for d in found] == [("missing_material", "disability_certificate")]
        assert "家庭成员有残疾的提交" in found[0].message
