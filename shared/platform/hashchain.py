"""Hash-chained timelines (tamper-evident 轨迹), shared by every context that keeps one
(cases, 12345 tickets): each entry's hash covers its own fields and the previous
entry's hash, so changing, removing or reordering any entry breaks every hash after it.

SHA-256 over a canonical JSON form (sorted keys, no whitespace). A context decides
which fields an entry's hash covers (`fields`); this module only chains and checks.
SM3 would fit the national rules equally; swapping the digest is a one-line change
here, but every stored chain would then need its algorithm recorded.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

GENESIS_HASH = "0" * 64
"""The `prev_hash` of the first entry."""


def link_hash(fields: Mapping[str, Any], prev_hash: str) -> str:
    """The hash of one entry: its fields plus the previous entry's hash (as `prev`)."""
    canonical = json.dumps({**fields, "prev": prev_hash}, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ChainCheck:
    valid: bool
    length: int
    head: str  # the last entry's hash as recomputed
    broken_at: int | None  # the first entry that does not verify (1-based)


def check_chain[Entry](
    entries: Sequence[Entry],
    expected_head: str,
    *,
    seq: Callable[[Entry], int],
    prev_hash: Callable[[Entry], str],
    stored_hash: Callable[[Entry], str],
    fields: Callable[[Entry], Mapping[str, Any]],
) -> ChainCheck:
    """Recompute the chain. An entry breaks it when its sequence number skips, its
    `prev_hash` is not the recomputed hash before it, or its own hash differs from the
    recomputed one; a chain whose last hash is not the head the owning record holds has
    lost entries at its end (`broken_at` = length + 1)."""
    previous = GENESIS_HASH
    broken_at: int | None = None
    for position, entry in enumerate(sorted(entries, key=seq), start=1):
        recomputed = link_hash(fields(entry), previous)
        if seq(entry) != position or prev_hash(entry) != previous or stored_hash(entry) != recomputed:
            broken_at = position
            break
        previous = recomputed
    if broken_at is None and previous != (expected_head or GENESIS_HASH):
        broken_at = len(entries) + 1
    return ChainCheck(valid=broken_at is None, length=len(entries), head=previous, broken_at=broken_at)
