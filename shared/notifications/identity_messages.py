"""Identity events → message center (账号与授权消息), like case_messages.py: a
welcome on registration, an enterprise's grant or revocation of an agent, and a
warning when a reused credential signed a session out everywhere."""

from __future__ import annotations

from shared.identity import events as identity_events
from shared.notifications.models import Category, Inbox, NewMessage
from shared.platform.dispatch import Dispatcher
from shared.platform.events import Envelope

SCOPE_NAMES = {"cases": "办事申报与查询", "licences": "电子证照使用", "payments": "缴费"}

identity_messages: Dispatcher[list[Inbox]] = Dispatcher("notifications (identity)")


@identity_messages.on(identity_events.ACCOUNT_REGISTERED, data=identity_events.AccountRegisteredData)
def _registered(registered: identity_events.AccountRegisteredData, envelope: Envelope) -> list[Inbox]:
    message = NewMessage(
        category=Category.ACCOUNT,
        title="欢迎使用江苏政务服务",
        body="您已完成实名注册。登录后可在线办事、查询办件进度和电子证照。",
        dedupe_key=envelope.id,
    )
    return [(registered.subject_id, message)]


@identity_messages.on(identity_events.AGENT_AUTHORISED, data=identity_events.AgentAuthorisedData)
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


@identity_messages.on(identity_events.AGENT_AUTHORISATION_REVOKED, data=identity_events.AgentAuthorisationRevokedData)
def _agent_revoked(revoked: identity_events.AgentAuthorisationRevokedData, envelope: Envelope) -> list[Inbox]:
    message = NewMessage(
        category=Category.AUTHORISATION,
        title="企业经办授权已撤销",
        body=f"{revoked.enterprise_name}（{revoked.uscc}）已撤销对您的经办授权。",
        link="/me/enterprises",
        dedupe_key=envelope.id,
    )
    return [(revoked.agent_subject_id, message)]


@identity_messages.on(identity_events.SESSION_REVOKED, data=identity_events.SessionRevokedData)
def _session_revoked(session: identity_events.SessionRevokedData, envelope: Envelope) -> list[Inbox]:
    message = NewMessage(
        category=Category.ACCOUNT,
        title="账号安全提醒",
        body="检测到您的登录凭证被重复使用，为保护账号安全，该次登录已在所有设备上退出。"
        "如非本人操作，请尽快重新登录并留意账号安全。",
        dedupe_key=envelope.id,
    )
    return [(session.subject_id, message)]
