"""Licence events → message center (电子证照消息), kept apart from consumers.py
like the case messages.

`licence_messages` registers one handler per `licence.*` type; consumers.py
includes it in the notifications dispatcher. Every message goes to the
natural person who applied (`notify_subject_id`) and links to the licence in
the wallet; reasons given by the issuing department are passed on.
"""

from __future__ import annotations

from shared.licences import events as licence_events
from shared.notifications.models import Category, Inbox, NewMessage
from shared.platform.dispatch import Dispatcher
from shared.platform.events import Envelope

licence_messages: Dispatcher[list[Inbox]] = Dispatcher("notifications (licences)")

_STATUS_WORDS = {
    licence_events.SUSPENDED: ("电子证照已暂扣", "已被暂扣"),
    licence_events.REINSTATED: ("电子证照已恢复", "已恢复有效"),
    licence_events.REVOKED: ("电子证照已撤销", "已被撤销"),
    licence_events.REPLACED: ("电子证照已换发", "已换发新版本，旧版本不再有效"),
}


def _message(facts: licence_events.LicenceFacts, envelope: Envelope, title: str, body: str) -> list[Inbox]:
    message = NewMessage(
        category=Category.LICENCE,
        title=title,
        body=body[:2000],
        link=f"/me/licences/{facts.licence_id}",
        dedupe_key=envelope.id,
    )
    return [(facts.notify_subject_id, message)]


@licence_messages.on(licence_events.ISSUED, data=licence_events.LicenceFacts)
def _issued(issued: licence_events.LicenceFacts, envelope: Envelope) -> list[Inbox]:
    until = issued.valid_to.isoformat() if issued.valid_to else "长期"
    return _message(
        issued,
        envelope,
        "电子证照已签发",
        f"{issued.issuer_name}已为您签发“{issued.type_name}”（证照编号 {issued.number}，有效期至 {until}），"
        f"来自办件 {issued.case_number}。可在“我的证照”中查看、下载，办事时可直接复用，无需再提交纸质材料。",
    )


@licence_messages.on(*_STATUS_WORDS, data=licence_events.StatusChangedData)
def _status_changed(changed: licence_events.StatusChangedData, envelope: Envelope) -> list[Inbox]:
    title, what = _STATUS_WORDS[envelope.type]
    return _message(
        changed,
        envelope,
        title,
        f"您的“{changed.type_name}”（证照编号 {changed.number}）{what}。原因：{changed.reason}。"
        f"发证机关：{changed.issuer_name}。",
    )


@licence_messages.on(licence_events.EXPIRING, data=licence_events.ExpiringData)
def _expiring(expiring: licence_events.ExpiringData, envelope: Envelope) -> list[Inbox]:
    until = expiring.valid_to.isoformat() if expiring.valid_to else ""
    return _message(
        expiring,
        envelope,
        "证照即将到期，请及时办理延续",
        f"您的“{expiring.type_name}”（证照编号 {expiring.number}）将于 {until} 到期"
        f"（还有 {expiring.days_left} 天）。"
        "依照《行政许可法》第五十条，需要延续的，请在到期 30 日前向发证机关提出申请。",
    )


@licence_messages.on(licence_events.EXPIRED, data=licence_events.LicenceFacts)
def _expired(expired: licence_events.LicenceFacts, envelope: Envelope) -> list[Inbox]:
    return _message(
        expired,
        envelope,
        "电子证照已过期",
        f"您的“{expired.type_name}”（证照编号 {expired.number}）已超过有效期，不能再用于办事。",
    )
