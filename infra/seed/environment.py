"""Pointing the seeders at the local cloud's tables for the length of a load."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager

from shared.platform.aws import reset_clients
from shared.platform.config import reset_settings


def _reset_platform() -> None:
    reset_settings()
    reset_clients()


@contextmanager
def seeding_environment(env: Mapping[str, str], forget: Callable[[], None] = _reset_platform) -> Iterator[None]:
    """Set `env` in the process, `forget` cached settings/clients/collaborators,
    and restore the process's environment afterwards."""
    previous = {name: os.environ.get(name) for name in env}
    os.environ.update(env)
    forget()
    try:
        yield
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        forget()
