"""The identity demo data: valid numbers, consistent departments and regions,
an account for every role, and a load that can run again without changes."""

from __future__ import annotations

import os

import pytest

from infra.seed.departments import DEPARTMENTS
from infra.seed.hotline import DESKS
from infra.seed.identity import load
from infra.seed.identity.people import CITIZENS, ENTERPRISES, POPULATION, WORKERS
from infra.seed.regions import ALL as ALL_REGIONS
from shared.codes.national import check_resident_id, check_uscc
from shared.identity.passwords import MIN_PASSWORD_LENGTH
from shared.platform.principal import Role
from tests.unit.identity_fixtures import identity_cloud


@pytest.mark.parametrize("person", POPULATION, ids=lambda p: p.name)
def test_every_seeded_id_number_is_valid(person: object) -> None:
    assert check_resident_id(person.id_number).valid  # type: ignore[attr-defined]


@pytest.mark.parametrize("enterprise", ENTERPRISES, ids=lambda e: e.uscc)
def test_every_seeded_uscc_is_valid_and_its_legal_representative_is_in_the_registry(enterprise: object) -> None:
    assert check_uscc(enterprise.uscc).valid  # type: ignore[attr-defined]
    assert enterprise.legal_representative in POPULATION  # type: ignore[attr-defined]


def test_every_role_has_a_demo_account_in_known_departments_and_regions() -> None:
    # staff belong to a catalogue department or to a 12345 dispatch desk
    departments = {d.id: d.region_code for d in DEPARTMENTS} | {d: d.split("-")[0] for d, _ in DESKS.values()}
    regions = {code for code, _ in ALL_REGIONS}
    assert {w.role for w in WORKERS} == set(Role) - {Role.CITIZEN, Role.AGENT}
    for worker in WORKERS:
        assert worker.region_code in regions
        assert len(worker.password) >= MIN_PASSWORD_LENGTH
        if worker.department_id:
            assert departments[worker.department_id] == worker.region_code
    phones = [c.phone for c in CITIZENS] + [w.phone for w in WORKERS]
    assert len(set(phones)) == len(phones)


def test_load_uses_the_environment_it_is_given_and_can_run_again() -> None:
    with identity_cloud():
        env = {name: os.environ[name] for name in os.environ if name.isupper()}
        first = load(env)
        second = load(env)
    assert first == {
        "population_registry": len(POPULATION),
        "enterprise_registry": len(ENTERPRISES),
        "accounts_created": len(CITIZENS) + len(WORKERS),
        "accounts_existing": 0,
        "agent_authorisations_granted": 1,
        "inbox_messages": 1,
    }
    assert second["accounts_created"] == 0
    assert second["accounts_existing"] == len(CITIZENS) + len(WORKERS)
    assert second["agent_authorisations_granted"] == 0
    assert second["inbox_messages"] == 0
