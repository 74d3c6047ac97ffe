"""What the exchange context defines for partners: the department-system
messages (shared/exchange/messages.py) in the schema registry (D-235). It
publishes no domain events of its own: an accepted message's effect is the
cases context's event (case.accepted, case.decided, ...)."""

from __future__ import annotations

# the national push file registers its own schema (national_platform.case_records, D-298)
import shared.exchange.national  # noqa: F401
from shared.exchange.messages import KINDS, MEANINGS
from shared.platform.schemas import register_partner_message

PARTNER_KIND = "department_system"

for _kind, _model in KINDS.items():
    register_partner_message(f"{PARTNER_KIND}.{_kind}", _model, MEANINGS[_kind])
