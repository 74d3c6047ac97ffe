"""Which events put which message in whose inbox (事件 → 站内消息).

The notifications_worker function feeds every event its queue receives
through `message_for`; a later flow adds its event types here and to the
`NotificationsRule` of template.yaml. The event id is the dedupe key, so a
redelivered event does not produce a second message.
"""

from __future__ import annotations

from shared.identity import events as identity_events
from shared.notifications.case_messages import CASE_EVENT_TYPES, case_message_for
from shared.notifications.delivery_messages import DELIVERY_EVENT_TYPES, delivery_messages_for
from shared.notifications.licence_messages import LICENCE_EVENT_TYPES, licence_message_for
from shared.notifications.models import Category, NewMessage
from shared.notifications.payments_messages import PAYMENT_EVENT_TYPES, payment_message_for
from shared.platform.consumer import UnexpectedEvent
from shared.platform.events import Envelope

SCOPE_NAMES = {"cases": "办事申报与查询", "licences": "电子证照使用", "payments": "缴费"}


def message_for(envelope: Envelope) -> tuple[str, NewMessage]:
    """The inbox owner and the message an event calls for."""
    match envelope.type:
        case identity_events.ACCOUNT_REGISTERED:
            registered = identity_events.AccountRegisteredData.model_validate(envelope.data)
            return registered.subject_id, NewMessage(
                category=Category.ACCOUNT,
                title="欢迎使用江苏政务服务",
                body="您已完成实名注册。登录后可在线办事、查询办件进度和电子证照。",
                dedupe_key=envelope.id,
            )
        case identity_events.AGENT_AUTHORISED:
            granted = identity_events.AgentAuthorisedData.model_validate(envelope.data)
            scope = "、".join(SCOPE_NAMES.get(s.value, s.value) for s in granted.scope)
            return granted.agent_subject_id, NewMessage(
                category=Category.AUTHORISATION,
                title="您已获得企业经办授权",
                body=(
                    f"{granted.enterprise_name}（{granted.uscc}）的法定代表人授权您办理：{scope}，"
                    f"有效期至 {granted.expires_on.isoformat()}。登录时选择该企业即可代办。"
                ),
                link="/me/enterprises",
                dedupe_key=envelope.id,
            )
        case identity_events.AGENT_AUTHORISATION_REVOKED:
            revoked = identity_events.AgentAuthorisationRevokedData.model_validate(envelope.data)
            return revoked.agent_subject_id, NewMessage(
                category=Category.AUTHORISATION,
                title="企业经办授权已撤销",
                body=f"{revoked.enterprise_name}（{revoked.uscc}）已撤销对您的经办授权。",
                link="/me/enterprises",
                dedupe_key=envelope.id,
            )
        case identity_events.SESSION_REVOKED:
            session = identity_events.SessionRevokedData.model_validate(envelope.data)
            return session.subject_id, NewMessage(
                category=Category.ACCOUNT,
                title="账号安全提醒",
                body="检测到您的登录凭证被重复使用，为保护账号安全，该次登录已在所有设备上退出。"
                "如非本人操作，请尽快重新登录并留意账号安全。",
                dedupe_key=envelope.id,
            )
        case _:
            # case.* events: mapped in their own module (办件进度消息)
            found = case_message_for(envelope) or payment_message_for(envelope)  # payment.*: 缴费消息
            found = found or licence_message_for(envelope)  # licence.*: 电子证照消息
            if found is None:
                shipment = delivery_messages_for(envelope)  # shipment.* events (寄递消息)
                if not shipment:
                    raise UnexpectedEvent(envelope.type)
                return shipment[0]
            return found


def messages_for(envelope: Envelope) -> list[tuple[str, NewMessage]]:
    """Every inbox an event reaches (most reach one; a returned shipment reaches the
    applicant and the department's staff member)."""
    several = delivery_messages_for(envelope)
    return several if several else [message_for(envelope)]


HANDLED_EVENT_TYPES = (
    identity_events.ACCOUNT_REGISTERED,
    identity_events.AGENT_AUTHORISED,
    identity_events.AGENT_AUTHORISATION_REVOKED,
    identity_events.SESSION_REVOKED,
    *CASE_EVENT_TYPES,
    *DELIVERY_EVENT_TYPES,
    *PAYMENT_EVENT_TYPES,
    *LICENCE_EVENT_TYPES,
)
