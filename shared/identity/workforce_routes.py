"""The management platform's account routes (管理平台: 工作人员账号), served by identity_api.

Operators only (`Access.OPERATOR`), each further limited to the accounts it manages
(`operator_may_manage`, D-291): an account outside that answers 404, a change that would
put an account outside it 403 `identity.beyond_operator_scope`.
"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body, Path
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from shared.identity.models import SUBJECT_ID_PATTERN, RoleAssignment, WorkforceAccount, WorkforceAccountRequest
from shared.identity.workforce import workforce_admin
from shared.platform.observability import correlation_id
from shared.platform.principal import Access, Principal
from shared.platform.route_docs import SIGNED_IN, ok
from shared.platform.route_docs import problem as _problem
from shared.platform.routing import route

router = APIGatewayRouter()

TAG = "Management platform 管理平台"
SubjectId = Annotated[str, Path(pattern=SUBJECT_ID_PATTERN, description="The account's subject id.")]

_MANAGED = {
    **SIGNED_IN,
    404: _problem("No such workforce account, or not one you manage"),
    409: _problem("The account changed meanwhile (identity.account_changed)"),
}
_SCOPED_WRITE = {
    403: _problem("Beyond your scope (identity.beyond_operator_scope)"),
    422: _problem("Invalid fields, or no such department at the division (identity.unknown_department)"),
}


@route(
    router,
    "POST",
    "/v1/admin/accounts",
    status_code=201,
    summary="Open a workforce account",
    description=(
        "An operator opens a staff, supervisor, 12345 agent or operator account inside its division: "
        "province and city operators any of these below their level, county operators staff only. Staff name "
        "a department registered at the division. The first password goes by SMS to the account's phone (never "
        "in the answer); sign-in always also needs a code sent to that phone. Audited."
    ),
    tags=[TAG],
    responses={
        201: ok("The account, personal data masked"),
        **SIGNED_IN,
        **_SCOPED_WRITE,
        409: _problem("Login taken (identity.login_in_use)"),
        503: _problem("SMS channel unavailable (identity.sms_unavailable)"),
    },
    access=Access.OPERATOR,
    scoped=True,
)
def open_account(principal: Principal, body: Annotated[WorkforceAccountRequest, Body()]) -> WorkforceAccount:
    return workforce_admin().create(principal, body, correlation_id=correlation_id())


@route(
    router,
    "GET",
    "/v1/admin/accounts/<subject_id>",
    summary="Read a workforce account",
    description="A workforce account the operator manages, personal data masked; `version` for the next change.",
    tags=[TAG],
    responses={200: ok("The account"), **_MANAGED},
    access=Access.OPERATOR,
    scoped=True,
)
def get_account(principal: Principal, subject_id: SubjectId) -> WorkforceAccount:
    return workforce_admin().get(principal, subject_id)


@route(
    router,
    "PUT",
    "/v1/admin/accounts/<subject_id>/role",
    summary="Give a workforce account a role",
    description=(
        "Sets role, division and department (分级分部门授权) from the `version` read. The account's sessions "
        "are signed out so the new role applies at its next sign-in. Audited."
    ),
    tags=[TAG],
    responses={200: ok("The account as changed"), **_MANAGED, **_SCOPED_WRITE},
    access=Access.OPERATOR,
    scoped=True,
)
def assign_role(
    principal: Principal, subject_id: SubjectId, body: Annotated[RoleAssignment, Body()]
) -> WorkforceAccount:
    return workforce_admin().assign_role(principal, subject_id, body, correlation_id=correlation_id())


@route(
    router,
    "POST",
    "/v1/admin/accounts/<subject_id>/disable",
    summary="Disable a workforce account",
    description=(
        "The account can no longer sign in; its refresh tokens fail at once and its access tokens at the "
        "authorizer's next session check (within about 90 s). Audited."
    ),
    tags=[TAG],
    responses={200: ok("The account as changed"), **_MANAGED},
    access=Access.OPERATOR,
    scoped=True,
)
def disable_account(principal: Principal, subject_id: SubjectId) -> WorkforceAccount:
    return workforce_admin().disable(principal, subject_id, correlation_id=correlation_id())


@route(
    router,
    "POST",
    "/v1/admin/accounts/<subject_id>/reset-password",
    summary="Reset a workforce account's password",
    description=(
        "A new temporary password goes by SMS to the account's own phone; the account is signed out "
        "everywhere. Audited."
    ),
    tags=[TAG],
    responses={
        200: ok("The account as changed"),
        **_MANAGED,
        503: _problem("SMS channel unavailable (identity.sms_unavailable)"),
    },
    access=Access.OPERATOR,
    scoped=True,
)
def reset_password(principal: Principal, subject_id: SubjectId) -> WorkforceAccount:
    return workforce_admin().reset_password(principal, subject_id, correlation_id=correlation_id())


@route(
    router,
    "POST",
    "/v1/admin/accounts/<subject_id>/sign-out",
    summary="Require a new sign-in with a code",
    description=(
        "Signs the account out everywhere: its next use needs the password and a fresh SMS code "
        "(强制重新验证). Audited."
    ),
    tags=[TAG],
    responses={200: ok("The account"), **_MANAGED},
    access=Access.OPERATOR,
    scoped=True,
)
def sign_out_account(principal: Principal, subject_id: SubjectId) -> WorkforceAccount:
    return workforce_admin().sign_out(principal, subject_id, correlation_id=correlation_id())


workforce_router = router  # the name shared.identity.api exports it under
