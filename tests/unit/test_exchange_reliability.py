"""1,000 department-system messages with duplicates, reordering and 10 % bad
signatures, plus stale and unsigned ones: 0 wrong effects (issue 19 acceptance 1;
figures in docs/reliability.md).

The exchange service is real (parsing, signature, freshness, replay guard, parking,
the hash chain); two things are in memory so 1,000 messages take seconds, not the
minutes moto needs for ~2,500 calls: the table (`MemoryRepository`, the same keys'
conditions: an id recorded once, a log appended from the head it read) and the
cases port (a case refusing a step its state does not allow, as the cases state
machine does). The moto-backed table and the real cases context are exercised
end to end in test_exchange_department_system.py. Redelivery is SQS's: a message
refused for now goes to the back of the queue."""

from __future__ import annotations

import datetime as dt
import json
import random
import time
from collections import Counter, deque
from collections.abc import Iterator

import pytest

from shared.exchange import ports
from shared.exchange.partners import clear_cache
from shared.exchange.repository import LOG_MOVED, REPLAYED, ExchangeRepository, LogEntry
from shared.exchange.service import ExchangeService, NotYet
from shared.platform.clock import now
from shared.platform.config import reset_settings
from shared.platform.errors import Conflict, NotFound
from shared.platform.hashchain import GENESIS_HASH, link_hash
from tests.unit.exchange_fixtures import DECISION, FORGER, PARTNER, REGISTRY, message

CASES = 100
TOTAL = 1_000
FOLLOWS = {"accepted": "pre_review_passed", "decided": "accepted", "completed": "approved"}
AFTER = {"accepted": "accepted", "decided": "approved", "completed": "completed"}


class Cases:
    """The cases the department system works on, with the effects applied to them."""

    def __init__(self, case_ids: list[str]) -> None:
        self.state = dict.fromkeys(case_ids, "pre_review_passed")
        self.effects: list[tuple[str, str, str | None]] = []

    def __call__(
        self, system_id: str, department_id: str, region_code: str, case_id: str, step: str, **kw: object
    ) -> str:
        if case_id not in self.state:
            raise NotFound("case.not_found")
        if self.state[case_id] != FOLLOWS[step]:
            raise Conflict("case.invalid_transition")
        self.state[case_id] = AFTER[step]
        self.effects.append((case_id, step, kw.get("outcome")))  # type: ignore[arg-type]
        return self.state[case_id]


def _moved_to_another_case(signed: dict[str, object], case_ids: list[str]) -> dict[str, object]:
    """A genuine message changed after signing: the same step, aimed at the next case."""
    return {**signed, "case_id": case_ids[(case_ids.index(str(signed["case_id"])) + 1) % len(case_ids)]}


class MemoryRepository(ExchangeRepository):
    def __init__(self) -> None:
        super().__init__(table="memory")
        self.recorded: set[tuple[str, str]] = set()
        self.entries: dict[str, list[LogEntry]] = {}
        self.parked_items: dict[str, list[dict[str, object]]] = {}

    def seen(self, partner: str, message_id: str) -> bool:
        return (partner, message_id) in self.recorded

    def head(self, partner: str) -> tuple[int, str]:
        entries = self.entries.get(partner) or []
        return (entries[-1].seq, entries[-1].hash) if entries else (0, GENESIS_HASH)

    def record(self, partner: str, **fields: str) -> LogEntry:
        if (partner, fields["message_id"]) in self.recorded:
            raise REPLAYED
        seq, prev = self.head(partner)
        draft = LogEntry(
            seq + 1,
            fields["message_id"],
            fields["kind"],
            fields["case_id"],
            fields["received_at"],
            fields["raw"],
            prev,
            "",
        )
        entry = LogEntry(**{**draft.__dict__, "hash": link_hash(draft.fields(partner), prev)})
        if self.head(partner)[0] != seq:
            raise LOG_MOVED
        self.recorded.add((partner, entry.message_id))
        self.entries.setdefault(partner, []).append(entry)
        return entry

    def park(self, partner: str, **fields: str) -> None:
        self.parked_items.setdefault(partner, []).append(dict(fields))

    def log(self, partner: str) -> list[LogEntry]:
        return list(self.entries.get(partner) or [])


@pytest.fixture
def exchange(monkeypatch: pytest.MonkeyPatch) -> Iterator[Cases]:
    monkeypatch.setenv("DEPARTMENT_SYSTEMS", json.dumps(REGISTRY))
    reset_settings()
    clear_cache()
    cases = Cases([f"01JDQ90F3W7C8M2T6R4K{n:06d}" for n in range(CASES)])
    ports.wire(cases=cases)
    yield cases
    reset_settings()
    clear_cache()


def test_a_thousand_messages_with_duplicates_reordering_and_forgeries_have_no_wrong_effect(exchange: Cases) -> None:
    rng = random.Random(19)
    case_ids = sorted(exchange.state)
    genuine = [
        json.dumps(message(case_id, kind, DECISION if kind == "decided" else None))
        for case_id in case_ids
        for kind in ("accepted", "decided", "completed")
    ]
    bad_signatures = [  # 10 %: a denial signed with someone else's key, or a genuine message changed after signing
        json.dumps(message(rng.choice(case_ids), "decided", {**DECISION, "outcome": "denied"}, key=FORGER))
        if n % 2
        else json.dumps(_moved_to_another_case(json.loads(rng.choice(genuine)), case_ids))
        for n in range(TOTAL // 10)
    ]
    stale = [json.dumps(message(c, "accepted", sent_at=now() - dt.timedelta(hours=1))) for c in case_ids[:20]]
    unsigned = [json.dumps({**json.loads(g), "signature": ""}) for g in rng.sample(genuine, 20)]
    duplicates = [rng.choice(genuine) for _ in range(TOTAL - len(genuine) - len(bad_signatures) - 40)]
    messages = genuine + bad_signatures + stale + unsigned + duplicates
    assert len(messages) == TOTAL
    rng.shuffle(messages)  # any order: a 决定 before its 受理, a copy before the original

    repository = MemoryRepository()
    service = ExchangeService(repository)
    queue = deque((body, 1) for body in messages)
    deliveries, outcomes = 0, Counter[str]()
    started = time.perf_counter()
    while queue:
        body, receives = queue.popleft()
        deliveries += 1
        try:
            outcome = service.receive(body, correlation_id=None)
        except NotYet:
            queue.append((body, receives + 1))  # SQS delivers it again after the visibility timeout
            continue
        outcomes[outcome.reason or outcome.result] += 1
    elapsed = time.perf_counter() - started

    # every case moved exactly once per step, in order, approved as the genuine decision says
    assert sorted(exchange.effects) == sorted(
        (c, step, "approved" if step == "decided" else None)
        for c in case_ids
        for step in ("accepted", "decided", "completed")
    )
    assert set(exchange.state.values()) == {"completed"}
    assert outcomes["applied"] == len(genuine)
    assert outcomes["bad_signature"] == len(bad_signatures)
    assert outcomes["unsigned"] == len(unsigned)
    assert outcomes["stale"] == len(stale)
    assert outcomes["replayed"] == len(duplicates)
    assert len(repository.log(PARTNER)) == len(genuine)
    assert repository.verify_log(PARTNER).valid
    print(f"\n{TOTAL} messages, {deliveries} deliveries, {dict(outcomes)}, {elapsed:.1f} s")
