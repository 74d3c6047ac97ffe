// The department's desk beside the intake queue (C17, C26): joint tasks to give an opinion on (并联待办),
// supervision orders to answer (督办待办), and the department's own yellow/red warnings, which the
// supervision context raises and lists (D-286): the portal shows them, it never works them out itself.
import { get, post, signedIn, sessionKind, whoAmI } from "../api.js";
import { actionMessage, field, h, placeProblem, say } from "../dom.js";
import { locale, t } from "../i18n.js";

export const nav = [
  { href: "#/joint-tasks", label: "nav_joint", for: ["staff"] },
  { href: "#/dept-orders", label: "nav_dept_orders", for: ["staff"] },
];

export const caseLink = (caseId, text) => h("a", { href: `#/case/${encodeURIComponent(caseId)}` }, text);
export const needSignIn = (title) => [h("h1", {}, t(title)), h("p", {}, t("must_sign_in"), " ",
  h("a", { href: `#/sign-in?next=${encodeURIComponent(location.hash)}` }, t("nav_sign_in")))];

/** A warning's level as a word in a coloured badge (colour is never the only sign). */
export function levelBadge(level) { return h("span", { class: `badge ${level}`, "data-level": level }, t(`level_${level}`)); }
export function limitName(name) { const key = `limit_${name.replace(/_(city|province)$/, "")}`; const said = t(key); return said === key ? name : said; }
/** The case a warning or order is about: joint tasks are `<case_id>:<department_id>`. */
export const subjectCase = (entry) => (["case", "joint_task"].includes(entry.subject_kind) ? entry.subject_id.split(":")[0] : null);

/** Every open warning of my department, page after page (a department has few). */
export async function departmentWarnings() {
  const found = [];
  let cursor = null;
  do {
    const page = await get(`/v1/supervision/department-warnings?${new URLSearchParams(cursor ? { limit: "100", cursor } : { limit: "100" })}`);
    found.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor && found.length < 500);
  return found;
}

/** The worst level per case among warnings (red over yellow). */
export function worstByCase(warnings) {
  const worst = new Map();
  for (const w of warnings) {
    const caseId = subjectCase(w);
    if (caseId && worst.get(caseId) !== "red") worst.set(caseId, w.level);
  }
  return worst;
}

export function warningsTable(warnings, { withCase = true, extra = null } = {}) {
  if (!warnings.length) return h("p", {}, t("no_warnings"));
  const head = [t("level_label"), withCase ? t("subject") : null, t("limit_col"), t("deadline"), t("left_days"), extra ? t("issue_order") : null]
    .filter((c) => c !== null);
  return h("table", { class: "warnings" }, h("thead", {}, h("tr", {}, head.map((c) => h("th", { scope: "col" }, c)))),
    h("tbody", {}, warnings.map((w) => {
      const caseId = subjectCase(w);
      return h("tr", { "data-warning": `${w.limit_id}:${w.level}`, "data-subject": w.subject_id },
        h("td", {}, levelBadge(w.level)),
        withCase ? h("td", {}, caseId ? caseLink(caseId, w.label) : w.label, w.title ? h("br") : null, w.title ? h("span", { class: "meta" }, w.title) : null) : null,
        h("td", {}, limitName(w.name)), h("td", {}, w.due_on), h("td", {}, String(w.left_days)),
        extra ? h("td", {}, extra(w)) : null);
    })));
}

/** On the case page: this case's open warnings for my department (staff). */
export async function caseWarnings(caseId) {
  if (sessionKind() !== "staff") return null;
  const mine = (await departmentWarnings().catch(() => [])).filter((w) => subjectCase(w) === caseId);
  if (!mine.length) return null;
  return h("section", { class: "card", "aria-labelledby": "case-warnings-h" }, h("h2", { id: "case-warnings-h" }, t("warnings")),
    warningsTable(mine, { withCase: false }));
}

/** The joint tasks of a case: the lead (and applicant) see every co-department's; a co-department its own,
 * with its opinion form while the task is open. */
export function jointTasksSection(detail, rerender) {
  if (!detail.joint_tasks?.length) return null;
  const me = whoAmI();
  const mineOpen = sessionKind() === "staff" && me?.department_id && me.department_id !== detail.department_id
    ? detail.joint_tasks.find((task) => task.department_id === me.department_id && task.state === "open") : null;
  const rows = detail.joint_tasks.map((task) => h("tr", { "data-task": task.department_id, "data-task-state": task.state },
    h("td", {}, task.department_name ?? task.department_id), h("td", {}, t(`task_${task.state}`)),
    h("td", {}, task.due_on), h("td", {}, task.reason ?? "")));
  const table = h("table", {}, h("thead", {}, h("tr", {}, [t("co_department"), t("task_state"), t("deadline"), t("opinion_reason")].map((c) => h("th", { scope: "col" }, c)))),
    h("tbody", {}, rows));
  return h("section", { class: "card", "aria-labelledby": "joint-h" }, h("h2", { id: "joint-h" }, t("joint_tasks")),
    h("p", { class: "meta" }, `${t("lead_department")}: ${detail.department_name}`), table,
    mineOpen ? opinionForm(detail, rerender) : null);
}

function opinionForm(detail, rerender) {
  const reason = h("textarea", { rows: 2, maxlength: 500 });
  const give = (outcome) => async () => {
    try {
      await post(`/v1/cases/${encodeURIComponent(detail.case_id)}/joint-task`, { outcome, reason: reason.value });
      say("opinion-msg", locale() === "en" ? "Opinion given." : "意见已提交。", true);
      setTimeout(rerender, 300);
    } catch (problem) { placeProblem(problem, [["reason", "opinion-reason"]], "opinion-msg"); }
  };
  return h("div", { class: "opinion" }, h("h3", {}, t("opinion")), field("opinion-reason", t("opinion_reason"), reason),
    h("div", { class: "actions" },
      h("button", { type: "button", class: "primary", "data-opinion": "approved", onclick: give("approved") }, t("agree")),
      h("button", { type: "button", class: "secondary", "data-opinion": "denied", onclick: give("denied") }, t("disagree"))),
    actionMessage("opinion-msg"));
}

async function jointInbox() {
  if (!signedIn()) return needSignIn("nav_joint");
  const [data, warnings] = await Promise.all([get("/v1/joint-tasks?limit=50"), departmentWarnings().catch(() => [])]);
  const worst = worstByCase(warnings);
  return [h("h1", {}, t("nav_joint")), data.items.length
    ? h("table", {}, h("thead", {}, h("tr", {}, [t("case_no"), t("item_col"), t("state"), t("deadline"), t("warnings")].map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", {}, data.items.map((task) => h("tr", { "data-case": task.case_id },
        h("td", {}, caseLink(task.case_id, task.case_number)), h("td", {}, task.item_name), h("td", {}, task.state_name),
        h("td", {}, task.due_on), h("td", {}, worst.has(task.case_id) ? levelBadge(worst.get(task.case_id)) : "")))))
    : h("p", {}, t("no_tasks"))];
}

function orderSummary(order) {
  const caseId = subjectCase(order);
  return [h("h2", {}, caseId ? caseLink(caseId, order.label) : order.label, order.title ? ` · ${order.title}` : ""),
    h("p", {}, `${t("order_reason")}: ${order.reason}`),
    h("p", { class: "meta" }, `${t("order_state")}: `, h("strong", { "data-order-state": order.state }, t(`order_${order.state}`)),
      ` · ${t("deadline")} ${order.due_on} · ${t("level_label")} ${order.level}`),
    order.reply ? h("p", {}, `${t("action_taken")}: ${order.reply.action_taken}${order.reply.done_by ? ` (${order.reply.done_by})` : ""}`) : null];
}
export { orderSummary };

function replyForm(order) {
  const id = `reply-${order.order_id}`;
  const text = h("textarea", { rows: 2, maxlength: 1000 });
  const doneBy = h("input", { type: "date" });
  const form = h("form", { onsubmit: async (event) => {
    event.preventDefault();
    try {
      const body = { action_taken: text.value, done_by: doneBy.value || null };
      const answered = await post(`/v1/supervision/orders/${encodeURIComponent(order.order_id)}/reply`, body);
      form.replaceChildren(h("p", { class: "ok", role: "status" }, `${t("replied")} ${t(`order_${answered.state}`)}`));
    } catch (problem) { placeProblem(problem, [["action_taken", `${id}-text`], ["done_by", `${id}-date`]], `${id}-msg`); }
  } }, field(`${id}-text`, t("action_taken"), text), field(`${id}-date`, t("done_by"), doneBy),
  h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, t("reply"))), actionMessage(`${id}-msg`));
  return form;
}

async function departmentOrders() {
  if (!signedIn()) return needSignIn("nav_dept_orders");
  const data = await get("/v1/supervision/department-orders?limit=50");
  return [h("h1", {}, t("nav_dept_orders")), data.items.length
    ? h("ul", { class: "plain" }, data.items.map((order) => h("li", { class: "card", "data-order": order.order_id },
      ...orderSummary(order), order.state === "open" ? replyForm(order) : null)))
    : h("p", {}, t("no_orders_here"))];
}

export const routes = [
  { path: /^\/joint-tasks$/, view: jointInbox },
  { path: /^\/dept-orders$/, view: departmentOrders },
];
