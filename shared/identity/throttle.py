"""Rate limits that hold at every instant, and password back-off (限流与退避).

Fixed windows (a counter per minute or per hour) let a limit be doubled at the
window edge: two codes two seconds apart across a minute boundary, ten codes
across an hour boundary. So limits here are sliding logs:

- `SlidingWindow`: at most `limit` events in any `window_s` seconds (and, if
  `min_gap_s` is set, none closer than that to the previous one). The item
  keeps the times of the events still inside the window (at most `limit`
  numbers), so the check is exact and the item stays small.
- `Backoff`: password attempts per (login, source address). The first
  `free_failures` are immediate; after that each attempt must wait
  `base_s · 2^(failures − free_failures)` seconds after the previous one,
  capped at `max_s`. A success clears it. It replaces a per-login lock, which
  let anyone lock out a known login (the owner included).

Both are read, decided here (pure functions, no I/O), then written back with a
condition on the version that was read (optimistic concurrency): two parallel
requests cannot both use the last slot; the loser re-reads and decides again.
The four value types are `NamedTuple`s: immutable like the frozen dataclasses they
were, at a fraction of the creation cost at import (D-316, D-338).
"""

from __future__ import annotations

from typing import Any, NamedTuple

RATE_SK = "RATE"


class Refusal(NamedTuple):
    """A limit is reached; `retry_after` seconds until the request would pass."""

    code: str
    retry_after: int


class Admission(NamedTuple):
    """The item to write back if the request goes ahead, and the version it must still have."""

    item: dict[str, Any]
    read_version: int  # 0: the item did not exist


def _version(item: dict[str, Any] | None) -> int:
    return int(item.get("version", 0)) if item else 0


class SlidingWindow(NamedTuple):
    rule: str
    key_hash: str
    limit: int
    window_s: int
    refusal_code: str
    min_gap_s: int = 0

    @property
    def key(self) -> dict[str, str]:
        return {"pk": f"RATE#{self.rule}#{self.key_hash}", "sk": RATE_SK}

    def decide(self, item: dict[str, Any] | None, now: int) -> Admission | Refusal:
        recent = sorted(int(t) for t in (item or {}).get("hits", []) if int(t) > now - self.window_s)
        if self.min_gap_s and recent and now - recent[-1] < self.min_gap_s:
            return Refusal(self.refusal_code, recent[-1] + self.min_gap_s - now)
        if len(recent) >= self.limit:
            # the request passes once the oldest of the last `limit` events has left the window
            return Refusal(self.refusal_code, max(1, recent[-self.limit] + self.window_s - now))
        hits = [*recent, now][-self.limit :]
        version = _version(item)
        written = {**self.key, "hits": hits, "version": version + 1, "expires_at": now + self.window_s + 60}
        return Admission(written, version)


class Backoff(NamedTuple):
    rule: str
    key_hash: str
    free_failures: int
    base_s: int
    max_s: int
    forget_after_s: int  # failures are forgotten after this long without an attempt
    refusal_code: str

    @property
    def key(self) -> dict[str, str]:
        return {"pk": f"RATE#{self.rule}#{self.key_hash}", "sk": RATE_SK}

    def delay_after(self, failures: int) -> int:
        if failures < self.free_failures:
            return 0
        return min(self.max_s, self.base_s * 2 ** min(failures - self.free_failures, 32))

    def decide(self, item: dict[str, Any] | None, now: int) -> Admission | Refusal:
        """Reserve one attempt, counted as a failure until the caller clears it on success
        (so parallel guesses cannot all pass before the first failure is recorded)."""
        failures, last = 0, 0
        if item and now - int(item.get("last_attempt", 0)) < self.forget_after_s:
            failures, last = int(item.get("failures", 0)), int(item.get("last_attempt", 0))
        wait = last + self.delay_after(failures) - now if failures else 0
        if wait > 0:
            return Refusal(self.refusal_code, wait)
        version = _version(item)
        written = {
            **self.key,
            "failures": failures + 1,
            "last_attempt": now,
            "version": version + 1,
            "expires_at": now + self.forget_after_s,
        }
        return Admission(written, version)
