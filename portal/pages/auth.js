// Sign-in: citizens with a one-time code, staff with password then code (C5, C9).
import { get, post, setKind, setTokens, setWho } from "../api.js";
import { actionMessage, field, h, placeProblem, say, showError } from "../dom.js";
import { t } from "../i18n.js";

export const nav = [];

function after(params, fallback) {
  const next = params.get("next");
  // Only in-portal destinations: a crafted link cannot send the user elsewhere.
  location.hash = next && next.startsWith("#/") ? next : fallback;
}

function problemAt(problem, fields, actionId) {
  placeProblem(problem, fields.map((name) => [name, name]), actionId);
}

function citizenForm(params) {
  const phone = h("input", { type: "tel", name: "phone", autocomplete: "tel", inputmode: "numeric" });
  const code = h("input", { type: "text", name: "code", autocomplete: "one-time-code", inputmode: "numeric" });
  const send = h("button", { type: "button", class: "secondary", onclick: async () => {
    try { await post("/v1/auth/otp", { phone: phone.value, purpose: "sign_in" }); showError("phone", null); say("send-msg", t("code_sent"), true); }
    catch (problem) { problemAt(problem, ["phone"], "send-msg"); }
  } }, t("send_code"));
  return h("form", { "aria-labelledby": "citizen-h", onsubmit: async (event) => {
    event.preventDefault();
    try {
      setTokens(await post("/v1/auth/sign-in", { phone: phone.value, code: code.value }), "citizen");
      setWho(await get("/v1/me"));
      after(params, "#/cases");
    } catch (problem) { problemAt(problem, ["phone", "code"], "citizen-msg"); }
  } },
  h("h2", { id: "citizen-h" }, t("citizen")),
  field("phone", t("phone"), phone), h("div", { class: "actions" }, send), actionMessage("send-msg"),
  field("code", t("code"), code),
  h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, t("sign_in"))), actionMessage("citizen-msg"));
}

function staffForm(params) {
  const login = h("input", { type: "text", name: "login", autocomplete: "username" });
  const password = h("input", { type: "password", name: "password", autocomplete: "current-password" });
  const code = h("input", { type: "text", name: "staff-code", autocomplete: "one-time-code", inputmode: "numeric" });
  let challenge = null;
  return h("form", { "aria-labelledby": "staff-h", onsubmit: async (event) => {
    event.preventDefault();
    try {
      if (!challenge) {
        challenge = (await post("/v1/auth/staff/sign-in", { login: login.value, password: password.value })).challenge_id;
        say("staff-msg", t("code_sent"), true);
        code.focus();
        return;
      }
      setTokens(await post("/v1/auth/staff/sign-in/verify", { challenge_id: challenge, code: code.value }), "staff");
      // supervisors share the staff sign-in; their pages differ (the role is the token's, /v1/me says it)
      const who = await get("/v1/me");
      setWho(who);
      if (who.role === "supervisor") setKind("supervisor");
      after(params, who.role === "supervisor" ? "#/warnings" : "#/queue");
    } catch (problem) { problemAt(problem, ["login", "password", "staff-code"], "staff-msg"); }
  } },
  h("h2", { id: "staff-h" }, t("staff")),
  field("login", t("login"), login), field("password", t("password"), password), field("staff-code", t("code"), code),
  h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, t("next"))), actionMessage("staff-msg"));
}

async function signIn({ params }) {
  return [h("h1", {}, t("sign_in_title")), h("div", { class: "cols" }, h("div", { class: "card" }, citizenForm(params)), h("div", { class: "card" }, staffForm(params)))];
}

export const routes = [{ path: /^\/sign-in$/, view: signIn }];
