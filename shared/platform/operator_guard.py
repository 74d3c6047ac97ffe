"""Guard for operator endpoints (catalogue and calendar writes).

The identity context's authorizer verifies the caller's access token and
passes the principal in `requestContext.authorizer`; an operator endpoint
requires the role `operator`. No token → 401 (on AWS the gateway already
answers 401 before the function runs); another role → 403. The interim
`X-Operator-Key` header (docs/decisions.md D-008) is gone: a shared key
bypassed the sign-on and could not say which operator acted.
"""

from __future__ import annotations

from aws_lambda_powertools.event_handler.api_gateway import BaseRouter

from shared.platform.principal import Role, require_role


def require_operator(router: BaseRouter) -> str:
    """Refuse unless the caller is a signed-in operator; returns the actor (their subject id)."""
    return require_role(router, Role.OPERATOR).subject_id
