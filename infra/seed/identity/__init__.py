"""Identity demo data: the population and enterprise registries, an account
for every role, one agent authorisation and a first inbox message.

`load(env)` is called by `infra.seed.load_all` with the functions'
environment (IDENTITY_TABLE, NOTIFICATIONS_TABLE, IDENTITY_HASH_SECRET_ARN,
PERSONAL_DATA_KEY_ID, AWS_ENDPOINT_URL, ...). Everything goes through the
identity and inbox services, so the same checks apply (real name, unique ID
and phone, legal representative). It is idempotent: existing accounts,
authorisations and messages are left alone.
"""

from __future__ import annotations

from datetime import timedelta

from infra.seed.environment import seeding_environment
from infra.seed.identity.people import (
    AGENT,
    AGENT_AUTHORISATION_DAYS,
    AGENT_SCOPE,
    CITIZEN_A,
    CITIZENS,
    DEMO_ENTERPRISE,
    ENTERPRISES,
    LEGAL_REPRESENTATIVE,
    POPULATION,
    WORKERS,
)
from shared.identity.models import AgentGrant
from shared.identity.protection import HashPurpose
from shared.identity.registries import SeededEnterpriseRegistry, SeededPopulationRegistry
from shared.identity.service import IdentityService, clear_caches, identity_service
from shared.notifications.models import Category, NewMessage
from shared.notifications.service import inbox_service
from shared.platform.aws import reset_clients
from shared.platform.clock import today_in_shanghai
from shared.platform.config import reset_settings
from shared.platform.errors import Conflict
from shared.platform.principal import Principal, Role

# the demo welcome message's id (a ULID, like the event ids that key every other message)
WELCOME_MESSAGE_ID = "01JDMX7Q4CWE1C0ME000000000"


def load(env: dict[str, str]) -> dict[str, int]:
    """Load the identity demo data into the tables named by `env`; returns counts per kind."""
    with seeding_environment(env, forget=_forget_cached):
        return load_identity(identity_service())


def load_identity(service: IdentityService) -> dict[str, int]:
    """The same, through an already configured service (tests pass theirs)."""
    population = SeededPopulationRegistry(service.repository, service.hasher)
    for person in POPULATION:
        population.add(person.id_number, person.name)
    enterprises = SeededEnterpriseRegistry(service.repository, service.hasher)
    for enterprise in ENTERPRISES:
        legal = enterprise.legal_representative
        enterprises.add(enterprise.uscc, enterprise.name, legal.name, legal.id_number)

    created = existing = 0
    subjects: dict[str, str] = {}
    for citizen in CITIZENS:
        try:
            subjects[citizen.person.id_number] = service.provision_person(
                citizen.person.id_number, citizen.person.name, citizen.phone
            ).subject_id
            created += 1
        except Conflict:
            id_hash = service.hasher.digest(HashPurpose.ID_NUMBER, citizen.person.id_number)
            subjects[citizen.person.id_number] = service.repository.subject_for_id_number(id_hash) or ""
            existing += 1
    for worker in WORKERS:
        try:
            service.provision_workforce(
                login=worker.login,
                password=worker.password,
                role=worker.role,
                name=worker.person.name,
                id_number=worker.person.id_number,
                phone=worker.phone,
                department_id=worker.department_id,
                region_code=worker.region_code,
                department_head=worker.department_head,
            )
            created += 1
        except Conflict:
            existing += 1

    authorisations = 0
    agent_subject = subjects[AGENT.person.id_number]
    if service.repository.get_authorisation(agent_subject, DEMO_ENTERPRISE.uscc) is None:
        representative = Principal(subject_id=subjects[LEGAL_REPRESENTATIVE.person.id_number], role=Role.CITIZEN)
        grant = AgentGrant(
            agent_id_number=AGENT.person.id_number,
            agent_name=AGENT.person.name,
            scope=list(AGENT_SCOPE),
            expires_on=today_in_shanghai() + timedelta(days=AGENT_AUTHORISATION_DAYS),
        )
        service.grant_agent(representative, DEMO_ENTERPRISE.uscc, grant, correlation_id="seed")
        authorisations += 1

    welcome = NewMessage(
        category=Category.SYSTEM,
        title="欢迎体验江苏政务服务平台（本地演示）",
        body="这是一条演示消息。消息中心会收到办件进度、证照和授权等通知。",
        dedupe_key=WELCOME_MESSAGE_ID,  # fixed: seeding again does not welcome twice
    )
    delivered = inbox_service().deliver(subjects[CITIZEN_A.person.id_number], welcome)
    return {
        "population_registry": len(POPULATION),
        "enterprise_registry": len(ENTERPRISES),
        "accounts_created": created,
        "accounts_existing": existing,
        "agent_authorisations_granted": authorisations,
        "inbox_messages": 1 if delivered else 0,
    }


def _forget_cached() -> None:
    from shared.notifications import service as notifications_service

    reset_settings()
    reset_clients()
    clear_caches()
    notifications_service.inbox_service.cache_clear()
