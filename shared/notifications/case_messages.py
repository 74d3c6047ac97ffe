"""Case events → message center (办件进度消息), kept apart from consumers.py so
the cases flow adds its messages without touching the identity mappings.

`case_messages` registers one handler per `case.*` type; consumers.py
includes it in the notifications dispatcher. Every message goes to the
natural person who filed (`notify_subject_id`) and links to the case; the
supplement notice lists every item at once (一次性告知).
"""

from __future__ import annotations

from shared.cases import events as case_events
from shared.notifications.models import Category, Inbox, NewMessage
from shared.platform.dispatch import Dispatcher
from shared.platform.events import Envelope

case_messages: Dispatcher[list[Inbox]] = Dispatcher("notifications (cases)")


_MAX_BODY = 2000
_MORE = "……（更多内容请在办件详情中查看）"


def _fit(text: str) -> str:
    return text if len(text) <= _MAX_BODY else text[: _MAX_BODY - len(_MORE)] + _MORE


def _message(facts: case_events.CaseFacts, envelope: Envelope, title: str, body: str) -> list[Inbox]:
    return [
        (
            facts.notify_subject_id,
            NewMessage(
                category=Category.CASE,
                title=title[:100],
                body=_fit(body),
                link=f"/cases/{facts.case_id}",
                dedupe_key=envelope.id,
            ),
        )
    ]


@case_messages.on(case_events.SUBMITTED, data=case_events.SubmittedData)
def _submitted(submitted: case_events.SubmittedData, envelope: Envelope) -> list[Inbox]:
    head = f"您申报的“{submitted.item_name}”（办件编号 {submitted.case_number}）"
    if submitted.round > 1:
        return _message(submitted, envelope, "补正材料已提交", f"{head}补正材料已提交，系统将重新预审。")
    return _message(submitted, envelope, "申报成功", f"{head}已提交，系统正在自动预审，结果将通过消息中心通知您。")


@case_messages.on(case_events.PRE_REVIEW_PASSED, data=case_events.PreReviewPassedData)
def _pre_review_passed(passed: case_events.PreReviewPassedData, envelope: Envelope) -> list[Inbox]:
    return _message(
        passed,
        envelope,
        "预审通过",
        f"您申报的“{passed.item_name}”（办件编号 {passed.case_number}）已通过自动预审，等待部门受理。",
    )


@case_messages.on(case_events.SUPPLEMENT_REQUIRED, data=case_events.SupplementRequiredData)
def _supplement_required(notice: case_events.SupplementRequiredData, envelope: Envelope) -> list[Inbox]:
    lines = "\n".join(f"{index}. {item.message}" for index, item in enumerate(notice.items, start=1))
    body = (
        f"您申报的“{notice.item_name}”（办件编号 {notice.case_number}）需补正以下 {len(notice.items)} 项内容。"
        f"请一次性补正后重新提交：\n{lines}"
    )
    return _message(notice, envelope, "一次性告知：请补正材料", body)


@case_messages.on(case_events.ACCEPTED, data=case_events.AcceptedData)
def _accepted(accepted: case_events.AcceptedData, envelope: Envelope) -> list[Inbox]:
    deadlines = accepted.deadlines
    how = "依法视为受理" if deadlines.deemed else "已受理"
    body = (
        f"您申报的“{accepted.item_name}”（办件编号 {accepted.case_number}）{how}，受理日期 "
        f"{deadlines.started_on.isoformat()}；承诺办结日期 {deadlines.promised_due_on.isoformat()}，"
        f"法定办结期限 {deadlines.legal_due_on.isoformat()}。"
    )
    if deadlines.provisional:
        body += "（期限跨入尚未公布节假日安排的年份，日期可能调整）"
    return _message(accepted, envelope, "办件已受理", body)


@case_messages.on(case_events.REFUSED_AT_INTAKE, data=case_events.ClosedData)
def _refused(refused: case_events.ClosedData, envelope: Envelope) -> list[Inbox]:
    return _message(
        refused,
        envelope,
        "不予受理",
        f"您申报的“{refused.item_name}”（办件编号 {refused.case_number}）不予受理。理由：{refused.reason}",
    )


@case_messages.on(case_events.WITHDRAWN, data=case_events.ClosedData)
def _withdrawn(withdrawn: case_events.ClosedData, envelope: Envelope) -> list[Inbox]:
    return _message(
        withdrawn,
        envelope,
        "申请已撤回",
        f"您申报的“{withdrawn.item_name}”（办件编号 {withdrawn.case_number}）已撤回。",
    )


@case_messages.on(case_events.SUSPENDED, case_events.RESUMED, case_events.EXTENDED, data=case_events.ClockData)
def _clock(data: case_events.ClockData, envelope: Envelope) -> list[Inbox]:
    head = f"您申报的“{data.item_name}”（办件编号 {data.case_number}）"
    deadlines = data.deadlines
    if envelope.type == case_events.SUSPENDED:
        body = (
            f"{head}进入特别程序，办理期限中止计时。理由：{data.reason}；预计需要 {data.expected_working_days} "
            "个工作日（不计入办理期限，依据《中华人民共和国行政许可法》第四十五条）。"
        )
        return _message(data, envelope, "办理期限中止计时", body)
    if envelope.type == case_events.RESUMED:
        body = (
            f"{head}恢复计时，办理期限顺延 {data.moved_by_working_days} 个工作日：承诺办结日期 "
            f"{deadlines.promised_due_on.isoformat()}，法定办结期限 {deadlines.legal_due_on.isoformat()}。"
        )
        return _message(data, envelope, "办理期限恢复计时", body)
    days = deadlines.extension.working_days if deadlines.extension else 0
    body = (
        f"{head}经批准延长办理期限 {days} 个工作日，法定办结期限延至 {deadlines.legal_due_on.isoformat()}。"
        f"理由：{data.reason}"
    )
    return _message(data, envelope, "办理期限延长", body)


@case_messages.on(case_events.DECIDED, data=case_events.DecidedData)
def _decided(decided: case_events.DecidedData, envelope: Envelope) -> list[Inbox]:
    verdict = "准予许可" if decided.outcome == "approved" else "不予许可"
    body = (
        f"您申报的“{decided.item_name}”（办件编号 {decided.case_number}）已作出{verdict}决定"
        f"（文书编号 {decided.document_number}）。理由：{decided.reason}。决定书可在办件详情中下载。"
    )
    if decided.outcome != "approved":
        body += "不服本决定的，可以依法申请行政复议或者提起行政诉讼。"
    return _message(decided, envelope, verdict, body)


@case_messages.on(case_events.FEE_DUE, data=case_events.FeeDueData)
def _fee_due(due: case_events.FeeDueData, envelope: Envelope) -> list[Inbox]:
    when = "受理前" if due.stage == "before_acceptance" else "领取办理结果前"
    lines = "；".join(f"{fee.name} {fee.amount_fen // 100}.{fee.amount_fen % 100:02d} 元" for fee in due.fees)
    body = (
        f"您申报的“{due.item_name}”（办件编号 {due.case_number}）须在{when}缴费：{lines}，"
        f"合计 {due.total_fen // 100}.{due.total_fen % 100:02d} 元。请在“我的缴费”中完成支付。"
    )
    return _message(due, envelope, "待缴费", body)


@case_messages.on(case_events.COMPLETED, data=case_events.CaseFacts)
def _completed(done: case_events.CaseFacts, envelope: Envelope) -> list[Inbox]:
    return _message(done, envelope, "办件已办结", f"您申报的“{done.item_name}”（办件编号 {done.case_number}）已办结。")


@case_messages.on(case_events.JOINT_TASK_DECIDED, data=case_events.JointTaskDecidedData)
def _joint_task_decided(task: case_events.JointTaskDecidedData, envelope: Envelope) -> list[Inbox]:
    verdict = "同意" if task.outcome == "approved" else "不同意"
    owner = task.lead_handler_subject_id or task.notify_subject_id
    body = (
        f"办件 {task.case_number}（{task.item_name}）的并联审批部门 {task.task_department_id} {verdict}："
        f"{task.reason}。尚有 {task.open_tasks} 个部门未办结。"
    )
    if task.lead_handler_subject_id is None:
        body = (
            f"您申报的“{task.item_name}”（办件编号 {task.case_number}）的一个并联审批部门已提出意见，"
            f"尚有 {task.open_tasks} 个部门办理中。"
        )
    message = NewMessage(
        category=Category.CASE,
        title=f"并联审批意见：{verdict}"[:100],
        body=_fit(body),
        link=f"/cases/{task.case_id}",
        dedupe_key=envelope.id,
    )
    return [(owner, message)]
