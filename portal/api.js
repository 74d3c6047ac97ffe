// The API client: same origin by default (the local gateway serves both), tokens kept in memory only
// (D-151): a reload signs the user out, nothing readable by script outlives the tab.
import { locale } from "./i18n.js";

const config = globalThis.JSZW_PORTAL ?? {};
export const API_BASE = config.apiBase ?? "";

const session = { access: null, refresh: null, who: null, kind: null };

export function signedIn() { return session.access !== null; }
export function whoAmI() { return session.who; }
export function sessionKind() { return session.kind; }
export function setTokens(tokens, kind) {
  session.access = tokens.access_token;
  session.refresh = tokens.refresh_token ?? null;
  session.kind = kind;
}
export function setWho(who) { session.who = who; }
export function setKind(kind) { session.kind = kind; }
export function signOut() { session.access = session.refresh = session.who = session.kind = null; }

/** A problem+json answer, kept whole so pages can put each field's message beside its field. */
export class Problem extends Error {
  constructor(status, body) {
    super(body?.message ?? body?.title ?? String(status));
    this.status = status;
    this.code = body?.code ?? "unknown";
    this.errors = Array.isArray(body?.errors) ? body.errors : [];
  }
  /** The message for one form field (errors name dotted paths such as `form.household_size`). */
  forField(name) {
    const hit = this.errors.find((e) => e.field === name || e.field.endsWith(`.${name}`));
    return hit?.message ?? null;
  }
}

async function refreshOnce() {
  if (!session.refresh) return false;
  const response = await fetch(`${API_BASE}/v1/auth/refresh`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "Accept-Language": locale() },
    body: JSON.stringify({ refresh_token: session.refresh }),
  });
  if (!response.ok) { signOut(); return false; }
  setTokens(await response.json(), session.kind);
  return true;
}

export async function call(method, path, body, { idempotencyKey, retried } = {}) {
  const headers = { "Accept-Language": locale(), Accept: "application/json, application/problem+json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (session.access) headers.Authorization = `Bearer ${session.access}`;
  if (idempotencyKey) headers["Idempotency-Key"] = idempotencyKey;
  let response;
  try {
    response = await fetch(`${API_BASE}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new Problem(0, { code: "network", message: locale() === "en" ? "The service cannot be reached; try again." : "无法连接服务，请稍后重试。" });
  }
  if (response.status === 401 && !retried && (await refreshOnce())) {
    return call(method, path, body, { idempotencyKey, retried: true });
  }
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = { message: text.slice(0, 200) }; }
  if (!response.ok) throw new Problem(response.status, data);
  return data;
}

export const get = (path) => call("GET", path);
export const post = (path, body, options) => call("POST", path, body ?? {}, options);
export const put = (path, body) => call("PUT", path, body);

// Item details the pages share (D-266): the guide's fetch serves the apply page and the case page, so going
// from the guide to 在线申报 asks nothing again; keyed by language because titles follow Accept-Language.
const items = new Map();
export async function itemDetail(code, { fresh = false } = {}) {
  const key = `${locale()} ${code}`;
  if (fresh || !items.has(key)) {
    const detail = await get(`/v1/items/${encodeURIComponent(code)}`);
    if (items.size >= 50) items.clear(); // a tab's browsing, never the catalogue
    items.set(key, detail);
  }
  return items.get(key);
}
