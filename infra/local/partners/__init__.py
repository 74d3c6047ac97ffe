"""Partner simulators: the outside systems the platform talks to (payment
channels, couriers), played locally so a newcomer can pay a demo fee or see a
result delivered, and tests can produce duplicated, reordered, late or forged
partner traffic.

A simulator is a class with `name`, `requires`, `start(cloud)` and `stop()`; `PARTNERS` lists the
dotted paths of the ones the local cloud starts after seeding (threads in the
cloud's process, talking to moto and the gateway like a partner would: through
the partner queues and public routes, never through the platform's code).
Adding one is a module here and a line in `PARTNERS`.

Partners the platform *calls* (the SMS gateway, the real-name registries) also
have `bind(cloud) -> {ENV_VAR: url}`: they start serving right after the
resources exist, before the function workers and the seed, and the URL they
got (a fixed port under `make run`, a free one in test clouds) replaces the
template's value of that variable for the functions that declare it.
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
    "infra.local.partners.department_system.DepartmentSystemSimulator",
    "infra.local.partners.sms_gateway.SmsGatewaySimulator",
    "infra.local.partners.real_name_registry.RealNameRegistrySimulator",
    "infra.local.partners.department_queries.DepartmentQuerySimulator",
    "infra.local.partners.credit_registry.CreditRegistrySimulator",
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
