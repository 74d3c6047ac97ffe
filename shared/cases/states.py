"""The case state machine (办件状态机): one explicit table of allowed transitions.

Every change of state goes through `next_state(state, action)`; anything not
in `TRANSITIONS` is refused with 409 `case.transition_not_allowed`. The review
issue adds its states (under review, suspended, decided, ...) by adding rows
here; nothing else in the context hard-codes which state follows which.

| from                  | action               | to                   | who                          |
|-----------------------|----------------------|----------------------|------------------------------|
| draft                 | submit 申报           | submitted            | applicant (or hall staff)    |
| draft                 | withdraw 撤回         | withdrawn            | applicant                    |
| submitted             | pass_pre_review 预审通过 | pre_review_passed  | system (pre-review worker)   |
| submitted             | require_supplement 补正告知 | supplement_required | system or department staff |
| submitted             | deem_accepted 视为受理 | accepted             | system (Art. 32 sweep)       |
| submitted             | withdraw             | withdrawn            | applicant                    |
| supplement_required   | supplement 补正提交    | submitted            | applicant (or hall staff)    |
| supplement_required   | withdraw             | withdrawn            | applicant                    |
| pre_review_passed     | accept 受理           | accepted             | department staff, or system for 即办件 |
| pre_review_passed     | deem_accepted        | accepted             | system (Art. 32 sweep)       |
| pre_review_passed     | refuse 不予受理        | refused_at_intake    | department staff             |
| pre_review_passed     | require_supplement   | supplement_required  | department staff             |
| pre_review_passed     | withdraw             | withdrawn            | applicant                    |
| accepted              | withdraw             | withdrawn            | applicant (before a decision) |
"""

from __future__ import annotations

from enum import StrEnum


class CaseState(StrEnum):
    DRAFT = "draft"  # 草稿
    SUBMITTED = "submitted"  # 已申报（待预审）
    PRE_REVIEW_PASSED = "pre_review_passed"  # 预审通过（待受理）
    SUPPLEMENT_REQUIRED = "supplement_required"  # 待补正
    ACCEPTED = "accepted"  # 已受理
    REFUSED_AT_INTAKE = "refused_at_intake"  # 不予受理
    WITHDRAWN = "withdrawn"  # 已撤回


class CaseAction(StrEnum):
    CREATE = "create"  # 创建草稿 (the first timeline entry; not a transition)
    SUBMIT = "submit"  # 申报
    PASS_PRE_REVIEW = "pass_pre_review"  # noqa: S105 (an action name) 预审通过
    REQUIRE_SUPPLEMENT = "require_supplement"  # 一次性告知补正
    SUPPLEMENT = "supplement"  # 补正后重新提交
    ACCEPT = "accept"  # 受理
    DEEM_ACCEPTED = "deem_accepted"  # 视为受理 (行政许可法 第32条)
    REFUSE = "refuse"  # 不予受理
    WITHDRAW = "withdraw"  # 撤回申请


STATE_NAMES: dict[CaseState, str] = {
    CaseState.DRAFT: "草稿",
    CaseState.SUBMITTED: "已申报",
    CaseState.PRE_REVIEW_PASSED: "预审通过",
    CaseState.SUPPLEMENT_REQUIRED: "待补正",
    CaseState.ACCEPTED: "已受理",
    CaseState.REFUSED_AT_INTAKE: "不予受理",
    CaseState.WITHDRAWN: "已撤回",
}

ACTION_NAMES: dict[CaseAction, str] = {
    CaseAction.CREATE: "创建草稿",
    CaseAction.SUBMIT: "申报",
    CaseAction.PASS_PRE_REVIEW: "预审通过",
    CaseAction.REQUIRE_SUPPLEMENT: "一次性告知补正",
    CaseAction.SUPPLEMENT: "补正提交",
    CaseAction.ACCEPT: "受理",
    CaseAction.DEEM_ACCEPTED: "视为受理",
    CaseAction.REFUSE: "不予受理",
    CaseAction.WITHDRAW: "撤回申请",
}

TRANSITIONS: dict[tuple[CaseState, CaseAction], CaseState] = {
    (CaseState.DRAFT, CaseAction.SUBMIT): CaseState.SUBMITTED,
    (CaseState.DRAFT, CaseAction.WITHDRAW): CaseState.WITHDRAWN,
    (CaseState.SUBMITTED, CaseAction.PASS_PRE_REVIEW): CaseState.PRE_REVIEW_PASSED,
    (CaseState.SUBMITTED, CaseAction.REQUIRE_SUPPLEMENT): CaseState.SUPPLEMENT_REQUIRED,
    (CaseState.SUBMITTED, CaseAction.DEEM_ACCEPTED): CaseState.ACCEPTED,
    (CaseState.SUBMITTED, CaseAction.WITHDRAW): CaseState.WITHDRAWN,
    (CaseState.SUPPLEMENT_REQUIRED, CaseAction.SUPPLEMENT): CaseState.SUBMITTED,
    (CaseState.SUPPLEMENT_REQUIRED, CaseAction.WITHDRAW): CaseState.WITHDRAWN,
    (CaseState.PRE_REVIEW_PASSED, CaseAction.ACCEPT): CaseState.ACCEPTED,
    (CaseState.PRE_REVIEW_PASSED, CaseAction.DEEM_ACCEPTED): CaseState.ACCEPTED,
    (CaseState.PRE_REVIEW_PASSED, CaseAction.REFUSE): CaseState.REFUSED_AT_INTAKE,
    (CaseState.PRE_REVIEW_PASSED, CaseAction.REQUIRE_SUPPLEMENT): CaseState.SUPPLEMENT_REQUIRED,
    (CaseState.PRE_REVIEW_PASSED, CaseAction.WITHDRAW): CaseState.WITHDRAWN,
    (CaseState.ACCEPTED, CaseAction.WITHDRAW): CaseState.WITHDRAWN,
}

EDITABLE_STATES = frozenset({CaseState.DRAFT, CaseState.SUPPLEMENT_REQUIRED})
"""States in which the applicant may change the form and the materials."""

AWAITING_INTAKE = frozenset({CaseState.SUBMITTED, CaseState.PRE_REVIEW_PASSED})
"""States in which the department's intake decision is pending: the case sits in
the department's work queue and the Art. 32 clock runs."""


class TransitionNotAllowed(Exception):
    def __init__(self, state: CaseState, action: CaseAction) -> None:
        super().__init__(f"{action.value} is not allowed from {state.value}")
        self.state = state
        self.action = action


def next_state(state: CaseState, action: CaseAction) -> CaseState:
    """The state `action` leads to from `state`; raises `TransitionNotAllowed` otherwise."""
    target = TRANSITIONS.get((state, action))
    if target is None:
        raise TransitionNotAllowed(state, action)
    return target


def allowed_actions(state: CaseState) -> list[CaseAction]:
    return [action for (source, action) in TRANSITIONS if source is state]
