"""The hotline context's error codes (prefixed `hotline.`), Chinese first and English on
request; docs/errors.md lists them."""

from __future__ import annotations

from shared.platform.errors import register_messages

TICKET_NOT_FOUND = "hotline.ticket_not_found"
EMPTY_TEXT = "hotline.empty_text"
UNKNOWN_CATEGORY = "hotline.unknown_category"
TYPE_NOT_FOR_CHANNEL = "hotline.type_not_for_channel"
ATTACHMENT_TOO_LARGE = "hotline.attachment_too_large"
TOO_MANY_ATTACHMENTS = "hotline.too_many_attachments"
ATTACHMENT_NOT_ALLOWED = "hotline.attachment_type_not_allowed"
ATTACHMENT_NOT_UPLOADED = "hotline.attachment_not_uploaded"
STEP_NOT_ALLOWED = "hotline.step_not_allowed"
CHANGED_CONCURRENTLY = "hotline.changed_concurrently"
NOT_THE_DESK = "hotline.not_the_dispatch_desk"
UNKNOWN_DEPARTMENT = "hotline.unknown_department"
UNKNOWN_REGION = "hotline.unknown_region"
CONTACT_REQUIRED = "hotline.contact_required"
FAQ_REVISION = "hotline.faq_revision_mismatch"
FAQ_NOT_FOUND = "hotline.faq_not_found"
RULE_NOT_FOUND = "hotline.rule_not_found"
INVALID_API_KEY = "hotline.open311_invalid_api_key"
OPEN311_SERVICE_UNKNOWN = "hotline.open311_service_unknown"
KNOWLEDGE_ANSWER_UNKNOWN = "hotline.knowledge_answer_unknown"
NO_DESK = "hotline.no_dispatch_desk"
ANSWER_ONLY_CONSULTATION = "hotline.knowledge_answer_not_a_consultation"

MESSAGES: dict[str, tuple[str, str]] = {
    TICKET_NOT_FOUND: ("工单不存在", "The ticket does not exist"),
    EMPTY_TEXT: ("诉求内容不能为空", "The request text must not be empty"),
    UNKNOWN_CATEGORY: ("事项分类“{category_code}”不存在", "Unknown matter category {category_code}"),
    TYPE_NOT_FOR_CHANNEL: (
        "渠道“{channel}”不能提交“{ticket_type}”类诉求",
        "The channel {channel} cannot open a ticket of type {ticket_type}",
    ),
    ATTACHMENT_TOO_LARGE: ("附件超过大小上限（{limit} 字节）", "The attachment exceeds the size limit ({limit} bytes)"),
    TOO_MANY_ATTACHMENTS: ("附件数量超过上限（{limit} 个）", "Too many attachments (at most {limit})"),
    ATTACHMENT_NOT_ALLOWED: (
        "附件类型不支持（仅 PDF、JPEG、PNG）",
        "Attachment type not allowed (PDF, JPEG, PNG only)",
    ),
    ATTACHMENT_NOT_UPLOADED: (
        "附件尚未上传或与声明不符",
        "The attachment was not uploaded, or differs from what was declared",
    ),
    STEP_NOT_ALLOWED: (
        "工单当前状态为“{state}”，不能{step}",
        "The ticket is {state}; {step} is not possible now",
    ),
    CHANGED_CONCURRENTLY: ("工单已被更新，请刷新后重试", "The ticket changed meanwhile; reload and retry"),
    NOT_THE_DESK: (
        "仅工单所在地区的 12345 派单席可以改派或指定协办",
        "Only the region's 12345 dispatch desk may do this",
    ),
    UNKNOWN_DEPARTMENT: ("部门“{department_id}”不存在", "Unknown department {department_id}"),
    UNKNOWN_REGION: ("行政区划代码“{region_code}”不存在", "Unknown region code {region_code}"),
    CONTACT_REQUIRED: ("匿名诉求须提供经验证的联系电话", "An anonymous ticket needs a verified contact phone"),
    FAQ_REVISION: (
        "知识条目已被修改（当前版本 {version}），请刷新后重试",
        "The FAQ entry changed meanwhile (now version {version}); reload and retry",
    ),
    FAQ_NOT_FOUND: ("知识条目不存在", "The FAQ entry does not exist"),
    RULE_NOT_FOUND: ("派单规则不存在", "The routing rule does not exist"),
    INVALID_API_KEY: ("api_key 无效", "The api_key is not valid"),
    OPEN311_SERVICE_UNKNOWN: ("service_code 不存在", "Unknown service_code"),
    KNOWLEDGE_ANSWER_UNKNOWN: ("所采纳的知识库答案不存在", "The accepted knowledge-base answer does not exist"),
    NO_DESK: ("该地区未设 12345 派单席", "No 12345 dispatch desk covers this region"),
    ANSWER_ONLY_CONSULTATION: (
        "只有咨询类诉求可以由知识库答复",
        "Only a consultation can be answered by the knowledge base",
    ),
}

register_messages(MESSAGES)
