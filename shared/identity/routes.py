"""The identity context's HTTP routes (paths fixed by template.yaml, IdentityApiFunction).

Public (no token; the template marks them `Authorizer: NONE`): one-time codes,
registration, sign-in (citizen; staff in two steps), refresh, acting-for
exchange, sign-out, and the JWKS. Signed in: the profile, the enterprises one
may act for, and the legal representative's management of agents.

Raw ID numbers and phones arrive only in bodies and leave only masked; token
responses carry `Cache-Control: no-store`.
"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from shared.identity.models import (
    SUBJECT_ID_PATTERN,
    USCC_FIELD_PATTERN,
    ActingForRequest,
    AgentAuthorisation,
    AgentGrant,
    CitizenSignIn,
    EnterpriseAccess,
    Jwks,
    OtpRequest,
    OtpSent,
    Profile,
    RefreshRequest,
    Registration,
    StaffChallenge,
    StaffSignIn,
    StaffSignInVerification,
    TokenPair,
)
from shared.identity.service import identity_service
from shared.identity.tokens import verification_keys
from shared.platform.idempotency import once
from shared.platform.observability import correlation_id
from shared.platform.pagination import Page
from shared.platform.principal import Access, Principal
from shared.platform.route_docs import SIGNED_IN, IdempotencyKey, ok
from shared.platform.route_docs import problem as _problem
from shared.platform.routing import route

router = APIGatewayRouter()

AUTH_TAG = "Sign-on 统一身份认证"
ME_TAG = "User center 个人空间"
AGENTS_TAG = "Enterprise agents 法人经办人授权"
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
JWKS_MAX_AGE_S = 3600


_SIGNED_IN = SIGNED_IN
_OTP_PROBLEMS = {
    401: _problem("Wrong or expired code (identity.otp_invalid, identity.otp_expired)"),
    429: _problem("Too many wrong codes (identity.otp_locked); see Retry-After"),
}
_TOKENS_PROBLEMS = {
    401: _problem(
        "Refresh token invalid, reused or signed out (identity.refresh_invalid, identity.refresh_reused, "
        "identity.session_revoked)"
    ),
    403: _problem("No valid authorisation for the enterprise (identity.not_authorised_for_enterprise)"),
}

Uscc = Annotated[
    str,
    Path(pattern=USCC_FIELD_PATTERN, description="统一社会信用代码 (18 characters).", examples=["91320102MA1W8K3R68"]),
]


def _source_address() -> str:
    return str(router.current_event.request_context.identity.source_ip or "")


def _tokens(pair: TokenPair) -> Response[TokenPair]:
    return Response(status_code=200, content_type="application/json", body=pair, headers=dict(NO_STORE))


# --- sign-on (public) ----------------------------------------------------------------------


@route(
    router,
    "POST",
    "/v1/auth/otp",
    status_code=202,
    summary="Send a one-time code by SMS",
    description=(
        "Sends a 6-digit code (valid 5 minutes, 5 attempts) to the phone, for `register` or `sign_in`. "
        "The answer is the same whether or not the phone is registered; an unregistered phone asking to sign in "
        "(or a registered one asking to register) gets a notice by SMS instead of a code. Limited per phone "
        "(one per `resend_after` seconds, a few per hour) and per source address: 429 with Retry-After."
    ),
    tags=[AUTH_TAG],
    responses={
        202: ok("Send a one-time code by SMS"),
        422: _problem("Bad phone (identity.phone_format)"),
        429: _problem("Requested too often (identity.otp_rate_limited); see Retry-After"),
        503: _problem("SMS channel unavailable (identity.sms_unavailable)"),
    },
    access=Access.PUBLIC,
)
def request_otp(body: Annotated[OtpRequest, Body()]) -> OtpSent:
    return identity_service().request_otp(body, source_address=_source_address())


@route(
    router,
    "POST",
    "/v1/auth/register",
    status_code=201,
    summary="Register with real-name verification",
    description=(
        "Registers a natural person: resident ID number (GB 11643 checks, each failure named in `errors`), "
        "name (must match the population registry), phone and the code sent to it. Nothing is created when any "
        "check fails. Send `Idempotency-Key` to make retries safe."
    ),
    tags=[AUTH_TAG],
    responses={
        201: ok("Register with real-name verification"),
        **_OTP_PROBLEMS,
        409: _problem("ID number or phone already registered (identity.already_registered, identity.phone_in_use)"),
        422: _problem(
            "Invalid fields (id_number.*, identity.phone_format, identity.name_format) or "
            "name not matching the ID number (identity.real_name_mismatch)"
        ),
        503: _problem("Population registry unavailable (identity.registry_unavailable); see Retry-After"),
    },
    access=Access.PUBLIC,
)
def register(body: Annotated[Registration, Body()], idempotency_key: IdempotencyKey = None) -> Profile:
    service = identity_service()
    result = once(
        scope="identity.register",
        key=idempotency_key,
        # the body holds an ID number and a phone: the idempotency store keeps only a keyed fingerprint
        payload={"fingerprint": service.request_fingerprint(body.model_dump(mode="json"))},
        produce=lambda: service.register(body, correlation_id=correlation_id()).model_dump(mode="json"),
    )
    return Profile.model_validate(result)


@route(
    router,
    "POST",
    "/v1/auth/sign-in",
    summary="Sign in with phone and one-time code",
    description=(
        "Natural persons sign in with the phone and the code from `POST /v1/auth/otp` (purpose `sign_in`). "
        "An agent may name the enterprise to act for (`acting_for`, a USCC they hold a valid authorisation for); "
        "the access token then has role `agent`. Returns an access token (≈15 minutes) and a refresh token."
    ),
    tags=[AUTH_TAG],
    responses={
        200: ok("Sign in with phone and one-time code"),
        **_OTP_PROBLEMS,
        403: _problem("No valid authorisation for acting_for (identity.not_authorised_for_enterprise)"),
        422: _problem("Bad phone (identity.phone_format)"),
    },
    access=Access.PUBLIC,
)
def sign_in(body: Annotated[CitizenSignIn, Body()]) -> Response[TokenPair]:
    return _tokens(identity_service().sign_in_citizen(body))


@route(
    router,
    "POST",
    "/v1/auth/staff/sign-in",
    status_code=202,
    summary="Staff sign-in, step 1: password",
    description=(
        "Staff, supervisors and operators give their login and password; a one-time code then goes to their "
        "registered phone and the answer names the challenge to complete with step 2. Attempts are limited per "
        "login and per source address (429 with Retry-After)."
    ),
    tags=[AUTH_TAG],
    responses={
        202: ok("Staff sign-in, step 1: password"),
        401: _problem("Wrong login or password (identity.sign_in_failed)"),
        429: _problem("Too many attempts (identity.sign_in_rate_limited, identity.otp_rate_limited)"),
        503: _problem("SMS channel unavailable (identity.sms_unavailable)"),
    },
    access=Access.PUBLIC,
)
def staff_sign_in(body: Annotated[StaffSignIn, Body()]) -> StaffChallenge:
    return identity_service().start_staff_sign_in(body, source_address=_source_address())


@route(
    router,
    "POST",
    "/v1/auth/staff/sign-in/verify",
    summary="Staff sign-in, step 2: one-time code",
    description="Completes a staff sign-in with the code sent to the phone; returns the tokens.",
    tags=[AUTH_TAG],
    responses={200: ok("Staff sign-in, step 2: one-time code"), **_OTP_PROBLEMS},
    access=Access.PUBLIC,
)
def staff_sign_in_verify(body: Annotated[StaffSignInVerification, Body()]) -> Response[TokenPair]:
    return _tokens(identity_service().finish_staff_sign_in(body))


@route(
    router,
    "POST",
    "/v1/auth/refresh",
    summary="Refresh the tokens",
    description=(
        "Exchanges a refresh token for a new access token and a new refresh token (rotation): each refresh "
        "token works once. Presenting a used one again signs the whole session out everywhere (reuse detection)."
    ),
    tags=[AUTH_TAG],
    responses={200: ok("Refresh the tokens"), **_TOKENS_PROBLEMS},
    access=Access.PUBLIC,
)
def refresh(body: Annotated[RefreshRequest, Body()]) -> Response[TokenPair]:
    return _tokens(identity_service().refresh(body.refresh_token, correlation_id=correlation_id()))


@route(
    router,
    "POST",
    "/v1/auth/acting-for",
    summary="Act for an enterprise, or for oneself",
    description=(
        "Token exchange for agents: with the session's refresh token, choose the enterprise to act for (a USCC "
        "with a valid authorisation) or `null` to act for oneself. Rotates the refresh token like a refresh."
    ),
    tags=[AUTH_TAG],
    responses={200: ok("Act for an enterprise, or for oneself"), **_TOKENS_PROBLEMS},
    access=Access.PUBLIC,
)
def acting_for(body: Annotated[ActingForRequest, Body()]) -> Response[TokenPair]:
    pair = identity_service().switch_acting_for(body.refresh_token, body.uscc, correlation_id=correlation_id())
    return _tokens(pair)


@route(
    router,
    "POST",
    "/v1/auth/sign-out",
    status_code=204,
    summary="Sign out",
    description=(
        "Revokes the session of the refresh token: it and every token rotated from it stop working. Access "
        "tokens already issued expire by themselves within 15 minutes. Unknown tokens are accepted silently."
    ),
    tags=[AUTH_TAG],
    access=Access.PUBLIC,
)
def sign_out(body: Annotated[RefreshRequest, Body()]) -> Response[None]:
    identity_service().sign_out(body.refresh_token)
    return Response(status_code=204, body=None, headers=dict(NO_STORE))


@route(
    router,
    "GET",
    "/v1/.well-known/jwks.json",
    summary="Token verification keys (JWKS)",
    description="The public keys (ES256, P-256) that verify access tokens, by `kid`. Cacheable for an hour.",
    tags=[AUTH_TAG],
    access=Access.PUBLIC,
)
def jwks() -> Response[Jwks]:
    document = Jwks.model_validate(verification_keys().jwks())
    return Response(
        status_code=200,
        content_type="application/json",
        body=document,
        headers={"Cache-Control": f"public, max-age={JWKS_MAX_AGE_S}"},
    )


# --- user center (signed in) -----------------------------------------------------------


@route(
    router,
    "GET",
    "/v1/me",
    summary="My profile",
    description="The signed-in user's profile with the ID number and phone masked; the role is the token's.",
    tags=[ME_TAG],
    responses={200: ok("The profile"), **_SIGNED_IN},
    access=Access.AUTHENTICATED,
)
def me(principal: Principal) -> Profile:
    return identity_service().profile(principal)


@route(
    router,
    "GET",
    "/v1/me/enterprises",
    summary="Enterprises I may act for",
    description="The enterprises whose legal representative authorised the caller, with scope and end date.",
    tags=[ME_TAG],
    responses={200: ok("The enterprises (one page)"), **_SIGNED_IN},
    access=Access.AUTHENTICATED,
)
def my_enterprises(principal: Principal) -> Page[EnterpriseAccess]:
    return Page[EnterpriseAccess](items=identity_service().enterprises_of(principal), next_cursor=None)


# --- agents of an enterprise (its legal representative) -----------------------------------

_LEGAL_REPRESENTATIVE_PROBLEMS = {
    **_SIGNED_IN,
    403: _problem("Not the enterprise's legal representative (identity.not_legal_representative)"),
    404: _problem("USCC not in the enterprise registry (identity.unknown_enterprise)"),
    503: _problem("Enterprise registry unavailable (identity.registry_unavailable); see Retry-After"),
}


@route(
    router,
    "POST",
    "/v1/enterprises/<uscc>/agents",
    status_code=201,
    summary="Authorise an agent",
    description=(
        "The enterprise's legal representative (per the enterprise registry), signed in, authorises a registered "
        "person — named by ID number and name — to act for the enterprise with a scope until a date (at most "
        "three years). Authorising the same person again replaces scope and date."
    ),
    tags=[AGENTS_TAG],
    responses={
        201: ok("Authorise an agent"),
        **_LEGAL_REPRESENTATIVE_PROBLEMS,
        422: _problem(
            "Invalid USCC (uscc.*), ID number (id_number.*), name or date (identity.expiry_invalid), "
            "or no such registered person (identity.agent_not_found)"
        ),
    },
    access=Access.APPLICANT,
    scoped=True,
)
def grant_agent(principal: Principal, uscc: Uscc, body: Annotated[AgentGrant, Body()]) -> AgentAuthorisation:
    return identity_service().grant_agent(principal, uscc, body, correlation_id=correlation_id())


@route(
    router,
    "GET",
    "/v1/enterprises/<uscc>/agents",
    summary="List an enterprise's agents",
    description="The agents the legal representative has authorised for the enterprise.",
    tags=[AGENTS_TAG],
    responses={
        200: ok("List an enterprise's agents"),
        **_LEGAL_REPRESENTATIVE_PROBLEMS,
        422: _problem("Invalid USCC (uscc.*)"),
    },
    access=Access.APPLICANT,
    scoped=True,
)
def list_agents(principal: Principal, uscc: Uscc) -> Page[AgentAuthorisation]:
    return Page[AgentAuthorisation](items=identity_service().agents_of(principal, uscc), next_cursor=None)


@route(
    router,
    "POST",
    "/v1/enterprises/<uscc>/agents/<agent_subject_id>/revoke",
    status_code=204,
    summary="Revoke an agent's authorisation",
    description="The legal representative withdraws an authorisation; the agent's next refresh is refused.",
    tags=[AGENTS_TAG],
    responses={
        204: ok("Done, no body"),
        **_LEGAL_REPRESENTATIVE_PROBLEMS,
        404: _problem(
            "Unknown enterprise or authorisation (identity.unknown_enterprise, identity.authorisation_not_found)"
        ),
    },
    access=Access.APPLICANT,
    scoped=True,
)
def revoke_agent(
    principal: Principal,
    uscc: Uscc,
    agent_subject_id: Annotated[str, Path(pattern=SUBJECT_ID_PATTERN, description="The agent's subject id.")],
) -> Response[None]:
    identity_service().revoke_agent(principal, uscc, agent_subject_id, correlation_id=correlation_id())
    return Response(status_code=204, body=None)
