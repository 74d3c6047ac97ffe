// Public licence verification by identifier (C11); my licences for citizens.
import { get, post, signedIn } from "../api.js";
import { actionMessage, field, h, say, showError } from "../dom.js";
import { locale, t } from "../i18n.js";

export const nav = [
  { href: "#/licences", label: "nav_licences", for: ["citizen"] },
  { href: "#/verify", label: "nav_verify", for: ["public", "citizen", "staff"] },
];

async function verify({ params }) {
  const input = h("input", { type: "text", value: params.get("id") ?? "", spellcheck: "false" });
  const out = h("div", { id: "verify-result", "aria-live": "polite" });
  const form = h("form", { onsubmit: async (event) => {
    event.preventDefault();
    try {
      const result = await post("/v1/licences/verify", { identifier: input.value.trim() });
      showError("identifier", null); say("verify-msg", "");
      out.replaceChildren(h("div", { class: result.result === "valid" ? "ok" : "notice" },
        h("h2", {}, `${t("result")}: `, h("strong", { "data-result": result.result }, result.result)),
        result.licence ? h("p", {}, `${result.licence.name ?? result.licence.licence_type_name ?? ""} · ${t("holder")}: ${result.licence.holder_name ?? ""}`) : null));
    } catch (problem) {
      const message = problem.forField("identifier");
      showError("identifier", message);
      say("verify-msg", message ? "" : problem.message);
    }
  } }, field("identifier", t("identifier"), input), h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, t("verify"))), actionMessage("verify-msg"));
  return [h("h1", {}, t("verify_title")), form, out];
}

async function mine() {
  if (!signedIn()) return [h("h1", {}, t("nav_licences")), h("p", {}, t("must_sign_in"))];
  const data = await get("/v1/me/licences");
  return [h("h1", {}, t("nav_licences")), data.items.length ? h("ul", {}, data.items.map((l) => h("li", { class: "card" },
    h("h2", {}, l.name ?? l.licence_type_name ?? l.licence_id),
    h("p", { class: "meta" }, l.identifier ?? ""),
    h("a", { href: `#/verify?id=${encodeURIComponent(l.identifier ?? "")}` }, t("verify"))))) : h("p", {}, locale() === "en" ? "No licences yet." : "暂无证照。")];
}

export const routes = [
  { path: /^\/verify$/, view: verify },
  { path: /^\/licences$/, view: mine },
];
