"""Is an access token's session still live? (会话吊销检查, read by the authorizer)

Access tokens are stateless for ≈15 minutes, so signing out, a reused refresh
token or an operator's revocation would otherwise leave them working until
they expire. The authorizer therefore also asks whether the token's session
family (`sid`) is still active in the identity table — a deny-list that is
the session item itself, so revoking writes nothing new.

One eventually consistent GetItem per session per `SESSION_CHECK_CACHE_S`
(30 s) per warm authorizer: a live answer is kept that long, a revoked or
missing one until the process ends (a session never comes back). With API
Gateway's own authorizer cache (60 s per token) a revoked session's access
tokens stop within about 90 s, not 15 minutes (decision D-051).
"""

from __future__ import annotations

import threading
from functools import cache
from typing import Protocol

from shared.identity.config import session_check_settings

MAX_CACHED_SESSIONS = 50_000  # bounds the memory of a long-lived authorizer


class SessionStatus(Protocol):
    def is_active(self, session_id: str, now: int) -> bool: ...


class TableSessionStatus:
    """Reads `SESSION#<sid>` from the identity table."""

    def __init__(self, table: str | None = None) -> None:
        from shared.identity.repository import IdentityRepository

        self._repository = IdentityRepository(table)

    def is_active(self, session_id: str, now: int) -> bool:
        return self._repository.session_active(session_id, now)


class CachedSessionStatus:
    def __init__(self, source: SessionStatus, live_for_s: int) -> None:
        self._source = source
        self._live_for_s = live_for_s
        self._live_until: dict[str, int] = {}
        self._dead: set[str] = set()
        self._lock = threading.Lock()

    def is_active(self, session_id: str, now: int) -> bool:
        if session_id in self._dead:
            return False
        if self._live_until.get(session_id, 0) > now:
            return True
        active = self._source.is_active(session_id, now)
        with self._lock:
            if len(self._live_until) + len(self._dead) >= MAX_CACHED_SESSIONS:
                self._live_until.clear()
                self._dead.clear()
            if active:
                self._live_until[session_id] = now + self._live_for_s
            else:
                self._live_until.pop(session_id, None)
                self._dead.add(session_id)
        return active


@cache
def session_status() -> CachedSessionStatus:
    return CachedSessionStatus(TableSessionStatus(), session_check_settings().session_check_cache_s)
