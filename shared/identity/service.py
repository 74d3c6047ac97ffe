"""The identity context's rules: registration, one-time codes, sign-in, sessions,
enterprise agents (统一身份认证).

No boto3 here: storage is `IdentityRepository`, keys and secrets come in as
collaborators (`KeyedHasher`, `PersonalDataSealer`, `Signer`, `SmsSender`, the
registries), so tests and the seed may pass their own.

Rules, in the order a request meets them:
1. Input: ID number (GB 11643 rules, each failure named), phone (11 digits,
   13–19 prefix) and name are checked together; all problems come back in one 422.
2. One-time code (短信验证码): 6 digits, stored as an HMAC, valid 5 minutes,
   5 guesses (counted atomically before comparing), single use (deleted in the
   same transaction that uses it). Issuing is rate-limited per phone (one per
   resend interval, a few per hour) and per source address; a refused request
   stores nothing and sends nothing. Asking for a sign-in code for an unknown
   phone (or a registration code for a registered one) sends a plain notice
   instead of a code, so the API's answer never tells whether a number is
   registered.
3. Real name (实名): the population registry must hold the ID number under
   that name; a miss and a mismatch look the same to the caller.
4. Accounts are unique per ID number and per phone (conditional writes in the
   account's transaction, with its `identity.account_registered` event).
5. Sessions: a sign-in starts a session family with a refresh token (opaque,
   stored as SHA-256, single use). Refreshing retires the token and issues the
   next one; presenting a retired token again revokes the whole family
   (reuse detection) and emits `identity.session_revoked`. Signing out revokes
   the family. Access tokens are ES256 JWTs signed by KMS, ≈15 minutes.
6. Agents (经办人): the enterprise registry's legal representative (法定代表人),
   signed in as a verified person, authorises a registered person for the
   USCC with a scope and an end date. The agent picks the enterprise at
   sign-in (`acting_for`) or later with `switch_acting_for` (a token exchange
   that rotates the refresh token); every refresh re-checks the authorisation.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from typing import TYPE_CHECKING, Any, Literal

from shared.identity import errors, persons
from shared.identity import events as identity_events
from shared.identity.config import IdentitySettings, TokenSettings, identity_settings, token_settings
from shared.identity.models import (
    Account,
    AccountKind,
    AgentAuthorisation,
    AgentGrant,
    AuthorisationRecord,
    Challenge,
    CitizenSignIn,
    EnterpriseAccess,
    EnterpriseRecord,
    OtpPurpose,
    OtpRequest,
    OtpSent,
    Profile,
    RefreshRecord,
    Registration,
    StaffChallenge,
    StaffSignIn,
    StaffSignInVerification,
    TokenPair,
)
from shared.identity.passwords import dummy_hash, hash_password, verify_password
from shared.identity.persons import normalize_phone
from shared.identity.protection import HashPurpose, KeyedHasher, PersonalDataSealer, hasher, normalize_name, sealer
from shared.identity.registries import EnterpriseRegistry, PopulationRegistry, registries
from shared.identity.repository import IdentityRepository, RaceLost, login_key, phone_key
from shared.identity.throttle import Admission, Backoff, Refusal, SlidingWindow
from shared.identity.tokens import KmsSigner, Signer, claims_for, encode_token, verification_keys
from shared.platform.clock import SHANGHAI, now, today_in_shanghai
from shared.platform.errors import FieldError, Forbidden, NotFound, RateLimited, Unauthorized, ValidationFailed
from shared.platform.ids import new_id
from shared.platform.observability import logger
from shared.platform.principal import APPLICANT_ROLES, DEPARTMENT_HEAD, Principal, Role
from shared.platform.privacy import mask_id_number, mask_phone
from shared.platform.public import lazy_module
from shared.platform.sms import SmsMessage, SmsSender, SmsUnavailable, sms_sender

if TYPE_CHECKING:
    from shared.codes import national
else:
    national = lazy_module("shared.codes.national")  # loads with the first USCC checked (D-315)

REFRESH_TOKEN_PREFIX = "rt_"  # noqa: S105 (marks the token kind, not a secret)
MAX_AUTHORISATION_DAYS = 3 * 366  # an agent authorisation lasts at most about three years
RACE_RETRIES = 3  # re-reads when a parallel request changed a rate item between read and write

KEEP = "keep"
ActingForChange = str | None | Literal["keep"]


def refresh_token_hash(token: str) -> str:
    """Refresh tokens carry 256 random bits, so a plain SHA-256 protects them at rest."""
    return hashlib.sha256(token.encode()).hexdigest()


def end_of_day_epoch(day: date) -> int:
    return int(datetime.combine(day + timedelta(days=1), time(0), SHANGHAI).timestamp())


@dataclass
class IdentityService:
    repository: IdentityRepository
    hasher: KeyedHasher
    sealer: PersonalDataSealer
    signer: Signer
    sms: SmsSender
    population: PopulationRegistry
    enterprises: EnterpriseRegistry
    config: IdentitySettings
    tokens: TokenSettings

    # --- input checks ---------------------------------------------------------------------

    _id_number_problem = staticmethod(persons.id_number_problem)
    _phone_problem = staticmethod(persons.phone_problem)
    _name_problem = staticmethod(persons.name_problem)
    _raise_if_any = staticmethod(persons.raise_if_any)

    def _valid_phone(self, raw: str) -> str:
        phone, problem = self._phone_problem("phone", raw)
        self._raise_if_any(problem)
        return phone

    # --- one-time codes -------------------------------------------------------------------

    def _code_hash(self, key: str, code: str) -> str:
        return self.hasher.digest(HashPurpose.OTP, f"{key}:{code}")

    def _phone_window(self, phone_hash: str) -> SlidingWindow:
        cfg = self.config
        return SlidingWindow(
            "otp_phone",
            phone_hash,
            cfg.otp_max_per_phone_per_hour,
            3600,
            errors.OTP_RATE_LIMITED,
            min_gap_s=cfg.otp_resend_interval_s,
        )

    def _source_window(self, source_address: str, rule: str, limit: int, window_s: int, code: str) -> SlidingWindow:
        source_hash = self.hasher.digest(HashPurpose.SOURCE_ADDRESS, source_address or "unknown")
        return SlidingWindow(rule, source_hash, limit, window_s, code)

    def _password_backoff(self, login: str, source_address: str) -> Backoff:
        cfg = self.config
        key = self.hasher.digest(HashPurpose.LOGIN, f"{login}\x1f{source_address or 'unknown'}")
        return Backoff(
            "sign_in_backoff",
            key,
            free_failures=cfg.sign_in_free_failures,
            base_s=cfg.sign_in_backoff_base_s,
            max_s=cfg.sign_in_window_s,
            forget_after_s=86_400,
            refusal_code=errors.SIGN_IN_RATE_LIMITED,
        )

    @staticmethod
    def _admissions(
        limits: list[SlidingWindow | Backoff], items: dict[str, dict[str, Any]], current: int
    ) -> list[Admission]:
        """Every limit's decision on the items read; the longest refusal is raised."""
        decisions = [limit.decide(items.get(limit.key["pk"]), current) for limit in limits]
        refusals = [d for d in decisions if isinstance(d, Refusal)]
        if refusals:
            worst = max(refusals, key=lambda r: r.retry_after)
            raise RateLimited(worst.code, headers={"Retry-After": str(max(1, worst.retry_after))})
        return [d for d in decisions if isinstance(d, Admission)]

    def _new_challenge(
        self, key: str, purpose: OtpPurpose, phone_hash: str, subject_id: str | None
    ) -> tuple[Challenge, str]:
        code = f"{secrets.randbelow(10**6):06d}"
        challenge = Challenge(
            key=key,
            purpose=purpose,
            code_hash=self._code_hash(key, code),
            phone_hash=phone_hash,
            subject_id=subject_id,
            expires_at=int(now().timestamp()) + self.config.otp_ttl_s,
        )
        return challenge, code

    def _send(self, phone: str, message: SmsMessage) -> None:
        self.send_sms(phone, message)

    def send_sms(self, phone: str, message: SmsMessage) -> None:
        """Send an SMS; 503 (identity.sms_unavailable) when the channel is down."""
        try:
            self.sms.send(phone, message)
        except SmsUnavailable as exc:
            logger().error("SMS not sent", extra={"template": message.template, "reason": str(exc)})
            raise errors.ServiceUnavailable(errors.SMS_UNAVAILABLE) from exc

    def _code_text(self, code: str, purpose: OtpPurpose) -> str:
        action = {
            OtpPurpose.REGISTER: "注册账号",
            OtpPurpose.SIGN_IN: "登录",
            OtpPurpose.STAFF_SIGN_IN: "工作人员登录",
            OtpPurpose.CONTACT: "验证联系电话",
        }
        minutes = self.config.otp_ttl_s // 60
        return f"【江苏政务服务】验证码 {code}，用于{action[purpose]}，{minutes}分钟内有效。请勿告诉他人。"

    def request_otp(self, request: OtpRequest, *, source_address: str) -> OtpSent:
        """Send a one-time code for registering or signing in (发送短信验证码)."""
        phone = self._valid_phone(request.phone)
        phone_hash = self.hasher.digest(HashPurpose.PHONE, phone)
        purpose = OtpPurpose(request.purpose)
        limits: list[SlidingWindow | Backoff] = [
            self._phone_window(phone_hash),
            self._source_window(
                source_address,
                "otp_source",
                self.config.otp_max_per_source_per_hour,
                3600,
                errors.OTP_RATE_LIMITED,
            ),
        ]
        challenge: Challenge | None = None
        for _ in range(RACE_RETRIES):
            current = int(now().timestamp())
            # one consistent read: is the phone registered, and the rate logs it is decided on
            items = self.repository.read_many([phone_key(phone_hash), *(limit.key for limit in limits)])
            admissions = self._admissions(limits, items, current)
            subject_item = items.get(phone_key(phone_hash)["pk"])
            subject_id = str(subject_item["subject_id"]) if subject_item else None
            if purpose is OtpPurpose.REGISTER and subject_id is not None:
                message = SmsMessage(
                    "notice.already_registered",
                    "【江苏政务服务】该手机号码已注册，请直接登录。如非本人操作，请忽略。",
                )
            elif purpose is OtpPurpose.SIGN_IN and subject_id is None:
                message = SmsMessage(
                    "notice.not_registered",
                    "【江苏政务服务】该手机号码尚未注册，请先完成实名注册。如非本人操作，请忽略。",
                )
            else:
                challenge, code = self._new_challenge(f"{purpose.value}#{phone_hash}", purpose, phone_hash, subject_id)
                message = SmsMessage(f"otp.{purpose.value}", self._code_text(code, purpose))
            try:
                self.repository.issue_challenge(challenge, admissions)
                break
            except RaceLost:
                challenge = None
                continue
        else:
            raise RateLimited(errors.OTP_RATE_LIMITED, headers={"Retry-After": "1"})
        self._send(phone, message)
        logger().info("one-time code requested", extra={"purpose": purpose.value, "code_sent": challenge is not None})
        return OtpSent(
            masked_phone=mask_phone(phone),
            expires_in=self.config.otp_ttl_s,
            resend_after=self.config.otp_resend_interval_s,
        )

    def _verify_code(self, key: str, code: str) -> Challenge:
        return verify_code(self.repository, self.hasher, self.config, key, code)

    # --- registration ---------------------------------------------------------------------

    def _person_account(self, id_number: str, name: str, phone: str) -> Account:
        return persons.person_account(self.hasher, self.sealer, id_number, name, phone)

    def _checked_person(self, raw_id: str, raw_name: str, raw_phone: str) -> tuple[str, str, str]:
        id_number, id_problem = self._id_number_problem("id_number", raw_id)
        name, name_problem = self._name_problem("name", raw_name)
        phone, phone_problem = self._phone_problem("phone", raw_phone)
        self._raise_if_any(id_problem, name_problem, phone_problem)
        return id_number, name, phone

    def _require_real_name(self, id_number: str, name: str, field: str = "name") -> None:
        if not self.population.name_matches(id_number, name):
            raise ValidationFailed(
                errors.REAL_NAME_MISMATCH, errors=[FieldError(field=field, code=errors.REAL_NAME_MISMATCH)]
            )

    def register(self, registration: Registration, *, correlation_id: str | None = None) -> Profile:
        """Real-name registration of a natural person (实名注册)."""
        id_number, name, phone = self._checked_person(registration.id_number, registration.name, registration.phone)
        phone_hash = self.hasher.digest(HashPurpose.PHONE, phone)
        challenge = self._verify_code(f"{OtpPurpose.REGISTER.value}#{phone_hash}", registration.code)
        self._require_real_name(id_number, name)
        account = self._person_account(id_number, name, phone)
        event = identity_events.envelope(
            identity_events.ACCOUNT_REGISTERED,
            account.subject_id,
            identity_events.AccountRegisteredData(subject_id=account.subject_id, role=account.role),
            correlation_id,
        )
        self.repository.add_person(account, consume=challenge, event=event)
        logger().info("account registered", extra={"subject_id": account.subject_id})
        return self._profile(account, Principal(subject_id=account.subject_id, role=Role.CITIZEN))

    def provision_person(self, id_number: str, name: str, phone: str) -> Account:
        """Create a verified person's account without a code (seed and operator tooling)."""
        id_number, name, phone = self._checked_person(id_number, name, phone)
        self._require_real_name(id_number, name)
        account = self._person_account(id_number, name, phone)
        self.repository.add_person(account, consume=None, event=None)
        return account

    def provision_workforce(
        self,
        *,
        login: str,
        password: str,
        role: Role,
        name: str,
        id_number: str,
        phone: str,
        department_id: str | None,
        region_code: str,
        department_head: bool = False,
    ) -> Account:
        """Create a staff, supervisor or operator account (seed); `department_head` marks
        staff who head their department (D-207). Operators use `shared.identity.workforce`."""
        account = self.workforce_account(
            login=login,
            password=password,
            role=role,
            name=name,
            id_number=id_number,
            phone=phone,
            department_id=department_id,
            region_code=region_code,
            department_head=department_head,
        )
        self.repository.add_workforce(account)
        return account

    def workforce_account(
        self,
        *,
        login: str,
        password: str,
        role: Role,
        name: str,
        id_number: str,
        phone: str,
        department_id: str | None,
        region_code: str,
        department_head: bool = False,
    ) -> Account:
        """A new workforce account, checked (ID number, name, phone) and not yet stored."""
        if role in APPLICANT_ROLES:
            raise ValueError("workforce accounts are staff, supervisors or operators")
        if role is Role.STAFF and not department_id:
            raise ValueError("staff belong to a department")
        if department_head and role is not Role.STAFF:
            raise ValueError("only staff head a department")
        id_number, name, phone = self._checked_person(id_number, name, phone)
        subject_id = new_id()
        account = Account(
            subject_id=subject_id,
            kind=AccountKind.WORKFORCE,
            role=role,
            name=name,
            id_number_masked=mask_id_number(id_number),
            phone_masked=mask_phone(phone),
            id_hash=self.hasher.digest(HashPurpose.ID_NUMBER, id_number),
            phone_hash=self.hasher.digest(HashPurpose.PHONE, phone),
            sealed=self.sealer.seal(subject_id, {"id_number": id_number, "phone": phone}),
            department_id=department_id,
            department_head=department_head,
            region_code=region_code,
            login=login.lower(),
            password_hash=hash_password(password, log2_n=self.config.password_scrypt_log2_n),
            created_at=now(),
        )
        return account

    # --- sign-in and sessions -------------------------------------------------------------

    def _authorisation_valid(self, record: AuthorisationRecord | None) -> bool:
        return record is not None and record.valid_until > int(now().timestamp())

    def _principal_for(self, account: Account, authorisation: AuthorisationRecord | None, family_id: str) -> Principal:
        if account.kind is AccountKind.WORKFORCE:
            return Principal(
                subject_id=account.subject_id,
                role=account.role,
                department_id=account.department_id or "",
                region_code=account.region_code or "",
                scopes=frozenset({DEPARTMENT_HEAD}) if account.department_head else frozenset(),
                session_id=family_id,
            )
        if authorisation is not None:
            return Principal(
                subject_id=account.subject_id,
                role=Role.AGENT,
                acting_for=authorisation.uscc,
                scopes=frozenset(s.value for s in authorisation.scope),
                session_id=family_id,
            )
        return Principal(subject_id=account.subject_id, role=Role.CITIZEN, session_id=family_id)

    def _tokens(self, principal: Principal, refresh_token: str, refresh: RefreshRecord) -> TokenPair:
        issued_at = now()
        claims = claims_for(
            principal,
            issuer=self.tokens.token_issuer,
            audience=self.tokens.token_audience,
            issued_at=issued_at,
            ttl_s=self.tokens.access_token_ttl_s,
        )
        return TokenPair(
            access_token=encode_token(claims, self.signer),
            expires_in=self.tokens.access_token_ttl_s,
            refresh_token=refresh_token,
            refresh_expires_in=max(0, refresh.expires_at - int(issued_at.timestamp())),
            role=principal.role,
            acting_for=principal.acting_for or None,
        )

    def _new_refresh(
        self, *, family_id: str, subject_id: str, acting_for: str | None, session_expires_at: int
    ) -> tuple[str, RefreshRecord]:
        token = REFRESH_TOKEN_PREFIX + secrets.token_urlsafe(32)
        record = RefreshRecord(
            token_hash=refresh_token_hash(token),
            family_id=family_id,
            subject_id=subject_id,
            status="active",
            acting_for=acting_for,
            expires_at=min(int(now().timestamp()) + self.config.refresh_token_idle_s, session_expires_at),
            session_expires_at=session_expires_at,
        )
        return token, record

    def _start_session(
        self, account: Account, authorisation: AuthorisationRecord | None, consume: Challenge
    ) -> TokenPair:
        family_id = new_id()
        started = now()
        session_expires_at = int(started.timestamp()) + self.config.session_max_age_s
        acting_for = authorisation.uscc if authorisation else None
        token, record = self._new_refresh(
            family_id=family_id,
            subject_id=account.subject_id,
            acting_for=acting_for,
            session_expires_at=session_expires_at,
        )
        self.repository.start_session(family_id=family_id, refresh=record, created_at=started, consume=consume)
        principal = self._principal_for(account, authorisation, family_id)
        logger().info(
            "signed in",
            extra={"subject_id": account.subject_id, "role": principal.role.value, "acting_for": acting_for},
        )
        return self._tokens(principal, token, record)

    def sign_in_citizen(self, request: CitizenSignIn) -> TokenPair:
        """Sign in with phone + one-time code (手机验证码登录), optionally acting for an enterprise."""
        phone = self._valid_phone(request.phone)
        phone_hash = self.hasher.digest(HashPurpose.PHONE, phone)
        challenge = self._verify_code(f"{OtpPurpose.SIGN_IN.value}#{phone_hash}", request.code)
        if not challenge.subject_id:
            raise Unauthorized(errors.OTP_EXPIRED)
        account, authorisation = self.repository.get_account_and_authorisation(challenge.subject_id, request.acting_for)
        if account is None or account.status != "active" or account.kind is not AccountKind.PERSON:
            raise Unauthorized(errors.SIGN_IN_FAILED)
        if request.acting_for and not self._authorisation_valid(authorisation):
            raise Forbidden(errors.NOT_AUTHORISED_FOR_ENTERPRISE)
        return self._start_session(account, authorisation if request.acting_for else None, challenge)

    def start_staff_sign_in(self, request: StaffSignIn, *, source_address: str) -> StaffChallenge:
        """Staff/operator sign-in, step 1: password (口令); a code then goes to their phone."""
        login = request.login.strip().lower()
        cfg = self.config
        backoff = self._password_backoff(login, source_address)
        limits: list[SlidingWindow | Backoff] = [
            backoff,
            self._source_window(
                source_address,
                "sign_in_source",
                cfg.sign_in_max_attempts_per_window * 5,
                cfg.sign_in_window_s,
                errors.SIGN_IN_RATE_LIMITED,
            ),
        ]
        # The attempt is reserved (counted as a failure) before the password is checked, so
        # parallel guesses cannot pass the back-off together; a success clears it below.
        # There is deliberately no per-login lock: it would let anyone lock a known login.
        # The password alone never signs in (the code goes to the owner's phone).
        for _ in range(RACE_RETRIES):
            items = self.repository.read_many([login_key(login), *(limit.key for limit in limits)])
            try:
                self.repository.record_attempt(self._admissions(limits, items, int(now().timestamp())))
                break
            except RaceLost:
                continue
        else:
            raise RateLimited(errors.SIGN_IN_RATE_LIMITED, headers={"Retry-After": "1"})
        login_item = items.get(login_key(login)["pk"])
        subject_id = str(login_item["subject_id"]) if login_item else None
        account = self.repository.get_account(subject_id) if subject_id else None
        stored = account.password_hash if account and account.password_hash else None
        # Unknown logins spend the same time on a dummy hash, so timing reveals nothing.
        matched = verify_password(request.password, stored or dummy_hash(cfg.password_scrypt_log2_n))
        if account is None or stored is None or not matched or account.status != "active":
            logger().info("staff sign-in refused", extra={"reason": "credentials"})
            raise Unauthorized(errors.SIGN_IN_FAILED)
        phone = str(self.sealer.unseal(account.subject_id, account.sealed)["phone"])
        challenge_id = secrets.token_urlsafe(24)
        challenge, code = self._new_challenge(
            f"{OtpPurpose.STAFF_SIGN_IN.value}#{challenge_id}",
            OtpPurpose.STAFF_SIGN_IN,
            account.phone_hash,
            account.subject_id,
        )
        phone_window = self._phone_window(account.phone_hash)
        for _ in range(RACE_RETRIES):
            items = self.repository.read_many([phone_window.key])
            admissions = self._admissions([phone_window], items, int(now().timestamp()))
            try:
                self.repository.issue_challenge(challenge, admissions, forget=[backoff.key])
                break
            except RaceLost:
                continue
        else:
            raise RateLimited(errors.OTP_RATE_LIMITED, headers={"Retry-After": "1"})
        self._send(phone, SmsMessage("otp.staff_sign_in", self._code_text(code, OtpPurpose.STAFF_SIGN_IN)))
        return StaffChallenge(challenge_id=challenge_id, masked_phone=account.phone_masked, expires_in=cfg.otp_ttl_s)

    def finish_staff_sign_in(self, request: StaffSignInVerification) -> TokenPair:
        """Staff/operator sign-in, step 2: the one-time code."""
        challenge = self._verify_code(f"{OtpPurpose.STAFF_SIGN_IN.value}#{request.challenge_id}", request.code)
        account = self.repository.get_account(challenge.subject_id or "", consistent=True)
        if account is None or account.status != "active" or account.kind is not AccountKind.WORKFORCE:
            raise Unauthorized(errors.SIGN_IN_FAILED)
        return self._start_session(account, None, challenge)

    def _rotate(self, refresh_token: str, acting_for: ActingForChange, correlation_id: str | None) -> TokenPair:
        current = int(now().timestamp())
        record = self.repository.get_refresh(refresh_token_hash(refresh_token))
        if record is None or record.expires_at <= current or record.session_expires_at <= current:
            raise Unauthorized(errors.REFRESH_INVALID)
        if record.status == "rotated":
            self._revoke_for_reuse(record, correlation_id)
            raise Unauthorized(errors.REFRESH_REUSED)
        wanted = record.acting_for if acting_for == KEEP else acting_for
        account, authorisation = self.repository.get_account_and_authorisation(record.subject_id, wanted)
        if account is None or account.status != "active":
            raise Unauthorized(errors.SESSION_REVOKED)
        if wanted and (account.kind is not AccountKind.PERSON or not self._authorisation_valid(authorisation)):
            raise Forbidden(errors.NOT_AUTHORISED_FOR_ENTERPRISE)
        token, new_record = self._new_refresh(
            family_id=record.family_id,
            subject_id=record.subject_id,
            acting_for=wanted,
            session_expires_at=record.session_expires_at,
        )
        self.repository.rotate(record, new_record)
        principal = self._principal_for(account, authorisation if wanted else None, record.family_id)
        return self._tokens(principal, token, new_record)

    def _revoke_for_reuse(self, record: RefreshRecord, correlation_id: str | None) -> None:
        event = identity_events.envelope(
            identity_events.SESSION_REVOKED,
            record.subject_id,
            identity_events.SessionRevokedData(
                subject_id=record.subject_id, family_id=record.family_id, reason="refresh_token_reused"
            ),
            correlation_id,
        )
        if self.repository.revoke_session(record.family_id, reason="refresh_token_reused", event=event):
            logger().warning(
                "refresh token reused; session family revoked",
                extra={"subject_id": record.subject_id, "family_id": record.family_id},
            )

    def refresh(self, refresh_token: str, *, correlation_id: str | None = None) -> TokenPair:
        """Exchange a refresh token for new tokens (rotation, 刷新令牌轮换)."""
        return self._rotate(refresh_token, KEEP, correlation_id)

    def switch_acting_for(
        self, refresh_token: str, uscc: str | None, *, correlation_id: str | None = None
    ) -> TokenPair:
        """Token exchange: act for the enterprise `uscc` (or for oneself with None)."""
        return self._rotate(refresh_token, uscc, correlation_id)

    def sign_out(self, refresh_token: str) -> None:
        """Revoke the session family of `refresh_token` (退出登录). Unknown tokens are ignored."""
        record = self.repository.get_refresh(refresh_token_hash(refresh_token))
        if record is not None and self.repository.revoke_session(record.family_id, reason="signed_out"):
            logger().info("signed out", extra={"subject_id": record.subject_id})

    # --- user center ----------------------------------------------------------------------

    @staticmethod
    def _profile(account: Account, principal: Principal) -> Profile:
        return Profile(
            subject_id=account.subject_id,
            kind=account.kind,
            role=principal.role,
            name=account.name,
            id_number_masked=account.id_number_masked,
            phone_masked=account.phone_masked,
            department_id=account.department_id,
            region_code=account.region_code,
            acting_for=principal.acting_for or None,
            registered_at=account.created_at,
        )

    def profile(self, principal: Principal) -> Profile:
        """GET /v1/me: the caller's own profile, masked (no KMS call)."""
        account = self.repository.get_account(principal.subject_id)
        if account is None:
            raise NotFound()
        return self._profile(account, principal)

    def enterprises_of(self, principal: Principal) -> list[EnterpriseAccess]:
        """The enterprises the caller may act for now, with scope and end date."""
        if principal.role not in APPLICANT_ROLES:
            return []
        return [
            EnterpriseAccess(
                uscc=r.uscc,
                enterprise_name=r.enterprise_name,
                scope=r.scope,
                expires_on=r.expires_on,
                authorised_at=r.granted_at,
            )
            for r in self.repository.authorisations_of(principal.subject_id)
            if self._authorisation_valid(r)
        ]

    # --- agent authorisations ---------------------------------------------------------------

    def _require_legal_representative(self, principal: Principal, uscc: str) -> EnterpriseRecord:
        if principal.role not in APPLICANT_ROLES:
            raise Forbidden(errors.NOT_LEGAL_REPRESENTATIVE)
        verdict = national.check_uscc(uscc)
        if verdict.failed_rule is not None:
            raise ValidationFailed(errors=[FieldError(field="uscc", code=str(verdict.failed_rule))])
        enterprise = self.enterprises.find(uscc)
        if enterprise is None:
            raise NotFound(errors.UNKNOWN_ENTERPRISE)
        account = self.repository.get_account(principal.subject_id)
        if account is None or account.id_hash != enterprise.legal_representative_id_hash:
            raise Forbidden(errors.NOT_LEGAL_REPRESENTATIVE)
        return enterprise

    @staticmethod
    def _authorisation_view(record: AuthorisationRecord) -> AgentAuthorisation:
        return AgentAuthorisation(
            uscc=record.uscc,
            enterprise_name=record.enterprise_name,
            agent_subject_id=record.agent_subject_id,
            agent_name=record.agent_name,
            scope=record.scope,
            expires_on=record.expires_on,
            authorised_at=record.granted_at,
        )

    def grant_agent(
        self, principal: Principal, uscc: str, grant: AgentGrant, *, correlation_id: str | None = None
    ) -> AgentAuthorisation:
        """The legal representative authorises (or re-authorises) an agent (授权经办人)."""
        enterprise = self._require_legal_representative(principal, uscc)
        agent_id, id_problem = self._id_number_problem("agent_id_number", grant.agent_id_number)
        agent_name, name_problem = self._name_problem("agent_name", grant.agent_name)
        today = today_in_shanghai()
        expiry_problem = None
        if not today < grant.expires_on <= today + timedelta(days=MAX_AUTHORISATION_DAYS):
            expiry_problem = FieldError(field="expires_on", code=errors.EXPIRY_INVALID)
        self._raise_if_any(id_problem, name_problem, expiry_problem)
        agent_subject = self.repository.subject_for_id_number(self.hasher.digest(HashPurpose.ID_NUMBER, agent_id))
        agent = self.repository.get_account(agent_subject) if agent_subject else None
        if agent is None or normalize_name(agent.name) != agent_name:
            raise ValidationFailed(errors.AGENT_NOT_FOUND)
        record = AuthorisationRecord(
            uscc=uscc,
            enterprise_name=enterprise.name,
            agent_subject_id=agent.subject_id,
            agent_name=agent.name,
            scope=sorted(set(grant.scope)),
            expires_on=grant.expires_on,
            valid_until=end_of_day_epoch(grant.expires_on),
            granted_by=principal.subject_id,
            granted_at=now(),
        )
        event = identity_events.envelope(
            identity_events.AGENT_AUTHORISED,
            agent.subject_id,
            identity_events.AgentAuthorisedData(
                uscc=uscc,
                enterprise_name=enterprise.name,
                agent_subject_id=agent.subject_id,
                scope=record.scope,
                expires_on=record.expires_on,
                granted_by=principal.subject_id,
            ),
            correlation_id,
        )
        self.repository.put_authorisation(record, event)
        logger().info("agent authorised", extra={"uscc": uscc, "agent_subject_id": agent.subject_id})
        return self._authorisation_view(record)

    def revoke_agent(
        self, principal: Principal, uscc: str, agent_subject_id: str, *, correlation_id: str | None = None
    ) -> None:
        """The legal representative withdraws an agent's authorisation (撤销授权)."""
        enterprise = self._require_legal_representative(principal, uscc)
        event = identity_events.envelope(
            identity_events.AGENT_AUTHORISATION_REVOKED,
            agent_subject_id,
            identity_events.AgentAuthorisationRevokedData(
                uscc=uscc,
                enterprise_name=enterprise.name,
                agent_subject_id=agent_subject_id,
                revoked_by=principal.subject_id,
            ),
            correlation_id,
        )
        self.repository.delete_authorisation(agent_subject_id, uscc, event)
        logger().info("agent authorisation revoked", extra={"uscc": uscc, "agent_subject_id": agent_subject_id})

    def agents_of(self, principal: Principal, uscc: str) -> list[AgentAuthorisation]:
        self._require_legal_representative(principal, uscc)
        return [self._authorisation_view(r) for r in self.repository.agents_of(uscc)]

    # --- idempotency fingerprint ------------------------------------------------------------

    def request_fingerprint(self, body: dict[str, object]) -> str:
        """A keyed fingerprint of a body holding personal data, for the idempotency store."""
        canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
        return self.hasher.digest(HashPurpose.REQUEST, canonical)


def verify_code(
    repository: IdentityRepository, keyed: KeyedHasher, config: IdentitySettings, key: str, code: str
) -> Challenge:
    """Spend one guess on the code stored under `key`; the challenge if it matched."""
    current = int(now().timestamp())
    challenge = repository.spend_attempt(key, now=current, max_attempts=config.otp_max_attempts)
    if keyed.matches(HashPurpose.OTP, f"{key}:{code}", challenge.code_hash):
        return challenge
    remaining = config.otp_max_attempts - challenge.attempts
    logger().info("one-time code mismatch", extra={"purpose": challenge.purpose.value, "remaining": remaining})
    if remaining <= 0:
        raise RateLimited(errors.OTP_LOCKED, headers={"Retry-After": str(max(1, challenge.expires_at - current))})
    raise Unauthorized(errors.OTP_INVALID, params={"remaining": remaining})


def verify_contact(phone: str, code: str) -> None:
    """Spend the one-time code sent to `phone` for purpose `contact` (single use): the
    caller proved the number is theirs. Raises the same 401/429 problems as sign-in.
    Needs only the identity table and the hashing key, not the token or registry set-up."""
    repository = IdentityRepository()
    keyed = hasher()
    key = f"{OtpPurpose.CONTACT.value}#{keyed.digest(HashPurpose.PHONE, normalize_phone(phone))}"
    challenge = verify_code(repository, keyed, identity_settings(), key, code)
    repository.consume_challenge(challenge)


# --- process-wide wiring -------------------------------------------------------------------


@cache
def identity_service() -> IdentityService:
    repository = IdentityRepository()
    keyed = hasher()
    population, enterprises = registries(repository, keyed)
    return IdentityService(
        repository=repository,
        hasher=keyed,
        sealer=sealer(),
        signer=KmsSigner(token_settings().token_signing_key_id),
        sms=sms_sender(),
        population=population,
        enterprises=enterprises,
        config=identity_settings(),
        tokens=token_settings(),
    )


def clear_caches() -> None:
    """Forget every cached collaborator (tests, or the seed switching environments)."""
    from shared.identity import applicants, protection, session_check, tokens
    from shared.platform import partner_http, sms

    identity_service.cache_clear()
    applicants.applicant_verifier.cache_clear()
    verification_keys.cache_clear()
    tokens.verifier.cache_clear()
    session_check.session_status.cache_clear()
    protection.clear_cache()
    sms.sms_sender.cache_clear()
    partner_http.partner_secret.cache_clear()
