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
| accepted              | start_review 开始审查  | in_review            | department staff             |
| accepted, in_review   | suspend 中止计时 (Art. 45) | suspended        | department staff             |
| suspended             | resume 恢复计时        | in_review            | department staff             |
| accepted, in_review, suspended | request_extension 申请延期 | (unchanged) | lead department staff      |
| accepted, in_review, suspended | extend 延长期限 (Art. 42) | (unchanged) | supervisor (approves the request) |
| accepted, in_review, suspended | reject_extension 不批准延期 | (unchanged) | supervisor                  |
| accepted, in_review   | approve 准予许可       | approved             | lead department staff, all tasks done |
| accepted, in_review   | deny 不予许可          | denied               | department staff (joint: lead) |
| in_review, suspended  | withdraw             | withdrawn            | applicant (before a decision) |
| approved, denied      | complete 办结          | completed            | department staff             |
| accepted, in_review, suspended | joint_opinion 并联审批意见 | (unchanged) | co-department staff (its own task) |
| draft, supplement_required | reuse_material 复用材料 | (unchanged) | applicant in person (consent) |
| submitted, supplement_required, pre_review_passed | record_payment 缴费到账 | (unchanged) | system (fee paid) |
| approved              | await_payment 待缴费   | awaiting_payment     | system, with the approval      |
| approved, awaiting_payment | await_licence 待制证 | awaiting_licence   | system (approval, or payment done) |
| approved, awaiting_payment, awaiting_licence | await_delivery 待送达 | awaiting_delivery | system |
| awaiting_payment, awaiting_licence, awaiting_delivery | complete | completed | system: the last step was done |

After approval the case walks through the steps its item and delivery choice
need (`Case.pending_steps`: payment → licence → delivery), each started in the
same transaction as the step before it ended; with no steps left staff
complete it (办结) as before. The steps' own work belongs to the payments,
licences and delivery contexts; their events come back through the
case-progress worker.
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
    IN_REVIEW = "in_review"  # 审查中
    SUSPENDED = "suspended"  # 中止计时（特别程序）
    APPROVED = "approved"  # 准予许可
    DENIED = "denied"  # 不予许可
    AWAITING_PAYMENT = "awaiting_payment"  # 待缴费
    AWAITING_LICENCE = "awaiting_licence"  # 待制证
    AWAITING_DELIVERY = "awaiting_delivery"  # 待送达
    COMPLETED = "completed"  # 已办结


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
    START_REVIEW = "start_review"  # 开始审查
    SUSPEND = "suspend"  # 中止计时 (第45条)
    RESUME = "resume"  # 恢复计时
    EXTEND = "extend"  # 延长期限 (第42条)
    REQUEST_EXTENSION = "request_extension"  # 申请延长期限 (待监督人员批准)
    REJECT_EXTENSION = "reject_extension"  # 不批准延长期限
    APPROVE = "approve"  # 准予许可
    DENY = "deny"  # 不予许可
    COMPLETE = "complete"  # 办结
    JOINT_OPINION = "joint_opinion"  # 并联审批部门意见
    REUSE_MATERIAL = "reuse_material"  # 复用已受理材料 (the applicant's consent, on the timeline)
    RECORD_PAYMENT = "record_payment"  # 受理前收费到账
    AWAIT_PAYMENT = "await_payment"  # 待缴费
    AWAIT_LICENCE = "await_licence"  # 待制证
    AWAIT_DELIVERY = "await_delivery"  # 待送达
    PAPER_ARRIVED = "paper_arrived"  # 纸质材料寄达部门 (a courier pickup, e.g. a hall's originals, D-275)


STATE_NAMES: dict[CaseState, str] = {
    CaseState.DRAFT: "草稿",
    CaseState.SUBMITTED: "已申报",
    CaseState.PRE_REVIEW_PASSED: "预审通过",
    CaseState.SUPPLEMENT_REQUIRED: "待补正",
    CaseState.ACCEPTED: "已受理",
    CaseState.REFUSED_AT_INTAKE: "不予受理",
    CaseState.WITHDRAWN: "已撤回",
    CaseState.IN_REVIEW: "审查中",
    CaseState.SUSPENDED: "中止计时",
    CaseState.APPROVED: "准予许可",
    CaseState.DENIED: "不予许可",
    CaseState.AWAITING_PAYMENT: "待缴费",
    CaseState.AWAITING_LICENCE: "待制证",
    CaseState.AWAITING_DELIVERY: "待送达",
    CaseState.COMPLETED: "已办结",
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
    CaseAction.START_REVIEW: "开始审查",
    CaseAction.SUSPEND: "中止计时",
    CaseAction.RESUME: "恢复计时",
    CaseAction.EXTEND: "延长期限",
    CaseAction.REQUEST_EXTENSION: "申请延长期限",
    CaseAction.REJECT_EXTENSION: "不批准延长期限",
    CaseAction.APPROVE: "准予许可",
    CaseAction.DENY: "不予许可",
    CaseAction.COMPLETE: "办结",
    CaseAction.JOINT_OPINION: "并联审批意见",
    CaseAction.REUSE_MATERIAL: "复用已受理材料",
    CaseAction.RECORD_PAYMENT: "缴费到账",
    CaseAction.AWAIT_PAYMENT: "待缴费",
    CaseAction.AWAIT_LICENCE: "待制证",
    CaseAction.AWAIT_DELIVERY: "待送达",
    CaseAction.PAPER_ARRIVED: "纸质材料寄达",
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
    (CaseState.ACCEPTED, CaseAction.START_REVIEW): CaseState.IN_REVIEW,
    (CaseState.ACCEPTED, CaseAction.SUSPEND): CaseState.SUSPENDED,
    (CaseState.ACCEPTED, CaseAction.EXTEND): CaseState.ACCEPTED,
    (CaseState.ACCEPTED, CaseAction.APPROVE): CaseState.APPROVED,
    (CaseState.ACCEPTED, CaseAction.DENY): CaseState.DENIED,
    (CaseState.IN_REVIEW, CaseAction.SUSPEND): CaseState.SUSPENDED,
    (CaseState.IN_REVIEW, CaseAction.EXTEND): CaseState.IN_REVIEW,
    (CaseState.IN_REVIEW, CaseAction.APPROVE): CaseState.APPROVED,
    (CaseState.IN_REVIEW, CaseAction.DENY): CaseState.DENIED,
    (CaseState.IN_REVIEW, CaseAction.WITHDRAW): CaseState.WITHDRAWN,
    (CaseState.SUSPENDED, CaseAction.RESUME): CaseState.IN_REVIEW,
    (CaseState.SUSPENDED, CaseAction.EXTEND): CaseState.SUSPENDED,
    (CaseState.SUSPENDED, CaseAction.WITHDRAW): CaseState.WITHDRAWN,
    (CaseState.APPROVED, CaseAction.COMPLETE): CaseState.COMPLETED,
    (CaseState.DENIED, CaseAction.COMPLETE): CaseState.COMPLETED,
    (CaseState.DRAFT, CaseAction.REUSE_MATERIAL): CaseState.DRAFT,
    (CaseState.SUPPLEMENT_REQUIRED, CaseAction.REUSE_MATERIAL): CaseState.SUPPLEMENT_REQUIRED,
    (CaseState.ACCEPTED, CaseAction.JOINT_OPINION): CaseState.ACCEPTED,
    (CaseState.IN_REVIEW, CaseAction.JOINT_OPINION): CaseState.IN_REVIEW,
    (CaseState.SUSPENDED, CaseAction.JOINT_OPINION): CaseState.SUSPENDED,
    (CaseState.ACCEPTED, CaseAction.REQUEST_EXTENSION): CaseState.ACCEPTED,
    (CaseState.IN_REVIEW, CaseAction.REQUEST_EXTENSION): CaseState.IN_REVIEW,
    (CaseState.SUSPENDED, CaseAction.REQUEST_EXTENSION): CaseState.SUSPENDED,
    (CaseState.ACCEPTED, CaseAction.REJECT_EXTENSION): CaseState.ACCEPTED,
    (CaseState.IN_REVIEW, CaseAction.REJECT_EXTENSION): CaseState.IN_REVIEW,
    (CaseState.SUSPENDED, CaseAction.REJECT_EXTENSION): CaseState.SUSPENDED,
    (CaseState.SUBMITTED, CaseAction.RECORD_PAYMENT): CaseState.SUBMITTED,
    (CaseState.SUPPLEMENT_REQUIRED, CaseAction.RECORD_PAYMENT): CaseState.SUPPLEMENT_REQUIRED,
    (CaseState.PRE_REVIEW_PASSED, CaseAction.RECORD_PAYMENT): CaseState.PRE_REVIEW_PASSED,
    (CaseState.APPROVED, CaseAction.AWAIT_PAYMENT): CaseState.AWAITING_PAYMENT,
    (CaseState.APPROVED, CaseAction.AWAIT_LICENCE): CaseState.AWAITING_LICENCE,
    (CaseState.AWAITING_PAYMENT, CaseAction.AWAIT_LICENCE): CaseState.AWAITING_LICENCE,
    (CaseState.APPROVED, CaseAction.AWAIT_DELIVERY): CaseState.AWAITING_DELIVERY,
    (CaseState.AWAITING_PAYMENT, CaseAction.AWAIT_DELIVERY): CaseState.AWAITING_DELIVERY,
    (CaseState.AWAITING_LICENCE, CaseAction.AWAIT_DELIVERY): CaseState.AWAITING_DELIVERY,
    (CaseState.AWAITING_PAYMENT, CaseAction.COMPLETE): CaseState.COMPLETED,
    (CaseState.AWAITING_LICENCE, CaseAction.COMPLETE): CaseState.COMPLETED,
    (CaseState.AWAITING_DELIVERY, CaseAction.COMPLETE): CaseState.COMPLETED,
    # paper reaching the department is recorded while the case still takes materials; it moves nothing
    **{
        (state, CaseAction.PAPER_ARRIVED): state
        for state in (
            CaseState.DRAFT,
            CaseState.SUBMITTED,
            CaseState.PRE_REVIEW_PASSED,
            CaseState.SUPPLEMENT_REQUIRED,
            CaseState.ACCEPTED,
            CaseState.IN_REVIEW,
            CaseState.SUSPENDED,
        )
    },
}

FULFILMENT_STATES = frozenset({CaseState.AWAITING_PAYMENT, CaseState.AWAITING_LICENCE, CaseState.AWAITING_DELIVERY})
"""Approved, and waiting for a payment, a licence or a delivery before 办结."""

CLOCK_RUNNING = frozenset({CaseState.ACCEPTED, CaseState.IN_REVIEW})
"""States in which the legal clock counts (and the supervision sweep watches the case)."""

LICENCE_CLOCK = frozenset({CaseState.AWAITING_PAYMENT, CaseState.AWAITING_LICENCE})
"""States in which the Art. 44 licence clock counts (from the decision until `licence.issued`)."""

UNDER_REVIEW = frozenset({CaseState.ACCEPTED, CaseState.IN_REVIEW, CaseState.SUSPENDED})
"""Accepted and not yet decided: the department's review work."""

EDITABLE_STATES = frozenset({CaseState.DRAFT, CaseState.SUPPLEMENT_REQUIRED})
"""States in which the applicant may change the form and the materials."""

RENEWAL_HELD = frozenset(CaseState) - {
    CaseState.DRAFT,
    CaseState.WITHDRAWN,
    CaseState.REFUSED_AT_INTAKE,
    CaseState.DENIED,
    CaseState.COMPLETED,
}
"""States in which a renewal case holds its licence (submitted, undecided, or approved
until the renewed licence replaces the old one): one renewal per licence at a time."""

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
