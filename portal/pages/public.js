// Public pages without sign-in: the exposure column (曝光台: rectified 差评 as the ratings context publishes
// them, anonymised) with each department's rating counts, and the monthly operation reports with their charts
// (the reports context's own SVG, shown as images: the page, the PDF and the open data stay one click away).
import { API_BASE, get } from "../api.js";
import { h } from "../dom.js";
import { locale, t } from "../i18n.js";
import { LEVELS } from "./feedback.js";

export const nav = [
  { href: "#/exposure", label: "nav_exposure", for: ["public", "citizen"] },
  { href: "#/reports", label: "nav_reports", for: ["public", "citizen", "supervisor"] },
];

const row = (label, value) => h("tr", {}, h("th", { scope: "row" }, label), h("td", {}, value ?? "—"));
const thisMonth = () => new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 7); // Asia/Shanghai

async function exposure({ params }) {
  const month = params.get("month") ?? thisMonth();
  const [column, counts] = await Promise.all([get("/v1/exposure?limit=20"), get(`/v1/exposure/counts?${new URLSearchParams({ month, limit: "50" })}`)]);
  const entries = column.items.map((e) => h("li", { class: "card", "data-exposure": e.order_id },
    h("h2", {}, e.title, h("span", { class: "badge red" }, e.level_name)),
    h("table", {}, h("tbody", {},
      row(t("month"), e.month), row(t("department"), e.department_id), row(t("reasons"), e.reasons.join("、")),
      e.rating_text ? row(t("rating_text"), e.rating_text) : null, row(t("measures"), e.measures), row(t("answer"), e.answer),
      row(t("outcome"), e.outcome), row(t("rectified_on_time"), e.answered_on_time === null ? null : t(e.answered_on_time ? "yes" : "no"))))));
  const levelName = (level) => { const entry = LEVELS.find((e) => e[0] === level); return entry ? (locale() === "en" ? entry[2] : entry[1]) : level; };
  const levels = (counted) => Object.entries(counted).map(([level, n]) => `${levelName(level)} ${n}`).join("，") || "—";
  return [h("h1", {}, t("exposure_title")),
    entries.length ? h("ul", { class: "plain" }, entries) : h("p", {}, t("no_results")),
    h("section", { "aria-labelledby": "counts-h" }, h("h2", { id: "counts-h" }, `${t("exposure_counts")} · ${counts.month}`),
      counts.items.length ? h("table", {}, h("thead", {}, h("tr", {}, [t("department"), t("rating_levels"), t("satisfaction_rate"), t("rectified_on_time"), t("rectified_late")].map((c) => h("th", { scope: "col" }, c)))),
        h("tbody", {}, counts.items.map((c) => h("tr", {}, h("td", {}, c.department_id), h("td", {}, levels(c.levels)),
          h("td", {}, c.satisfaction_rate === null ? "—" : `${Math.round(c.satisfaction_rate * 1000) / 10}%`),
          h("td", {}, String(c.rectified_on_time)), h("td", {}, String(c.rectified_late))))))
        : h("p", {}, t("no_results")))];
}

const fileUrl = (path) => `${API_BASE}${path}`;

/** The report page's charts: its inline SVGs, each shown as an image under its section's title. The page is
 * parsed, never inserted: nothing of it runs here, and the portal's CSP stays as it is. */
async function charts(entry) {
  const response = await fetch(fileUrl(entry.html), { headers: { "Accept-Language": locale() } });
  if (!response.ok) return null;
  const page = new DOMParser().parseFromString(await response.text(), "text/html");
  const figures = [...page.querySelectorAll("section")].filter((s) => s.querySelector("figure svg")).map((section) => {
    const title = section.querySelector("h2")?.textContent ?? "";
    const svg = new XMLSerializer().serializeToString(section.querySelector("figure svg"));
    const src = URL.createObjectURL(new Blob([svg], { type: "image/svg+xml" }));
    const csv = section.querySelector("a[href$='.csv']")?.getAttribute("href");
    return h("figure", { class: "chart" }, h("img", { src, alt: title, "data-chart": title }),
      h("figcaption", {}, title, csv ? [" · ", h("a", { href: fileUrl(entry.html.replace(/report\.html$/, csv)) }, `CSV`)] : null));
  });
  return figures;
}

async function reports({ params }) {
  const query = new URLSearchParams({ limit: "50" });
  if (params.get("month")) query.set("month", params.get("month"));
  const data = await get(`/v1/reports?${query}`);
  if (!data.items.length) return [h("h1", {}, t("nav_reports")), h("p", {}, t("no_reports"))];
  const chosen = data.items.find((e) => e.region_code === params.get("region")) ?? data.items[0];
  const shown = await charts(chosen).catch(() => null);
  return [h("h1", {}, `${t("nav_reports")} · ${chosen.month}`),
    h("ul", { class: "reports" }, data.items.map((e) => h("li", { "data-region": e.region_code },
      h("a", { href: `#/reports?${new URLSearchParams({ region: e.region_code, month: e.month })}`, "aria-current": e === chosen ? "page" : null }, `${e.region_code}`),
      " · ", h("a", { href: fileUrl(e.html), target: "_blank", rel: "noopener" }, t("report_page")),
      " · ", h("a", { href: fileUrl(e.pdf), target: "_blank", rel: "noopener" }, t("report_pdf")),
      " · ", h("a", { href: fileUrl(e.json_url), target: "_blank", rel: "noopener" }, "JSON")))),
    h("section", { class: "card", "aria-labelledby": "charts-h" }, h("h2", { id: "charts-h" }, `${t("charts")} · ${chosen.region_code}`),
      shown?.length ? shown : h("p", {}, t("no_results")))];
}

export const routes = [
  { path: /^\/exposure$/, view: exposure },
  { path: /^\/reports$/, view: reports },
];
