// Applying and following a case (C13, C14, C15); the staff work queue and decisions (C17).
import { get, itemDetail, post, put, signedIn, sessionKind } from "../api.js";
import { actionMessage, field, h, placeProblem, say, showError } from "../dom.js";
import { locale, t } from "../i18n.js";
import { orderForm } from "./supervision.js";
import { caseWarnings, departmentWarnings, jointTasksSection, levelBadge, warningsTable, worstByCase } from "./work.js";

export const nav = [
  { href: "#/cases", label: "nav_cases", for: ["citizen"] },
  { href: "#/queue", label: "nav_queue", for: ["staff"] },
];

function needSignIn() {
  return [h("h1", {}, t("sign_in_title")), h("p", {}, t("must_sign_in"), " ", h("a", { href: `#/sign-in?next=${encodeURIComponent(location.hash)}` }, t("nav_sign_in")))];
}

/** One control per form-schema property; nested objects (delivery) are chosen elsewhere. */
function control(name, spec, value) {
  const id = `f-${name}`;
  if (spec.type === "array" && spec.items?.enum) {
    const chosen = new Set(value ?? []);
    const error = h("p", { class: "error", id: `${id}-error`, role: "alert", hidden: true });
    return h("fieldset", { id, "aria-describedby": `${id}-error`, "data-name": name, "data-kind": "multi" },
      h("legend", {}, spec.title ?? name),
      spec.items.enum.map((option, i) => h("label", { class: "check" },
        h("input", { type: "checkbox", value: option, checked: chosen.has(option), name: `${id}-${i}` }), ` ${option}`)),
      error);
  }
  let input;
  if (spec.enum) {
    input = h("select", {}, h("option", { value: "" }, "—"), spec.enum.map((option) => h("option", { value: option, selected: option === value }, option)));
  } else if (spec.type === "boolean") {
    input = h("input", { type: "checkbox", checked: value === true });
  } else {
    const numeric = spec.type === "integer" || spec.type === "number";
    input = h("input", { type: numeric ? "number" : "text", value: value ?? "", inputmode: numeric ? "numeric" : null });
  }
  input.dataset.name = name;
  input.dataset.kind = spec.type ?? "string";
  return field(id, spec.title ?? name, input);
}

/** The form-schema properties a page renders as controls: nested objects (delivery) are chosen elsewhere. */
function formProperties(item) {
  return Object.entries(item?.form_schema?.properties ?? {}).filter(([, spec]) => spec.type !== "object");
}

function readForm(root) {
  const form = {};
  for (const node of root.querySelectorAll("[data-name]")) {
    const { name, kind } = node.dataset;
    if (kind === "multi") form[name] = [...node.querySelectorAll("input:checked")].map((box) => box.value);
    else if (kind === "boolean") form[name] = node.checked;
    else if (node.value === "") continue;
    else if (kind === "integer") form[name] = Number.parseInt(node.value, 10);
    else if (kind === "number") form[name] = Number(node.value);
    else form[name] = node.value;
  }
  return form;
}

/** [API field name, element id] of each form control; `prefix` names the body's part where a request sends more. */
const formFields = (names, prefix = "") => names.map((name) => [`${prefix}${name}`, `f-${name}`]);

/** Each message at its field, a summary under the button, and focus on the first field to correct. */
function placeErrors(problem, fields, actionId) {
  if (!placeProblem(problem, fields, actionId)) return;
  say(actionId, locale() === "en" ? "Please correct the fields marked above." : "请修改上面标出的内容。");
  document.querySelector("[aria-invalid=true]")?.focus();
}

async function sha256(file) {
  const digest = await crypto.subtle.digest("SHA-256", await file.arrayBuffer());
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** One file straight to storage by its presigned POST, with its progress. */
function postFile(ticket, file, progress) {
  const body = new FormData();
  for (const [key, value] of Object.entries(ticket.fields)) body.append(key, value);
  body.append("file", file);
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open("POST", ticket.url);
    request.upload.onprogress = (event) => { if (event.lengthComputable) progress.value = event.loaded / event.total; };
    request.onload = () => (request.status < 300 ? resolve() : reject(new Error(locale() === "en" ? "The upload was refused." : "上传未成功，请重试。")));
    request.onerror = () => reject(new Error(locale() === "en" ? "The upload failed." : "上传失败，请重试。"));
    request.send(body);
  });
}

/** A list sent in one request (all or nothing, D-331). When the refusal names entries (`<path>.<i>`), each named
 * entry's message goes to its slot and the others are sent once more without them, so every file ends as it would
 * have alone; any other refusal is thrown. */
async function sendList(entries, path, send) {
  try { return { sent: entries, answer: await send(entries) }; } catch (problem) {
    const refused = new Map();
    for (const error of problem.errors ?? []) {
      const [head, index] = (error.field ?? "").split(".");
      if (head === path && !refused.has(Number(index))) refused.set(Number(index), error.message);
    }
    if (!refused.size) throw problem;
    entries.forEach((entry, i) => { if (refused.has(i)) say(entry.msgId, refused.get(i)); });
    const rest = entries.filter((_, i) => !refused.has(i));
    return rest.length ? { sent: rest, answer: await send(rest) } : { sent: [], answer: null };
  }
}

/** The files the user picked, with the list forms (D-332): ONE request for their upload forms, each file straight to
 * storage with its progress, ONE confirm (the API reads each back: size, type, checksum). Each message at its slot;
 * true when every picked file is recorded. */
async function uploadPicked(caseId, picked) {
  const described = await Promise.all(picked.map(async (entry) => ({ ...entry, asked: {
    slot_id: entry.slot.slot_id, file_name: entry.file.name, content_type: entry.file.type || "application/pdf", size_bytes: entry.file.size, sha256: await sha256(entry.file),
  } })));
  const tickets = await sendList(described, "materials",
    async (entries) => (await post(`/v1/cases/${caseId}/materials/uploads`, { materials: entries.map((e) => e.asked) })).items);
  const posted = await Promise.all(tickets.sent.map(async (entry, i) => {
    try { await postFile(tickets.answer[i], entry.file, entry.progress); } catch (error) { say(entry.msgId, error.message); return null; }
    entry.progress.value = 1;
    return { ...entry, materialId: tickets.answer[i].material_id };
  }));
  const uploaded = posted.filter(Boolean);
  const confirmed = uploaded.length
    ? (await sendList(uploaded, "material_ids", (entries) => post(`/v1/cases/${caseId}/materials/confirm`, { material_ids: entries.map((e) => e.materialId) }))).sent
    : [];
  for (const entry of confirmed) { say(entry.msgId, t("uploaded"), true); entry.input.value = ""; }
  return confirmed.length === picked.length;
}

/** One file input per slot; the chosen files go together with the section's button, or before a submission. */
function materialsSection(detail) {
  const have = new Set(detail.materials.map((m) => m.slot_id));
  const slots = detail.material_slots.map((slot) => {
    const id = `m-${slot.slot_id}`;
    const input = h("input", { type: "file", accept: (slot.accepted_formats ?? []).map((f) => `.${f}`).join(",") || null });
    const progress = h("progress", { max: 1, value: have.has(slot.slot_id) ? 1 : 0, "aria-label": `${slot.name} ${t("upload")}` });
    input.addEventListener("change", () => { progress.value = have.has(slot.slot_id) ? 1 : 0; say(`${id}-msg`, input.files?.length ? t("to_upload") : "", true); });
    const node = h("div", { class: "slot" },
      field(id, `${slot.name}（${slot.requirement === "required" ? t("required") : `${t("conditional")}: ${slot.condition ?? ""}`}）${have.has(slot.slot_id) ? ` ✓ ${t("uploaded")}` : ""}`, input),
      progress, actionMessage(`${id}-msg`));
    return { slot, input, progress, msgId: `${id}-msg`, node };
  });
  const picked = () => slots.filter((s) => s.input.files?.length).map((s) => ({ ...s, file: s.input.files[0] }));
  /** Upload what is picked; false (messages shown) when something was not recorded. */
  const upload = async () => {
    const chosen = picked();
    if (!chosen.length) return true;
    button.disabled = true;
    try { return await uploadPicked(detail.case_id, chosen); } catch (problem) { say("materials-msg", problem.message); return false; } finally { button.disabled = false; }
  };
  const button = h("button", { type: "button", class: "secondary", id: "upload-materials", onclick: async () => {
    say("materials-msg", picked().length ? "" : t("pick_files"));
    await upload();
  } }, t("upload_picked"));
  const section = h("section", { class: "card", "aria-labelledby": "materials-h" }, h("h2", { id: "materials-h" }, t("materials")),
    slots.map((s) => s.node), h("div", { class: "actions" }, button), actionMessage("materials-msg"));
  return { section, upload };
}

function noticeSection(detail) {
  if (!detail.notice || detail.state !== "supplement_required") return null;
  return h("section", { class: "notice", "aria-labelledby": "notice-h" }, h("h2", { id: "notice-h" }, t("notice")),
    h("ul", {}, detail.notice.items.map((d) => h("li", {}, locale() === "en" ? d.message_en : d.message))));
}

const METHODS = [["electronic", "电子送达", "Electronic"], ["courier", "快递送达（免费寄递）", "By courier"], ["pickup", "窗口领取", "Collect at the hall"]];
const COUNTIES = [["320115", "江宁区"], ["320102", "玄武区"], ["320508", "姑苏区"]];

/** The application in one request (D-266, D-327): the item's form and how the result reaches the applicant (C12;
 * courier needs an address) go together in `POST /v1/cases`, so the draft starts with its form. */
async function apply({ args: [code] }) {
  if (!signedIn()) return needSignIn();
  // the guide page fetched the item already; only a deep link or a reload asks for it here
  const properties = formProperties(await itemDetail(code).catch(() => null));
  const names = properties.map(([name]) => name);
  const named = ([, zh, en]) => (locale() === "en" ? en : zh);
  const courier = h("div", { id: "courier-fields", hidden: true },
    field("d-address", t("address"), h("input", { type: "text", autocomplete: "street-address" })),
    field("d-region", t("county"), h("select", {}, COUNTIES.map(([value, name]) => h("option", { value }, name)))),
    field("d-recipient", t("recipient"), h("input", { type: "text", autocomplete: "name" })),
    field("d-phone", t("phone"), h("input", { type: "tel", autocomplete: "tel", inputmode: "numeric" })));
  const methods = h("fieldset", {}, h("legend", {}, t("delivery")), METHODS.map((entry, i) => h("label", { class: "check" },
    h("input", { type: "radio", name: "method", value: entry[0], checked: i === 0, onchange: (event) => { courier.hidden = event.target.value !== "courier"; } }), ` ${named(entry)}`)));
  const value = (id) => document.getElementById(id).value.trim();
  const fields = [["address", "d-address"], ["region_code", "d-region"], ["recipient_name", "d-recipient"], ["recipient_phone", "d-phone"]];
  // the same controls as the case page's form, read the same way; none when the item could not be read (the case page
  // then shows the form, as before)
  const formPart = properties.length
    ? h("div", { id: "apply-fields" }, h("h2", { id: "fields-h" }, t("form_title")), properties.map(([name, spec]) => control(name, spec, undefined)))
    : null;
  const form = h("form", { "aria-labelledby": "apply-h", novalidate: true, onsubmit: async (event) => {
    event.preventDefault();
    const method = form.querySelector("input[name=method]:checked").value;
    const delivery = method === "courier"
      ? { method, address: value("d-address"), region_code: value("d-region"), recipient_name: value("d-recipient"), recipient_phone: value("d-phone") }
      : { method };
    try {
      const created = await post("/v1/cases", { item_code: code, delivery, ...(formPart ? { form: readForm(formPart) } : {}) });
      location.replace(`#/case/${encodeURIComponent(created.case_id)}`);
    } catch (problem) {
      // full paths: a form field may share a name with a delivery field (address)
      placeErrors(problem, [...fields.map(([name, id]) => [`delivery.${name}`, id]), ...formFields(names, "form.")], "apply-msg");
    }
  } }, formPart, h("h2", { id: "delivery-h" }, t("delivery")), methods, courier,
  h("div", { class: "actions" }, h("button", { type: "submit", class: "primary", id: "start-case" }, t("next"))), actionMessage("apply-msg"));
  return [h("h1", { id: "apply-h" }, t("apply_title")), h("section", { class: "card" }, form)];
}

/** Where the result is: each shipment with its waybill and every tracking event (物流跟踪). */
async function shipmentsSection(caseId) {
  const data = await get(`/v1/cases/${encodeURIComponent(caseId)}/shipments`).catch(() => ({ items: [] }));
  if (!data.items.length) return null;
  const when = (at) => new Date(at).toLocaleString(locale() === "en" ? "en-GB" : "zh-CN");
  return h("section", { class: "card", "aria-labelledby": "shipments-h" }, h("h2", { id: "shipments-h" }, t("tracking")),
    data.items.map((s) => h("div", { class: "shipment", "data-waybill": s.waybill ?? "" },
      h("p", {}, `${s.carrier} ${s.waybill ?? ""} · `, h("strong", {}, s.state_name)),
      h("ol", {}, s.tracking.map((e) => h("li", {}, `${when(e.at)} · ${e.state_name}${e.location ? ` · ${e.location}` : ""}${e.description ? ` · ${e.description}` : ""}`))))));
}

/** My files accepted in earlier cases that this application can take, each used only with consent (D-212). */
function reuseSection(caseId, reusable, rerender) {
  if (!reusable.length) return null;
  return h("section", { class: "card", "aria-labelledby": "reuse-h" }, h("h2", { id: "reuse-h" }, t("reuse_title")),
    h("p", { class: "meta" }, t("reuse_hint")),
    reusable.map((m) => {
      const id = `reuse-${m.slot_id}`;
      const consent = h("input", { type: "checkbox", id: `${id}-consent` });
      return h("div", { class: "slot", "data-reuse": m.slot_id },
        h("p", {}, h("strong", {}, m.slot_name), ` · ${m.file_name} · ${t("from_case")} ${m.from_case_number} · ${t("valid_to")} ${m.valid_until}`),
        h("label", { class: "check", for: `${id}-consent` }, consent, ` ${t("reuse_consent")}`),
        h("div", { class: "actions" }, h("button", { type: "button", class: "secondary", id, onclick: async () => {
          if (!consent.checked) { say(`${id}-msg`, t("reuse_needs_consent")); consent.focus(); return; }
          try {
            await post(`/v1/cases/${encodeURIComponent(caseId)}/materials/reuse`, { slot_id: m.slot_id, sha256: m.sha256, consent: true });
            say(`${id}-msg`, t("reused"), true);
            setTimeout(rerender, 300);
          } catch (problem) { say(`${id}-msg`, problem.message); }
        } }, t("reuse"))), actionMessage(`${id}-msg`));
    }));
}

async function caseView({ args: [caseId] }) {
  if (!signedIn()) return needSignIn();
  const detail = await get(`/v1/cases/${encodeURIComponent(caseId)}`);
  const rerender = () => window.dispatchEvent(new HashChangeEvent("hashchange"));
  const properties = formProperties(await itemDetail(detail.item_code).catch(() => null));
  const names = properties.map(([name]) => name);
  const editable = sessionKind() === "citizen" && ["draft", "supplement_required"].includes(detail.state);
  const parts = [h("h1", {}, detail.item_name), h("p", { class: "meta" }, `${detail.case_number} · ${t("state")}: `, h("strong", { id: "case-state" }, detail.state_name))];
  parts.push(noticeSection(detail));
  for (const action of detail.required_actions ?? []) parts.push(h("p", { class: "notice" }, action.message, action.due_on ? ` (${t("deadline")} ${action.due_on})` : ""));
  if (detail.state === "awaiting_payment" && sessionKind() === "citizen") parts.push(h("p", { class: "notice" }, h("a", { href: "#/payments" }, t("to_pay"))));
  if (detail.deadlines) parts.push(h("p", { class: "meta" }, `${t("deadline")}: ${detail.deadlines.legal_due_on ?? detail.deadlines.due_on ?? ""}`));
  if (editable) {
    const formRoot = h("form", { "aria-labelledby": "form-h", novalidate: true, onsubmit: async (event) => {
      event.preventDefault();
      try { await put(`/v1/cases/${caseId}/form`, { form: readForm(formRoot) }); names.forEach((n) => showError(`f-${n}`, null)); say("form-msg", t("form_saved"), true); }
      catch (problem) { placeErrors(problem, formFields(names), "form-msg"); }
    } }, h("h2", { id: "form-h" }, t("apply_title")), properties.map(([name, spec]) => control(name, spec, detail.form?.[name])),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "secondary" }, t("save_form"))), actionMessage("form-msg"));
    const reusable = await get(`/v1/cases/${encodeURIComponent(caseId)}/reusable-materials`).catch(() => ({ items: [] }));
    const materials = materialsSection(detail);
    parts.push(h("section", { class: "card" }, formRoot), reuseSection(caseId, reusable.items, rerender), materials.section);
    const isSupplement = detail.state === "supplement_required";
    parts.push(h("div", { class: "actions" }, h("button", { type: "button", class: "primary", id: "submit-case", onclick: async () => {
      // files picked but not yet sent go first, as the page sent each file when it was picked before D-332
      if (!(await materials.upload())) { say("submit-msg", t("upload_first")); return; }
      try {
        if (isSupplement) await post(`/v1/cases/${caseId}/supplement`);
        else await post(`/v1/cases/${caseId}/submit`, {}, { idempotencyKey: `portal-${caseId}-${detail.version}` });
        say("submit-msg", t("submitted"), true);
        setTimeout(rerender, 300);
      } catch (problem) { placeErrors(problem, formFields(names), "submit-msg"); }
    } }, isSupplement ? t("supplement") : t("submit"))), actionMessage("submit-msg"));
  }
  parts.push(jointTasksSection(detail, rerender));
  if (sessionKind() === "staff") parts.push(await caseWarnings(caseId), staffActions(detail, rerender));
  if (sessionKind() === "supervisor" && detail.deadlines && !detail.decision) {
    parts.push(h("section", { class: "card", "aria-labelledby": "press-h" }, h("h2", { id: "press-h" }, t("issue_order")), orderForm("case", caseId, "case")));
  }
  if (detail.delivery?.method === "courier") parts.push(await shipmentsSection(caseId));
  if (detail.state === "completed" && sessionKind() === "citizen") parts.push(h("p", {}, h("a", { href: "#/ratings" }, t("rate_this"))));
  parts.push(h("section", { class: "card", "aria-labelledby": "timeline-h" }, h("h2", { id: "timeline-h" }, t("timeline")),
    h("ol", {}, (detail.timeline ?? []).map((e) => h("li", {}, `${new Date(e.at).toLocaleString(locale() === "en" ? "en-GB" : "zh-CN")} · ${e.action} → ${e.to_state}`)))));
  return parts;
}

const INTAKE = ["submitted", "pre_review_passed", "supplement_required"];
const HANDLING = ["accepted", "in_review"];
const KINDS = [["expert_review", "专家评审", "Expert review"], ["inspection", "现场检验", "Inspection"], ["testing", "检测", "Testing"],
  ["hearing", "听证", "Hearing"], ["appraisal", "鉴定", "Appraisal"], ["quarantine", "检疫", "Quarantine"], ["tendering", "招标", "Tendering"], ["auction", "拍卖", "Auction"]];
// [path, 中文, English, body from (note, the clock fields), the states it applies in]
const STAFF_ACTIONS = [
  ["accept", "受理", "Accept", (reason) => ({ note: reason || "材料齐全" }), INTAKE],
  ["request-supplement", "一次性告知补正", "Request supplement", (reason) => ({ items: [{ kind: "staff_note", target: "applicant", message: reason, message_en: reason }] }), INTAKE],
  ["refuse", "不予受理", "Refuse", (reason) => ({ reason }), INTAKE],
  ["decide", "准予许可", "Approve", (reason) => ({ outcome: "approved", reason: reason || "符合条件" }), HANDLING],
  ["decide-deny", "不予许可", "Deny", (reason) => ({ outcome: "denied", reason }), HANDLING],
  ["suspend", "中止计时", "Stop the clock", (reason, clock) => ({ kind: clock.kind, reason, expected_working_days: Number(clock.days) }), HANDLING],
  ["resume", "恢复计时", "Restart the clock", (reason) => (reason ? { note: reason } : {}), ["suspended"]],
  ["extension-request", "申请延长期限", "Request an extension", (reason) => ({ reason }), [...HANDLING, "suspended"]],
];

function staffActions(detail, rerender) {
  const reason = h("textarea", { rows: 2 });
  const kind = h("select", {}, KINDS.map(([value, zh, en]) => h("option", { value }, locale() === "en" ? en : zh)));
  const days = h("input", { type: "number", min: 1, max: 250, value: 5, inputmode: "numeric" });
  const shown = STAFF_ACTIONS.filter(([path, , , , states]) => states.includes(detail.state)
    && !(path === "extension-request" && (detail.extension_request || detail.deadlines?.extension)));
  const pending = detail.extension_request;
  return h("section", { class: "card", "aria-labelledby": "staff-actions-h" }, h("h2", { id: "staff-actions-h" }, locale() === "en" ? "Handle" : "办理"),
    pending ? h("p", { class: "notice", id: "extension-pending" }, `${t("extension_pending")} ${pending.reason} (+${pending.working_days})`) : null,
    field("staff-reason", locale() === "en" ? "Note or reason" : "意见或理由", reason),
    HANDLING.includes(detail.state) ? h("div", { class: "cols" }, field("suspend-kind", t("suspend_kind"), kind), field("suspend-days", t("suspend_days"), days)) : null,
    h("div", { class: "actions" }, shown.map(([path, zh, en, body]) => h("button", { type: "button", class: "secondary", "data-action": path, onclick: async () => {
      try {
        await post(`/v1/cases/${detail.case_id}/${path.replace("-deny", "")}`, body(reason.value, { kind: kind.value, days: days.value }));
        say("staff-action-msg", locale() === "en" ? "Done." : "已办理。", true);
        setTimeout(rerender, 300);
      } catch (problem) { placeProblem(problem, [["reason", "staff-reason"], ["expected_working_days", "suspend-days"]], "staff-action-msg"); }
    } }, locale() === "en" ? en : zh))), actionMessage("staff-action-msg"));
}

async function myCases() {
  if (!signedIn()) return needSignIn();
  const data = await get("/v1/cases");
  return [h("h1", {}, t("nav_cases")), data.items.length ? h("ul", {}, data.items.map((c) => h("li", { class: "card" },
    h("a", { href: `#/case/${encodeURIComponent(c.case_id)}` }, c.item_name), h("p", { class: "meta" }, `${c.case_number} · ${c.state_name}`)))) : h("p", {}, t("no_results"))];
}

async function queue() {
  if (!signedIn()) return needSignIn();
  // the department's open warnings come from supervision (D-286); the queue marks its cases with the worst
  const [data, warnings] = await Promise.all([get("/v1/work-queue"), departmentWarnings().catch(() => [])]);
  const worst = worstByCase(warnings);
  const th = (c) => h("th", { scope: "col" }, c);
  return [h("h1", {}, t("nav_queue")),
    h("section", { "aria-labelledby": "intake-h" }, h("h2", { id: "intake-h" }, t("queue_intake")),
      h("table", {}, h("thead", {}, h("tr", {}, [t("case_no"), t("item_col"), t("state"), t("deadline"), t("warnings")].map(th))),
        h("tbody", {}, data.items.map((c) => h("tr", { "data-case": c.case_id }, h("td", {}, h("a", { href: `#/case/${encodeURIComponent(c.case_id)}` }, c.case_number)),
          h("td", {}, c.item_name ?? c.item_code), h("td", {}, c.state_name), h("td", {}, c.deadlines?.legal_due_on ?? c.intake_due_on ?? ""),
          h("td", {}, worst.has(c.case_id) ? levelBadge(worst.get(c.case_id)) : "")))))),
    h("section", { "aria-labelledby": "dept-warnings-h" }, h("h2", { id: "dept-warnings-h" }, t("warnings")), warningsTable(warnings))];
}

export const routes = [
  { path: /^\/apply\/([^/]+)$/, view: apply },
  { path: /^\/case\/([^/]+)$/, view: caseView },
  { path: /^\/cases$/, view: myCases },
  { path: /^\/queue$/, view: queue },
];
