"""The identity context's shapes: API requests and responses, and stored records.

Requests carry raw ID numbers, names and phones only in bodies (never in
URLs); responses only ever carry their masked forms.
"""

from datetime import date, datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.identity.scopes import AgentScope as AgentScope
from shared.platform.principal import Role

OTP_PATTERN = r"^[0-9]{6}$"
USCC_FIELD_PATTERN = r"^[0-9A-Z]{18}$"
LOGIN_PATTERN = r"^[a-z][a-z0-9._-]{2,39}$"
SUBJECT_ID_PATTERN = r"^[0-9A-Z]{26}$"
# The patterns the service checks (shared.identity.service) after folding full-width
# characters, spaces, hyphens and a +86 prefix: documented in the spec, not enforced
# by the model, so "+86 138-0013-8000" is still accepted as the same phone.
_PHONE: dict[str, Any] = {"json_schema_extra": {"pattern": r"^1[3-9][0-9]{9}$"}}
_ID_NUMBER: dict[str, Any] = {"json_schema_extra": {"pattern": r"^[0-9]{17}[0-9X]$"}}


class AccountKind(StrEnum):
    PERSON = "person"  # 自然人用户 (citizen; agent when acting for an enterprise)
    WORKFORCE = "workforce"  # 工作人员: staff, supervisors, operators (password + code)


class OtpPurpose(StrEnum):
    REGISTER = "register"  # 注册
    SIGN_IN = "sign_in"  # 登录
    STAFF_SIGN_IN = "staff_sign_in"  # 工作人员登录第二步 (not requestable directly)
    CONTACT = "contact"  # 验证联系电话 (an anonymous 12345 report's contact; no account needed)


# --- requests ----------------------------------------------------------------------------


class OtpRequest(BaseModel):
    """Ask for a one-time code (短信验证码) to register or to sign in."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    phone: str = Field(min_length=1, max_length=20, description="Mainland mobile number, 11 digits.", **_PHONE)
    purpose: Literal[OtpPurpose.REGISTER, OtpPurpose.SIGN_IN, OtpPurpose.CONTACT] = Field(
        description="register, sign_in, or contact (verify a contact phone, e.g. of an anonymous 12345 report)"
    )


class Registration(BaseModel):
    """Real-name registration of a natural person (实名注册)."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    id_number: str = Field(
        min_length=1, max_length=32, description="Resident ID number (公民身份号码), 18 characters.", **_ID_NUMBER
    )
    name: str = Field(min_length=1, max_length=64, description="Name as in the population registry (姓名).")
    phone: str = Field(min_length=1, max_length=20, description="The phone the code was sent to.", **_PHONE)
    code: str = Field(pattern=OTP_PATTERN, description="The 6-digit one-time code.")


class CitizenSignIn(BaseModel):
    """Sign in with the phone and a one-time code; agents may name the enterprise to act for."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    phone: str = Field(min_length=1, max_length=20, **_PHONE)
    code: str = Field(pattern=OTP_PATTERN)
    acting_for: str | None = Field(
        default=None, pattern=USCC_FIELD_PATTERN, description="USCC to act for (needs a valid authorisation)."
    )


class StaffSignIn(BaseModel):
    """First step of a staff or operator sign-in: login name and password."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    login: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class StaffSignInVerification(BaseModel):
    """Second step: the one-time code sent to the staff member's phone."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    challenge_id: str = Field(min_length=16, max_length=64)
    code: str = Field(pattern=OTP_PATTERN)


class RefreshRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)

    refresh_token: str = Field(min_length=16, max_length=128)


class ActingForRequest(BaseModel):
    """Switch whom the session acts for (token exchange): a USCC, or null to act for oneself."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    refresh_token: str = Field(min_length=16, max_length=128)
    uscc: str | None = Field(pattern=USCC_FIELD_PATTERN, description="USCC, or null for oneself.")


class AgentGrant(BaseModel):
    """The legal representative authorises an agent (法定代表人授权经办人)."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    agent_id_number: str = Field(
        min_length=1, max_length=32, description="The agent's resident ID number.", **_ID_NUMBER
    )
    agent_name: str = Field(min_length=1, max_length=64, description="The agent's name.")
    scope: list[AgentScope] = Field(min_length=1, max_length=len(AgentScope))
    expires_on: date = Field(description="Last day the authorisation is valid (Asia/Shanghai).")


class WorkforceAccountRequest(BaseModel):
    """An operator opens a staff, supervisor, 12345 agent or operator account (开通工作人员账号).
    The first password goes by SMS to the phone, never into the answer."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    login: str = Field(pattern=LOGIN_PATTERN, description="Sign-in name, lower case.", examples=["xuanwu.civil.li"])
    name: str = Field(min_length=1, max_length=64, description="The person's name (姓名).")
    id_number: str = Field(
        min_length=1, max_length=32, description="Resident ID number (公民身份号码), 18 characters.", **_ID_NUMBER
    )
    phone: str = Field(min_length=1, max_length=20, description="Mobile for sign-in codes.", **_PHONE)
    role: Literal[Role.STAFF, Role.SUPERVISOR, Role.OPERATOR, Role.HOTLINE_AGENT]
    region_code: str = Field(pattern=r"^32[0-9]{4}$", description="The division the person works for.")
    department_id: str | None = Field(
        default=None, pattern=r"^[a-z0-9][a-z0-9-]{2,47}$", description="Staff only: the department."
    )
    department_head: bool = Field(default=False, description="Staff only: heads the department (部门负责人).")


class RoleAssignment(BaseModel):
    """Give an account a role by level and department (分级分部门授权)."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    role: Literal[Role.STAFF, Role.SUPERVISOR, Role.OPERATOR, Role.HOTLINE_AGENT]
    region_code: str = Field(pattern=r"^32[0-9]{4}$")
    department_id: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9-]{2,47}$")
    department_head: bool = False
    version: int = Field(ge=1, le=1_000_000_000, description="The account's version as read (optimistic lock).")


# --- responses ---------------------------------------------------------------------------


class OtpSent(BaseModel):
    model_config = ConfigDict(defer_build=True)

    masked_phone: str = Field(examples=["138****5678"])
    expires_in: int = Field(description="Seconds the code stays valid.")
    resend_after: int = Field(description="Seconds before another code may be requested.")


class StaffChallenge(BaseModel):
    model_config = ConfigDict(defer_build=True)

    challenge_id: str
    masked_phone: str
    expires_in: int


class TokenPair(BaseModel):
    model_config = ConfigDict(defer_build=True)

    access_token: str
    token_type: Literal["Bearer"] = "Bearer"  # noqa: S105 (a token kind, not a secret)
    expires_in: int = Field(description="Seconds the access token is valid.")
    refresh_token: str = Field(description="Opaque; single use: every refresh returns a new one.")
    refresh_expires_in: int
    role: Role
    acting_for: str | None = None


class Profile(BaseModel):
    """The signed-in user's profile (个人空间), personal data masked."""

    model_config = ConfigDict(defer_build=True)

    subject_id: str
    kind: AccountKind
    role: Role = Field(description="The role of this token (agent while acting for an enterprise).")
    name: str
    id_number_masked: str = Field(examples=["320102********123X"])
    phone_masked: str = Field(examples=["138****5678"])
    department_id: str | None = None
    region_code: str | None = None
    acting_for: str | None = None
    registered_at: datetime


class EnterpriseAccess(BaseModel):
    """An enterprise the user may act for (可代办的企业)."""

    model_config = ConfigDict(defer_build=True)

    uscc: str
    enterprise_name: str
    scope: list[AgentScope]
    expires_on: date
    authorised_at: datetime


class AgentAuthorisation(BaseModel):
    """An agent authorisation as its legal representative sees it."""

    model_config = ConfigDict(defer_build=True)

    uscc: str
    enterprise_name: str
    agent_subject_id: str
    agent_name: str
    scope: list[AgentScope]
    expires_on: date
    authorised_at: datetime


class Jwk(BaseModel):
    model_config = ConfigDict(defer_build=True)

    kty: Literal["EC"]
    crv: Literal["P-256"]
    x: str
    y: str
    use: Literal["sig"]
    alg: Literal["ES256"]
    kid: str


class Jwks(BaseModel):
    model_config = ConfigDict(defer_build=True)

    keys: list[Jwk]


class WorkforceAccount(BaseModel):
    """A workforce account as operators see it (personal data masked)."""

    model_config = ConfigDict(defer_build=True)

    subject_id: str
    login: str
    name: str
    role: Role
    region_code: str
    department_id: str | None = None
    department_head: bool = False
    phone_masked: str
    status: Literal["active", "disabled"]
    created_at: datetime
    version: int


# --- stored records ----------------------------------------------------------------------


class Account(BaseModel):
    """One user account (账号). Raw ID number and phone live only in `sealed`."""

    model_config = ConfigDict(defer_build=True)

    subject_id: str
    kind: AccountKind
    role: Role
    name: str
    id_number_masked: str
    phone_masked: str
    id_hash: str
    phone_hash: str
    sealed: str  # KMS ciphertext of {"id_number", "phone"} bound to subject_id
    department_id: str | None = None
    department_head: bool = False  # 部门负责人 (staff only): reads the department's ranking
    region_code: str | None = None
    login: str | None = None
    password_hash: str | None = None
    status: Literal["active", "disabled"] = "active"
    created_at: datetime
    version: int = 1


class Challenge(BaseModel):
    """A one-time code waiting to be entered (验证码)."""

    model_config = ConfigDict(defer_build=True)

    key: str
    purpose: OtpPurpose
    code_hash: str
    phone_hash: str
    subject_id: str | None = None  # known account (sign-in); None when registering
    attempts: int = 0
    expires_at: int  # epoch seconds


class RefreshRecord(BaseModel):
    """One refresh token of a session family, stored by its hash."""

    model_config = ConfigDict(defer_build=True)

    token_hash: str
    family_id: str
    subject_id: str
    status: Literal["active", "rotated"]
    acting_for: str | None = None
    expires_at: int
    session_expires_at: int


class EnterpriseRecord(BaseModel):
    """What the enterprise registry says about a USCC (企业登记信息)."""

    model_config = ConfigDict(defer_build=True)

    uscc: str
    name: str
    legal_representative_name: str
    legal_representative_id_hash: str


class AuthorisationRecord(BaseModel):
    model_config = ConfigDict(defer_build=True)

    uscc: str
    enterprise_name: str
    agent_subject_id: str
    agent_name: str
    scope: list[AgentScope]
    expires_on: date
    valid_until: int  # end of expires_on in Asia/Shanghai, epoch seconds
    granted_by: str
    granted_at: datetime
