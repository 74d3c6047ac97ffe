"""The licences context's HTTP routes (paths fixed by template.yaml, LicenceApiFunction).

Public (no token): verification by identifier or QR payload, the trust list
and the status lists — verifiers need nothing but these. The holder's wallet
(`/v1/me/licences…`) is for citizens and for agents holding the enterprise's
`licences` authorisation. Status changes are for staff of the issuing
department only (another department: 403). Department queries of an
applicant's licences need a case of the caller's department and a purpose,
and are logged for the holder.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Body, Path
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from shared.licences import errors as _errors  # noqa: F401 (registers the licence.* codes)
from shared.licences import ports
from shared.licences.identifiers import TYPE_CODE_PATTERN
from shared.licences.models import (
    LICENCE_ID_PATTERN,
    DownloadLink,
    HolderQuery,
    HolderQueryResult,
    LicenceDetail,
    LicenceSummary,
    LicenceType,
    LicenceTypeChange,
    ReplaceRequest,
    StatusChange,
    StatusListDocument,
    TrustList,
    UsageEntry,
    Verification,
    VerifyRequest,
)
from shared.platform.observability import correlation_id
from shared.platform.pagination import DEFAULT_LIMIT, Page
from shared.platform.principal import Access, Principal
from shared.platform.route_docs import SIGNED_IN, Cursor, IdempotencyKey, Limit
from shared.platform.route_docs import ok as _ok
from shared.platform.route_docs import problem as _problem
from shared.platform.routing import route

if TYPE_CHECKING:
    from shared.licences.service import LicencesService

router = APIGatewayRouter()

VERIFY_TAG = "E-licence verification 电子证照核验"
WALLET_TAG = "My licences 我的证照"
ISSUER_TAG = "Licence status 证照状态管理"
DIRECTORY_TAG = "Licence-type directory 证照目录"


_ROLE = {**SIGNED_IN, 403: _problem("The caller's role (or an agent's authorisation) does not allow this")}
_MINE = {**_ROLE, 404: _problem("No such licence, or not the caller's (licence.not_found)")}
_ISSUER = {
    **_ROLE,
    404: _problem("No such licence, or not issued by the caller's department (licence.not_found)"),
    409: _problem("Wrong status or changed meanwhile (licence.transition_not_allowed, licence.changed_concurrently)"),
}

LicenceId = Annotated[str, Path(pattern=LICENCE_ID_PATTERN, description="Licence id (26 characters).")]
TypeCode = Annotated[
    str,
    Path(
        pattern=TYPE_CODE_PATTERN,
        description="证照类型代码: the defining body's USCC and a 3-digit sequence (21 characters).",
    ),
]
ListId = Annotated[str, Path(pattern=r"^[0-9A-Za-z_-]{1,32}$", description="Status list id (from the QR payload).")]


def _service() -> LicencesService:
    # imported on first use: boto3, the signer and the PDF renderer stay out of the cold start
    from shared.licences.service import licences_service

    return licences_service()


# --- public --------------------------------------------------------------------------------


@route(
    router,
    "POST",
    "/v1/licences/verify",
    summary="Verify an e-licence (by identifier or QR payload)",
    description=(
        "Public verification (C11): send `identifier` (电子证照标识) or `qr` (the QR code's text). The answer "
        "is one of valid, expired, suspended, revoked, replaced or unknown, with a `reason`; a QR payload's "
        "signature is checked against the trust list and its facts against the licence on record. Tampered, "
        "malformed or unknown input is a result (unknown + reason), never an error; the answer is never valid "
        "when the current status could not be read."
    ),
    tags=[VERIFY_TAG],
    access=Access.PUBLIC,
    responses={200: _ok("The verdict"), 422: _problem("Neither or both of identifier and qr (validation_failed)")},
)
def verify(body: Annotated[VerifyRequest, Body()]) -> Verification:
    return _service().verify(body)


@route(
    router,
    "GET",
    "/v1/licences/trust-list",
    summary="The trust list: issuing public keys per issuer",
    description=(
        "Public keys (ES256 SPKI DER base64, SM2 x||y hex) with their key ids and state (current, standby, "
        "previous — retired keys stay so that licences they signed keep verifying), the issuers each key may "
        "sign for, and the status lists. Offline verifiers cache it (`python -m shared.licences.verify`)."
    ),
    tags=[VERIFY_TAG],
    access=Access.PUBLIC,
    cached=True,
    responses={200: _ok("The trust list")},
)
def trust_list() -> TrustList:
    return _service().trust_list()


@route(
    router,
    "GET",
    "/v1/licences/status-lists/<list_id>",
    summary="A bitstring status list",
    description=(
        "The whole list (2 bits per licence: active, suspended, revoked, replaced), GZIP-compressed and "
        "base64url-encoded, in the style of the W3C Bitstring Status List. Verifiers download it whole and look "
        "the QR payload's index up locally, so nobody learns which licence they checked."
    ),
    tags=[VERIFY_TAG],
    access=Access.PUBLIC,
    cached=True,
    responses={200: _ok("The status list"), 404: _problem("No such list (licence.unknown_status_list)")},
)
def status_list(list_id: ListId) -> StatusListDocument:
    return _service().status_list_document(list_id)


# --- the holder's wallet ---------------------------------------------------------------------


@route(
    router,
    "GET",
    "/v1/me/licences",
    summary="My licences",
    description=(
        "The caller's e-licences, newest first (user center, C13); an agent with the enterprise's `licences` "
        "authorisation sees the enterprise's. Paged with `limit` and `cursor`."
    ),
    tags=[WALLET_TAG],
    access=Access.APPLICANT,
    scoped=True,
    responses={200: _ok("A page of licences"), 400: _problem("Bad cursor (invalid_cursor)"), **_ROLE},
)
def my_licences(principal: Principal, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None) -> Page[LicenceSummary]:
    return _service().my_licences(principal, limit=limit, cursor=cursor)


@route(
    router,
    "GET",
    "/v1/me/licences/<licence_id>",
    summary="One of my licences",
    description="Metadata (GB/T 36903, holder code masked), status and the signed QR payload.",
    tags=[WALLET_TAG],
    access=Access.APPLICANT,
    scoped=True,
    responses={200: _ok("The licence"), **_MINE},
)
def my_licence(principal: Principal, licence_id: LicenceId) -> LicenceDetail:
    return _service().my_licence(principal, licence_id)


@route(
    router,
    "GET",
    "/v1/me/licences/<licence_id>/download",
    summary="Download link of my licence's PDF certificate",
    description="A short-lived link (5 minutes by default) to the PDF certificate with its QR code, and its SHA-256.",
    tags=[WALLET_TAG],
    access=Access.APPLICANT,
    scoped=True,
    responses={200: _ok("The link"), **_MINE},
)
def download(principal: Principal, licence_id: LicenceId) -> DownloadLink:
    return _service().download(principal, licence_id)


@route(
    router,
    "GET",
    "/v1/me/licence-usage",
    summary="Who used my licences (用证记录)",
    description=(
        "Every use of the caller's licences, newest first: consents given when a licence stood in for a "
        "material (which licence, which case, purpose, when), and every department query (who, which case, "
        "purpose, which licences)."
    ),
    tags=[WALLET_TAG],
    access=Access.APPLICANT,
    scoped=True,
    responses={200: _ok("A page of usage entries"), 400: _problem("Bad cursor (invalid_cursor)"), **_ROLE},
)
def my_usage(principal: Principal, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None) -> Page[UsageEntry]:
    return _service().my_usage(principal, limit=limit, cursor=cursor)


# --- the issuing department ------------------------------------------------------------------


def _status_route(path: str, action: str, summary: str, description: str) -> None:
    def change(principal: Principal, licence_id: LicenceId, body: Annotated[StatusChange, Body()]) -> LicenceDetail:
        return _service().change_status(principal, licence_id, action, body.reason, correlation_id=correlation_id())

    change.__name__ = f"{action}_licence"  # the spec's operationId; named before registration reads it
    route(
        router,
        "POST",
        path,
        summary=summary,
        description=description,
        tags=[ISSUER_TAG],
        access=Access.STAFF,
        scoped=True,
        responses={200: _ok("The licence after the change"), **_ISSUER},
    )(change)


_status_route(
    "/v1/licences/<licence_id>/suspend",
    "suspend",
    "Suspend a licence (暂扣)",
    "The issuing department suspends an active licence, with a reason; verification answers suspended.",
)
_status_route(
    "/v1/licences/<licence_id>/reinstate",
    "reinstate",
    "Lift a suspension (恢复)",
    "The issuing department reinstates a suspended licence, with a reason.",
)
_status_route(
    "/v1/licences/<licence_id>/revoke",
    "revoke",
    "Revoke a licence (撤销/吊销)",
    "The issuing department revokes a licence, with a reason; verification answers revoked from then on.",
)


@route(
    router,
    "POST",
    "/v1/licences/<licence_id>/replace",
    summary="Replace a licence with a new version (换发)",
    description=(
        "The issuing department issues the next version (same serial, version + 1, new identifier, new "
        "signature and PDF); the old version verifies as replaced and names the new identifier. Send "
        "`Idempotency-Key` to make retries safe."
    ),
    tags=[ISSUER_TAG],
    access=Access.STAFF,
    scoped=True,
    responses={
        200: _ok("The new version"),
        **_ISSUER,
        409: _problem(
            "Wrong status, changed meanwhile, or Idempotency-Key reused with another body "
            "(licence.transition_not_allowed, licence.changed_concurrently, idempotency_key_reused)"
        ),
    },
)
def replace_licence(
    principal: Principal,
    licence_id: LicenceId,
    body: Annotated[ReplaceRequest, Body()],
    idempotency_key: IdempotencyKey = None,
) -> LicenceDetail:
    from shared.platform.idempotency import once

    def produce() -> dict[str, Any]:
        replaced = _service().replace(principal, licence_id, body, correlation_id=correlation_id())
        return replaced.model_dump(mode="json")

    scope = f"licences.replace:{principal.department_id}:{licence_id}"
    result = once(scope=scope, key=idempotency_key, payload=body.model_dump(mode="json"), produce=produce)
    return LicenceDetail.model_validate(result)


@route(
    router,
    "POST",
    "/v1/licences/holder-queries",
    summary="Query an applicant's licences for a case (依申请查询)",
    description=(
        "Department staff list the licences of a case's applicant — only for a case their department handles, "
        "with a stated purpose; every query is logged and shown to the holder (`/v1/me/licence-usage`)."
    ),
    tags=[ISSUER_TAG],
    access=Access.STAFF,
    scoped=True,
    responses={
        200: _ok("The applicant's licences"),
        **SIGNED_IN,
        403: _problem("Not a case of the caller's department (forbidden)"),
        404: _problem("No such case (case.not_found)"),
    },
)
def holder_query(principal: Principal, body: Annotated[HolderQuery, Body()]) -> HolderQueryResult:
    case = ports.cases()(principal, body.case_id)
    query_id, items = _service().holder_query(
        principal,
        case_id=case.case_id,
        case_number=case.case_number,
        holder_subject_id=case.applicant_subject_id,
        holder_uscc=case.applicant_uscc,
        purpose=body.purpose,
        type_code=body.licence_type_code,
    )
    return HolderQueryResult(query_id=query_id, case_id=case.case_id, items=items)


# --- the licence-type directory (证照目录) -----------------------------------------------------


@route(
    router,
    "GET",
    "/v1/licence-types",
    summary="The licence-type directory",
    description=(
        "Every licence type the platform can issue or name in a service item, in code order: name, category, "
        "validity (null: long-term), status (retired types stay listed for the licences already issued) and "
        "version. Public: portals show the names of the licences an item results in. Paged with `limit` and "
        "`cursor`."
    ),
    tags=[DIRECTORY_TAG],
    access=Access.PUBLIC,
    responses={200: _ok("A page of licence types"), 400: _problem("Bad cursor (invalid_cursor)")},
)
def list_licence_types(limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None) -> Page[LicenceType]:
    return _service().licence_types(limit=limit, cursor=cursor)


@route(
    router,
    "GET",
    "/v1/licence-types/<code>",
    summary="One licence type",
    description="The directory's entry for a type code, with its version (send it back to change the type).",
    tags=[DIRECTORY_TAG],
    access=Access.PUBLIC,
    responses={200: _ok("The licence type"), 404: _problem("No such licence type (licence.type_not_found)")},
)
def get_licence_type(code: TypeCode) -> LicenceType:
    return _service().get_licence_type(code)


@route(
    router,
    "PUT",
    "/v1/licence-types/<code>",
    summary="Add or change a licence type (operators)",
    description=(
        "Adds a type (`based_on_version` 0) or changes one (`based_on_version` = its current version; another "
        "version answers 409 with the current one). Retiring a type (`status` retired) stops new service items "
        "naming it and stops issuance of it; licences already issued are untouched. Sending what is stored "
        "changes nothing. Every change is recorded as a `licence_type.changed` event."
    ),
    tags=[DIRECTORY_TAG],
    access=Access.OPERATOR,
    responses={
        200: _ok("The licence type after the change"),
        **_ROLE,
        404: _problem("`based_on_version` names a type that does not exist (licence.type_not_found)"),
        409: _problem("The type changed meanwhile (licence.type_changed_concurrently)"),
        422: _problem("Invalid code or body (licence.type_code_invalid, validation_failed)"),
    },
)
def put_licence_type(principal: Principal, code: TypeCode, body: Annotated[LicenceTypeChange, Body()]) -> LicenceType:
    return _service().put_licence_type(code, body, actor=principal.subject_id, correlation_id=correlation_id())
