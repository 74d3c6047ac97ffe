"""The embedded local cloud: the whole platform on one machine, driven by template.yaml.

    from infra.local import LocalCloud
    with LocalCloud(api_port=0, aws_port=0, scheduler=False) as cloud:
        requests.get(cloud.api_url + "/v1/items")

Names are imported lazily: worker processes import this package before the
handler, and their cold start should not pay for moto, boto3 or the gateway.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from infra.local.cloud import LocalCloud
    from infra.local.workers import FunctionError, Invocation

__all__ = ["FunctionError", "Invocation", "LocalCloud"]


def __getattr__(name: str) -> Any:
    if name == "LocalCloud":
        from infra.local.cloud import LocalCloud

        return LocalCloud
    if name in ("FunctionError", "Invocation"):
        from infra.local import workers

        return getattr(workers, name)
    raise AttributeError(name)
