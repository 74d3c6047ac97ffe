// The router: each context contributes a page module and its navigation entries; adding a context's
// page is one import and one line in `pages` (D-150).
import { signedIn, sessionKind, signOut } from "./api.js";
import { h } from "./dom.js";
import { locale, setLocale, t } from "./i18n.js";
import * as catalog from "./pages/catalog.js";
import * as auth from "./pages/auth.js";
import * as cases from "./pages/cases.js";
import * as licences from "./pages/licences.js";
import * as payments from "./pages/payments.js";
import * as messages from "./pages/messages.js";
import * as feedback from "./pages/feedback.js";
import * as work from "./pages/work.js";
import * as supervision from "./pages/supervision.js";
import * as publicPages from "./pages/public.js";

const pages = [catalog, auth, cases, work, supervision, payments, licences, messages, feedback, publicPages];
const routes = pages.flatMap((page) => page.routes);

function navigation() {
  const who = signedIn() ? sessionKind() : "public";
  const links = pages
    .flatMap((page) => page.nav ?? [])
    .filter((entry) => entry.for.includes(who))
    .map((entry) => h("a", { href: entry.href }, t(entry.label)));
  if (signedIn()) {
    links.push(h("a", { href: "#/", onclick: () => { signOut(); } }, t("nav_sign_out")));
  } else {
    links.push(h("a", { href: "#/sign-in" }, t("nav_sign_in")));
  }
  document.getElementById("nav").replaceChildren(...links);
  document.querySelector(".brand").textContent = t("brand");
  document.querySelector(".skip").textContent = t("skip");
  document.getElementById("foot").textContent = t("foot");
  const toggle = document.getElementById("lang");
  toggle.textContent = t("other");
  toggle.lang = locale() === "en" ? "zh-CN" : "en";
}

let generation = 0;

export async function render() {
  // A slow page must not overwrite the one the user moved on to.
  const mine = ++generation;
  const [path, query = ""] = (location.hash.slice(1) || "/").split("?");
  const params = new URLSearchParams(query);
  navigation();
  const main = document.getElementById("main");
  for (const route of routes) {
    const match = route.path.exec(path);
    if (!match) continue;
    main.replaceChildren(h("p", {}, t("loading")));
    try {
      const view = await route.view({ args: match.slice(1).map(decodeURIComponent), params });
      if (mine !== generation) return;
      main.replaceChildren(...[view].flat().filter((node) => node !== null && node !== undefined));
    } catch (problem) {
      if (mine !== generation) return;
      // Never a stack: the API's own message, or a plain sentence.
      main.replaceChildren(h("p", { class: "error", role: "alert" }, problem.message ?? String(problem)));
    }
    const heading = main.querySelector("h1");
    document.title = heading ? `${heading.textContent} · ${t("brand")}` : t("brand");
    return;
  }
  main.replaceChildren(h("h1", {}, t("not_found")));
}

export function go(hash) {
  if (location.hash === hash) render(); else location.hash = hash;
}

document.getElementById("lang").addEventListener("click", () => {
  setLocale(locale() === "en" ? "zh" : "en");
  render();
});
window.addEventListener("hashchange", render);
setLocale(new URLSearchParams(location.search).get("lang") ?? "zh");
render();
