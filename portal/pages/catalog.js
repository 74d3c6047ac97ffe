// The service catalogue: search, an item's guide, the 不见面 lists (public).
import { get, itemDetail, signedIn } from "../api.js";
import { field, h, yuan } from "../dom.js";
import { t } from "../i18n.js";

export const nav = [
  { href: "#/", label: "nav_search", for: ["public", "citizen", "staff", "supervisor"] },
  { href: "#/lists", label: "nav_lists", for: ["public", "citizen"] },
];

const REGIONS = [["320000", "江苏省"], ["320100", "南京市"], ["320102", "玄武区"], ["320115", "江宁区"], ["320500", "苏州市"]];

async function search({ params }) {
  const q = params.get("q") ?? "";
  const region = params.get("region") ?? "320000";
  const input = h("input", { type: "search", name: "q", value: q });
  const select = h("select", { name: "region" }, REGIONS.map(([code, name]) => h("option", { value: code, selected: code === region }, name)));
  const form = h("form", { class: "search", role: "search", onsubmit: (event) => {
    event.preventDefault();
    location.hash = `#/?${new URLSearchParams({ q: input.value, region: select.value })}`;
  } }, field("q", t("search_label"), input), field("region", t("region_label"), select), h("button", { class: "primary", type: "submit" }, t("search_go")));
  const query = new URLSearchParams({ region, limit: "20" });
  if (q) query.set("q", q);
  const found = await get(`/v1/items?${query}`);
  const list = found.items.length
    ? h("ul", { class: "plain" }, found.items.map(summary))
    : h("p", {}, t("no_results"));
  return [h("h1", {}, t("search_title")), form, h("h2", { class: "meta" }, `${found.items.length}`), list];
}

function summary(item) {
  return h("li", { class: "card" },
    h("h3", {}, h("a", { href: `#/item/${encodeURIComponent(item.implementation_code)}` }, item.name),
      item.channel === "no_visit" ? h("span", { class: "badge" }, t("no_visit")) : null),
    h("p", { class: "meta" }, `${item.department_name} · ${t("promised_limit")} ${item.promised_limit_days} ${t("days")} · ${item.fee_total_fen ? yuan(item.fee_total_fen) : t("free")}`));
}

async function item({ args: [code] }) {
  const it = await itemDetail(code, { fresh: true }); // the guide is always current; the apply page reuses it
  const apply = signedIn()
    ? h("a", { class: "btn", href: `#/apply/${encodeURIComponent(code)}` }, t("apply"))
    : h("a", { class: "btn", href: `#/sign-in?next=${encodeURIComponent(`#/apply/${code}`)}` }, t("sign_in_to_apply"));
  return [
    h("h1", {}, it.name, it.channel === "no_visit" ? h("span", { class: "badge" }, t("no_visit")) : null),
    h("div", { class: "cols" },
      h("section", { class: "card", "aria-labelledby": "guide-h" },
        h("h2", { id: "guide-h" }, t("guide")),
        h("table", {}, h("tbody", {},
          row(t("department"), it.department_name),
          row(t("legal_limit"), `${it.legal_limit_days} ${t("days")}`),
          row(t("promised_limit"), `${it.promised_limit_days} ${t("days")}`),
          row(t("fees"), it.fees?.length ? it.fees.map((f) => `${f.name} ${yuan(f.amount_fen)}`).join("；") : t("free")),
          row(t("basis"), it.legal_basis))),
        h("h2", {}, t("materials")),
        h("ul", {}, (it.materials ?? []).map((m) => h("li", {}, m.name, " ", h("span", { class: "meta" }, m.requirement === "required" ? t("required") : `${t("conditional")}: ${m.condition ?? ""}`))))),
      h("aside", { class: "card", "aria-labelledby": "halls-h" },
        h("h2", { id: "halls-h" }, t("halls")),
        (it.halls ?? []).map((hall) => h("p", {}, h("strong", {}, hall.name), h("br"), hall.address, h("br"), h("span", { class: "meta" }, hall.hours))),
        h("div", { class: "actions" }, apply))),
  ];
}

function row(label, value) { return h("tr", {}, h("th", { scope: "row" }, label), h("td", {}, value ?? "")); }

async function lists({ params }) {
  const region = params.get("region") ?? "320100";
  const data = await get(`/v1/regions/${encodeURIComponent(region)}/lists/no_visit`);
  const section = (key, items) => h("section", { "aria-labelledby": `${key}-h` }, h("h2", { id: `${key}-h` }, t(key)),
    items?.length ? h("ul", {}, items.map(summary)) : h("p", {}, t("no_results")));
  return [h("h1", {}, t("lists_title")), section("no_visit", data.no_visit ?? data.items), data.visit_once ? section("visit_once", data.visit_once) : null];
}

export const routes = [
  { path: /^\/$/, view: search },
  { path: /^\/item\/([^/]+)$/, view: item },
  { path: /^\/lists$/, view: lists },
];
