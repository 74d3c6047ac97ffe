"""Registering an event type for one test only: the registry is process-wide and
the generated docs are rendered from it, so a test type must not outlive its test."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

import shared.platform.events as events
from shared.platform.schemas import clear_cache


def register_for_test(
    monkeypatch: pytest.MonkeyPatch, event_type: str, model: type[BaseModel], *, version: int = 1
) -> None:
    monkeypatch.setattr(events, "_EVENT_TYPES", dict(events._EVENT_TYPES))
    monkeypatch.setattr(events, "_EVENT_VERSIONS", dict(events._EVENT_VERSIONS))
    events.register_event_type(event_type, model, f"test type {event_type}", version=version)
    clear_cache()
