"""Workforce accounts as the management platform runs them (管理平台账号管理, issue 19, D-290).

Operators open staff, supervisor, 12345 agent and operator accounts, give them a role by
level and department, disable them, reset their password and sign them out everywhere.
Who may touch which account is one rule, `operator_may_manage` (D-291): inside the
operator's division, an operator account only from a level above, county operators staff
only. An account outside that rule answers 404 as if it did not exist.

Each change is one transaction: the account (optimistic lock on `version`), the revoked
session families, and `identity.workforce_account_changed` in the outbox, which the admin
context appends to its hash-chained audit log. Revoking the families makes the next
refresh fail at once and the current access tokens fail at the authorizer's next session
check (≤ about 90 s, D-051).

Passwords never travel in an answer: a new account's first password and a reset one go by
SMS to the account's own phone.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Literal

from shared.identity import errors, ports
from shared.identity import events as identity_events
from shared.identity.models import Account, AccountKind, RoleAssignment, WorkforceAccount, WorkforceAccountRequest
from shared.identity.passwords import hash_password
from shared.identity.service import IdentityService, identity_service
from shared.platform.clock import now
from shared.platform.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from shared.platform.events import Envelope
from shared.platform.observability import logger
from shared.platform.principal import Principal, Role, operator_may_manage
from shared.platform.sms import SmsMessage

Action = Literal["created", "role_assigned", "disabled", "password_reset", "signed_out"]
MAX_REVOKED_PER_CHANGE = 90
"""Sessions revoked inside the change's transaction (DynamoDB allows 100 items); more are
revoked one by one after it."""


def view(account: Account) -> WorkforceAccount:
    return WorkforceAccount(
        subject_id=account.subject_id,
        login=account.login or "",
        name=account.name,
        role=account.role,
        region_code=account.region_code or "",
        department_id=account.department_id,
        department_head=account.department_head,
        phone_masked=account.phone_masked,
        status=account.status,
        created_at=account.created_at,
        version=account.version,
    )


def _temporary_password() -> str:
    return secrets.token_urlsafe(12)


@dataclass
class WorkforceAdmin:
    identity: IdentityService

    # --- checks ------------------------------------------------------------------------------

    @staticmethod
    def _require_scope(operator: Principal, role: Role, region_code: str) -> None:
        if not operator_may_manage(operator, region_code, role=role):
            raise Forbidden(errors.BEYOND_OPERATOR_SCOPE)

    @staticmethod
    def _require_department(role: Role, region_code: str, department_id: str | None, head: bool) -> None:
        problems: list[FieldError] = []
        if role is Role.STAFF and not department_id:
            problems.append(FieldError(field="department_id", code="field.required"))
        if role is not Role.STAFF and (department_id or head):
            problems.append(FieldError(field="department_id", code="field.invalid"))
        if problems:
            raise ValidationFailed(errors=problems)
        if department_id and ports.departments()(region_code, department_id) is None:
            params = {"department_id": department_id, "region_code": region_code}
            raise ValidationFailed(
                errors.UNKNOWN_DEPARTMENT,
                params=params,
                errors=[FieldError(field="department_id", code=errors.UNKNOWN_DEPARTMENT, params=params)],
            )

    def _managed(self, operator: Principal, subject_id: str) -> Account:
        """The workforce account the operator manages, or 404 (also for one outside their scope)."""
        account = self.identity.repository.get_account(subject_id, consistent=True)
        if (
            account is None
            or account.kind is not AccountKind.WORKFORCE
            or account.subject_id == operator.subject_id
            or not operator_may_manage(operator, account.region_code or "", role=account.role)
        ):
            raise NotFound()
        return account

    # --- changes -----------------------------------------------------------------------------

    @staticmethod
    def _event(
        account: Account, action: Action, operator: Principal, revoked: int, correlation_id: str | None
    ) -> Envelope:
        return identity_events.envelope(
            identity_events.WORKFORCE_ACCOUNT_CHANGED,
            account.subject_id,
            identity_events.WorkforceAccountChangedData(
                subject_id=account.subject_id,
                action=action,
                login=account.login or "",
                role=account.role,
                region_code=account.region_code or "",
                department_id=account.department_id,
                status=account.status,
                version=account.version,
                sessions_revoked=revoked,
                by=operator.subject_id,
            ),
            correlation_id,
        )

    def _change(
        self,
        operator: Principal,
        before: Account,
        after: Account,
        action: Action,
        *,
        revoke_sessions: bool,
        correlation_id: str | None,
    ) -> Account:
        repository = self.identity.repository
        sessions = repository.active_sessions_of(before.subject_id, int(now().timestamp())) if revoke_sessions else []
        first, rest = sessions[:MAX_REVOKED_PER_CHANGE], sessions[MAX_REVOKED_PER_CHANGE:]
        changed = after.model_copy(update={"version": before.version + 1})
        event = self._event(changed, action, operator, len(sessions), correlation_id)
        repository.change_workforce(changed, read_version=before.version, revoke=first, event=event)
        for family_id in rest:
            repository.revoke_session(family_id, reason="operator")
        logger().info(
            "workforce account changed",
            extra={"subject_id": changed.subject_id, "action": action, "by": operator.subject_id},
        )
        return changed

    def create(
        self, operator: Principal, request: WorkforceAccountRequest, *, correlation_id: str | None = None
    ) -> WorkforceAccount:
        role = Role(request.role)
        self._require_scope(operator, role, request.region_code)
        self._require_department(role, request.region_code, request.department_id, request.department_head)
        password = _temporary_password()
        account = self.identity.workforce_account(
            login=request.login,
            password=password,
            role=role,
            name=request.name,
            id_number=request.id_number,
            phone=request.phone,
            department_id=request.department_id,
            region_code=request.region_code,
            department_head=request.department_head,
        )
        event = self._event(account, "created", operator, 0, correlation_id)
        self.identity.repository.add_workforce(account, event)
        self._send_password(account, password, "opened")
        logger().info("workforce account created", extra={"subject_id": account.subject_id, "by": operator.subject_id})
        return view(account)

    def get(self, operator: Principal, subject_id: str) -> WorkforceAccount:
        return view(self._managed(operator, subject_id))

    def assign_role(
        self, operator: Principal, subject_id: str, assignment: RoleAssignment, *, correlation_id: str | None = None
    ) -> WorkforceAccount:
        account = self._managed(operator, subject_id)
        role = Role(assignment.role)
        self._require_scope(operator, role, assignment.region_code)
        self._require_department(role, assignment.region_code, assignment.department_id, assignment.department_head)
        if assignment.version != account.version:
            raise Conflict(errors.ACCOUNT_CHANGED)
        after = account.model_copy(
            update={
                "role": role,
                "region_code": assignment.region_code,
                "department_id": assignment.department_id,
                "department_head": assignment.department_head,
            }
        )
        # the tokens already issued carry the old role: sign them out so the new one applies now
        changed = self._change(
            operator, account, after, "role_assigned", revoke_sessions=True, correlation_id=correlation_id
        )
        return view(changed)

    def disable(self, operator: Principal, subject_id: str, *, correlation_id: str | None = None) -> WorkforceAccount:
        account = self._managed(operator, subject_id)
        after = account.model_copy(update={"status": "disabled"})
        changed = self._change(
            operator, account, after, "disabled", revoke_sessions=True, correlation_id=correlation_id
        )
        return view(changed)

    def sign_out(self, operator: Principal, subject_id: str, *, correlation_id: str | None = None) -> WorkforceAccount:
        """Sign the account out everywhere: its next use needs the password and a new SMS code."""
        account = self._managed(operator, subject_id)
        changed = self._change(
            operator, account, account, "signed_out", revoke_sessions=True, correlation_id=correlation_id
        )
        return view(changed)

    def reset_password(
        self, operator: Principal, subject_id: str, *, correlation_id: str | None = None
    ) -> WorkforceAccount:
        account = self._managed(operator, subject_id)
        password = _temporary_password()
        after = account.model_copy(
            update={"password_hash": hash_password(password, log2_n=self.identity.config.password_scrypt_log2_n)}
        )
        changed = self._change(
            operator, account, after, "password_reset", revoke_sessions=True, correlation_id=correlation_id
        )
        self._send_password(changed, password, "reset")
        return view(changed)

    def _send_password(self, account: Account, password: str, why: Literal["opened", "reset"]) -> None:
        phone = str(self.identity.sealer.unseal(account.subject_id, account.sealed)["phone"])
        what = "已开通" if why == "opened" else "密码已重置"
        text = (
            f"【江苏政务服务】您的工作人员账号 {account.login} {what}，临时密码 {password}。"
            "登录时还需输入发送到本手机的验证码。请勿告诉他人。"
        )
        self.identity.send_sms(phone, SmsMessage(f"workforce.password_{why}", text))


def workforce_admin() -> WorkforceAdmin:
    return WorkforceAdmin(identity_service())
