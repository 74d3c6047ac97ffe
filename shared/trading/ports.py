"""What the trading context needs from outside (ports, D-092): the credit lists (信用信息)
every bidder, candidate and winner is checked against — 失信被执行人 (the courts'), 重大税收违法
失信主体 (tax). Wired by `functions/trading_api/app.py` with the HTTPS adapter (`credit.py`); locally the
platform is played by infra/local/partners/credit_registry.py (D-310)."""

from __future__ import annotations

from typing import Protocol

from shared.platform.ports import Port, wire_ports


class CreditList(Protocol):
    def listings(self, uscc: str) -> list[str]:
        """The names of the lists `uscc` is on today (empty: none); raises
        `shared.platform.partner_http.PartnerUnavailable` when the platform cannot answer."""
        ...


credit: Port[CreditList] = Port("trading", "credit")
_PORTS = (credit,)


def wire(*, credit: CreditList | None = None) -> None:
    wire_ports(_PORTS, credit=credit)
