"""IdentityTable access: the only module that knows its keys and indexes.

Layout (one table, the template's `IdentityTable`; `expires_at` is its TTL):

| record                          | pk                                  | sk                | notes |
|---------------------------------|-------------------------------------|-------------------|-------|
| account 账号                     | `ACCOUNT#<subject_id>`              | `PROFILE`         | |
| agent authorisation 经办人授权   | `ACCOUNT#<agent subject_id>`        | `AUTHZ#<uscc>`    | gsi1 |
| ID number → account (unique)    | `IDNUMBER#<hmac>`                   | `IDNUMBER`        | persons only |
| phone → account (unique)        | `PHONE#<hmac>`                      | `PHONE`           | persons only |
| login → account (unique)        | `LOGIN#<login>`                     | `LOGIN`           | workforce |
| one-time code 验证码             | `OTP#<purpose>#<hmac or challenge>` | `OTP`             | TTL |
| rate log / back-off 限流         | `RATE#<rule>#<hmac>`                | `RATE`            | TTL |
| refresh token                   | `REFRESH#<sha256>`                  | `REFRESH`         | TTL |
| session family 会话              | `SESSION#<family_id>`               | `SESSION`         | TTL, gsi1 |
| population registry (seeded)    | `REGISTRY#PERSON#<hmac>`            | `REGISTRY`        | |
| enterprise registry (seeded)    | `REGISTRY#ENTERPRISE#<uscc>`        | `REGISTRY`        | |
| outbox event                    | `OUTBOX#<first event id>`           | `OUTBOX`          | stream → relay |

- gsi1: `gsi1pk = ENTERPRISE#<uscc>`, `gsi1sk = AGENT#<subject_id>` — an
  enterprise's agents, for its legal representative; `gsi1pk = SESSIONS#<subject_id>`,
  `gsi1sk = <family_id>` — a subject's sessions, revoked together when an operator
  disables the account (D-290).
- Every partition key is an opaque id, a keyed hash or a USCC, so load
  spreads over as many partitions as there are people; no raw ID number or
  phone is a key, and none is stored outside the KMS-sealed `sealed` field.
- Nothing here Scans.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from shared.identity import errors
from shared.identity.config import identity_settings
from shared.identity.models import Account, AuthorisationRecord, Challenge, EnterpriseRecord, RefreshRecord
from shared.identity.throttle import Admission
from shared.platform.aws import dynamodb
from shared.platform.dynamo import Repository, Transaction, from_item, to_item
from shared.platform.dynamo import values as expression_values
from shared.platform.errors import Conflict, NotFound, RateLimited, Unauthorized, ValidationFailed
from shared.platform.events import Envelope

PROFILE_SK = "PROFILE"
AUTHZ_PREFIX = "AUTHZ#"


def account_key(subject_id: str) -> dict[str, str]:
    return {"pk": f"ACCOUNT#{subject_id}", "sk": PROFILE_SK}


def authorisation_key(subject_id: str, uscc: str) -> dict[str, str]:
    return {"pk": f"ACCOUNT#{subject_id}", "sk": f"{AUTHZ_PREFIX}{uscc}"}


def id_number_key(id_hash: str) -> dict[str, str]:
    return {"pk": f"IDNUMBER#{id_hash}", "sk": "IDNUMBER"}


def phone_key(phone_hash: str) -> dict[str, str]:
    return {"pk": f"PHONE#{phone_hash}", "sk": "PHONE"}


def login_key(login: str) -> dict[str, str]:
    return {"pk": f"LOGIN#{login}", "sk": "LOGIN"}


def challenge_key(key: str) -> dict[str, str]:
    return {"pk": f"OTP#{key}", "sk": "OTP"}


def refresh_key(token_hash: str) -> dict[str, str]:
    return {"pk": f"REFRESH#{token_hash}", "sk": "REFRESH"}


def session_key(family_id: str) -> dict[str, str]:
    return {"pk": f"SESSION#{family_id}", "sk": "SESSION"}


def subject_sessions_index(subject_id: str, family_id: str) -> dict[str, str]:
    return {"gsi1pk": f"SESSIONS#{subject_id}", "gsi1sk": family_id}


def person_registry_key(id_hash: str) -> dict[str, str]:
    return {"pk": f"REGISTRY#PERSON#{id_hash}", "sk": "REGISTRY"}


def enterprise_registry_key(uscc: str) -> dict[str, str]:
    return {"pk": f"REGISTRY#ENTERPRISE#{uscc}", "sk": "REGISTRY"}


class RaceLost(Conflict):
    """A rate item changed between its read and its write (a parallel request): decide again."""

    default_code = "version_conflict"


def admit(transaction: Transaction, admission: Admission) -> None:
    """Write a rate item back only if it still has the version that was read."""
    if admission.read_version == 0:
        transaction.put(admission.item, condition="attribute_not_exists(pk)", on_conflict=RaceLost())
    else:
        transaction.put(
            admission.item,
            condition="version = :read",
            values=expression_values(read=admission.read_version),
            on_conflict=RaceLost(),
        )


class IdentityRepository(Repository):
    def configured_table(self) -> str:
        return identity_settings().identity_table

    # --- plain reads -----------------------------------------------------------------------

    def get_account(self, subject_id: str, *, consistent: bool = False) -> Account | None:
        item = self.get_item(account_key(subject_id), consistent=consistent)
        return Account.model_validate(item) if item else None

    def get_account_and_authorisation(
        self, subject_id: str, uscc: str | None
    ) -> tuple[Account | None, AuthorisationRecord | None]:
        """The account and, when `uscc` is given, its authorisation for it — one read."""
        if not uscc:
            return self.get_account(subject_id, consistent=True), None
        keys = [account_key(subject_id), authorisation_key(subject_id, uscc)]
        account: Account | None = None
        authorisation: AuthorisationRecord | None = None
        for item in self.get_items(keys, consistent=True):
            if item["sk"] == PROFILE_SK:
                account = Account.model_validate(item)
            else:
                authorisation = AuthorisationRecord.model_validate(item)
        return account, authorisation

    def subject_for_phone(self, phone_hash: str) -> str | None:
        item = self.get_item(phone_key(phone_hash))
        return str(item["subject_id"]) if item else None

    def subject_for_id_number(self, id_hash: str) -> str | None:
        item = self.get_item(id_number_key(id_hash))
        return str(item["subject_id"]) if item else None

    def subject_for_login(self, login: str) -> str | None:
        item = self.get_item(login_key(login))
        return str(item["subject_id"]) if item else None

    # --- accounts --------------------------------------------------------------------------

    def _account_item(self, account: Account) -> dict[str, Any]:
        return {**account_key(account.subject_id), **account.model_dump(mode="json")}

    def add_person(
        self,
        account: Account,
        *,
        consume: Challenge | None,
        event: Envelope | None,
    ) -> None:
        """Create a natural person's account with its unique ID-number and phone
        entries, spend the one-time code and record the event — all or nothing."""
        transaction = self.transaction()
        transaction.put(
            self._account_item(account),
            condition="attribute_not_exists(pk)",
            on_conflict=Conflict(errors.ALREADY_REGISTERED),
        )
        transaction.put(
            {**id_number_key(account.id_hash), "subject_id": account.subject_id},
            condition="attribute_not_exists(pk)",
            on_conflict=Conflict(errors.ALREADY_REGISTERED),
        )
        transaction.put(
            {**phone_key(account.phone_hash), "subject_id": account.subject_id},
            condition="attribute_not_exists(pk)",
            on_conflict=Conflict(errors.PHONE_IN_USE),
        )
        if consume is not None:
            self._consume_challenge(transaction, consume)
        if event is not None:
            transaction.emit(event)
        transaction.commit()

    def add_workforce(self, account: Account, event: Envelope | None = None) -> None:
        """Create a staff, supervisor or operator account with its unique login (and the
        operator's event, when an operator opened it)."""
        if not account.login:
            raise ValueError("workforce accounts have a login")
        transaction = self.transaction()
        transaction.put(
            self._account_item(account),
            condition="attribute_not_exists(pk)",
            on_conflict=Conflict("conflict"),
        )
        transaction.put(
            {**login_key(account.login), "subject_id": account.subject_id},
            condition="attribute_not_exists(pk)",
            on_conflict=Conflict(errors.LOGIN_IN_USE),
        )
        if event is not None:
            transaction.emit(event)
        transaction.commit()

    def change_workforce(self, account: Account, *, read_version: int, revoke: Sequence[str], event: Envelope) -> None:
        """Store the changed account if nobody changed it since `read_version`, revoke the
        given session families (their refresh tokens, and through the authorizer's session
        check their access tokens, stop) and record the event — one transaction."""
        transaction = self.transaction()
        transaction.put(
            self._account_item(account),
            condition="version = :read",
            values=expression_values(read=read_version),
            on_conflict=Conflict(errors.ACCOUNT_CHANGED),
        )
        for family_id in revoke:
            transaction.update(
                session_key(family_id),
                "SET #status = :revoked, revoked_reason = :reason",
                condition="attribute_exists(pk)",
                names={"#status": "status"},
                values=expression_values(revoked="revoked", reason="operator"),
                on_conflict=Conflict(errors.ACCOUNT_CHANGED),
            )
        transaction.emit(event)
        transaction.commit()

    # --- one-time codes and rate limits ------------------------------------------------------

    def read_many(self, keys: Sequence[Mapping[str, str]]) -> dict[str, dict[str, Any]]:
        """Items by pk, one strongly consistent BatchGetItem (rate items are decided on it)."""
        found: dict[str, dict[str, Any]] = {}
        pending: list[dict[str, Any]] = [to_item(k) for k in {k["pk"]: k for k in keys}.values()]
        while pending:
            response = dynamodb().batch_get_item(RequestItems={self.table: {"Keys": pending, "ConsistentRead": True}})
            for raw in response.get("Responses", {}).get(self.table, []):
                item = from_item(raw)
                found[str(item["pk"])] = item
            unprocessed: dict[str, Any] = dict(response.get("UnprocessedKeys") or {})
            pending = list((unprocessed.get(self.table) or {}).get("Keys", []))
        return found

    def issue_challenge(
        self, challenge: Challenge | None, admissions: Sequence[Admission], forget: Sequence[Mapping[str, str]] = ()
    ) -> None:
        """Record the request in every rate item, delete the `forget` items and store the
        code (if any), in one transaction: a refused request changes nothing.
        Raises `RaceLost` when a parallel request changed a rate item first."""
        transaction = self.transaction()
        for admission in admissions:
            admit(transaction, admission)
        for key in forget:  # e.g. the password back-off of a sign-in that succeeded
            transaction.delete(key)
        if challenge is not None:
            # A new code replaces the previous one for the same purpose and phone (attempts restart).
            transaction.put({**challenge_key(challenge.key), **challenge.model_dump(mode="json")})
        transaction.commit()

    def record_attempt(self, admissions: Sequence[Admission]) -> None:
        """Reserve a password attempt in its back-off and source items (or raise `RaceLost`)."""
        transaction = self.transaction()
        for admission in admissions:
            admit(transaction, admission)
        transaction.commit()

    def spend_attempt(self, key: str, *, now: int, max_attempts: int) -> Challenge:
        """Count one guess at the code for `key` and return the challenge (with the
        code's hash) — atomically, so parallel guesses cannot exceed the limit."""
        try:
            response = dynamodb().update_item(
                TableName=self.table,
                Key=to_item(challenge_key(key)),
                UpdateExpression="ADD attempts :one",
                ConditionExpression="attribute_exists(pk) AND attempts < :max AND expires_at > :now",
                ExpressionAttributeValues=expression_values(one=1, max=max_attempts, now=now),
                ReturnValues="ALL_NEW",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise
            old: Any = exc.response.get("Item")
            if not old:
                raise Unauthorized(errors.OTP_EXPIRED) from exc
            challenge = Challenge.model_validate(from_item(old))
            if challenge.expires_at <= now:
                raise Unauthorized(errors.OTP_EXPIRED) from exc
            raise RateLimited(
                errors.OTP_LOCKED, headers={"Retry-After": str(max(1, challenge.expires_at - now))}
            ) from exc
        return Challenge.model_validate(from_item(response["Attributes"]))

    def consume_challenge(self, challenge: Challenge) -> None:
        """Spend a verified code on its own (a contact check: no session starts with it)."""
        transaction = self.transaction()
        self._consume_challenge(transaction, challenge)
        transaction.commit()

    @staticmethod
    def _consume_challenge(transaction: Transaction, challenge: Challenge) -> None:
        # Single use: the code is deleted only if nobody guessed again since it was verified.
        transaction.delete(
            challenge_key(challenge.key),
            condition="attempts = :attempts",
            values=expression_values(attempts=challenge.attempts),
            on_conflict=Unauthorized(errors.OTP_EXPIRED),
        )

    # --- sessions and refresh tokens ---------------------------------------------------------

    def start_session(
        self, *, family_id: str, refresh: RefreshRecord, created_at: datetime, consume: Challenge | None
    ) -> None:
        """A new session family with its first refresh token (and the spent code)."""
        transaction = self.transaction()
        transaction.put(
            {
                **session_key(family_id),
                # gsi1 lists a subject's sessions, so an operator's disable revokes them all
                **subject_sessions_index(refresh.subject_id, family_id),
                "family_id": family_id,
                "subject_id": refresh.subject_id,
                "status": "active",
                "created_at": created_at.isoformat(),
                "expires_at": refresh.session_expires_at,
            },
            condition="attribute_not_exists(pk)",
        )
        transaction.put(
            {**refresh_key(refresh.token_hash), **refresh.model_dump(mode="json")},
            condition="attribute_not_exists(pk)",
        )
        if consume is not None:
            self._consume_challenge(transaction, consume)
        transaction.commit()

    def get_refresh(self, token_hash: str) -> RefreshRecord | None:
        item = self.get_item(refresh_key(token_hash), consistent=True)
        return RefreshRecord.model_validate(item) if item else None

    def rotate(self, old: RefreshRecord, new: RefreshRecord) -> None:
        """Retire `old` and store `new` in the same family, if the family is still active.

        The retired token is kept (status `rotated`) until the session would
        expire, so presenting it again is recognised as reuse.
        """
        transaction = self.transaction()
        transaction.update(
            refresh_key(old.token_hash),
            "SET #status = :rotated, expires_at = :keep_until",
            condition="#status = :active",
            names={"#status": "status"},
            values=expression_values(rotated="rotated", active="active", keep_until=old.session_expires_at),
            on_conflict=Unauthorized(errors.REFRESH_INVALID),
        )
        transaction.check(
            session_key(old.family_id),
            "#status = :active",
            names={"#status": "status"},
            values=expression_values(active="active"),
            on_conflict=Unauthorized(errors.SESSION_REVOKED),
        )
        transaction.put(
            {**refresh_key(new.token_hash), **new.model_dump(mode="json")},
            condition="attribute_not_exists(pk)",
        )
        transaction.commit()

    def active_sessions_of(self, subject_id: str, now: int) -> list[str]:
        """The subject's session families still active (gsi1; eventually consistent, so a
        session started in the same second may be missed: its refresh still fails on the
        account's status)."""
        items = self.query_all(
            IndexName="gsi1",
            KeyConditionExpression="gsi1pk = :pk",
            ExpressionAttributeValues=expression_values(pk=subject_sessions_index(subject_id, "")["gsi1pk"]),
        )
        return [
            str(item["family_id"])
            for item in items
            if item.get("status") == "active" and int(item.get("expires_at", 0)) > now
        ]

    def session_active(self, family_id: str, now: int) -> bool:
        """Whether the session family is active and not past its end (the authorizer's check)."""
        item = self.get_item(session_key(family_id))
        return item is not None and item.get("status") == "active" and int(item.get("expires_at", 0)) > now

    def revoke_session(self, family_id: str, *, reason: str, event: Envelope | None = None) -> bool:
        """Mark the family revoked (its refresh tokens stop working). False if it was not active."""
        transaction = self.transaction()
        transaction.update(
            session_key(family_id),
            "SET #status = :revoked, revoked_reason = :reason",
            condition="#status = :active",
            names={"#status": "status"},
            values=expression_values(revoked="revoked", reason=reason, active="active"),
            on_conflict=Conflict("conflict"),
        )
        if event is not None:
            transaction.emit(event)
        try:
            transaction.commit()
        except Conflict:
            return False
        return True

    # --- enterprise authorisations -----------------------------------------------------------

    def get_authorisation(self, subject_id: str, uscc: str) -> AuthorisationRecord | None:
        item = self.get_item(authorisation_key(subject_id, uscc), consistent=True)
        return AuthorisationRecord.model_validate(item) if item else None

    def authorisations_of(self, subject_id: str) -> list[AuthorisationRecord]:
        items = self.query_all(
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues=expression_values(pk=f"ACCOUNT#{subject_id}", prefix=AUTHZ_PREFIX),
        )
        return [AuthorisationRecord.model_validate(item) for item in items]

    def agents_of(self, uscc: str) -> list[AuthorisationRecord]:
        items = self.query_all(
            IndexName="gsi1",
            KeyConditionExpression="gsi1pk = :pk",
            ExpressionAttributeValues=expression_values(pk=f"ENTERPRISE#{uscc}"),
        )
        return [AuthorisationRecord.model_validate(item) for item in items]

    def put_authorisation(self, record: AuthorisationRecord, event: Envelope | None) -> None:
        """Grant or replace (new scope or expiry) an agent authorisation."""
        transaction = self.transaction()
        transaction.check(
            account_key(record.agent_subject_id),
            "attribute_exists(pk)",
            on_conflict=ValidationFailed(errors.AGENT_NOT_FOUND),
        )
        transaction.put(
            {
                **authorisation_key(record.agent_subject_id, record.uscc),
                "gsi1pk": f"ENTERPRISE#{record.uscc}",
                "gsi1sk": f"AGENT#{record.agent_subject_id}",
                **record.model_dump(mode="json"),
            }
        )
        if event is not None:
            transaction.emit(event)
        transaction.commit()

    def delete_authorisation(self, subject_id: str, uscc: str, event: Envelope | None) -> None:
        transaction = self.transaction()
        transaction.delete(
            authorisation_key(subject_id, uscc),
            condition="attribute_exists(pk)",
            on_conflict=NotFound(errors.AUTHORISATION_NOT_FOUND),
        )
        if event is not None:
            transaction.emit(event)
        transaction.commit()

    # --- seeded registries (local adapter data) ----------------------------------------------

    def put_person_registry_entry(self, id_hash: str, name_hash: str) -> None:
        dynamodb().put_item(
            TableName=self.table, Item=to_item({**person_registry_key(id_hash), "name_hash": name_hash})
        )

    def person_registry_name_hash(self, id_hash: str) -> str | None:
        item = self.get_item(person_registry_key(id_hash))
        return str(item["name_hash"]) if item else None

    def put_enterprise_registry_entry(self, record: EnterpriseRecord) -> None:
        dynamodb().put_item(
            TableName=self.table,
            Item=to_item({**enterprise_registry_key(record.uscc), **record.model_dump(mode="json")}),
        )

    def enterprise_registry_entry(self, uscc: str) -> EnterpriseRecord | None:
        item = self.get_item(enterprise_registry_key(uscc))
        return EnterpriseRecord.model_validate(item) if item else None
