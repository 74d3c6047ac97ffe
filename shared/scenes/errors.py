"""The scenes context's error codes (prefixed `scenes.`), Chinese first and English
on request; docs/errors.md lists them."""

from __future__ import annotations

from shared.platform.errors import register_messages

APPLICATION_NOT_FOUND = "scenes.application_not_found"
INVALID_SUBMISSION = "scenes.invalid_submission"
NOTHING_SELECTED = "scenes.nothing_selected"
FIELD_REQUIRED = "scenes.field_required"
FIELD_MATERIAL_REQUIRED = "scenes.material_required"
FIELD_MATERIAL_NOT_UPLOADED = "scenes.material_not_uploaded"
FIELD_UNKNOWN_SLOT = "scenes.unknown_slot"
FIELD_UNKNOWN_FIELD = "scenes.unknown_field"

MESSAGES: dict[str, tuple[str, str]] = {
    APPLICATION_NOT_FOUND: ("一件事申请不存在", "The scene application does not exist"),
    INVALID_SUBMISSION: ("一件事申请有误，请按提示修改", "The scene application has errors; see each field"),
    NOTHING_SELECTED: ("按所选情形，本场景没有需要办理的事项", "The answers select no item of this scene"),
    FIELD_REQUIRED: ("必填", "Required"),
    FIELD_MATERIAL_REQUIRED: ("请上传该材料", "Upload this material"),
    FIELD_MATERIAL_NOT_UPLOADED: ("该材料尚未上传成功", "This material has not been uploaded"),
    FIELD_UNKNOWN_SLOT: ("所选事项不需要该材料", "None of the selected items asks for this material"),
    FIELD_UNKNOWN_FIELD: ("所选事项的表单没有该字段", "None of the selected items' forms has this field"),
}

register_messages(MESSAGES)
