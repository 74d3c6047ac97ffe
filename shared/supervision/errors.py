"""The supervision context's error codes (prefixed `supervision.`), Chinese first and
English on request; docs/errors.md lists them."""

from __future__ import annotations

from shared.platform.errors import register_messages

MESSAGES: dict[str, tuple[str, str]] = {}

register_messages(MESSAGES)
