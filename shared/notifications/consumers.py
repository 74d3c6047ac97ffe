"""Which events put which message in whose inbox (事件 → 站内消息).

One dispatcher for the notifications_worker, one module per publishing context
(identity_messages, case_messages, payments_messages, licence_messages,
delivery_messages, rating_messages, supervision_messages, hotline_messages,
halls_messages, scene_messages).
Each module is imported on the first event of its context's types: the worker's
cold start builds no context's event models (D-196). A later flow registers its
event types in its module, names the module below with its type prefixes and
adds the types to the `NotificationsRule` of template.yaml (a test compares the
two). The event id is the dedupe key, so a redelivered event does not produce a
second message.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from shared.notifications.models import Inbox
from shared.platform.dispatch import Dispatcher
from shared.platform.events import Envelope

notifications: Dispatcher[list[Inbox]] = Dispatcher("notifications_worker")


def _registry(module: str, name: str) -> Callable[[], Dispatcher[list[Inbox]]]:
    def load() -> Dispatcher[list[Inbox]]:
        registry: Dispatcher[list[Inbox]] = getattr(importlib.import_module(f"shared.notifications.{module}"), name)
        return registry

    return load


for _module, _name, _prefixes in (
    ("identity_messages", "identity_messages", ("identity.",)),  # 注册、企业经办授权、账号安全
    ("case_messages", "case_messages", ("case.",)),  # 办件进度消息
    ("payments_messages", "payment_messages", ("payment.",)),  # 缴费消息
    ("licence_messages", "licence_messages", ("licence.",)),  # 电子证照消息
    ("delivery_messages", "delivery_messages", ("shipment.",)),  # 寄递消息
    ("rating_messages", "rating_messages", ("rating.", "rectification.")),  # 好差评消息
    ("supervision_messages", "supervision_messages", ("supervision.",)),  # 效能监察预警、督办
    ("hotline_messages", "hotline_messages", ("ticket.",)),  # 12345 工单消息
    ("halls_messages", "halls_messages", ("appointment.",)),  # 大厅预约提醒、爽约
    ("scene_messages", "scene_messages", ("scene_application.",)),  # 一件事办完
):
    notifications.include_on_first_use(_registry(_module, _name), *_prefixes)


def __getattr__(name: str) -> Any:
    # HANDLED_EVENT_TYPES loads every module: for tests and docs, never the worker's cold start
    if name == "HANDLED_EVENT_TYPES":
        return notifications.event_types
    raise AttributeError(name)


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
