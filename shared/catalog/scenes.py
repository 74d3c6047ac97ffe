"""Scenes (一件事, issue 18, D-260): the questionnaire's rules and the one combined
form, as pure functions over the scene and the published items it names.

An item is selected when every question its `when` names was answered with one
of the listed options. The combined form asks each field once: fields of the
same name in several items' forms are one question (their schemas joined with
`allOf` where they differ, so the one answer is valid for each item), and a
material several items ask (same slot id and name) is uploaded once.

The module evaluates its annotations eagerly (no `from __future__ import annotations`): pydantic
would otherwise parse the guide shapes' annotation strings.
"""

from collections.abc import Mapping
from typing import Any

from pydantic import Field

from shared.catalog.errors import FIELD_UNANSWERED, FIELD_UNKNOWN_ANSWER, FIELD_UNKNOWN_QUESTION, ITEM_NOT_FOUND
from shared.catalog.models import Fee, ItemDetail, Material, Scene, SceneDefinition, _Shape
from shared.platform.errors import FieldError

# --- the guide's shapes: here, not in `models`, so that only the routes that define a scene or answer its
# questionnaire create them (the catalogue's service and routes load this module on first use, D-316)


class SceneGuideItem(_Shape):
    """An item the answers selected, as the applicant needs to see it."""

    implementation_code: str
    name: str
    department_id: str
    department_name: str
    promised_limit_days: int
    legal_limit_days: int
    fee_total_fen: int
    fees: list[Fee]
    materials: list[Material]


class CombinedField(_Shape):
    """A field of the one combined form: asked once, copied into each item's form that has it."""

    name: str
    title: str | None
    json_schema: dict[str, Any] = Field(
        description="The field's JSON Schema; `allOf` of the items' schemas where they differ, so one answer fits all.",
    )
    required: bool = Field(description="Required by at least one of the items.")
    used_by: list[str] = Field(description="The implementation codes whose forms have it.")


class CombinedMaterial(_Shape):
    """A material uploaded once for every selected item that asks it (same slot id)."""

    slot_id: str
    name: str
    used_by: list[str]


class SceneGuide(_Shape):
    """The answers' result: the items, the one form and the materials, each asked once."""

    scene_id: str
    name: str
    answers: dict[str, str]
    items: list[SceneGuideItem]
    fields: list[CombinedField]
    materials: list[CombinedMaterial]
    fee_total_fen: int
    longest_promised_limit_days: int


def definition_errors(
    definition: SceneDefinition, heads: Mapping[str, ItemDetail], region_code: str
) -> list[FieldError]:
    """What is wrong with a scene: rules naming unknown questions or options, and items
    that are not published in the scene's division."""
    options = {q.question_id: set(q.options) for q in definition.questions}
    errors: list[FieldError] = []
    for number, item in enumerate(definition.items):
        head = heads.get(item.implementation_code)
        if head is None or head.status != "published" or head.region_code != region_code:
            errors.append(FieldError(field=f"items.{number}.implementation_code", code=ITEM_NOT_FOUND))
        for question_id, answers in item.when.items():
            if question_id not in options:
                errors.append(FieldError(field=f"items.{number}.when.{question_id}", code=FIELD_UNKNOWN_QUESTION))
            elif not set(answers) <= options[question_id]:
                errors.append(FieldError(field=f"items.{number}.when.{question_id}", code=FIELD_UNKNOWN_ANSWER))
    return errors


def answer_errors(scene: Scene, answers: Mapping[str, str]) -> list[FieldError]:
    """Every question answered with one of its options, and nothing else."""
    options = {q.question_id: q.options for q in scene.questions}
    errors = [
        FieldError(field=f"answers.{question_id}", code=FIELD_UNKNOWN_QUESTION)
        for question_id in answers
        if question_id not in options
    ]
    for question_id, allowed in options.items():
        if question_id not in answers:
            errors.append(FieldError(field=f"answers.{question_id}", code=FIELD_UNANSWERED))
        elif answers[question_id] not in allowed:
            errors.append(FieldError(field=f"answers.{question_id}", code=FIELD_UNKNOWN_ANSWER))
    return errors


def selected_codes(scene: Scene, answers: Mapping[str, str]) -> list[str]:
    """The items the answers select, in the scene's order."""
    return [
        item.implementation_code
        for item in scene.items
        if all(answers.get(question_id) in allowed for question_id, allowed in item.when.items())
    ]


def guide(
    scene: Scene, answers: Mapping[str, str], heads: Mapping[str, ItemDetail], names: Mapping[str, str]
) -> SceneGuide:
    """The selected items (those still published), the one form and the materials, each asked once."""
    items = [heads[code] for code in selected_codes(scene, answers) if code in heads]
    fields: dict[str, CombinedField] = {}
    for item in items:
        required = set(item.form_schema.get("required", []))
        for name, schema in item.form_schema.get("properties", {}).items():
            known = fields.get(name)
            if known is None:
                fields[name] = CombinedField(
                    name=name,
                    title=schema.get("title"),
                    json_schema=schema,
                    required=name in required,
                    used_by=[item.implementation_code],
                )
                continue
            # a field joined earlier keeps its items' schemas in allOf (titles may differ: keep the first)
            parts = known.json_schema["allOf"] if len(known.used_by) > 1 and "allOf" in known.json_schema else None
            parts = parts or [known.json_schema]
            if schema not in parts:
                known.json_schema = {"title": known.title, "allOf": [*parts, schema]}
            known.required = known.required or name in required
            known.used_by.append(item.implementation_code)
    # one upload serves the items asking the same document: same slot and same name (two
    # items' `application_form` are different forms)
    materials: dict[tuple[str, str], CombinedMaterial] = {}
    for item in items:
        for material in item.materials:
            key = (material.slot_id, material.name)
            entry = materials.setdefault(
                key, CombinedMaterial(slot_id=material.slot_id, name=material.name, used_by=[])
            )
            entry.used_by.append(item.implementation_code)
    return SceneGuide(
        scene_id=scene.scene_id,
        name=scene.name,
        answers=dict(answers),
        items=[
            SceneGuideItem(
                implementation_code=item.implementation_code,
                name=item.name,
                department_id=item.department_id,
                department_name=names.get(item.department_id, item.department_id),
                promised_limit_days=item.promised_limit_days,
                legal_limit_days=item.legal_limit_days,
                fee_total_fen=item.fee_total_fen,
                fees=item.fees,
                materials=item.materials,
            )
            for item in items
        ],
        fields=list(fields.values()),
        materials=list(materials.values()),
        fee_total_fen=sum(item.fee_total_fen for item in items),
        longest_promised_limit_days=max((item.promised_limit_days for item in items), default=0),
    )
