"""The exchange context's error codes (prefixed `exchange.`), Chinese first and
English on request; docs/errors.md lists them."""

from __future__ import annotations

from shared.platform.errors import register_messages

SCHEMA_NOT_FOUND = "exchange.schema_not_found"
REPLAYED = "exchange.replayed"
LOG_MOVED = "exchange.log_moved"
STORE_CLAIMED = "exchange.store_claimed"

MESSAGES: dict[str, tuple[str, str]] = {
    SCHEMA_NOT_FOUND: ("未找到该数据格式或版本", "No schema with this name and version"),
    # the department-system consumer's own conflicts (never answered over HTTP)
    REPLAYED: ("该消息已处理过", "This message was already applied"),
    LOG_MOVED: ("消息日志已被更新，请重试", "The message log moved on; retry"),
    # the exchange store writer's (D-297): another invocation is writing the record
    STORE_CLAIMED: ("该办件记录正由另一批次写入，稍后重试", "Another batch is writing this case record; retry later"),
}

register_messages(MESSAGES)
