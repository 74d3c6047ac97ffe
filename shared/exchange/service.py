"""Receiving a department system's message (D-236): verify, then apply once, or park.

In this order, each failure parking the message with its reason (a parked
record in the Exchange table + the `DepartmentMessageParked_<reason>` metric)
and never applying it:

1. `malformed`      not JSON, or not one of the registered message kinds;
2. `unknown_partner` no registered department system by that id;
3. `unsigned`       no signature;
4. `bad_signature`  not a valid ES256 detached JWS by one of the system's keys
                    over this canonical body (a changed byte, a forged key, `alg: none`);
5. `stale`          `sent_at` further than the window (MESSAGE_WINDOW_S) from our clock;
6. `replayed`       its message id is already in the log;
7. `not_its_case`   the case is not its department's (the cases context says 404/403);
8. `refused`        the cases context refuses the step for good (422).

A step the case is not ready for yet (409: the 决定 overtook the 受理) is
retried by SQS and parked in the DLQ with the reason after the last receive;
once the earlier step arrives the retry applies. An applied message is
appended, raw, to the partner's hash-chained log in the same transaction as
its replay guard.
"""

from __future__ import annotations

import datetime as dt
import json
from functools import cache
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from pydantic import ValidationError

from shared.exchange import ports
from shared.exchange.config import department_system_settings
from shared.exchange.messages import MESSAGE, Decided
from shared.exchange.partners import department_systems
from shared.exchange.repository import LOG_MOVED, REPLAYED, ExchangeRepository
from shared.exchange.signing import signing_kid, verify
from shared.platform.clock import iso, now
from shared.platform.errors import AppError
from shared.platform.ids import new_id
from shared.platform.observability import logger, metrics

UNKNOWN = "unknown"
_APPEND_ATTEMPTS = 5


class NotYet(RuntimeError):
    """The case is not in the state this step follows (yet): let SQS deliver it again."""


class Outcome:
    # a plain class: a frozen dataclass compiles its generated methods at import (~0.6 ms, D-317)
    __slots__ = ("kind", "reason", "result", "state")

    def __init__(self, result: str, reason: str = "", *, kind: str = "", state: str = "") -> None:
        self.result = result  # applied | parked
        self.reason = reason
        self.kind = kind
        self.state = state


class ExchangeService:
    def __init__(self, repository: ExchangeRepository | None = None) -> None:
        self.repository = repository or ExchangeRepository()

    def _park(self, partner: str, reason: str, raw: str, message_id: str = "") -> Outcome:
        received_at = iso(now())
        self.repository.park(
            partner, parked_id=new_id(), received_at=received_at, reason=reason, message_id=message_id, raw=raw
        )
        metrics().add_metric(name=f"DepartmentMessageParked_{reason}", unit=MetricUnit.Count, value=1)
        logger().warning(
            "department message parked", extra={"partner": partner, "message_id": message_id, "reason": reason}
        )
        return Outcome("parked", reason)

    def receive(self, raw: str, *, correlation_id: str | None) -> Outcome:
        try:
            document: Any = json.loads(raw)
        except ValueError:
            return self._park(UNKNOWN, "malformed", raw)
        if not isinstance(document, dict):
            return self._park(UNKNOWN, "malformed", raw)
        partner = document.get("partner")
        system = department_systems().get(partner) if isinstance(partner, str) else None
        if system is None:
            return self._park(UNKNOWN, "unknown_partner", raw)
        message_id = str(document.get("message_id") or "")[:64]
        signature = document.get("signature")
        if not isinstance(signature, str) or not signature:
            return self._park(system.partner_id, "unsigned", raw, message_id)
        kid = signing_kid(signature)
        key = system.public_key(kid) if kid else None
        if key is None or not verify(key, document, signature):
            return self._park(system.partner_id, "bad_signature", raw, message_id)
        try:
            message = MESSAGE.validate_python(document)
        except ValidationError:
            return self._park(system.partner_id, "malformed", raw, message_id)
        window = dt.timedelta(seconds=department_system_settings().message_window_s)
        if abs(now() - message.sent_at) > window:
            return self._park(system.partner_id, "stale", raw, message_id)
        if self.repository.seen(system.partner_id, message.message_id):
            return self._park(system.partner_id, "replayed", raw, message_id)

        # every kind goes to the case, 证照 too: it changes nothing there (D-300) but must be the department's case
        decision = message.body if isinstance(message, Decided) else None
        try:
            state = ports.cases()(
                system.partner_id,
                system.department_id,
                system.region_code,
                message.case_id,
                message.kind,
                note=getattr(message.body, "note", None),
                outcome=decision.outcome if decision else None,
                reason=f"{decision.reason}（决定文书：{decision.document_number}）" if decision else None,
                correlation_id=correlation_id,
            )
        except AppError as refused:
            if refused.status == 409:
                raise NotYet(f"{message.kind} for a case in another state ({refused.code})") from None
            reason = "not_its_case" if refused.status in (403, 404) else "refused"
            return self._park(system.partner_id, reason, raw, message_id)
        for attempt in range(_APPEND_ATTEMPTS):
            try:
                self.repository.record(
                    system.partner_id,
                    message_id=message.message_id,
                    kind=message.kind,
                    case_id=message.case_id,
                    received_at=iso(now()),
                    raw=raw,
                    state=state,
                )
                break
            except AppError as conflict:
                if conflict is REPLAYED:
                    # a copy delivered at the same time won: the case refused the second step
                    return self._park(system.partner_id, "replayed", raw, message_id)
                if conflict is not LOG_MOVED or attempt == _APPEND_ATTEMPTS - 1:
                    raise
        metrics().add_metric(name=f"DepartmentMessage_{message.kind}", unit=MetricUnit.Count, value=1)
        logger().info(
            "department message applied",
            extra={"partner": system.partner_id, "message_id": message.message_id, "kind": message.kind},
        )
        return Outcome("applied", kind=message.kind, state=state)


@cache
def exchange_service() -> ExchangeService:
    return ExchangeService()
