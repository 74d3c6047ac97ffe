"""Message center routes (paths fixed by template.yaml, IdentityApiFunction).

Every route needs a signed-in caller and works on the caller's own inbox
only: the owner comes from the authorizer's principal, never from the URL.
"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from shared.notifications.models import MESSAGE_ID_PATTERN, Message, UnreadCount
from shared.notifications.service import inbox_service
from shared.platform.pagination import DEFAULT_LIMIT, MAX_LIMIT, Page
from shared.platform.principal import Access, Principal
from shared.platform.route_docs import SIGNED_IN, Cursor, ok
from shared.platform.route_docs import problem as _problem
from shared.platform.routing import route

router = APIGatewayRouter()

MESSAGES_TAG = "Message center 消息中心"


_SIGNED_IN = SIGNED_IN


@route(
    router,
    "GET",
    "/v1/me/messages",
    summary="List my messages",
    description="The caller's inbox, newest first, paged with `limit` and the opaque `cursor`.",
    tags=[MESSAGES_TAG],
    responses={200: ok("One page of messages"), 400: _problem("Bad cursor (invalid_cursor)"), **_SIGNED_IN},
    access=Access.AUTHENTICATED,
    scoped=True,
)
def list_messages(
    principal: Principal,
    limit: Annotated[
        int, Query(ge=1, le=MAX_LIMIT, description=f"Page size (default {DEFAULT_LIMIT}).")
    ] = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Page[Message]:
    return inbox_service().messages(principal.subject_id, limit=limit, cursor=cursor)


@route(
    router,
    "GET",
    "/v1/me/messages/unread-count",
    summary="Count my unread messages",
    description="How many of the caller's messages are unread (for the badge in the portal).",
    tags=[MESSAGES_TAG],
    responses={200: ok("The unread count"), **_SIGNED_IN},
    access=Access.AUTHENTICATED,
    scoped=True,
)
def unread_count(principal: Principal) -> UnreadCount:
    return inbox_service().unread_count(principal.subject_id)


@route(
    router,
    "POST",
    "/v1/me/messages/<message_id>/read",
    summary="Mark a message read",
    description="Marks one of the caller's messages read; marking it again changes nothing. "
    "A message of another user is not found (404).",
    tags=[MESSAGES_TAG],
    responses={
        200: ok("Mark a message read"),
        404: _problem("No such message in your inbox (not_found)"),
        **_SIGNED_IN,
    },
    access=Access.AUTHENTICATED,
    scoped=True,
)
def mark_read(
    principal: Principal,
    message_id: Annotated[str, Path(pattern=MESSAGE_ID_PATTERN, description="Message id (26 characters).")],
) -> Message:
    return inbox_service().mark_read(principal.subject_id, message_id)
