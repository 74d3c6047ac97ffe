// Supervisors (效能监察, C26): the region's warnings with a supervision order from any of them, extension
// requests to approve or reject, the orders of the region to close or escalate, and the live figures.
import { get, post, signedIn } from "../api.js";
import { actionMessage, field, h, placeProblem } from "../dom.js";
import { locale, t } from "../i18n.js";
import { caseLink, levelBadge, needSignIn, orderSummary, warningsTable } from "./work.js";

export const nav = [
  { href: "#/warnings", label: "nav_warnings", for: ["supervisor"] },
  { href: "#/extensions", label: "nav_extensions", for: ["supervisor"] },
  { href: "#/orders", label: "nav_orders", for: ["supervisor"] },
  { href: "#/monitoring", label: "nav_monitoring", for: ["supervisor"] },
];

const ORDERABLE = ["case", "joint_task", "ticket", "rectification"];

/** 督办: a reason and a reply limit on one subject (a case, a joint task, a ticket, a rectification). */
export function orderForm(subjectKind, subjectId, key) {
  const id = `order-${key}`;
  const reason = h("textarea", { rows: 2, maxlength: 500 });
  const days = h("input", { type: "number", min: 1, max: 30, value: 3, inputmode: "numeric" });
  const form = h("form", { class: "order-form", "data-subject": subjectId, onsubmit: async (event) => {
    event.preventDefault();
    try {
      const order = await post("/v1/supervision/orders",
        { subject_kind: subjectKind, subject_id: subjectId, reason: reason.value, reply_days: Number(days.value) });
      form.replaceChildren(h("p", { class: "ok", role: "status", "data-order": order.order_id }, `${t("order_issued")} ${t("deadline")} ${order.due_on}`));
    } catch (problem) { placeProblem(problem, [["reason", `${id}-reason`], ["reply_days", `${id}-days`]], `${id}-msg`); }
  } }, field(`${id}-reason`, t("order_reason"), reason), field(`${id}-days`, t("order_days"), days),
  h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, t("issue_order"))), actionMessage(`${id}-msg`));
  return form;
}

/** A disclosure per row: the form opens only when the supervisor asks for it (keyboard: Enter on summary). */
function pressRow(warning) {
  if (!ORDERABLE.includes(warning.subject_kind)) return "";
  return h("details", {}, h("summary", {}, t("issue_order")), orderForm(warning.subject_kind, warning.subject_id, `${warning.limit_id}-${warning.level}`.replace(/[^A-Za-z0-9_-]/g, "_")));
}

async function warnings({ params }) {
  if (!signedIn()) return needSignIn("nav_warnings");
  const level = params.get("level") ?? "";
  const query = new URLSearchParams({ limit: "50" });
  if (level) query.set("level", level);
  const data = await get(`/v1/supervision/warnings?${query}`);
  const select = h("select", { name: "level" }, [["", "—"], ["red", t("level_red")], ["yellow", t("level_yellow")]]
    .map(([value, name]) => h("option", { value, selected: value === level }, name)));
  const filter = h("form", { class: "search", onsubmit: (event) => {
    event.preventDefault();
    location.hash = `#/warnings?${new URLSearchParams(select.value ? { level: select.value } : {})}`;
  } }, field("w-level", t("level_label"), select), h("button", { type: "submit", class: "primary" }, t("search_go")));
  return [h("h1", {}, t("nav_warnings")), filter, warningsTable(data.items, { extra: pressRow })];
}

function extensionCard(entry) {
  const id = `ext-${entry.case_id}`;
  const reason = h("textarea", { rows: 2, maxlength: 500 });
  const act = (path, body, done) => async () => {
    try {
      await post(`/v1/cases/${encodeURIComponent(entry.case_id)}/${path}`, body());
      controls.replaceChildren(h("p", { class: "ok", role: "status" }, t(done)));
    } catch (problem) { placeProblem(problem, [["reason", `${id}-reason`]], `${id}-msg`); }
  };
  const controls = h("div", {}, field(`${id}-reason`, t("extension_reason"), reason),
    h("div", { class: "actions" },
      h("button", { type: "button", class: "primary", "data-approve": entry.case_id, onclick: act("extend", () => (reason.value ? { reason: reason.value } : {}), "approved_ok") }, t("approve")),
      h("button", { type: "button", class: "secondary", "data-reject": entry.case_id, onclick: act("extension-request/reject", () => ({ reason: reason.value }), "rejected_ok") }, t("reject"))),
    actionMessage(`${id}-msg`));
  return h("li", { class: "card", "data-case": entry.case_id },
    h("h2", {}, caseLink(entry.case_id, entry.case_number), ` · ${entry.item_name}`),
    h("p", {}, `${t("request_reason")}: ${entry.reason}`),
    h("p", { class: "meta" }, `${t("limit_legal")} ${entry.legal_due_on} · ${t("extension_days")} +${entry.working_days}`),
    controls);
}

async function extensions() {
  if (!signedIn()) return needSignIn("nav_extensions");
  const data = await get("/v1/supervision/extension-requests?limit=50");
  return [h("h1", {}, t("nav_extensions")), data.items.length ? h("ul", { class: "plain" }, data.items.map(extensionCard)) : h("p", {}, t("no_extensions"))];
}

function closeForm(order) {
  const id = `close-${order.order_id}`;
  const outcome = h("select", {}, [["satisfied", t("satisfied")], ["escalate", t("escalate")]].map(([value, name]) => h("option", { value }, name)));
  const note = h("textarea", { rows: 2, maxlength: 500 });
  const form = h("form", { onsubmit: async (event) => {
    event.preventDefault();
    try {
      const closed = await post(`/v1/supervision/orders/${encodeURIComponent(order.order_id)}/close`, { outcome: outcome.value, note: note.value });
      form.replaceChildren(h("p", { class: "ok", role: "status" }, `${t("closed_ok")} ${t(`order_${closed.state}`)}`));
    } catch (problem) { placeProblem(problem, [["outcome", `${id}-outcome`], ["note", `${id}-note`]], `${id}-msg`); }
  } }, field(`${id}-outcome`, t("close_outcome"), outcome), field(`${id}-note`, t("close_note"), note),
  h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, t("close"))), actionMessage(`${id}-msg`));
  return form;
}

async function orders({ params }) {
  if (!signedIn()) return needSignIn("nav_orders");
  const state = params.get("state") ?? "";
  const data = await get(`/v1/supervision/orders?${new URLSearchParams(state ? { state, limit: "50" } : { limit: "50" })}`);
  return [h("h1", {}, t("nav_orders")), data.items.length
    ? h("ul", { class: "plain" }, data.items.map((order) => h("li", { class: "card", "data-order": order.order_id },
      ...orderSummary(order), order.state === "closed" ? null : closeForm(order))))
    : h("p", {}, t("no_orders_here"))];
}

const pct = (rate) => (rate === null || rate === undefined ? "—" : `${Math.round(rate * 1000) / 10}%`);
const FIGURES = [
  ["open_cases", (f) => f.open], ["suspended", (f) => f.suspended], ["overdue_promised", (f) => f.overdue_promised],
  ["overdue_legal", (f) => f.overdue_legal], ["level_yellow", (f) => f.warnings_open_yellow], ["level_red", (f) => f.warnings_open_red],
  ["orders_open", (f) => f.orders_open], ["orders_overdue", (f) => f.orders_overdue],
];
const PERIOD = [["received", (p) => p.received], ["decided", (p) => p.decided], ["on_time_rate", (p) => pct(p.on_time_rate_legal)], ["no_visit_share", (p) => pct(p.no_visit_share)]];

async function monitoring({ params }) {
  if (!signedIn()) return needSignIn("nav_monitoring");
  const region = params.get("region") ?? "";
  const view = await get(`/v1/supervision/monitoring${region ? `?${new URLSearchParams({ region_code: region })}` : ""}`);
  const total = view.total;
  const th = (c) => h("th", { scope: "col" }, c);
  return [h("h1", {}, `${t("nav_monitoring")} · ${view.region_name ?? view.region_code}`),
    h("p", { class: "meta" }, `${view.as_of} · ${t("month")} ${view.month}`),
    h("section", { class: "card", "aria-labelledby": "now-h" }, h("h2", { id: "now-h" }, t("figures")),
      h("table", { id: "figures" }, h("tbody", {},
        FIGURES.map(([key, read]) => h("tr", {}, h("th", { scope: "row" }, t(key)), h("td", { "data-figure": key }, String(read(total))))),
        PERIOD.map(([key, read]) => h("tr", {}, h("th", { scope: "row" }, `${t(key)}（${t("today")} / ${t("this_month")}）`),
          h("td", {}, `${read(total.today)} / ${read(total.month)}`)))))),
    view.sub_regions?.length ? h("section", { class: "card", "aria-labelledby": "subs-h" }, h("h2", { id: "subs-h" }, t("sub_regions")),
      h("table", {}, h("thead", {}, h("tr", {}, [t("region"), t("open_cases"), t("overdue_legal"), t("level_red"), t("on_time_rate")].map(th))),
        h("tbody", {}, view.sub_regions.map((r) => h("tr", {},
          h("td", {}, h("a", { href: `#/monitoring?region=${encodeURIComponent(r.region_code)}` }, r.region_name ?? r.region_code)),
          h("td", {}, String(r.figures.open)), h("td", {}, String(r.figures.overdue_legal)),
          h("td", {}, r.figures.warnings_open_red ? levelBadge("red") : "0", r.figures.warnings_open_red ? ` ${r.figures.warnings_open_red}` : ""),
          h("td", {}, pct(r.figures.month.on_time_rate_legal))))))) : null,
    h("p", { class: "meta" }, locale() === "en" ? "Kept from events as they happen (D-125)." : "指标由办件事件实时累计。")];
}

export const routes = [
  { path: /^\/warnings$/, view: warnings },
  { path: /^\/extensions$/, view: extensions },
  { path: /^\/orders$/, view: orders },
  { path: /^\/monitoring$/, view: monitoring },
];
