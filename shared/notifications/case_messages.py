"""Case events → message center (办件进度消息), kept apart from consumers.py so
the cases flow adds its messages without touching the identity mappings.

`consumers.message_for` falls through to `case_message_for` for the
`case.*` types listed in `CASE_EVENT_TYPES`. Every message goes to the
natural person who filed (`notify_subject_id`) and links to the case; the
supplement notice lists every item at once (一次性告知).
"""

from __future__ import annotations

from shared.cases import events as case_events
from shared.notifications.models import Category, NewMessage
from shared.platform.events import Envelope

CASE_EVENT_TYPES = (
    case_events.SUBMITTED,
    case_events.PRE_REVIEW_PASSED,
    case_events.SUPPLEMENT_REQUIRED,
    case_events.ACCEPTED,
    case_events.REFUSED_AT_INTAKE,
    case_events.WITHDRAWN,
)
_MAX_BODY = 2000
_MORE = "……（更多内容请在办件详情中查看）"


def _fit(text: str) -> str:
    return text if len(text) <= _MAX_BODY else text[: _MAX_BODY - len(_MORE)] + _MORE


def _message(facts: case_events.CaseFacts, envelope: Envelope, title: str, body: str) -> tuple[str, NewMessage]:
    return facts.notify_subject_id, NewMessage(
        category=Category.CASE,
        title=title[:100],
        body=_fit(body),
        link=f"/cases/{facts.case_id}",
        dedupe_key=envelope.id,
    )


def case_message_for(envelope: Envelope) -> tuple[str, NewMessage] | None:
    """The inbox owner and message for a case event; None for other types."""
    match envelope.type:
        case case_events.SUBMITTED:
            submitted = case_events.SubmittedData.model_validate(envelope.data)
            head = f"您申报的“{submitted.item_name}”（办件编号 {submitted.case_number}）"
            if submitted.round > 1:
                return _message(submitted, envelope, "补正材料已提交", f"{head}补正材料已提交，系统将重新预审。")
            return _message(
                submitted, envelope, "申报成功", f"{head}已提交，系统正在自动预审，结果将通过消息中心通知您。"
            )
        case case_events.PRE_REVIEW_PASSED:
            passed = case_events.PreReviewPassedData.model_validate(envelope.data)
            return _message(
                passed,
                envelope,
                "预审通过",
                f"您申报的“{passed.item_name}”（办件编号 {passed.case_number}）已通过自动预审，等待部门受理。",
            )
        case case_events.SUPPLEMENT_REQUIRED:
            notice = case_events.SupplementRequiredData.model_validate(envelope.data)
            lines = "\n".join(f"{index}. {item.message}" for index, item in enumerate(notice.items, start=1))
            body = (
                f"您申报的“{notice.item_name}”（办件编号 {notice.case_number}）需补正以下 {len(notice.items)} 项内容。"
                f"请一次性补正后重新提交：\n{lines}"
            )
            return _message(notice, envelope, "一次性告知：请补正材料", body)
        case case_events.ACCEPTED:
            accepted = case_events.AcceptedData.model_validate(envelope.data)
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
        case case_events.REFUSED_AT_INTAKE:
            refused = case_events.ClosedData.model_validate(envelope.data)
            return _message(
                refused,
                envelope,
                "不予受理",
                f"您申报的“{refused.item_name}”（办件编号 {refused.case_number}）不予受理。理由：{refused.reason}",
            )
        case case_events.WITHDRAWN:
            withdrawn = case_events.ClosedData.model_validate(envelope.data)
            return _message(
                withdrawn,
                envelope,
                "申请已撤回",
                f"您申报的“{withdrawn.item_name}”（办件编号 {withdrawn.case_number}）已撤回。",
            )
        case _:
            return None
