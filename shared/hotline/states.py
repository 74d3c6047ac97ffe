"""Ticket types, channels, states and the steps between them (12345 工单)."""

from __future__ import annotations

from enum import StrEnum


class TicketType(StrEnum):
    CONSULTATION = "consultation"  # 咨询
    HELP = "help"  # 求助
    COMPLAINT = "complaint"  # 投诉
    REPORT = "report"  # 举报
    SUGGESTION = "suggestion"  # 建议


TYPE_NAMES = {
    TicketType.CONSULTATION: "咨询",
    TicketType.HELP: "求助",
    TicketType.COMPLAINT: "投诉",
    TicketType.REPORT: "举报",
    TicketType.SUGGESTION: "建议",
}


class Channel(StrEnum):
    WEB = "web"
    APP = "app"
    WECHAT = "wechat"
    HALL = "hall"
    PHONE = "phone"
    OPEN311 = "open311"


SELF_SERVICE_CHANNELS = frozenset({Channel.WEB, Channel.APP, Channel.WECHAT})
AGENT_CHANNELS = frozenset({Channel.PHONE, Channel.HALL})

# Which types each way of opening may take. Anonymous callers may only report or suggest
# (a consultation, help or complaint needs someone to answer to); Open311 partner apps send
# reports of problems in public space, never consultations (those go to the knowledge base).
CHANNEL_TYPES: dict[Channel, frozenset[TicketType]] = {
    **{channel: frozenset(TicketType) for channel in (*SELF_SERVICE_CHANNELS, *AGENT_CHANNELS)},
    Channel.OPEN311: frozenset({TicketType.HELP, TicketType.COMPLAINT, TicketType.REPORT, TicketType.SUGGESTION}),
}
ANONYMOUS_TYPES = frozenset({TicketType.REPORT, TicketType.SUGGESTION})


class TicketState(StrEnum):
    DISPATCHED = "dispatched"  # 已派单: waiting for the department to sign
    SIGNED = "signed"  # 已签收: the department handles it
    RETURNED = "returned"  # 已退单: back at the dispatch desk
    ANSWERED = "answered"  # 已答复: waiting for the requester's rating (回访)
    REOPENED = "reopened"  # 重办: dissatisfied once, the same department answers again
    ESCALATED = "escalated"  # 待督办决定: dissatisfied twice, the supervisor decides
    CLOSED = "closed"  # 已办结
    LINKED = "linked"  # 重复件: linked to an open ticket of the same requester and matter


STATE_NAMES = {
    TicketState.DISPATCHED: "已派单",
    TicketState.SIGNED: "已签收",
    TicketState.RETURNED: "已退单",
    TicketState.ANSWERED: "已答复",
    TicketState.REOPENED: "重办中",
    TicketState.ESCALATED: "待督办决定",
    TicketState.CLOSED: "已办结",
    TicketState.LINKED: "重复件",
}

OPEN_STATES = frozenset(
    {
        TicketState.DISPATCHED,
        TicketState.SIGNED,
        TicketState.RETURNED,
        TicketState.ANSWERED,
        TicketState.REOPENED,
        TicketState.ESCALATED,
    }
)


class Step(StrEnum):
    OPEN = "open"  # 受理
    DISPATCH = "dispatch"  # 派单
    SIGN = "sign"  # 签收
    ANSWER = "answer"  # 答复
    RETURN = "return"  # 退单
    REDISPATCH = "redispatch"  # 改派
    CO_HANDLE = "co_handle"  # 协办
    RATE = "rate"  # 回访评价
    REOPEN = "reopen"  # 重办
    ESCALATE = "escalate"  # 提交督办
    DECIDE = "decide"  # 督办决定
    CLOSE = "close"  # 办结
    LINK = "link"  # 关联重复件


STEP_NAMES = {
    Step.OPEN: "受理",
    Step.DISPATCH: "派单",
    Step.SIGN: "签收",
    Step.ANSWER: "答复",
    Step.RETURN: "退单",
    Step.REDISPATCH: "改派",
    Step.CO_HANDLE: "协办",
    Step.RATE: "回访评价",
    Step.REOPEN: "重办",
    Step.ESCALATE: "提交督办",
    Step.DECIDE: "督办决定",
    Step.CLOSE: "办结",
    Step.LINK: "关联重复件",
}

# The states each step starts from.
STEP_FROM: dict[Step, frozenset[TicketState]] = {
    Step.SIGN: frozenset({TicketState.DISPATCHED}),
    Step.ANSWER: frozenset({TicketState.SIGNED, TicketState.REOPENED}),
    Step.RETURN: frozenset({TicketState.DISPATCHED, TicketState.SIGNED}),
    Step.REDISPATCH: frozenset({TicketState.DISPATCHED, TicketState.RETURNED, TicketState.SIGNED}),
    Step.CO_HANDLE: frozenset({TicketState.DISPATCHED, TicketState.SIGNED, TicketState.REOPENED}),
    Step.RATE: frozenset({TicketState.ANSWERED}),
    Step.DECIDE: frozenset({TicketState.ESCALATED}),
    Step.CLOSE: frozenset({TicketState.ANSWERED}),
}


class Rating(StrEnum):
    SATISFIED = "satisfied"  # 满意
    BASICALLY_SATISFIED = "basically_satisfied"  # 基本满意
    DISSATISFIED = "dissatisfied"  # 不满意


class Closure(StrEnum):
    SATISFIED = "satisfied"
    BASICALLY_SATISFIED = "basically_satisfied"
    NO_RESPONSE = "no_response"  # no rating within the follow-up limit
    KNOWLEDGE_BASE = "knowledge_base"  # the caller accepted a knowledge-base answer
    SUPERVISOR = "supervisor"  # the supervisor closed it after a second dissatisfaction


class AnsweredBy(StrEnum):
    DEPARTMENT = "department"
    KNOWLEDGE_BASE = "knowledge_base"
