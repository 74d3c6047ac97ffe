"""What a caller sees of a case: its summary, the required actions (待办事项) and
its detail as the principal asking may see it (a co-department sees only its
own joint task; the applicant is told of an extension only once approved).
Pure apart from the decision document's presigned link."""

from __future__ import annotations

from collections.abc import Sequence

from shared.cases import identity_form
from shared.cases.models import (
    Case,
    CaseDetail,
    CaseSummary,
    DeliveryView,
    LicenceClockView,
    RequiredAction,
    TimelineEntry,
)
from shared.cases.policy import task_of
from shared.cases.states import AWAITING_INTAKE, LICENCE_CLOCK, STATE_NAMES, CaseState
from shared.cases.storage import MaterialStore
from shared.platform.principal import APPLICANT_ROLES, Principal

DOCUMENT_LINK_TTL_S = 300


def summary_of(case: Case) -> CaseSummary:
    return CaseSummary(
        case_id=case.case_id,
        case_number=case.case_number,
        state=case.state,
        state_name=STATE_NAMES[case.state],
        item_code=case.item.implementation_code,
        item_name=case.item.name,
        department_id=case.item.department_id,
        department_name=case.item.department_name,
        region_code=case.item.region_code,
        created_at=case.created_at,
        updated_at=case.updated_at,
        received_at=case.received_at,
        intake_due_on=case.intake_due_on if case.state in AWAITING_INTAKE else None,
        deadlines=case.deadlines,
        intake_hall_id=case.taken_in_by.hall_id if case.taken_in_by else None,
    )


def required_actions(case: Case) -> list[RequiredAction]:
    """What must happen next, and by when (待办事项)."""
    due = case.intake_due_on
    match case.state:
        case CaseState.DRAFT:
            return [RequiredAction(who="applicant", action="submit", message="请填写申请表、上传材料后提交申报")]
        case CaseState.SUBMITTED:
            return [
                RequiredAction(who="system", action="pre_review", message="系统正在自动预审"),
                RequiredAction(who="department", action="decide_intake", message="部门作出受理决定", due_on=due),
            ]
        case CaseState.SUPPLEMENT_REQUIRED:
            count = len(case.notice.items) if case.notice else 0
            return [
                RequiredAction(
                    who="applicant",
                    action="supplement",
                    message=f"请按一次性告知书补正全部 {count} 项内容后重新提交",
                )
            ]
        case CaseState.PRE_REVIEW_PASSED:
            return [
                RequiredAction(
                    who="department",
                    action="decide_intake",
                    message="待部门受理；逾期未处理视为受理（行政许可法第三十二条）",
                    due_on=due,
                )
            ]
        case CaseState.ACCEPTED | CaseState.IN_REVIEW:
            promised = case.deadlines.promised_due_on if case.deadlines else None
            if case.renews is not None:  # Art. 50: decided before the licence expires
                promised = min(promised, case.renews.decide_by) if promised else case.renews.decide_by
            open_tasks = [t for t in case.joint_tasks if t.state == "open"]
            if open_tasks:
                return [
                    RequiredAction(
                        who="department",
                        action="joint_review",
                        message=f"并联审批中：{len(open_tasks)} 个协办部门办理中",
                        due_on=max(t.due_on for t in open_tasks),
                    )
                ]
            return [RequiredAction(who="department", action="review", message="部门审查办理中", due_on=promised)]
        case CaseState.SUSPENDED:
            current = case.deadlines.suspensions[-1] if case.deadlines and case.deadlines.suspensions else None
            message = "特别程序中，办理期限中止计时"
            if current is not None:
                message += f"：{current.reason}（预计 {current.expected_working_days} 个工作日）"
            return [RequiredAction(who="department", action="special_procedure", message=message)]
        case CaseState.APPROVED | CaseState.DENIED:
            return [RequiredAction(who="department", action="complete", message="已作出决定，待办结")]
        case CaseState.AWAITING_PAYMENT:
            fen = case.item.fee_total_fen
            return [
                RequiredAction(who="applicant", action="pay", message=f"请缴纳费用 {fen // 100}.{fen % 100:02d} 元")
            ]
        case CaseState.AWAITING_LICENCE:
            due_on = case.licence_clock.due_on if case.licence_clock else None  # Art. 44
            return [RequiredAction(who="system", action="issue_licence", message="电子证照制证中", due_on=due_on)]
        case CaseState.AWAITING_DELIVERY if case.delivery.hall_id:
            # 大厅自取 (D-219): the applicant acts, with the pickup code from the message center
            message = "办理结果待大厅自取，请凭取件码和身份证领取"
            return [RequiredAction(who="applicant", action="collect", message=message)]
        case CaseState.AWAITING_DELIVERY:
            return [RequiredAction(who="system", action="deliver", message="办理结果快递寄送中")]
        case _:
            return []


def detail_of(case: Case, timeline: Sequence[TimelineEntry]) -> CaseDetail:
    return CaseDetail(
        **summary_of(case).model_dump(),
        version=case.version,
        applicant_kind=case.applicant.kind,
        applicant_uscc=case.applicant.uscc,
        taken_in_by=case.taken_in_by.actor if case.taken_in_by else None,
        intake_hall=case.taken_in_by.hall_name if case.taken_in_by else None,
        item_version=case.item.version,
        form=identity_form.prefilled(case.item.form_schema, case.form, case.identity),
        form_schema=identity_form.served_schema(case.item.form_schema, case.identity),
        applicable_conditions=case.applicable_conditions,
        delivery=DeliveryView.model_validate(case.delivery.model_dump(exclude={"recipient_sealed"})),
        materials=case.materials,
        material_slots=case.item.materials,
        notice=case.notice,
        closing_reason=case.closing_reason,
        pending_steps=case.pending_steps,
        fulfilment=case.fulfilment,
        fee_total_fen=case.item.fee_total_fen,
        renews=case.renews,
        licence_clock=(
            LicenceClockView(**case.licence_clock.model_dump(), running=case.state in LICENCE_CLOCK)
            if case.licence_clock is not None
            else None
        ),
        required_actions=required_actions(case),
        timeline=list(timeline),
    )


def detail_for(principal: Principal, case: Case, timeline: Sequence[TimelineEntry], store: MaterialStore) -> CaseDetail:
    """The detail as `principal` may see it, with a short-lived link to the decision document."""
    detail = detail_of(case, timeline)
    updates: dict[str, object] = {"decision": case.decision, "joint_tasks": case.joint_tasks}
    own = task_of(principal, case)
    if own is not None and principal.department_id != case.item.department_id:
        updates["joint_tasks"] = [own]  # a co-department sees only its task
    if case.extension_request is not None and principal.role not in APPLICANT_ROLES:
        updates["extension_request"] = case.extension_request  # the applicant is told once approved
    if case.decision is not None:
        updates["decision_document_url"] = store.download_url(
            case.decision.document.key,
            expires_in_s=DOCUMENT_LINK_TTL_S,
            file_name=f"{case.decision.document_number}.pdf",
        )
    return detail.model_copy(update=updates)
