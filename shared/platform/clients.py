"""一端: which client sent a write (`X-Client-Id`: web, app, wechat, hall).

Every client uses the same routes; the header only records where a change came
from (D-273). `shared.platform.http` reads it once per write request — an
unknown value is refused with 400 `client_unknown` before routing, a missing
one is `web` — and keeps it for the request in a context variable; the route
decorator declares it as a parameter of every write in the spec. Whatever the
request writes picks it up from here: every event envelope (`client`) and the
case timeline's entries. Outside a request (consumers, sweeps) there is none.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Annotated, Literal, cast, get_args

from shared.platform.errors import BadRequest, register_messages

ClientId = Literal["web", "app", "wechat", "hall"]
CLIENT_IDS: tuple[str, ...] = get_args(ClientId)
CLIENT_HEADER = "X-Client-Id"
DEFAULT_CLIENT: ClientId = "web"
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

_current: ContextVar[ClientId | None] = ContextVar("jszw_client", default=None)

register_messages(
    {
        "client_unknown": (
            "客户端标识 X-Client-Id 无效（可选 web、app、wechat、hall）",
            "Unknown X-Client-Id (one of web, app, wechat, hall)",
        ),
    }
)


def client_from_header(value: str | None) -> ClientId:
    """The client a write's header names; absent or empty is `web` (a browser sends nothing)."""
    if not value:
        return DEFAULT_CLIENT
    if value not in CLIENT_IDS:
        raise BadRequest("client_unknown")
    return cast(ClientId, value)


def current_client() -> ClientId | None:
    """The client of the write being handled; None outside an HTTP write."""
    return _current.get()


@contextmanager
def acting_client(client: ClientId | None) -> Iterator[None]:
    """Run a request as coming from `client` (reset afterwards: a warm container serves many)."""
    token = _current.set(client)
    try:
        yield
    finally:
        _current.reset(token)


def client_parameter() -> object:
    """The spec's declaration of the header (the route decorator adds it to every write)."""
    from aws_lambda_powertools.event_handler.openapi.params import Header

    return Annotated[
        ClientId | None,
        Header(
            alias=CLIENT_HEADER,
            description="The client sending the write (一端: web, app, wechat, hall; absent = web); recorded on "
            "the change's events and timeline entries. Any other value: 400 client_unknown.",
        ),
    ]
