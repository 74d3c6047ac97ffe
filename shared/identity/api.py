"""The identity context's public module. Other contexts and the functions
import only this module and `shared.identity.events`.

Names load on first use (`shared.platform.public`, D-045): importing this
module costs nothing at cold start.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from shared.platform.public import lazy_exports

if TYPE_CHECKING:
    from shared.identity.applicants import ApplicantVerifier, VerifiedApplicant, VerifiedIdentity, applicant_verifier
    from shared.identity.holders import PersonHolder, enterprise_name, person_holder
    from shared.identity.ports import wire
    from shared.identity.routes import router
    from shared.identity.service import verify_contact
    from shared.identity.session_check import session_status
    from shared.identity.tokens import InvalidToken, verifier
    from shared.identity.workforce_routes import router as workforce_router

__all__ = [
    "ApplicantVerifier",
    "InvalidToken",
    "PersonHolder",
    "VerifiedApplicant",
    "VerifiedIdentity",
    "applicant_verifier",
    "enterprise_name",
    "person_holder",
    "router",
    "session_status",
    "verifier",
    "verify_contact",
    "wire",
    "workforce_router",
]

__getattr__ = lazy_exports(
    globals(),
    {
        "router": ".routes",
        "workforce_router": ".workforce_routes",
        "wire": ".ports",
        "ApplicantVerifier": ".applicants",
        "VerifiedApplicant": ".applicants",
        "VerifiedIdentity": ".applicants",
        "applicant_verifier": ".applicants",
        "InvalidToken": ".tokens",
        "verifier": ".tokens",
        "session_status": ".session_check",
        "verify_contact": ".service",
        "PersonHolder": ".holders",
        "person_holder": ".holders",
        "enterprise_name": ".holders",
    },
)
