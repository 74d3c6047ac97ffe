"""The scenes context's HTTP routes (paths fixed by template.yaml, ScenesApiFunction).

An applicant (a person, or an agent for the enterprise it acts for) uploads each
shared material once, submits the combined form of a scene (一件事) and follows the
application's one progress view; nobody else sees it but the region's supervisors.
"""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Body, Header, Path
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from shared.platform.idempotency import once
from shared.platform.observability import correlation_id
from shared.platform.principal import Access, Principal
from shared.platform.route_docs import SIGNED_IN
from shared.platform.route_docs import ok as _ok
from shared.platform.route_docs import problem as _problem
from shared.platform.routing import route
from shared.scenes.models import (
    APPLICATION_ID_PATTERN,
    SceneApplication,
    SceneSubmission,
    SceneUploadRequest,
    SceneUploadTicket,
)
from shared.scenes.service import ScenesService, scenes_service

router = APIGatewayRouter()

TAG = "Scenes 一件事"

ApplicationId = Annotated[
    str, Path(pattern=APPLICATION_ID_PATTERN, description="Scene application id (26 characters).")
]
IdempotencyKey = Annotated[
    str | None,
    Header(alias="Idempotency-Key", max_length=128, description="Same key and body return the first result."),
]


def _service() -> ScenesService:
    return scenes_service()


@route(
    router,
    "POST",
    "/v1/scene-uploads",
    status_code=201,
    summary="Upload a shared material of a scene application, once",
    description=(
        "A presigned POST for one file of one material slot of the scene's combined list (`materials` of "
        "`POST /v1/scenes/{scene_id}/guide`). POST the file to `url` with `fields`, then name its "
        "`material_id` in the submission; each case whose item asks the slot gets a copy, checked against "
        "that item's formats and size."
    ),
    tags=[TAG],
    access=Access.APPLICANT,
    responses={201: _ok("The upload form"), **SIGNED_IN},
)
def request_upload(principal: Principal, body: Annotated[SceneUploadRequest, Body()]) -> SceneUploadTicket:
    return _service().request_upload(principal, body)


@route(
    router,
    "POST",
    "/v1/scene-applications",
    status_code=201,
    summary="Submit a scene (一件事): one form, one submission, one case per item",
    description=(
        "The answers select the items (as the guide showed); the ONE combined form is copied into each "
        "item's form and each shared material into each case that asks it. The application is stored at "
        "once; its cases (one per item, each in its department's queue with its own clock) are opened "
        "moments later and appear in `GET /v1/scene-applications/{application_id}`. Send `Idempotency-Key` "
        "to make retries safe; the cases are opened once whatever is retried."
    ),
    tags=[TAG],
    access=Access.APPLICANT,
    responses={
        201: _ok("The application and its cases (opening)"),
        404: _problem("No such scene (catalog.scene_not_found)"),
        422: _problem(
            "Answers off the questionnaire, required fields or materials missing, a material not uploaded "
            "(catalog.invalid_answers, scenes.invalid_submission, scenes.nothing_selected)"
        ),
        **SIGNED_IN,
    },
)
def submit(
    principal: Principal, body: Annotated[SceneSubmission, Body()], idempotency_key: IdempotencyKey = None
) -> SceneApplication:
    def produce() -> dict[str, Any]:
        return _service().submit(principal, body, correlation_id()).record()

    scope = f"scenes.submit:{principal.subject_id}:{principal.acting_for}"
    result = once(scope=scope, key=idempotency_key, payload=body.model_dump(mode="json"), produce=produce)
    return SceneApplication.model_validate(result)


@route(
    router,
    "GET",
    "/v1/scene-applications/<application_id>",
    summary="Follow a scene application: each case and its state",
    description=(
        "The one progress view: every item's case (number, state) as its events said, and the application's "
        "state — `completed` once every case is finished (办结, not accepted, or withdrawn)."
    ),
    tags=[TAG],
    access=Access.AUTHENTICATED,
    scoped=True,
    responses={
        200: _ok("The application"),
        404: _problem("No such application, or not the caller's (scenes.application_not_found)"),
        **SIGNED_IN,
    },
)
def get_application(principal: Principal, application_id: ApplicationId) -> SceneApplication:
    return _service().application(principal, application_id)
