// Chinese by default; the English toggle also switches the API's Accept-Language.
const strings = {
  zh: {
    skip: "跳到主要内容", brand: "江苏政务服务网", other: "English", foot: "江苏省政务服务平台 · 参考门户",
    nav_search: "办事指南", nav_lists: "不见面清单", nav_verify: "证照核验", nav_sign_in: "登录", nav_sign_out: "退出",
    nav_cases: "我的办件", nav_licences: "我的证照", nav_messages: "消息", nav_queue: "工作台",
    search_title: "查找事项", search_label: "事项名称或关键词", region_label: "地区", search_go: "搜索",
    no_results: "没有找到相关事项。", loading: "加载中…", no_visit: "不见面", visit_once: "见一次面",
    guide: "办事指南", department: "实施部门", legal_limit: "法定办结时限", promised_limit: "承诺办结时限",
    days: "个工作日", fees: "收费", free: "不收费", materials: "申请材料", required: "必需", conditional: "情形提交",
    halls: "办理地点", basis: "设定依据", apply: "在线申报", sign_in_to_apply: "登录后申报",
    sign_in_title: "登录", citizen: "个人/法人", staff: "工作人员", phone: "手机号码", send_code: "获取验证码",
    code: "短信验证码", sign_in: "登录", code_sent: "验证码已发送。", login: "账号", password: "密码", next: "下一步",
    apply_title: "在线申报", save_form: "保存表单", form_saved: "表单已保存。", submit: "提交申请", submitted: "已提交。",
    upload: "上传", uploaded: "已上传", choose_file: "选择文件", case_title: "办件详情", state: "状态", timeline: "办理过程",
    supplement: "补正材料后提交", notice: "一次性告知", deadline: "办结期限",
    verify_title: "证照核验", identifier: "电子证照标识", verify: "核验", result: "核验结果", holder: "持证主体",
    lists_title: "不见面/见一次面清单", must_sign_in: "请先登录。", not_found: "页面不存在。", yes: "是", no: "否",
  },
  en: {
    skip: "Skip to main content", brand: "Jiangsu Government Services", other: "中文", foot: "Jiangsu Government Services · reference portal",
    nav_search: "Services", nav_lists: "No-visit lists", nav_verify: "Verify a licence", nav_sign_in: "Sign in", nav_sign_out: "Sign out",
    nav_cases: "My cases", nav_licences: "My licences", nav_messages: "Messages", nav_queue: "Workbench",
    search_title: "Find a service", search_label: "Service name or keyword", region_label: "Region", search_go: "Search",
    no_results: "No service found.", loading: "Loading…", no_visit: "No visit", visit_once: "One visit",
    guide: "Guide", department: "Department", legal_limit: "Legal time limit", promised_limit: "Promised time limit",
    days: "working days", fees: "Fees", free: "Free", materials: "Materials", required: "Required", conditional: "If applicable",
    halls: "Where", basis: "Legal basis", apply: "Apply online", sign_in_to_apply: "Sign in to apply",
    sign_in_title: "Sign in", citizen: "Citizen / company", staff: "Staff", phone: "Mobile number", send_code: "Send code",
    code: "SMS code", sign_in: "Sign in", code_sent: "The code has been sent.", login: "Login", password: "Password", next: "Next",
    apply_title: "Apply online", save_form: "Save form", form_saved: "Form saved.", submit: "Submit", submitted: "Submitted.",
    upload: "Upload", uploaded: "Uploaded", choose_file: "Choose file", case_title: "Case", state: "State", timeline: "Timeline",
    supplement: "Submit the supplement", notice: "One-time notice", deadline: "Due",
    verify_title: "Verify a licence", identifier: "Licence identifier", verify: "Verify", result: "Result", holder: "Holder",
    lists_title: "No-visit / one-visit lists", must_sign_in: "Please sign in first.", not_found: "Page not found.", yes: "Yes", no: "No",
  },
};

let current = "zh";
export function locale() { return current; }
export function setLocale(value) { current = value === "en" ? "en" : "zh"; document.documentElement.lang = current === "en" ? "en" : "zh-CN"; }
export function t(key) { return strings[current][key] ?? strings.zh[key] ?? key; }
