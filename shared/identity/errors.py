"""The identity context's error codes (listed in docs/errors.md), zh first, en on request.

Rule failures of the two codes (`id_number.*`, `uscc.*`) are registered by
`shared.codes.national` and come back as field errors of a 422.
"""

from __future__ import annotations

from typing import ClassVar

from shared.platform.errors import AppError, register_messages

OTP_INVALID = "identity.otp_invalid"
OTP_EXPIRED = "identity.otp_expired"
OTP_LOCKED = "identity.otp_locked"
OTP_RATE_LIMITED = "identity.otp_rate_limited"
SIGN_IN_FAILED = "identity.sign_in_failed"
SIGN_IN_RATE_LIMITED = "identity.sign_in_rate_limited"
REAL_NAME_MISMATCH = "identity.real_name_mismatch"
ALREADY_REGISTERED = "identity.already_registered"
PHONE_IN_USE = "identity.phone_in_use"
REFRESH_INVALID = "identity.refresh_invalid"
REFRESH_REUSED = "identity.refresh_reused"
SESSION_REVOKED = "identity.session_revoked"
NOT_AUTHORISED_FOR_ENTERPRISE = "identity.not_authorised_for_enterprise"
NOT_LEGAL_REPRESENTATIVE = "identity.not_legal_representative"
UNKNOWN_ENTERPRISE = "identity.unknown_enterprise"
AGENT_NOT_FOUND = "identity.agent_not_found"
AUTHORISATION_NOT_FOUND = "identity.authorisation_not_found"
SMS_UNAVAILABLE = "identity.sms_unavailable"
REGISTRY_UNAVAILABLE = "identity.registry_unavailable"
APPLICANT_NOT_AUTHORISED = "identity.applicant_not_authorised"
PHONE_REQUIRED = "identity.phone_required"
BEYOND_OPERATOR_SCOPE = "identity.beyond_operator_scope"
UNKNOWN_DEPARTMENT = "identity.unknown_department"
LOGIN_IN_USE = "identity.login_in_use"
ACCOUNT_CHANGED = "identity.account_changed"
# field error codes (inside a 422's `errors`)
PHONE_FORMAT = "identity.phone_format"
NAME_FORMAT = "identity.name_format"
EXPIRY_INVALID = "identity.expiry_invalid"

register_messages(
    {
        OTP_INVALID: (
            "验证码不正确，还可尝试 {remaining} 次",
            "The one-time code is wrong; {remaining} attempts left",
        ),
        OTP_EXPIRED: (
            "验证码已失效，请重新获取",
            "The one-time code has expired or was not requested; request a new one",
        ),
        OTP_LOCKED: (
            "验证码错误次数过多，请稍后重新获取",
            "Too many wrong codes; request a new code later",
        ),
        OTP_RATE_LIMITED: (
            "获取验证码过于频繁，请稍后再试",
            "One-time codes were requested too often; try again later",
        ),
        SIGN_IN_FAILED: ("账号或密码错误", "The account name or password is wrong"),
        SIGN_IN_RATE_LIMITED: (
            "登录尝试过于频繁，请稍后再试",
            "Too many sign-in attempts; try again later",
        ),
        REAL_NAME_MISMATCH: (
            "姓名与身份证号码不一致，请核对后重试",
            "The name does not match the ID number in the population registry",
        ),
        ALREADY_REGISTERED: ("该身份证号码已注册，请直接登录", "This ID number is already registered; sign in instead"),
        PHONE_IN_USE: ("该手机号码已绑定其他账号", "This phone number belongs to another account"),
        REFRESH_INVALID: ("登录状态已失效，请重新登录", "The refresh token is invalid or expired; sign in again"),
        REFRESH_REUSED: (
            "检测到登录凭证被重复使用，为保护账号安全已退出该次登录的所有设备，请重新登录",
            "A refresh token was used twice; the whole session was signed out for safety. Sign in again",
        ),
        SESSION_REVOKED: ("该次登录已退出，请重新登录", "This session was signed out; sign in again"),
        NOT_AUTHORISED_FOR_ENTERPRISE: (
            "您没有该企业的有效授权",
            "You hold no valid authorisation for this enterprise",
        ),
        NOT_LEGAL_REPRESENTATIVE: (
            "只有企业的法定代表人可以管理经办人授权",
            "Only the enterprise's legal representative may manage its agents",
        ),
        UNKNOWN_ENTERPRISE: (
            "企业登记信息中没有该统一社会信用代码",
            "The enterprise registry has no such unified social credit code",
        ),
        AGENT_NOT_FOUND: (
            "被授权人须为已实名注册的用户，且姓名与身份证号码一致",
            "The agent must be a registered, verified person whose name matches the ID number",
        ),
        AUTHORISATION_NOT_FOUND: ("没有该经办人授权", "No such agent authorisation"),
        SMS_UNAVAILABLE: ("短信服务暂时不可用，请稍后再试", "The SMS service is unavailable; try again later"),
        REGISTRY_UNAVAILABLE: (
            "实名核验服务暂时不可用，请稍后再试",
            "The real-name registry is unavailable; try again later",
        ),
        APPLICANT_NOT_AUTHORISED: (
            "办事人不是该企业的法定代表人，也没有该企业有效的经办授权；请出具书面授权委托书",
            "The person is neither the enterprise's legal representative nor an authorised agent of it;"
            " a written authorisation is needed",
        ),
        PHONE_REQUIRED: (
            "申请人尚未注册，请填写其手机号码，用于登录查看办件",
            "The applicant has no account yet: give their phone number, with which they sign in to follow the case",
        ),
        PHONE_FORMAT: ("手机号码应为11位中国大陆手机号", "A phone number has 11 digits and starts with 13-19"),
        NAME_FORMAT: (
            "姓名应为2至30个汉字（可含间隔号·）",
            "A name has 2 to 30 Chinese characters (the middle dot · allowed)",
        ),
        BEYOND_OPERATOR_SCOPE: (
            "超出您的管理范围：只能管理本行政区划内、低于本级的账号（县级仅能管理窗口工作人员）",
            "Beyond your scope: you manage accounts inside your division and below your level only"
            " (county operators manage staff accounts only)",
        ),
        UNKNOWN_DEPARTMENT: (
            "该行政区划下没有这个部门",
            "No such department is registered at that division",
        ),
        LOGIN_IN_USE: ("该登录名已被使用", "This login name is taken"),
        ACCOUNT_CHANGED: (
            "账号已被他人修改，请刷新后重试",
            "The account was changed meanwhile; read it again and retry",
        ),
        EXPIRY_INVALID: (
            "授权期限应晚于今天且不超过三年",
            "The authorisation must end after today and within three years",
        ),
    }
)


class ServiceUnavailable(AppError):
    """A dependency we cannot do without is down or not configured (503)."""

    status: ClassVar[int] = 503
    default_code: ClassVar[str] = SMS_UNAVAILABLE
