// Rating a finished case or ticket (好差评, C27) and opening a 12345 ticket (C28) for signed-in citizens.
import { get, post, signedIn } from "../api.js";
import { actionMessage, field, h, placeProblem, say, showError } from "../dom.js";
import { locale, t } from "../i18n.js";

export const nav = [
  { href: "#/ratings", label: "nav_ratings", for: ["citizen"] },
  { href: "#/hotline", label: "nav_hotline", for: ["citizen"] },
];

export const LEVELS = [
  ["very_satisfied", "非常满意", "Very satisfied"], ["satisfied", "满意", "Satisfied"],
  ["basically_satisfied", "基本满意", "Basically satisfied"], ["dissatisfied", "不满意", "Dissatisfied"],
  ["very_dissatisfied", "非常不满意", "Very dissatisfied"],
];
const TYPES = [
  ["consultation", "咨询", "Question"], ["help", "求助", "Help"], ["complaint", "投诉", "Complaint"],
  ["report", "举报", "Report"], ["suggestion", "建议", "Suggestion"],
];
const named = ([, zh, en]) => (locale() === "en" ? en : zh);

function rateForm(invitation) {
  const key = `${invitation.target_kind}-${invitation.target_id}`;
  const level = h("fieldset", { id: `level-${key}`, "aria-describedby": `level-${key}-error` },
    h("legend", {}, t("rating_level")),
    LEVELS.map((entry) => h("label", { class: "check" }, h("input", { type: "radio", name: `level-${key}`, value: entry[0] }), ` ${named(entry)}`)),
    h("p", { class: "error", id: `level-${key}-error`, role: "alert", hidden: true }));
  const text = h("textarea", { rows: 2, maxlength: 500 });
  return h("li", { class: "card", "data-invitation": invitation.target_id },
    h("h2", {}, invitation.title), h("p", { class: "meta" }, invitation.label),
    h("form", { "aria-label": `${t("rate")} ${invitation.label}`, onsubmit: async (event) => {
      event.preventDefault();
      const form = event.currentTarget;
      const chosen = form.querySelector(`input[name="level-${key}"]:checked`)?.value;
      try {
        await post("/v1/ratings", { target_kind: invitation.target_kind, target_id: invitation.target_id, level: chosen ?? "", text: text.value || null, channel: "web" });
        showError(`level-${key}`, null);
        form.replaceChildren(h("p", { class: "ok", role: "status" }, t("rated")));
      } catch (problem) { placeProblem(problem, [["level", `level-${key}`], ["text", `text-${key}`]], `rate-${key}-msg`); }
    } }, level, field(`text-${key}`, t("rating_text"), text),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, t("rate"))), actionMessage(`rate-${key}-msg`)));
}

async function ratings() {
  if (!signedIn()) return [h("h1", {}, t("nav_ratings")), h("p", {}, t("must_sign_in"))];
  const [open, given] = await Promise.all([get("/v1/me/rating-invitations"), get("/v1/me/ratings")]);
  return [h("h1", {}, t("nav_ratings")),
    h("section", { "aria-labelledby": "to-rate-h" }, h("h2", { id: "to-rate-h" }, t("to_rate")),
      open.items.length ? h("ul", { class: "plain" }, open.items.map(rateForm)) : h("p", {}, t("nothing_to_rate"))),
    h("section", { "aria-labelledby": "rated-h" }, h("h2", { id: "rated-h" }, t("my_ratings")),
      given.items.length ? h("ul", {}, given.items.map((r) => h("li", {}, `${r.title} · ${r.label} · ${r.level_name}`))) : h("p", {}, t("no_results")))];
}

function flatten(categories) { return categories.flatMap((c) => [c, ...(c.children ?? []).map((child) => ({ ...child, name: `${c.name} / ${child.name}` }))]); }

async function hotline() {
  if (!signedIn()) return [h("h1", {}, t("nav_hotline")), h("p", {}, t("must_sign_in"))];
  const [categories, mine] = await Promise.all([get("/v1/hotline/categories"), get("/v1/hotline/my-tickets")]);
  const type = h("select", {}, TYPES.map((entry) => h("option", { value: entry[0] }, named(entry))));
  const category = h("select", {}, h("option", { value: "" }, "—"), flatten(categories.items).map((c) => h("option", { value: c.code }, c.name)));
  const region = h("select", {}, [["320100", "南京市"], ["320102", "玄武区"], ["320115", "江宁区"], ["320500", "苏州市"]].map(([code, name]) => h("option", { value: code }, name)));
  const address = h("input", { type: "text", maxlength: 200 });
  const text = h("textarea", { rows: 4 });
  const fields = [["type", "t-type"], ["category_code", "t-category"], ["region_code", "t-region"], ["address", "t-address"], ["text", "t-text"]];
  const form = h("form", { "aria-labelledby": "ticket-h", onsubmit: async (event) => {
    event.preventDefault();
    try {
      const ticket = await post("/v1/hotline/tickets", {
        type: type.value, category_code: category.value, text: text.value, channel: "web",
        location: { region_code: region.value, address: address.value || null },
      }, { idempotencyKey: `portal-ticket-${crypto.randomUUID()}` });
      fields.forEach(([, id]) => showError(id, null));
      say("ticket-msg", `${t("ticket_opened")} ${ticket.number} · ${ticket.state_name}`, true);
    } catch (problem) { placeProblem(problem, fields, "ticket-msg"); }
  } }, h("h2", { id: "ticket-h" }, t("new_ticket")),
  field("t-type", t("ticket_type"), type), field("t-category", t("ticket_category"), category), field("t-region", t("region_label"), region),
  field("t-address", t("ticket_address"), address), field("t-text", t("ticket_text"), text),
  h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, t("submit"))), actionMessage("ticket-msg"));
  return [h("h1", {}, t("nav_hotline")), h("section", { class: "card" }, form),
    h("section", { "aria-labelledby": "my-tickets-h" }, h("h2", { id: "my-tickets-h" }, t("my_tickets")),
      mine.items.length ? h("ul", {}, mine.items.map((k) => h("li", {}, `${k.number} · ${named(TYPES.find((e) => e[0] === k.type) ?? [k.type, k.type, k.type])} · ${k.category_name} · ${k.state_name}`))) : h("p", {}, t("no_results")))];
}

export const routes = [
  { path: /^\/ratings$/, view: ratings },
  { path: /^\/hotline$/, view: hotline },
];
