"""moto's in-process DynamoDB backend does not lock: two threads can both pass a
condition before either writes. DynamoDB applies a condition and its write
atomically, so concurrency tests serialise the backend's calls to test our
conditions, not moto's missing isolation."""

from __future__ import annotations

import threading
from typing import Any

import pytest


def serialise_dynamodb(monkeypatch: pytest.MonkeyPatch) -> None:
    from moto.dynamodb.models import DynamoDBBackend

    lock = threading.RLock()
    for name in ("transact_write_items", "put_item", "update_item", "get_item"):
        original = getattr(DynamoDBBackend, name)

        def locked(self: Any, *args: Any, __original: Any = original, **kwargs: Any) -> Any:
            with lock:
                return __original(self, *args, **kwargs)

        monkeypatch.setattr(DynamoDBBackend, name, locked)
