"""Rating events → message center (好差评消息), kept apart from consumers.py like
case_messages.py.

- `rating.invited`: the applicant is asked to rate the finished case or ticket
  (一事一评); an anonymous ticket has no inbox and gets no message (the counter
  prints a one-time link instead).
- `rectification.answered`: the rater of a 差评 reads the department's answer
  and confirms it or not.
The event id is the dedupe key.
"""

from __future__ import annotations

from shared.notifications.models import Category, Inbox, NewMessage
from shared.platform.dispatch import Dispatcher
from shared.platform.events import Envelope
from shared.ratings import events as rating_events

rating_messages: Dispatcher[list[Inbox]] = Dispatcher("notifications (ratings)")

_WHAT = {"case": "办件", "ticket": "12345 工单"}
_OUTCOME = {"completed": "已办结", "refused": "未予受理", "withdrawn": "已撤回", "closed": "已办结"}


@rating_messages.on(rating_events.INVITED, data=rating_events.InvitedData)
def _invited(invited: rating_events.InvitedData, envelope: Envelope) -> list[Inbox]:
    if not invited.notify_subject_id:
        return []
    what = _WHAT.get(invited.target_kind, "事项")
    body = (
        f"您的{what}“{invited.title}”（编号 {invited.label}）{_OUTCOME.get(invited.outcome, '已办结')}。"
        "请对本次服务作出评价：非常满意、满意、基本满意、不满意、非常不满意。"
        "您的每一条差评都会被核实、整改并答复。"
    )
    message = NewMessage(
        category=Category.RATING,
        title="请对本次政务服务作出评价",
        body=body,
        link=f"/ratings/new?target_kind={invited.target_kind}&target_id={invited.target_id}",
        dedupe_key=envelope.id,
    )
    return [(invited.notify_subject_id, message)]


@rating_messages.on(rating_events.ANSWERED, data=rating_events.RectificationData)
def _answered(answered: rating_events.RectificationData, envelope: Envelope) -> list[Inbox]:
    if not answered.notify_subject_id:
        return []
    body = (
        f"您对“{answered.title}”（编号 {answered.label}）的评价，办理部门已整改并答复。请查看答复内容，并确认是否认可。"
    )
    message = NewMessage(
        category=Category.RATING,
        title="差评整改已答复，请确认",
        body=body,
        link=f"/rectifications/{answered.order_id}",
        dedupe_key=envelope.id,
    )
    return [(answered.notify_subject_id, message)]
