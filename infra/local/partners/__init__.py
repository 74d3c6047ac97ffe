"""Partner simulators: the outside systems the platform talks to (payment
channels, couriers), played locally so a newcomer can pay a demo fee or see a
result delivered, and tests can produce duplicated, reordered, late or forged
partner traffic.

A simulator is a class with `name`, `requires`, `start(cloud)` and `stop()`; `PARTNERS` lists the
dotted paths of the ones the local cloud starts after seeding (threads in the
cloud's process, talking to moto and the gateway like a partner would: through
the partner queues and public routes, never through the platform's code).
Adding one is a module here and a line in `PARTNERS`.
"""

from __future__ import annotations

import importlib
import logging
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from infra.local.cloud import LocalCloud

log = logging.getLogger("infra.local.partners")

PARTNERS: list[str] = [
    "infra.local.partners.payment_channel.PaymentChannelSimulator",
    "infra.local.partners.courier.CourierSimulator",
]


class Partner(Protocol):
    name: str
    requires: tuple[str, ...]
    """Logical ids of the template resources it talks to; a cloud without them (a test
    fixture template) does not start it."""

    def start(self, cloud: LocalCloud) -> None: ...

    def stop(self) -> None: ...


def load_partners() -> list[Partner]:
    partners: list[Partner] = []
    for dotted in PARTNERS:
        module_name, _, class_name = dotted.rpartition(".")
        partners.append(getattr(importlib.import_module(module_name), class_name)())
    return partners
