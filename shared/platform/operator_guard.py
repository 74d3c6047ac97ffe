"""Interim guard for operator endpoints until the identity context's
authorizer exists (issue: unified identity). A request must carry the
`X-Operator-Key` header equal to the `OPERATOR_API_KEY` setting; an empty
setting (the AWS default) disables operator writes entirely. The local cloud
sets the key to `local-operator-key` and prints it. See docs/decisions.md.
"""

from __future__ import annotations

import hmac

from aws_lambda_powertools.event_handler.api_gateway import BaseRouter

from shared.platform.config import settings
from shared.platform.errors import Unauthorized

OPERATOR_KEY_HEADER = "X-Operator-Key"


def require_operator(router: BaseRouter) -> str:
    """Refuse with 401 unless the caller presents the operator key; returns the actor name."""
    expected = settings().operator_api_key
    headers = router.current_event.headers
    given = headers.get(OPERATOR_KEY_HEADER) or headers.get(OPERATOR_KEY_HEADER.lower()) or ""
    if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
        raise Unauthorized()
    return "operator"
