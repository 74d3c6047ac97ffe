"""The admin context's error codes (prefixed `admin.`), Chinese first and English on request."""

from __future__ import annotations

from shared.platform.errors import register_messages

CLAIM_NOT_FOUND = "admin.claim_not_found"
CLAIM_DONE = "admin.claim_done"
CLAIM_MISMATCH = "admin.claim_mismatch"

MESSAGES: dict[str, tuple[str, str]] = {
    CLAIM_NOT_FOUND: ("认领任务不存在", "No such claim task"),
    CLAIM_DONE: ("该事项已认领", "The item was claimed already"),
    CLAIM_MISMATCH: (
        "实施清单须为本任务的基本目录事项、部门和行政区划",
        "The implementation must be of this task's basic item, department and division",
    ),
}

register_messages(MESSAGES)
