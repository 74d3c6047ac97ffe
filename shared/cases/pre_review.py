"""Automatic pre-review (自动预审, C14): pure rules, no I/O.

Every rule runs every time, so the notice lists everything at once
(一次性告知): a second notice can only name what the supplement itself
introduced (a new file of the wrong type), never something the first could
have named.

Rules:
1. completeness: every required slot, and every conditional slot whose
   condition the applicant declared (适用情形), holds at least one file;
2. format and size: each file is of an accepted format and within the slot's
   limit, and belongs to a slot the item lists;
3. form: the complete form is valid against the item's JSON Schema; the
   fields bound to the verified identity (`x-identity`) are not the
   applicant's to type: they are filled from the case's verified identity
   (one it cannot fill, an enterprise field for a person filing for no
   enterprise, is checked as typed);
4. identity: the applicant's kind (natural or legal person) is one the item serves;
5. e-licences standing in for a material (C15) are still the applicant's and
   valid: the caller passes what the licences context said (`licence_results`).
"""

from __future__ import annotations

from collections.abc import Mapping

from shared.cases import identity_form
from shared.cases.forms import field_title, form_errors
from shared.cases.models import Case, Deficiency, DeficiencyKind
from shared.platform.errors import message_for

APPLICANT_KIND_NAMES = {
    "natural_person": ("自然人", "natural person"),
    "legal_person": ("法人", "legal person"),
    "other_organization": ("其他组织", "other organisation"),
}
LICENCE_RESULT_NAMES = {
    "expired": ("已过有效期", "has expired"),
    "suspended": ("已被暂扣", "is suspended"),
    "revoked": ("已被撤销", "was revoked"),
    "replaced": ("已换发新版本", "was replaced by a newer version"),
    "unknown": ("无法核验", "could not be verified"),
}


def deficiencies(case: Case, licence_results: Mapping[str, str] | None = None) -> list[Deficiency]:
    """Everything the applicant must supplement; empty when the case passes.
    `licence_results`: material id → verification result of the e-licences in use."""
    item = case.item
    found: list[Deficiency] = []
    slots = {slot.slot_id: slot for slot in item.materials}
    attached: dict[str, int] = {}
    for material in case.materials:
        attached[material.slot_id] = attached.get(material.slot_id, 0) + 1

    for slot in item.materials:
        needed = slot.requirement == "required" or slot.slot_id in case.applicable_conditions
        if needed and not attached.get(slot.slot_id):
            why = f"（适用情形：{slot.condition}）" if slot.requirement == "conditional" and slot.condition else ""
            found.append(
                Deficiency(
                    kind=DeficiencyKind.MISSING_MATERIAL,
                    target=slot.slot_id,
                    message=f"请提交“{slot.name}”{why}",
                    message_en=f"Submit '{slot.slot_id}'",
                )
            )

    for material in case.materials:
        listed = slots.get(material.slot_id)
        if listed is None:
            found.append(
                Deficiency(
                    kind=DeficiencyKind.UNEXPECTED_MATERIAL,
                    target=material.slot_id,
                    message=f"材料“{material.file_name}”不在本事项材料清单内，请删除",
                    message_en=f"'{material.file_name}' is for a slot the item no longer lists; remove it",
                )
            )
            continue
        slot = listed
        if material.licence is not None:
            result = (licence_results or {}).get(material.material_id, "unknown")
            if result != "valid":
                zh, en = LICENCE_RESULT_NAMES.get(result, LICENCE_RESULT_NAMES["unknown"])
                found.append(
                    Deficiency(
                        kind=DeficiencyKind.LICENCE_NOT_VALID,
                        target=slot.slot_id,
                        message=(
                            f"“{slot.name}”引用的电子证照（{material.licence.type_name}）{zh}，请选用有效证照或上传材料"
                        ),
                        message_en=f"The e-licence used for '{slot.slot_id}' {en}; use a valid one or upload the file",
                    )
                )
            continue
        if material.format not in [f.lower() for f in slot.accepted_formats]:
            accepted = "、".join(slot.accepted_formats)
            found.append(
                Deficiency(
                    kind=DeficiencyKind.MATERIAL_FORMAT,
                    target=slot.slot_id,
                    message=f"“{slot.name}”的文件“{material.file_name}”格式不符，请改为 {accepted} 格式",
                    message_en=f"'{material.file_name}' must be one of {accepted}",
                )
            )
        if slot.max_size_bytes is not None and material.size_bytes > slot.max_size_bytes:
            found.append(
                Deficiency(
                    kind=DeficiencyKind.MATERIAL_TOO_LARGE,
                    target=slot.slot_id,
                    message=(
                        f"“{slot.name}”的文件“{material.file_name}”超过 {slot.max_size_bytes} 字节，请压缩后重新上传"
                    ),
                    message_en=f"'{material.file_name}' exceeds {slot.max_size_bytes} bytes",
                )
            )

    typed = identity_form.applicant_part(item.form_schema, case.form, case.identity)
    schema = identity_form.applicant_schema(item.form_schema, case.identity)
    for problem in form_errors(schema, typed, partial=False):
        title = field_title(item.form_schema, problem.field)
        found.append(
            Deficiency(
                kind=DeficiencyKind.FORM_FIELD,
                target=problem.field,
                message=f"申请表“{title}”：{message_for(problem.code, 'zh', problem.params)}",
                message_en=f"Form field {problem.field}: {message_for(problem.code, 'en', problem.params)}",
            )
        )

    if case.applicant.kind not in item.applicant_kinds:
        served = "、".join(APPLICANT_KIND_NAMES[kind][0] for kind in item.applicant_kinds)
        found.append(
            Deficiency(
                kind=DeficiencyKind.APPLICANT_KIND,
                target="applicant",
                message=f"本事项的服务对象为{served}，申请人身份不符，请以相应身份申报",
                message_en="The item does not serve this kind of applicant; apply with a matching identity",
            )
        )
    return found
