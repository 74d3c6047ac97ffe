"""Events the identity context publishes (source `jszw.identity`), listed in docs/events.md.

Data never holds a raw ID number, phone or name: subjects are opaque ids,
enterprises their USCC (a public legal-person code).
"""

from datetime import date
from functools import partial
from typing import Literal

from pydantic import BaseModel, ConfigDict

from shared.identity.scopes import AgentScope
from shared.platform.events import make_envelope, register_event_type
from shared.platform.principal import Role

SOURCE = "identity"
ACCOUNT_REGISTERED = "identity.account_registered"
AGENT_AUTHORISED = "identity.agent_authorised"
AGENT_AUTHORISATION_REVOKED = "identity.agent_authorisation_revoked"
SESSION_REVOKED = "identity.session_revoked"
WORKFORCE_ACCOUNT_CHANGED = "identity.workforce_account_changed"


class AccountRegisteredData(BaseModel):
    """A natural person registered with a verified real name (实名注册)."""

    model_config = ConfigDict(defer_build=True)

    subject_id: str
    role: Role


class AgentAuthorisedData(BaseModel):
    """The legal representative authorised an agent for the enterprise."""

    model_config = ConfigDict(defer_build=True)

    uscc: str
    enterprise_name: str
    agent_subject_id: str
    scope: list[AgentScope]
    expires_on: date
    granted_by: str


class AgentAuthorisationRevokedData(BaseModel):
    model_config = ConfigDict(defer_build=True)

    uscc: str
    enterprise_name: str
    agent_subject_id: str
    revoked_by: str


class SessionRevokedData(BaseModel):
    """A whole session family was revoked because a rotated refresh token came back
    (a stolen token or a replay), so the user is told and signs in again."""

    model_config = ConfigDict(defer_build=True)

    subject_id: str
    family_id: str
    reason: str


class WorkforceAccountChangedData(BaseModel):
    """An operator changed a workforce account (管理平台账号管理): the account as it is now and
    who did what. No name, ID number or phone: the audit log keeps this data as it is."""

    model_config = ConfigDict(defer_build=True)

    subject_id: str
    action: Literal["created", "role_assigned", "disabled", "password_reset", "signed_out"]
    login: str
    role: Role
    region_code: str
    department_id: str | None
    status: Literal["active", "disabled"]
    version: int
    sessions_revoked: int
    by: str


register_event_type(
    WORKFORCE_ACCOUNT_CHANGED,
    WorkforceAccountChangedData,
    "An operator created a workforce account, gave it a role, disabled it, reset its password or signed it out.",
)
register_event_type(
    ACCOUNT_REGISTERED, AccountRegisteredData, "A natural person registered with a verified real name (实名注册)."
)
register_event_type(
    AGENT_AUTHORISED,
    AgentAuthorisedData,
    "An enterprise's legal representative authorised (or re-authorised) an agent (授权经办人).",
)
register_event_type(
    AGENT_AUTHORISATION_REVOKED,
    AgentAuthorisationRevokedData,
    "The legal representative withdrew an agent's authorisation (撤销授权).",
)
register_event_type(
    SESSION_REVOKED,
    SessionRevokedData,
    "A session family was revoked because a rotated refresh token was presented again (reuse detection).",
)


# (event type, subject, data, correlation id) -> this context's envelope
envelope = partial(make_envelope, SOURCE)
