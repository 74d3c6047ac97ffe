"""Demo data for the local cloud: the licence-type directory
(infra/seed/licence_types.py, through the licences service), divisions,
departments and published service items, then the identity demo (registries and accounts for every
role, infra/seed/identity), then demo cases for the walk-through
(infra/seed/cases.py: an overdue case, a joint case to accept, a suspended
one), then the 12345 routing table, desks and FAQ (infra/seed/hotline.py), and
the demo scorecard rule (infra/seed/scoring.py), the demo supervision order and a few
ratings, an upheld appeal and rectification orders (infra/seed/ratings.py), and the demo
service halls (infra/seed/halls.py), and the demo shipment the counter-handover sample
acts on (infra/seed/delivery.py), and demo public resource trading notices at every stage
(infra/seed/trading.py).
Catalogue data is loaded through the catalogue service so the same rules
apply (三级四同, codes, limits) and every publication leaves its outbox event;
demo cases go through the cases service the same way.

`load_all(env)` is called by the local cloud on start with the functions'
environment (CATALOG_TABLE, AWS_ENDPOINT_URL, ...). It is idempotent: items
already published are left alone, a draft left by an interrupted run is
replaced and published, divisions and departments are rewritten unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from infra.seed import licence_types, scenes
from infra.seed.cases import load as load_cases
from infra.seed.delivery import load as load_shipment
from infra.seed.departments import DEPARTMENTS
from infra.seed.environment import seeding_environment
from infra.seed.halls import load as load_halls
from infra.seed.hotline import load as load_hotline
from infra.seed.identity import load as load_identity
from infra.seed.items import new_item_bodies
from infra.seed.ratings import load as load_ratings
from infra.seed.regions import ALL as ALL_REGIONS
from infra.seed.scoring import load as load_scoring
from infra.seed.supervision import load as load_orders
from infra.seed.trading import load as load_trading
from shared.catalog.codes import parent_region, region_level
from shared.catalog.models import Region, SceneDefinition
from shared.catalog.service import CatalogService
from shared.catalog.writes import DraftUpdate, NewDepartment, NewItem, PublishRequest, SynonymUpdate

SEED_ACTOR = "seed"
# Colloquial words people search for, curated the way an operator would (D-172)
SEARCH_SYNONYMS = {
    "良民证": "无犯罪记录证明",
    "开饭店": "开餐馆",
    "老年证": "优待证",
    "高龄补贴": "尊老金",
    "低保金": "最低生活保障金",
}


def load_all(env: dict[str, str], progress: Callable[[str], None] | None = None) -> dict[str, int]:
    """Load every demo record into the tables named by `env`; returns counts per kind.
    `progress(step)` is called after each step (the local cloud's seed limit is per step)."""
    steps: list[tuple[str, Callable[[dict[str, str]], dict[str, int]]]] = [
        ("licence types", load_licence_types),
        ("catalogue", load_catalog_demo),
        ("identity", load_identity),
        ("cases", load_cases),
        ("hotline", load_hotline),
        ("scoring", load_scoring),
        ("supervision orders", load_orders),
        ("ratings", load_ratings),
        ("halls", load_halls),
        ("shipment", load_shipment),
        ("trading", load_trading),
    ]
    loaded: dict[str, int] = {}
    for name, step in steps:
        loaded |= step(env)
        if progress is not None:
            progress(name)
    return loaded


def load_licence_types(env: dict[str, str]) -> dict[str, int]:
    """The demo licence-type directory into the licences context's table (D-101)."""
    from shared.licences.service import LicencesService, clear_caches

    with seeding_environment(env):
        clear_caches()
        return {"licence_types": licence_types.load(LicencesService())}


def load_catalog_demo(env: dict[str, str]) -> dict[str, int]:
    """The catalogue's demo data alone, into the tables named by `env`."""
    with seeding_environment(env):
        return load_catalog(CatalogService())


def load_catalog(service: CatalogService, item_bodies: Iterable[dict[str, Any]] | None = None) -> dict[str, int]:
    """Divisions, departments, the licence-type copy and items (all demo items unless `item_bodies`
    names some) through `service`, which is already configured."""
    regions = [
        Region(code=code, name=name, level=region_level(code), parent_code=parent_region(code))
        for code, name in ALL_REGIONS
    ]
    service.register_regions(regions)
    # the catalogue's copy of the directory, so items naming the demo types publish (D-101)
    licence_types.project(service)
    service.register_departments(
        [
            NewDepartment(
                id=department.id,
                name=department.name,
                uscc=department.uscc,
                region_code=department.region_code,
                sector=department.sector,
            )
            for department in DEPARTMENTS
        ]
    )
    published = already_published = 0
    bodies = list(new_item_bodies() if item_bodies is None else item_bodies)
    for body in bodies:
        new = NewItem.model_validate(body)
        head = service.repository.get_head(new.implementation_code, consistent=True)
        if head is not None:
            # heads published before the search-term index existed get their terms (idempotent)
            service.repository.reindex(head)
            already_published += 1
            continue
        draft = service.repository.get_draft(new.implementation_code)
        if draft is None:
            service.create_item(new, actor=SEED_ACTOR)
        else:
            update = DraftUpdate.model_validate(
                {**new.model_dump(include=set(DraftUpdate.model_fields)), "revision": draft.revision}
            )
            service.save_draft(new.implementation_code, update, actor=SEED_ACTOR)
        service.publish(new.implementation_code, PublishRequest(note="演示数据初始化"), actor=SEED_ACTOR)
        published += 1
    for word, means in SEARCH_SYNONYMS.items():
        service.put_synonym(word, SynonymUpdate(means=means), actor=SEED_ACTOR)
    loaded = {NewItem.model_validate(body).implementation_code for body in bodies}
    for scene_id, definition in scenes.SCENES.items():
        wanted = {item["implementation_code"] for item in definition["items"]}
        # a test loading some items gets the scenes they make up; a second seed leaves them be
        if wanted <= loaded and service.repository.get_scene(scene_id) is None:
            service.put_scene(scene_id, SceneDefinition.model_validate(definition), actor=SEED_ACTOR)
    return {
        "regions": len(regions),
        "departments": len(DEPARTMENTS),
        "items_published": published,
        "items_already_published": already_published,
    }
