"""Licence events → message center (电子证照消息), kept apart from consumers.py
like the case messages.

`consumers.message_for` falls through to `licence_message_for` for the
`licence.*` types in `LICENCE_EVENT_TYPES`. Every message goes to the natural
person who applied (`notify_subject_id`) and links to the licence in the
wallet; reasons given by the issuing department are passed on.
"""

from __future__ import annotations

from shared.licences import events as licence_events
from shared.notifications.models import Category, NewMessage
from shared.platform.events import Envelope

LICENCE_EVENT_TYPES = (
    licence_events.ISSUED,
    licence_events.SUSPENDED,
    licence_events.REINSTATED,
    licence_events.REVOKED,
    licence_events.REPLACED,
    licence_events.EXPIRING,
    licence_events.EXPIRED,
)


def _message(facts: licence_events.LicenceFacts, envelope: Envelope, title: str, body: str) -> tuple[str, NewMessage]:
    return facts.notify_subject_id, NewMessage(
        category=Category.LICENCE,
        title=title,
        body=body[:2000],
        link=f"/me/licences/{facts.licence_id}",
        dedupe_key=envelope.id,
    )


def licence_message_for(envelope: Envelope) -> tuple[str, NewMessage] | None:
    """The inbox owner and message for a licence event; None for other types."""
    match envelope.type:
        case licence_events.ISSUED:
            issued = licence_events.LicenceFacts.model_validate(envelope.data)
            until = issued.valid_to.isoformat() if issued.valid_to else "长期"
            return _message(
                issued,
                envelope,
                "电子证照已签发",
                f"{issued.issuer_name}已为您签发“{issued.type_name}”（证照编号 {issued.number}，有效期至 {until}），"
                f"来自办件 {issued.case_number}。可在“我的证照”中查看、下载，办事时可直接复用，无需再提交纸质材料。",
            )
        case licence_events.SUSPENDED | licence_events.REINSTATED | licence_events.REVOKED | licence_events.REPLACED:
            changed = licence_events.StatusChangedData.model_validate(envelope.data)
            what = {
                licence_events.SUSPENDED: ("电子证照已暂扣", "已被暂扣"),
                licence_events.REINSTATED: ("电子证照已恢复", "已恢复有效"),
                licence_events.REVOKED: ("电子证照已撤销", "已被撤销"),
                licence_events.REPLACED: ("电子证照已换发", "已换发新版本，旧版本不再有效"),
            }[envelope.type]
            return _message(
                changed,
                envelope,
                what[0],
                f"您的“{changed.type_name}”（证照编号 {changed.number}）{what[1]}。原因：{changed.reason}。"
                f"发证机关：{changed.issuer_name}。",
            )
        case licence_events.EXPIRING:
            expiring = licence_events.ExpiringData.model_validate(envelope.data)
            until = expiring.valid_to.isoformat() if expiring.valid_to else ""
            return _message(
                expiring,
                envelope,
                "证照即将到期，请及时办理延续",
                f"您的“{expiring.type_name}”（证照编号 {expiring.number}）将于 {until} 到期"
                f"（还有 {expiring.days_left} 天）。"
                "依照《行政许可法》第五十条，需要延续的，请在到期 30 日前向发证机关提出申请。",
            )
        case licence_events.EXPIRED:
            expired = licence_events.LicenceFacts.model_validate(envelope.data)
            return _message(
                expired,
                envelope,
                "电子证照已过期",
                f"您的“{expired.type_name}”（证照编号 {expired.number}）已超过有效期，不能再用于办事。",
            )
    return None
