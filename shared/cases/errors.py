"""The cases context's error codes (prefixed `case.`), Chinese first and English
on request, registered once with the platform's error catalogue.

Top-level codes say why a request was refused; field codes (in `errors[].code`)
say what is wrong with one field. docs/errors.md lists them all.
"""

from __future__ import annotations

from shared.platform.errors import register_messages

CASE_NOT_FOUND = "case.not_found"
ITEM_NOT_AVAILABLE = "case.item_not_available"
TRANSITION_NOT_ALLOWED = "case.transition_not_allowed"
CHANGED_CONCURRENTLY = "case.changed_concurrently"
VERSION_MISMATCH = "case.version_mismatch"
NOT_EDITABLE = "case.not_editable"
INVALID_FORM = "case.invalid_form"
INVALID_MATERIAL = "case.invalid_material"
MATERIAL_TOO_LARGE = "case.material_too_large"
MATERIAL_NOT_UPLOADED = "case.material_not_uploaded"
MATERIAL_NOT_FOUND = "case.material_not_found"
TOO_MANY_MATERIALS = "case.too_many_materials"
INVALID_DELIVERY = "case.invalid_delivery"
HALL_INTAKE_NOT_ALLOWED = "case.hall_intake_not_allowed"
INVALID_SUPPLEMENT_REQUEST = "case.invalid_supplement_request"
CLOCK_ALREADY_SUSPENDED = "case.clock_already_suspended"
CLOCK_NOT_SUSPENDED = "case.clock_not_suspended"
CLOCK_ALREADY_EXTENDED = "case.clock_already_extended"
CLOCK_DATE_BEFORE_START = "case.clock_date_before_start"
EXTENSION_NEEDS_APPROVAL = "case.extension_needs_approval"
JOINT_TASKS_OPEN = "case.joint_tasks_open"
NOT_A_JOINT_CASE = "case.not_a_joint_case"
TASK_NOT_YOURS = "case.task_not_yours"
TASK_ALREADY_DECIDED = "case.task_already_decided"
CLOCK_NOT_STARTED = "case.clock_not_started"
EXTENSION_NOT_REQUESTED = "case.extension_not_requested"
EXTENSION_ALREADY_REQUESTED = "case.extension_already_requested"
EXTENSION_SELF_APPROVAL = "case.extension_self_approval"
NOT_IN_A_DEPARTMENT = "case.not_in_a_department"
FEE_UNPAID = "case.fee_unpaid"
NOT_RENEWABLE_ONLINE = "case.not_renewable_online"
RENEWAL_TOO_LATE = "case.renewal_too_late"
RENEWAL_PENDING = "case.renewal_pending"
REUSABLE_NOT_FOUND = "case.reusable_material_not_found"
REUSABLE_EXPIRED = "case.reusable_material_expired"
REUSABLE_CHANGED = "case.reusable_material_changed"
IDENTITY_MISMATCH = "case.identity_mismatch"

# field-level codes (errors[].code)
FIELD_UNKNOWN_FORM_FIELD = "case.form_unknown_field"
FIELD_FORM_VALUE = "case.form_invalid_value"
FIELD_UNKNOWN_SLOT = "case.unknown_slot"
FIELD_FORMAT_NOT_ACCEPTED = "case.format_not_accepted"
FIELD_SIZE_LIMIT = "case.size_limit"
FIELD_CHECKSUM_MISMATCH = "case.checksum_mismatch"
FIELD_CONTENT_MISMATCH = "case.content_mismatch"
FIELD_ADDRESS_REQUIRED = "case.address_required"
FIELD_ADDRESS_REGION_REQUIRED = "case.address_region_required"
FIELD_RECIPIENT_REQUIRED = "case.recipient_required"
FIELD_HALL_ONLY_FOR_PICKUP = "case.hall_only_for_pickup"
FIELD_NOT_CONDITIONAL = "case.not_a_conditional_slot"
FIELD_IDENTITY_MISMATCH = "case.form_identity_mismatch"
FIELD_NO_LICENCE_FOR_SLOT = "case.slot_takes_no_licence"

MESSAGES: dict[str, tuple[str, str]] = {
    IDENTITY_MISMATCH: (
        "申请表中的身份信息与实名认证的身份不一致，身份信息由系统自动填写，无需也不能修改",
        "Identity fields of the form differ from the verified identity; they are filled in from it and read-only",
    ),
    FIELD_IDENTITY_MISMATCH: (
        "与实名认证的{source}不一致",
        "Differs from the verified {source_en}",
    ),
    CASE_NOT_FOUND: ("办件不存在", "The case does not exist"),
    ITEM_NOT_AVAILABLE: (
        "事项 {item_code} 不存在、未发布或已取消，不能申报",
        "Item {item_code} does not exist, is not published or was retired; it cannot be applied for",
    ),
    TRANSITION_NOT_ALLOWED: (
        "办件当前状态为“{state_name}”，不能执行“{action_name}”",
        "The case is {state}; '{action}' is not allowed in this state",
    ),
    CHANGED_CONCURRENTLY: (
        "办件刚被他人处理，请刷新后重试",
        "The case was changed by someone else just now; reload and retry",
    ),
    VERSION_MISMATCH: (
        "办件已更新（当前版本 {current}），请刷新后重试",
        "The case has changed (now version {current}); reload and retry",
    ),
    NOT_EDITABLE: (
        "办件当前状态为“{state_name}”，申请表和材料不能修改",
        "The case is {state}; its form and materials cannot be changed",
    ),
    INVALID_FORM: ("申请表填写有误，请按字段提示修改", "The application form has errors; see the field errors"),
    INVALID_MATERIAL: ("材料不符合要求，请按字段提示修改", "The material is not acceptable; see the field errors"),
    MATERIAL_TOO_LARGE: (
        "材料超过大小上限（{limit} 字节）",
        "The material is larger than the limit ({limit} bytes)",
    ),
    MATERIAL_NOT_UPLOADED: (
        "未找到已上传的材料文件，请先上传再确认",
        "No uploaded file was found; upload it before confirming",
    ),
    MATERIAL_NOT_FOUND: ("该办件没有这份材料", "The case has no such material"),
    TOO_MANY_MATERIALS: (
        "材料份数已达上限（{limit} 份）",
        "The case already holds the maximum number of materials ({limit})",
    ),
    INVALID_DELIVERY: ("结果送达方式有误", "The delivery choice is invalid"),
    HALL_INTAKE_NOT_ALLOWED: (
        "同城通办仅限本市窗口人员代收市级事项",
        "Hall intake (同城通办) is only for city-level items by hall staff of the same city",
    ),
    INVALID_SUPPLEMENT_REQUEST: (
        "补正告知须列出至少一项需补正的内容",
        "A supplement request must list at least one thing to supplement",
    ),
    CLOCK_ALREADY_SUSPENDED: ("办件已中止计时，请先恢复计时", "The clock is already suspended; resume it first"),
    CLOCK_NOT_SUSPENDED: ("办件未中止计时", "The clock is not suspended"),
    CLOCK_ALREADY_EXTENDED: (
        "办理期限已延长过一次，不能再次延长",
        "The time limit was already extended once; it cannot be extended again",
    ),
    CLOCK_DATE_BEFORE_START: (
        "日期早于计时起点或上次恢复计时的日期",
        "The date is before the clock started or last resumed",
    ),
    CLOCK_NOT_STARTED: ("办件尚未受理，未开始计时", "The case is not accepted; its clock has not started"),
    EXTENSION_NEEDS_APPROVAL: (
        "延长办理期限须经本行政区域监督（负责）人员批准",
        "Extending the time limit needs approval by a supervisor of the case's region",
    ),
    EXTENSION_NOT_REQUESTED: (
        "办件没有待审批的延期申请，须由承办部门先提出申请",
        "The case has no pending extension request; the department must request one first",
    ),
    EXTENSION_ALREADY_REQUESTED: (
        "已有一份延期申请等待审批",
        "An extension request is already waiting for approval",
    ),
    EXTENSION_SELF_APPROVAL: ("不能审批本人提出的延期申请", "You cannot approve your own extension request"),
    NOT_IN_A_DEPARTMENT: ("您的账号不属于任何部门", "Your account does not belong to a department"),
    JOINT_TASKS_OPEN: (
        "并联审批仍有 {open} 个部门未办结，不能作出决定",
        "{open} joint task(s) are still open; the case cannot be decided",
    ),
    NOT_A_JOINT_CASE: ("该办件不是并联审批事项", "The case is not a joint-approval case"),
    TASK_NOT_YOURS: ("本部门在该办件中没有并联审批任务", "Your department has no joint task on this case"),
    TASK_ALREADY_DECIDED: ("本部门的并联审批任务已办结", "Your department's joint task is already decided"),
    FIELD_UNKNOWN_FORM_FIELD: ("申请表中没有该字段", "The form has no such field"),
    FIELD_FORM_VALUE: ("取值不符合申请表要求：{reason}", "The value breaks the form's rules: {reason}"),
    FIELD_UNKNOWN_SLOT: ("事项材料清单中没有该材料：{slot_id}", "The item lists no material slot {slot_id}"),
    FIELD_FORMAT_NOT_ACCEPTED: (
        "格式不符合要求，可接受：{accepted}",
        "This format is not accepted; accepted: {accepted}",
    ),
    FIELD_SIZE_LIMIT: ("大小超过上限 {limit} 字节", "Larger than the limit of {limit} bytes"),
    FIELD_NO_LICENCE_FOR_SLOT: (
        "该材料不能用电子证照替代，请上传文件",
        "No e-licence can stand in for this material; upload a file",
    ),
    FIELD_CHECKSUM_MISMATCH: (
        "文件校验值与申报的 SHA-256 不一致",
        "The file does not match the declared SHA-256 checksum",
    ),
    FIELD_CONTENT_MISMATCH: (
        "文件内容与申报的格式 {format} 不符",
        "The file content does not match the declared format {format}",
    ),
    FIELD_ADDRESS_REQUIRED: ("邮寄送达须填写地址", "Courier delivery needs an address"),
    FIELD_ADDRESS_REGION_REQUIRED: (
        "邮寄送达须填写地址所在县级行政区划代码",
        "Courier delivery needs the county-level region code of the address",
    ),
    FIELD_RECIPIENT_REQUIRED: ("邮寄送达须填写收件人及手机号码", "Courier delivery needs a recipient and a mobile"),
    FIELD_HALL_ONLY_FOR_PICKUP: ("只有大厅自取才选择大厅", "A hall is chosen only for pickup at a hall"),
    FEE_UNPAID: (
        "该事项须在受理前缴费，申请人尚未缴费（应缴 {total_fen} 分）",
        "This item's fees are paid before acceptance and are not paid yet ({total_fen} fen due)",
    ),
    FIELD_NOT_CONDITIONAL: ("该材料不是情形材料：{slot_id}", "Slot {slot_id} is not a conditional material"),
    NOT_RENEWABLE_ONLINE: (
        "该证照的延续事项未在网上办理，请联系发证机关",
        "This licence cannot be renewed online; contact the issuing department",
    ),
    RENEWAL_TOO_LATE: (
        "延续申请应当在证照有效期届满 {lead_days} 日前（{apply_by} 前）提出（行政许可法第五十条），"
        "已逾期，请重新申请许可",
        "A renewal must be applied for {lead_days} days before the licence expires (by {apply_by}, "
        "Administrative Licensing Law Art. 50); it is too late, apply for a new licence instead",
    ),
    REUSABLE_NOT_FOUND: (
        "没有可复用的该项材料（仅限本人此前已受理的材料）",
        "No such reusable material (only your own materials an earlier case accepted)",
    ),
    REUSABLE_EXPIRED: (
        "该材料已超过可复用期限（{valid_until} 止），请重新上传",
        "This material could be reused until {valid_until}; upload it again",
    ),
    REUSABLE_CHANGED: (
        "该材料的存档文件与其登记的 SHA-256 不一致或已不存在，不能复用，请重新上传",
        "The stored file no longer matches its recorded SHA-256 or is gone; upload it again",
    ),
    RENEWAL_PENDING: (
        "该证照已有延续申请在办理中（办件编号 {case_number}），不能重复申请",
        "A renewal of this licence is already in progress (case {case_number}); it cannot be applied for twice",
    ),
}

register_messages(MESSAGES)
