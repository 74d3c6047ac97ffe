"""The licences service (电子证照): issuance, status changes, verification, the
holder's wallet, publication, the expiry sweep and once-only reuse.

Every state change goes through one `TransactWriteItems` with its outbox
event (`shared.platform.dynamo.Transaction`).
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field
from functools import cache

from shared.cases.events import LicenceDueData
from shared.codes.national import check_uscc
from shared.licences import errors, events, ports
from shared.licences.certificate import render_certificate
from shared.licences.config import licences_settings
from shared.licences.identifiers import InvalidIdentifier, LicenceIdentifier, format_serial, parse_identifier
from shared.licences.models import (
    DownloadLink,
    HolderCodeType,
    Licence,
    LicenceDetail,
    LicenceMetadata,
    LicenceReference,
    LicenceStatus,
    LicenceSummary,
    LicenceType,
    LicenceTypeChange,
    LicenceTypeStatus,
    RenewableLicence,
    ReplaceRequest,
    StatusListDocument,
    TrustedIssuer,
    TrustKey,
    TrustList,
    UsageEntry,
    UsageKind,
    Verification,
    VerifiedLicence,
    VerifyRequest,
)
from shared.licences.payload import (
    LicencePayload,
    MalformedPayload,
    Reason,
    Result,
    check_signature,
    decode,
    encode,
    metadata_digest,
    verdict,
)
from shared.licences.repository import LIVE, LicencesRepository, holder_partition
from shared.licences.seal import seal_certificate, sealed
from shared.licences.signing import ES256, IssuingKey, issuing_key, published_keys
from shared.licences.status_list import STATUS_MESSAGES, STATUS_SIZE, Entry, RenewalBits, StatusBits
from shared.licences.storage import TRUST_LIST_KEY, LicenceStore, status_list_object_key
from shared.licences.types import licence_type, remember
from shared.platform import sealing
from shared.platform.clock import now, today_in_shanghai
from shared.platform.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from shared.platform.events import Envelope, make_envelope
from shared.platform.ids import new_id
from shared.platform.observability import logger
from shared.platform.pagination import Page
from shared.platform.principal import Principal, RecordScope, Role, ensure
from shared.platform.privacy import mask_id_number, mask_name

HOLDER_SEALING = "licences.holder"
DEFAULT_STATUS_LIST = "1"
AGENT_LICENCES_SCOPE = "licences"
STATUS_LIST_TTL_S = 300
_MAX_TRIES = 5

_listed_issuers: set[str] = set()  # issuers this process has put in the trust list

ENTRY_OF: dict[LicenceStatus, Entry] = {
    LicenceStatus.ACTIVE: Entry.ACTIVE,
    LicenceStatus.EXPIRED: Entry.ACTIVE,  # expiry comes from the signed dates
    LicenceStatus.SUSPENDED: Entry.SUSPENDED,
    LicenceStatus.REVOKED: Entry.REVOKED,
    LicenceStatus.REPLACED: Entry.REPLACED,
}

# action -> (states it may start from, the state it leads to, its event)
TRANSITIONS: dict[str, tuple[frozenset[LicenceStatus], LicenceStatus, str]] = {
    "suspend": (frozenset({LicenceStatus.ACTIVE}), LicenceStatus.SUSPENDED, events.SUSPENDED),
    "reinstate": (frozenset({LicenceStatus.SUSPENDED}), LicenceStatus.ACTIVE, events.REINSTATED),
    "revoke": (
        frozenset({LicenceStatus.ACTIVE, LicenceStatus.SUSPENDED, LicenceStatus.EXPIRED}),
        LicenceStatus.REVOKED,
        events.REVOKED,
    ),
}
REPLACEABLE = frozenset({LicenceStatus.ACTIVE, LicenceStatus.SUSPENDED})
RENEWABLE = frozenset({LicenceStatus.ACTIVE, LicenceStatus.EXPIRED})
"""A renewal decided after the licence lapsed still supersedes it (Art. 50 wants it decided before)."""


class IssuanceRefused(ValueError):
    """The licence can never be issued from this event as it is (unknown or retired type,
    unknown holder). A refusal with a stable code starts its reason with the code."""

    def __init__(self, reason: str, *, code: str | None = None) -> None:
        super().__init__(f"{code}: {reason}" if code else reason)
        self.code = code


class _DuplicateCase(Conflict):
    pass


class _IndexTaken(Conflict):
    pass


def renewal_pending(licence: Licence) -> bool:
    """A renewal applied for in time is undecided (the renewal list's bit, D-211)."""
    return licence.status is LicenceStatus.ACTIVE and licence.renewal_case_id is not None


class _ListBusy(Conflict):
    pass


@dataclass(frozen=True)
class IssueOutcome:
    licence_id: str
    result: str  # issued | duplicate


@dataclass
class SweepResult:
    reminded: list[str] = field(default_factory=list)
    expired: list[str] = field(default_factory=list)
    deemed_renewed: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Holder:
    name: str
    code: str
    masked: str
    code_type: HolderCodeType


def _scope(licence: Licence) -> RecordScope:
    return RecordScope(
        applicant_subject_id=licence.holder_subject_id,
        applicant_uscc=licence.holder_uscc or "",
        required_scope=AGENT_LICENCES_SCOPE,
    )


def _end_of_validity(start: dt.date, years: int | None) -> dt.date | None:
    if years is None:
        return None
    try:
        end = start.replace(year=start.year + years)
    except ValueError:  # 29 February
        end = start.replace(year=start.year + years, day=28)
    return end - dt.timedelta(days=1)


def summary_of(licence: Licence) -> LicenceSummary:
    return LicenceSummary(
        licence_id=licence.licence_id,
        identifier=licence.identifier,
        type_code=licence.type_code,
        type_name=licence.type_name,
        number=licence.number,
        issuer_name=licence.issuer_name,
        holder_name=licence.holder_name,
        holder_code_masked=licence.holder_code_masked,
        issued_on=licence.issued_on,
        valid_from=licence.valid_from,
        valid_to=licence.valid_to,
        status=licence.status,
        case_id=licence.case_id,
        renewal_case_id=licence.renewal_case_id,
        deemed_renewed=licence.deemed_renewed_on is not None and licence.status is LicenceStatus.ACTIVE,
    )


def detail_of(licence: Licence) -> LicenceDetail:
    return LicenceDetail(
        **summary_of(licence).model_dump(),
        licence_version=licence.licence_version,
        metadata=LicenceMetadata.model_validate(licence.metadata(licence.holder_code_masked)),
        qr=licence.qr,
        algorithm=licence.algorithm,
        kid=licence.kid,
        status_reason=licence.status_reason,
        status_changed_at=licence.status_changed_at,
        replaces=licence.replaces,
        replaced_by=licence.replaced_by,
        case_number=licence.case_number,
        item_name=licence.item_name,
    )


def _verified(payload: LicencePayload) -> VerifiedLicence:
    return VerifiedLicence(
        identifier=payload.identifier,
        type_name=payload.type_name,
        number=payload.number,
        issuer_name=payload.issuer_name,
        issuer_code=payload.issuer_code,
        holder_name=payload.holder_name,
        holder_code=payload.holder_code,
        valid_from=payload.valid_from,
        valid_to=payload.valid_to,
    )


class LicencesService:
    def __init__(
        self,
        repository: LicencesRepository | None = None,
        store: LicenceStore | None = None,
        key: IssuingKey | None = None,
    ) -> None:
        self._repository = repository
        self._store = store
        self._key = key

    @property
    def repository(self) -> LicencesRepository:
        if self._repository is None:
            self._repository = LicencesRepository()
        return self._repository

    @property
    def store(self) -> LicenceStore:
        if self._store is None:
            self._store = LicenceStore()
        return self._store

    @property
    def key(self) -> IssuingKey:
        if self._key is None:
            self._key = issuing_key()
        return self._key

    # --- issuance (制证) ----------------------------------------------------------------------

    def issue(self, due: LicenceDueData, *, correlation_id: str | None) -> IssueOutcome:
        """One licence per case: a redelivered event finds the case's licence and adds nothing."""
        existing = self.repository.licence_id_for_case(due.case_id)
        if existing is not None:
            return IssueOutcome(existing, "duplicate")
        kind = licence_type(due.licence_type_code)  # the directory, cached briefly in a warm function
        if kind is None:
            raise IssuanceRefused(f"unknown licence type {due.licence_type_code}", code=errors.TYPE_UNKNOWN)
        if kind.status is LicenceTypeStatus.RETIRED:
            raise IssuanceRefused(f"retired licence type {kind.code}", code=errors.TYPE_RETIRED)
        holder = self._holder(due)
        renewed = self._renewed(due, kind.code)
        if renewed is not None:  # 延续: the next version of the same licence (number and serial kept)
            serial, identifier = renewed.serial, parse_identifier(renewed.identifier).next_version()
        else:
            serial = format_serial(self.repository.next_serial(kind.code, due.issuer_uscc))
            try:
                identifier = LicenceIdentifier(kind.code, due.issuer_uscc, serial, 1)
            except InvalidIdentifier as exc:
                raise IssuanceRefused(f"cannot form an identifier: {exc}") from exc
        issued_on = today_in_shanghai()
        # a renewal continues the old validity: from the day after it ends (or today, if it lapsed)
        valid_from = (
            max(issued_on, renewed.valid_to + dt.timedelta(days=1)) if renewed and renewed.valid_to else issued_on
        )
        licence_id = new_id()
        draft = Licence(
            licence_id=licence_id,
            identifier=str(identifier),
            serial=serial,
            type_code=kind.code,
            type_name=kind.name,
            number=renewed.number if renewed else f"{due.region_code}{issued_on.year}{serial}",
            issuer_uscc=due.issuer_uscc,
            issuer_name=due.issuer_name,
            issuer_department_id=due.department_id,
            jurisdiction=due.region_code,
            holder_kind=due.holder_kind,
            holder_subject_id=due.holder_subject_id,
            holder_uscc=due.holder_uscc,
            holder_name=holder.name,
            holder_code_masked=holder.masked,
            holder_code_sealed="",
            holder_code_type=holder.code_type,
            issued_on=issued_on,
            valid_from=valid_from,
            valid_to=_end_of_validity(valid_from, kind.validity_years),
            licence_version=renewed.licence_version + 1 if renewed else 1,
            replaces=renewed.licence_id if renewed else None,
            case_id=due.case_id,
            case_number=due.case_number,
            item_code=due.item_code,
            item_name=due.item_name,
            decision_document_number=due.decision_document_number,
            status_list=DEFAULT_STATUS_LIST,
            status_index=0,
            qr="",
            algorithm=self.key.algorithm,
            kid="",
            metadata_digest="",
            pdf_key="",
            pdf_sha256="",
            issued_at=now(),
        )
        if holder.code_type is HolderCodeType.RESIDENT_ID:
            sealed = sealing.sealer(HOLDER_SEALING).seal(licence_id, {"holder_code": holder.code})
            draft = draft.model_copy(update={"holder_code_sealed": sealed})
        if due.issuer_uscc not in _listed_issuers:
            # before any licence of it exists, with the certificate its seals carry (made once per container)
            certificate = seal_certificate(due.issuer_name, due.issuer_uscc)
            self.repository.ensure_issuer(due.issuer_uscc, due.issuer_name, certificate)
            _listed_issuers.add(due.issuer_uscc)
        for _ in range(_MAX_TRIES):
            licence = self._signed(draft, holder.code)
            transaction = self.repository.transaction()
            self.repository.add_issued(
                transaction,
                licence,
                on_duplicate_case=_DuplicateCase("licence.duplicate"),
                on_index_taken=_IndexTaken("licence.index_taken"),
            )
            transaction.emit(events.envelope(events.ISSUED, licence, events.facts(licence), correlation_id))
            if renewed is not None:
                self._supersede(
                    transaction,
                    renewed,
                    licence,
                    reason=f"准予延续（行政许可法第五十条），新证有效期至 {licence.valid_to or '长期'}",
                    by_subject=licence.issuer_department_id,
                    by_department=licence.issuer_department_id,
                    on_conflict=_ListBusy(errors.CHANGED_CONCURRENTLY),  # re-read and retried
                    correlation_id=correlation_id,
                )
            try:
                transaction.commit()
            except (_IndexTaken, _ListBusy):
                self.store.delete(licence.pdf_key)
                if renewed is not None:
                    renewed = self._renewed(due, kind.code)  # re-read: its version guards the supersession
                    if renewed is None:
                        raise IssuanceRefused("the licence to renew changed meanwhile") from None
                continue
            except _DuplicateCase:
                self.store.delete(licence.pdf_key)
                winner = self.repository.licence_id_for_case(due.case_id)
                return IssueOutcome(winner or licence_id, "duplicate")
            return IssueOutcome(licence.licence_id, "issued")
        raise RuntimeError("no free status-list index after several tries")

    def _renewed(self, due: LicenceDueData, type_code: str) -> Licence | None:
        """The licence a renewal case renews, when it can be superseded: same type and
        holder, active or lapsed meanwhile. Otherwise the case gets a licence of its own."""
        if not due.renews_licence_id:
            return None
        old = self.repository.get(due.renews_licence_id)
        if old is None or old.type_code != type_code or old.status not in RENEWABLE:
            return None
        same_holder = (
            old.holder_uscc == due.holder_uscc
            if old.holder_uscc or due.holder_uscc
            else old.holder_subject_id == due.holder_subject_id
        )
        return old if same_holder else None

    def _supersede(
        self,
        transaction: object,
        old: Licence,
        new: Licence,
        *,
        reason: str,
        by_subject: str,
        by_department: str,
        on_conflict: Conflict,
        correlation_id: str | None,
    ) -> None:
        """In the new version's transaction (换发 or 延续): the old one reads `replaced`,
        pointing to the new one, in the status list too, with `licence.replaced`."""
        from shared.platform.dynamo import Transaction

        assert isinstance(transaction, Transaction)
        after = old.model_copy(
            update={
                "status": LicenceStatus.REPLACED,
                "status_reason": reason,
                "status_changed_at": now(),
                "status_changed_by": by_subject,
                "replaced_by": new.licence_id,
                "version": old.version + 1,
            }
        )
        self.repository.update_licence(transaction, old, after, on_conflict)
        self._set_entries(transaction, {old.status_list: [(old.status_index, Entry.REPLACED)]})
        data = events.StatusChangedData(
            **events.facts(after),
            reason=reason,
            changed_by=by_department,
            replaced_by=new.licence_id,
            replaced_by_identifier=new.identifier,
        )
        transaction.emit(events.envelope(events.REPLACED, after, data, correlation_id))

    def _holder(self, due: LicenceDueData) -> _Holder:
        holders = ports.holders()
        if due.holder_uscc:
            name = holders.enterprise_name(due.holder_uscc)
            if name is None:
                raise IssuanceRefused("the holder enterprise is not in the enterprise registry")
            return _Holder(name, due.holder_uscc, due.holder_uscc, HolderCodeType.USCC)
        person = holders.person_holder(due.holder_subject_id)
        if person is None:
            raise IssuanceRefused("the holder has no natural-person account")
        return _Holder(person.name, person.id_number, mask_id_number(person.id_number), HolderCodeType.RESIDENT_ID)

    def _signed(self, draft: Licence, holder_code: str) -> Licence:
        """Draw a status-list index, sign the payload, render and store the certificate."""
        size = licences_settings().licence_status_list_size
        index = secrets.randbelow(size)
        licence = draft.model_copy(update={"status_index": index})
        digest = metadata_digest(licence.metadata(holder_code))
        payload = LicencePayload(
            identifier=licence.identifier,
            type_code=licence.type_code,
            type_name=licence.type_name,
            number=licence.number,
            issuer_code=licence.issuer_uscc,
            issuer_name=licence.issuer_name,
            holder_name=licence.holder_name,
            holder_code=licence.holder_code_masked,
            holder_code_type=licence.holder_code_type.value,
            issued_on=licence.issued_on,
            valid_from=licence.valid_from,
            valid_to=licence.valid_to,
            jurisdiction=licence.jurisdiction,
            status_list=licence.status_list,
            status_index=index,
            metadata_digest=digest,
        )
        qr = encode(payload, self.key)
        until = licence.valid_to.isoformat() if licence.valid_to else "长期"
        code_name = "居民身份证" if licence.holder_code_type is HolderCodeType.RESIDENT_ID else "统一社会信用代码"
        lines = [
            f"证照名称：{licence.type_name}",
            f"证照编号：{licence.number}",
            f"持证主体：{licence.holder_name}",
            f"持证主体代码：{holder_code}（{code_name}）",
            f"发证机关：{licence.issuer_name}",
            f"发证机关代码：{licence.issuer_uscc}",
            f"发证日期：{licence.issued_on.isoformat()}",
            f"有效期：{licence.valid_from.isoformat()} 至 {until}",
            f"管辖区划：{licence.jurisdiction}",
            f"办件编号：{licence.case_number}（{licence.item_name}）",
            f"决定文号：{licence.decision_document_number}",
            "电子证照标识：",
            licence.identifier,
            f"版本：{licence.licence_version:03d}",
        ]
        footer = f"扫描二维码核验：江苏政务服务网 电子证照核验（{self.key.algorithm}，密钥 {self.key.kid}）"
        rendered = sealed(
            render_certificate(licence.type_name, lines, qr, footer),
            issuer_name=licence.issuer_name,
            issuer_code=licence.issuer_uscc,
            reason=f"电子证照签发：{licence.type_name} {licence.number}",
        )
        pdf_key = self.store.put_certificate(licence.licence_id, rendered.body, rendered.sha256)
        return licence.model_copy(
            update={
                "qr": qr,
                "kid": self.key.kid,
                "algorithm": self.key.algorithm,
                "metadata_digest": digest,
                "pdf_key": pdf_key,
                "pdf_sha256": rendered.sha256,
            }
        )

    # --- status changes (issuing department only) --------------------------------------------

    def _issued_by_caller(self, principal: Principal, licence_id: str) -> Licence:
        licence = self.repository.get(licence_id, consistent=True)
        if licence is None:
            raise NotFound(errors.LICENCE_NOT_FOUND)
        if principal.role is not Role.STAFF or principal.department_id != licence.issuer_department_id:
            # as for a missing licence: a 403 here told other departments which ids exist
            raise NotFound(errors.LICENCE_NOT_FOUND)
        return licence

    def change_status(
        self, principal: Principal, licence_id: str, action: str, reason: str, *, correlation_id: str | None
    ) -> LicenceDetail:
        """Suspend (暂扣), reinstate (恢复) or revoke (撤销) — the issuing department only."""
        allowed_from, target, event_type = TRANSITIONS[action]
        for _ in range(_MAX_TRIES):
            licence = self._issued_by_caller(principal, licence_id)
            if licence.status not in allowed_from:
                raise Conflict(errors.TRANSITION_NOT_ALLOWED, params={"status": licence.status.value})
            after = licence.model_copy(
                update={
                    "status": target,
                    "status_reason": reason,
                    "status_changed_at": now(),
                    "status_changed_by": principal.subject_id,
                    "version": licence.version + 1,
                }
            )
            transaction = self.repository.transaction()
            self.repository.update_licence(transaction, licence, after, Conflict(errors.CHANGED_CONCURRENTLY))
            self._set_entries(transaction, {licence.status_list: [(licence.status_index, ENTRY_OF[target])]})
            data = events.StatusChangedData(
                **events.facts(after),
                reason=reason,
                changed_by=principal.department_id,
            )
            transaction.emit(events.envelope(event_type, after, data, correlation_id))
            try:
                transaction.commit()
            except _ListBusy:
                continue
            logger().info("licence status changed", extra={"licence_id": licence_id, "status": target.value})
            return detail_of(after)
        raise Conflict(errors.CHANGED_CONCURRENTLY)

    def replace(
        self, principal: Principal, licence_id: str, request: ReplaceRequest, *, correlation_id: str | None
    ) -> LicenceDetail:
        """A new version (换发): the old one reads `replaced` and points to the new one."""
        old = self._issued_by_caller(principal, licence_id)
        if old.status not in REPLACEABLE:
            raise Conflict(errors.TRANSITION_NOT_ALLOWED, params={"status": old.status.value})
        today = today_in_shanghai()
        if request.valid_to is not None and request.valid_to < today:
            raise Conflict(errors.VALIDITY_INVALID)
        if old.holder_code_type is HolderCodeType.RESIDENT_ID:
            holder_code = str(
                sealing.sealer(HOLDER_SEALING).unseal(old.licence_id, old.holder_code_sealed)["holder_code"]
            )
        else:
            holder_code = old.holder_uscc or old.holder_code_masked
        new_identifier = parse_identifier(old.identifier).next_version()
        new_id_ = new_id()
        sealed = (
            sealing.sealer(HOLDER_SEALING).seal(new_id_, {"holder_code": holder_code})
            if old.holder_code_type is HolderCodeType.RESIDENT_ID
            else ""
        )
        draft = old.model_copy(
            update={
                "licence_id": new_id_,
                "identifier": str(new_identifier),
                "licence_version": old.licence_version + 1,
                "issued_on": today,
                "valid_from": today,
                "valid_to": request.valid_to if request.valid_to is not None else old.valid_to,
                "status": LicenceStatus.ACTIVE,
                "status_reason": None,
                "status_changed_at": None,
                "status_changed_by": None,
                "replaces": old.licence_id,
                "replaced_by": None,
                "holder_code_sealed": sealed,
                "reminded_on": None,
                "issued_at": now(),
                "version": 1,
            }
        )
        for _ in range(_MAX_TRIES):
            old = self._issued_by_caller(principal, licence_id)
            if old.status not in REPLACEABLE:
                raise Conflict(errors.TRANSITION_NOT_ALLOWED, params={"status": old.status.value})
            new = self._signed(draft, holder_code)
            transaction = self.repository.transaction()
            self.repository.add_issued(
                transaction,
                new,
                on_duplicate_case=_DuplicateCase("licence.duplicate"),
                on_index_taken=_IndexTaken("licence.index_taken"),
                claim_case=False,
            )
            self._supersede(
                transaction,
                old,
                new,
                reason=request.reason,
                by_subject=principal.subject_id,
                by_department=principal.department_id,
                on_conflict=Conflict(errors.CHANGED_CONCURRENTLY),
                correlation_id=correlation_id,
            )
            try:
                transaction.commit()
            except (_ListBusy, _IndexTaken):
                self.store.delete(new.pdf_key)
                continue
            except Conflict:
                self.store.delete(new.pdf_key)
                raise
            return detail_of(new)
        raise Conflict(errors.CHANGED_CONCURRENTLY)

    def _stored_lists(self, list_id: str) -> tuple[StatusBits, RenewalBits, int]:
        """The status list and its renewal list as stored (empty before the first write;
        a list written before the renewal list existed has none set), and their version."""
        stored = self.repository.status_list(list_id, consistent=True)
        if not stored:
            size = licences_settings().licence_status_list_size
            return StatusBits(size), RenewalBits(size), 0
        size = int(stored["size"])
        renewal = stored.get("renewal_list")
        return (
            StatusBits.decode(str(stored["encoded_list"]), size),
            RenewalBits.decode(str(renewal), size) if renewal else RenewalBits(size),
            int(stored["version"]),
        )

    def _set_entries(
        self,
        transaction: object,
        changes: dict[str, list[tuple[int, Entry]]],
        renewals: dict[str, list[tuple[int, bool]]] | None = None,
    ) -> None:
        """Add the status lists with `changes` (and renewal-list `renewals`) applied to
        `transaction` (conditional on their version)."""
        from shared.platform.dynamo import Transaction

        assert isinstance(transaction, Transaction)
        renewals = renewals or {}
        for list_id in dict.fromkeys([*changes, *renewals]):
            bits, renewal_bits, version = self._stored_lists(list_id)
            for index, entry in changes.get(list_id, []):
                bits.set(index, entry)
            for index, pending in renewals.get(list_id, []):
                renewal_bits.set(index, pending)
            self.repository.put_status_list(
                transaction,
                list_id,
                bits.encode(),
                bits.size,
                version + 1,
                now(),
                _ListBusy(errors.CHANGED_CONCURRENTLY),
                renewal_encoded=renewal_bits.encode(),
            )

    # --- verification (核验) -----------------------------------------------------------------

    def verify(self, request: VerifyRequest) -> Verification:
        """By identifier or QR payload. Bad input is a result, never an error."""
        if request.qr is not None:
            return self.verify_qr(request.qr)
        return self.verify_identifier(request.identifier or "")

    def _result(
        self,
        result: Result,
        reason: Reason,
        *,
        signature_checked: bool,
        licence: VerifiedLicence | None = None,
        replaced_by_identifier: str | None = None,
    ) -> Verification:
        return Verification(
            result=result.value,
            reason=reason.value,
            signature_checked=signature_checked,
            checked_at=now(),
            licence=licence,
            replaced_by_identifier=replaced_by_identifier,
        )

    def _record_verdict(self, licence: Licence) -> tuple[Result, Reason, str | None]:
        result, reason = verdict(
            licence.valid_from,
            licence.valid_to,
            ENTRY_OF[licence.status],
            today_in_shanghai(),
            renewal_pending=renewal_pending(licence),
        )
        replaced_by = None
        if licence.status is LicenceStatus.REPLACED and licence.replaced_by:
            newer = self.repository.get(licence.replaced_by)
            replaced_by = newer.identifier if newer else None
        return result, reason, replaced_by

    def verify_identifier(self, identifier: str) -> Verification:
        try:
            parse_identifier(identifier)
        except InvalidIdentifier:
            return self._result(Result.UNKNOWN, Reason.MALFORMED, signature_checked=False)
        try:
            licence = self.repository.by_identifier(identifier)
        except Exception:
            logger().exception("licence status could not be read")
            return self._result(Result.UNKNOWN, Reason.STATUS_UNAVAILABLE, signature_checked=False)
        if licence is None:
            return self._result(Result.UNKNOWN, Reason.NOT_FOUND, signature_checked=False)
        result, reason, replaced_by = self._record_verdict(licence)
        shown = VerifiedLicence(
            identifier=licence.identifier,
            type_name=licence.type_name,
            number=licence.number,
            issuer_name=licence.issuer_name,
            issuer_code=licence.issuer_uscc,
            holder_name=mask_name(licence.holder_name)
            if licence.holder_code_type is HolderCodeType.RESIDENT_ID
            else licence.holder_name,
            holder_code=licence.holder_code_masked,
            valid_from=licence.valid_from,
            valid_to=licence.valid_to,
        )
        return self._result(result, reason, signature_checked=False, licence=shown, replaced_by_identifier=replaced_by)

    def verify_qr(self, text: str) -> Verification:
        try:
            signed = decode(text)
        except MalformedPayload:
            return self._result(Result.UNKNOWN, Reason.MALFORMED, signature_checked=False)
        keys = {key.kid: key for key, _ in published_keys()}
        checked = check_signature(signed, keys.get, lambda issuer, kid: True)
        if checked is not Reason.OK:
            return self._result(Result.UNKNOWN, checked, signature_checked=True)
        payload = signed.payload
        try:
            licence = self.repository.by_identifier(payload.identifier)
        except Exception:
            logger().exception("licence status could not be read")
            return self._result(
                Result.UNKNOWN, Reason.STATUS_UNAVAILABLE, signature_checked=True, licence=_verified(payload)
            )
        if licence is None:
            return self._result(Result.UNKNOWN, Reason.NOT_FOUND, signature_checked=True)
        if (
            licence.metadata_digest != payload.metadata_digest
            or licence.status_index != payload.status_index
            or licence.issuer_uscc != payload.issuer_code
        ):
            return self._result(Result.UNKNOWN, Reason.MISMATCH, signature_checked=True)
        result, reason, replaced_by = self._record_verdict(licence)
        return self._result(
            result, reason, signature_checked=True, licence=_verified(payload), replaced_by_identifier=replaced_by
        )

    # --- the licence-type directory (证照目录) -------------------------------------------------

    def licence_types(self, *, limit: int, cursor: str | None) -> Page[LicenceType]:
        items, next_cursor = self.repository.licence_types(limit=limit, cursor=cursor)
        return Page[LicenceType](items=items, next_cursor=next_cursor)

    def get_licence_type(self, code: str) -> LicenceType:
        found = self.repository.licence_type(code)
        if found is None:
            raise NotFound(errors.TYPE_NOT_FOUND)
        return found

    def put_licence_type(
        self, code: str, change: LicenceTypeChange, *, actor: str, correlation_id: str | None
    ) -> LicenceType:
        """Add a type (`based_on_version` 0) or change one (its current version): the entry and
        `licence_type.changed` in one transaction. Sending what is already stored changes nothing
        (a retried PUT answers the same)."""
        if not check_uscc(code[:18]).valid:  # the defining body's USCC (GB/T 36903); the route checks the shape
            raise ValidationFailed(errors.TYPE_CODE_INVALID, errors=[FieldError("code", errors.TYPE_CODE_INVALID)])
        current = self.repository.licence_type(code, consistent=True)
        wanted = change.model_dump(exclude={"based_on_version"})
        if current is not None and current.model_dump(include=set(wanted)) == wanted:
            return current
        if current is None and change.based_on_version != 0:
            raise NotFound(errors.TYPE_NOT_FOUND)
        if current is not None and current.version != change.based_on_version:
            raise Conflict(errors.TYPE_CHANGED_CONCURRENTLY, params={"version": current.version})
        changed = LicenceType(code=code, **wanted, version=change.based_on_version + 1, changed_at=now())
        transaction = self.repository.transaction()
        self.repository.put_licence_type(
            transaction,
            changed,
            based_on_version=change.based_on_version,
            on_conflict=Conflict(errors.TYPE_CHANGED_CONCURRENTLY, params={"version": "?"}),
        )
        data = events.LicenceTypeChangedData(
            **changed.model_dump(mode="json", exclude={"changed_at"}), changed_by=actor
        )
        transaction.emit(make_envelope(events.SOURCE, events.LICENCE_TYPE_CHANGED, code, data, correlation_id))
        transaction.commit()
        remember(changed)
        logger().info("licence type changed", extra={"type_code": code, "version": changed.version})
        return changed

    # --- the holder's wallet (我的证照) -------------------------------------------------------

    def _holder_of(self, principal: Principal) -> tuple[str, str | None]:
        if principal.role is Role.CITIZEN:
            return principal.subject_id, None
        if principal.role is Role.AGENT and principal.acting_for and AGENT_LICENCES_SCOPE in principal.scopes:
            return principal.subject_id, principal.acting_for
        raise Forbidden()

    def my_licences(self, principal: Principal, *, limit: int, cursor: str | None) -> Page[LicenceSummary]:
        subject, uscc = self._holder_of(principal)
        items, next_cursor = self.repository.of_holder(subject, uscc, limit=limit, cursor=cursor)
        return Page[LicenceSummary](items=[summary_of(i) for i in items], next_cursor=next_cursor)

    def _mine(self, principal: Principal, licence_id: str) -> Licence:
        licence = self.repository.get(licence_id)
        if licence is None:
            raise NotFound(errors.LICENCE_NOT_FOUND)
        try:
            ensure(principal, _scope(licence))
        except NotFound:
            raise NotFound(errors.LICENCE_NOT_FOUND) from None
        return licence

    def my_licence(self, principal: Principal, licence_id: str) -> LicenceDetail:
        return detail_of(self._mine(principal, licence_id))

    def download(self, principal: Principal, licence_id: str) -> DownloadLink:
        licence = self._mine(principal, licence_id)
        ttl = licences_settings().licence_download_ttl_s
        url = self.store.download_url(licence.pdf_key, f"{licence.number}.pdf", ttl)
        return DownloadLink(url=url, expires_at=now() + dt.timedelta(seconds=ttl), sha256=licence.pdf_sha256)

    def my_usage(self, principal: Principal, *, limit: int, cursor: str | None) -> Page[UsageEntry]:
        subject, uscc = self._holder_of(principal)
        items, next_cursor = self.repository.usage(holder_partition(subject, uscc), limit=limit, cursor=cursor)
        return Page[UsageEntry](items=items, next_cursor=next_cursor)

    # --- publication (信任列表, 状态列表) ---------------------------------------------------------

    def trust_list(self) -> TrustList:
        import base64

        keys = []
        for key, state in published_keys():
            encoded = base64.b64encode(key.public_key).decode() if key.algorithm == ES256 else key.public_key.hex()
            keys.append(TrustKey(kid=key.kid, alg=key.algorithm, public_key=encoded, state=state))
        kids = [k.kid for k in keys]
        issuers = [
            TrustedIssuer(
                issuer_code=i["issuer_code"], name=i["name"], kids=kids, seal_certificate=i["seal_certificate"] or None
            )
            for i in self.repository.issuers()
        ]
        return TrustList(generated_at=now(), keys=keys, issuers=issuers, status_lists=[DEFAULT_STATUS_LIST])

    def status_list_document(self, list_id: str) -> StatusListDocument:
        if list_id != DEFAULT_STATUS_LIST:
            raise NotFound(errors.UNKNOWN_STATUS_LIST)
        stored = self.repository.status_list(list_id)
        if stored:
            encoded, size = str(stored["encoded_list"]), int(stored["size"])
            renewal = str(stored.get("renewal_list") or RenewalBits(size).encode())
            updated = dt.datetime.fromisoformat(str(stored["updated_at"]))
        else:
            bits = StatusBits(licences_settings().licence_status_list_size)
            encoded, size, updated = bits.encode(), bits.size, now()
            renewal = RenewalBits(size).encode()
        return StatusListDocument(
            id=list_id,
            status_size=STATUS_SIZE,
            size=size,
            encoded_list=encoded,
            renewal_list=renewal,
            status_messages=STATUS_MESSAGES,
            updated_at=updated,
            ttl_s=STATUS_LIST_TTL_S,
        )

    def publish(self) -> list[str]:
        """Write the trust list and the status lists to the bucket where they changed (idempotent:
        current state); the keys written. A new licence's status entry is already 0 (active) and its
        issuer usually listed, so an issuance mostly writes nothing (D-325); a published list's
        `generated_at` / `updated_at` is when what it says last changed."""
        documents = {
            TRUST_LIST_KEY: (self.trust_list().model_dump(mode="json"), ("generated_at",)),
            status_list_object_key(DEFAULT_STATUS_LIST): (
                self.status_list_document(DEFAULT_STATUS_LIST).model_dump(mode="json"),
                ("updated_at",),  # `now()` before the list's first change is stored
            ),
        }
        return [
            key
            for key, (document, volatile) in documents.items()
            if self.store.put_json_if_changed(key, document, volatile=volatile)
        ]

    # --- expiry (Art. 50) ----------------------------------------------------------------------

    def sweep(self, today: dt.date, *, correlation_id: str | None) -> SweepResult:
        """Mark licences past their validity expired — or deemed renewed, when a renewal applied
        for in time is still undecided (Art. 50(2)); remind holders 30 days ahead, once."""
        result = SweepResult()
        lead = licences_settings().licence_reminder_days
        for licence in self.repository.expiring_between(
            today - dt.timedelta(days=366), today + dt.timedelta(days=lead)
        ):
            if licence.status not in LIVE or licence.valid_to is None:
                continue
            if licence.renewal_case_id is not None:
                if licence.valid_to >= today or licence.deemed_renewed_on is not None:
                    continue  # applied for: no reminder; deemed renewed once, at expiry
                # Art. 50(2): undecided by the end of validity, the renewal is deemed granted
                after = licence.model_copy(update={"deemed_renewed_on": today, "version": licence.version + 1})
                deemed = events.RenewalData(**events.facts(after), renewal_case_id=licence.renewal_case_id)
                event = events.envelope(events.DEEMED_RENEWED, after, deemed, correlation_id)
                bucket = result.deemed_renewed
            elif licence.valid_to < today:
                after = licence.model_copy(
                    update={"status": LicenceStatus.EXPIRED, "status_changed_at": now(), "version": licence.version + 1}
                )
                event = events.envelope(events.EXPIRED, after, events.facts(after), correlation_id)
                bucket = result.expired
            elif licence.reminded_on is None:
                after = licence.model_copy(update={"reminded_on": today, "version": licence.version + 1})
                data = events.ExpiringData(**events.facts(after), days_left=(licence.valid_to - today).days)
                event = events.envelope(events.EXPIRING, after, data, correlation_id)
                bucket = result.reminded
            else:
                continue
            try:
                self._commit_change(licence, after, event)
            except Conflict:
                continue  # changed meanwhile: the next run sees it again
            bucket.append(licence.licence_id)
        return result

    def _commit_change(self, licence: Licence, after: Licence, event: Envelope) -> None:
        """One conditional write of the licence with its event (Conflict when it changed meanwhile);
        when whether a renewal is pending changes, the renewal list's bit with them (D-211)."""
        transaction = self.repository.transaction()
        self.repository.update_licence(transaction, licence, after, Conflict(errors.CHANGED_CONCURRENTLY))
        if renewal_pending(after) != renewal_pending(licence):
            self._set_entries(transaction, {}, {after.status_list: [(after.status_index, renewal_pending(after))]})
        transaction.emit(event)
        transaction.commit()

    # --- renewal applications (延续, Art. 50; D-181) -----------------------------------------------

    def renewal_applied(self, licence_id: str, case_id: str, *, correlation_id: str | None) -> bool:
        """A renewal case naming the licence was submitted (in time: the cases context checks
        Art. 50's lead days): remember it, so expiry leaves the licence valid while undecided.
        A redelivery, another round of the same case or a licence no longer active adds nothing."""
        licence = self.repository.get(licence_id, consistent=True)
        if licence is None or licence.status is not LicenceStatus.ACTIVE or licence.renewal_case_id == case_id:
            return False
        after = licence.model_copy(update={"renewal_case_id": case_id, "version": licence.version + 1})
        data = events.RenewalData(**events.facts(after), renewal_case_id=case_id)
        self._commit_change(licence, after, events.envelope(events.RENEWAL_PENDING, after, data, correlation_id))
        return True

    def renewal_ended(
        self, licence_id: str, case_id: str, reason: str, today: dt.date, *, correlation_id: str | None
    ) -> bool:
        """The renewal case was denied, withdrawn or not accepted: the licence no longer waits
        for it; one already past its end (deemed renewed) expires now."""
        licence = self.repository.get(licence_id, consistent=True)
        if licence is None or licence.renewal_case_id != case_id:
            return False  # another case's, already ended, or superseded by the renewed version
        update: dict[str, object] = {"renewal_case_id": None, "version": licence.version + 1}
        lapsed = licence.status is LicenceStatus.ACTIVE and licence.valid_to is not None and licence.valid_to < today
        if lapsed:
            update |= {"status": LicenceStatus.EXPIRED, "status_changed_at": now(), "status_reason": reason}
        after = licence.model_copy(update=update)
        data = events.RenewalData(**events.facts(after), renewal_case_id=case_id, reason=reason)
        self._commit_change(licence, after, events.envelope(events.RENEWAL_ENDED, after, data, correlation_id))
        return True

    # --- once-only reuse (一次提交、多次复用) and department queries ----------------------------------

    def use_for_case(
        self,
        principal: Principal,
        licence_id: str,
        *,
        case_id: str,
        case_number: str,
        type_codes: frozenset[str],
        purpose: str,
    ) -> LicenceReference:
        """The applicant lets a case use their own valid licence instead of an upload;
        the consent (who, which licence, which case, purpose, when) is logged."""
        licence = self._mine(principal, licence_id)
        if licence.type_code not in type_codes:
            raise Conflict(errors.TYPE_MISMATCH)
        result, _, _ = self._record_verdict(licence)
        if result is not Result.VALID:
            raise Conflict(errors.NOT_USABLE, params={"status": result.value})
        entry = UsageEntry(
            entry_id=new_id(),
            kind=UsageKind.CONSENT,
            at=now(),
            case_id=case_id,
            case_number=case_number,
            purpose=purpose,
            licence_ids=[licence.licence_id],
            identifiers=[licence.identifier],
            actor=f"持证人本人 {principal.subject_id}",
        )
        transaction = self.repository.transaction()
        self.repository.add_usage(transaction, holder_partition(licence.holder_subject_id, licence.holder_uscc), entry)
        transaction.commit()
        return LicenceReference(
            licence_id=licence.licence_id,
            identifier=licence.identifier,
            type_code=licence.type_code,
            type_name=licence.type_name,
            valid_to=licence.valid_to,
            consent_id=entry.entry_id,
            pdf_sha256=licence.pdf_sha256,
        )

    def renewable(self, principal: Principal, licence_id: str) -> RenewableLicence:
        """The holder's own active licence with an end of validity, for a renewal case (延续):
        404 when it is not the caller's, 409 `licence.not_renewable` otherwise."""
        licence = self._mine(principal, licence_id)
        if licence.status is not LicenceStatus.ACTIVE or licence.valid_to is None:
            status = licence.status.value if licence.valid_to is not None else "long_term"
            raise Conflict(errors.NOT_RENEWABLE, params={"status": status})
        return RenewableLicence(
            licence_id=licence.licence_id,
            identifier=licence.identifier,
            number=licence.number,
            type_code=licence.type_code,
            type_name=licence.type_name,
            valid_to=licence.valid_to,
            item_code=licence.item_code,
            case_id=licence.case_id,
        )

    def check_reference(self, licence_id: str, holder_subject_id: str, holder_uscc: str | None) -> Verification:
        """Pre-review's check of a licence a case refers to: still the holder's, still valid."""
        licence = self.repository.get(licence_id)
        if licence is None:
            return self._result(Result.UNKNOWN, Reason.NOT_FOUND, signature_checked=False)
        holders_match = (
            licence.holder_uscc == holder_uscc
            if holder_uscc or licence.holder_uscc
            else licence.holder_subject_id == holder_subject_id
        )
        if not holders_match:
            return self._result(Result.UNKNOWN, Reason.NOT_FOUND, signature_checked=False)
        result, reason, replaced_by = self._record_verdict(licence)
        return self._result(result, reason, signature_checked=False, replaced_by_identifier=replaced_by)

    def holder_query(
        self,
        principal: Principal,
        *,
        case_id: str,
        case_number: str,
        holder_subject_id: str,
        holder_uscc: str | None,
        purpose: str,
        type_code: str | None,
    ) -> tuple[str, list[LicenceDetail]]:
        """A department's query of an applicant's licences for a case in its scope (checked by
        the caller through the cases context); logged for the holder to see."""
        found = [
            licence
            for licence in self.repository.all_of_holder(holder_subject_id, holder_uscc)
            if type_code is None or licence.type_code == type_code
        ]
        entry = UsageEntry(
            entry_id=new_id(),
            kind=UsageKind.STAFF_QUERY,
            at=now(),
            case_id=case_id,
            case_number=case_number,
            purpose=purpose,
            licence_ids=[licence.licence_id for licence in found],
            identifiers=[licence.identifier for licence in found],
            actor=f"{principal.department_id} 工作人员 {principal.subject_id}",
            department_id=principal.department_id,
        )
        transaction = self.repository.transaction()
        self.repository.add_usage(transaction, holder_partition(holder_subject_id, holder_uscc), entry)
        transaction.commit()
        return entry.entry_id, [detail_of(licence) for licence in found]


@cache
def licences_service() -> LicencesService:
    return LicencesService()


def clear_caches() -> None:
    from shared.licences import signing
    from shared.platform import pades

    _listed_issuers.clear()
    pades.forget_certificates()
    licences_service.cache_clear()
    signing.clear_cache()
    sealing.sealer.cache_clear()
