"""Which events put which message in whose inbox (事件 → 站内消息).

One dispatcher for the notifications_worker: the identity events are mapped
here, each other context's events in its own module (case_messages,
payments_messages, licence_messages, delivery_messages, rating_messages, halls_messages), included below. A
later flow registers its event types in its module and adds them to the
`NotificationsRule` of template.yaml (a test compares the two). The event id
is the dedupe key, so a redelivered event does not produce a second message.
"""

from __future__ import annotations

from shared.identity import events as identity_events
from shared.notifications.case_messages import case_messages
from shared.notifications.delivery_messages import delivery_messages
from shared.notifications.halls_messages import halls_messages
from shared.notifications.hotline_messages import hotline_messages
from shared.notifications.licence_messages import licence_messages
from shared.notifications.models import Category, Inbox, NewMessage
from shared.notifications.payments_messages import payment_messages
from shared.notifications.rating_messages import rating_messages
from shared.notifications.supervision_messages import supervision_messages
from shared.platform.dispatch import Dispatcher
from shared.platform.events import Envelope

SCOPE_NAMES = {"cases": "办事申报与查询", "licences": "电子证照使用", "payments": "缴费"}

notifications: Dispatcher[list[Inbox]] = Dispatcher("notifications_worker")


@notifications.on(identity_events.ACCOUNT_REGISTERED, data=identity_events.AccountRegisteredData)
def _registered(registered: identity_events.AccountRegisteredData, envelope: Envelope) -> list[Inbox]:
    message = NewMessage(
        category=Category.ACCOUNT,
        title="欢迎使用江苏政务服务",
        body="您已完成实名注册。登录后可在线办事、查询办件进度和电子证照。",
        dedupe_key=envelope.id,
    )
    return [(registered.subject_id, message)]


@notifications.on(identity_events.AGENT_AUTHORISED, data=identity_events.AgentAuthorisedData)
def _agent_authorised(granted: identity_events.AgentAuthorisedData, envelope: Envelope) -> list[Inbox]:
    scope = "、".join(SCOPE_NAMES.get(s.value, s.value) for s in granted.scope)
    message = NewMessage(
        category=Category.AUTHORISATION,
        title="您已获得企业经办授权",
        body=(
            f"{granted.enterprise_name}（{granted.uscc}）的法定代表人授权您办理：{scope}，"
            f"有效期至 {granted.expires_on.isoformat()}。登录时选择该企业即可代办。"
        ),
        link="/me/enterprises",
        dedupe_key=envelope.id,
    )
    return [(granted.agent_subject_id, message)]


@notifications.on(identity_events.AGENT_AUTHORISATION_REVOKED, data=identity_events.AgentAuthorisationRevokedData)
def _agent_revoked(revoked: identity_events.AgentAuthorisationRevokedData, envelope: Envelope) -> list[Inbox]:
    message = NewMessage(
        category=Category.AUTHORISATION,
        title="企业经办授权已撤销",
        body=f"{revoked.enterprise_name}（{revoked.uscc}）已撤销对您的经办授权。",
        link="/me/enterprises",
        dedupe_key=envelope.id,
    )
    return [(revoked.agent_subject_id, message)]


@notifications.on(identity_events.SESSION_REVOKED, data=identity_events.SessionRevokedData)
def _session_revoked(session: identity_events.SessionRevokedData, envelope: Envelope) -> list[Inbox]:
    message = NewMessage(
        category=Category.ACCOUNT,
        title="账号安全提醒",
        body="检测到您的登录凭证被重复使用，为保护账号安全，该次登录已在所有设备上退出。"
        "如非本人操作，请尽快重新登录并留意账号安全。",
        dedupe_key=envelope.id,
    )
    return [(session.subject_id, message)]


notifications.include(case_messages)  # case.*: 办件进度消息
notifications.include(payment_messages)  # payment.*: 缴费消息
notifications.include(licence_messages)  # licence.*: 电子证照消息
notifications.include(delivery_messages)  # shipment.*: 寄递消息
notifications.include(rating_messages)  # rating.invited, rectification.answered: 好差评消息
notifications.include(supervision_messages)  # supervision.*: 效能监察预警、督办
notifications.include(hotline_messages)  # ticket.*: 12345 工单消息
notifications.include(halls_messages)  # appointment.*: 大厅预约提醒、爽约

HANDLED_EVENT_TYPES = notifications.event_types


def messages_for(envelope: Envelope) -> list[Inbox]:
    """Every inbox an event reaches (most reach one; a returned shipment reaches the
    applicant and the department's staff member; a warning with nobody to warn, none)."""
    return notifications.dispatch(envelope)


def message_for(envelope: Envelope) -> Inbox:
    """The first inbox an event reaches (tests read single-recipient events this way)."""
    found = messages_for(envelope)
    if not found:
        raise LookupError(f"{envelope.type} reaches no inbox")
    return found[0]
