// The message centre (消息中心, C13): newest first, unread marked, read on request; a message's link (a
// path the notifications context writes for any client) opens the portal page for it.
import { get, post, signedIn } from "../api.js";
import { actionMessage, h, say } from "../dom.js";
import { locale, t } from "../i18n.js";

export const nav = [{ href: "#/messages", label: "nav_messages", for: ["citizen", "staff", "supervisor"] }];

const LINKS = [
  [/^\/cases\/([^/]+)$/, (id) => `#/case/${id}`],
  [/^\/me\/licences\/([^/]+)$/, (id) => `#/licence/${id}`],
  [/^\/payment-orders\/[^/]+$/, () => "#/payments"],
];

/** The portal page a message points at, or null when the portal has none for it. */
export function portalLink(link) {
  for (const [pattern, to] of LINKS) {
    const match = pattern.exec(link ?? "");
    if (match) return to(encodeURIComponent(match[1] ?? ""));
  }
  return null;
}

function messageCard(message) {
  const href = portalLink(message.link);
  const unread = !message.read_at;
  const markRead = h("button", { type: "button", class: "secondary", "data-read": message.message_id, onclick: async () => {
    try {
      await post(`/v1/me/messages/${encodeURIComponent(message.message_id)}/read`);
      const card = markRead.closest("li");
      card.classList.remove("unread");
      card.querySelector(".unread-mark")?.remove();
      markRead.remove();
    } catch (problem) { say(`msg-${message.message_id}`, problem.message); }
  } }, t("mark_read"));
  return h("li", { class: unread ? "card unread" : "card", "data-message": message.message_id },
    h("h2", {}, unread ? h("span", { class: "badge unread-mark" }, t("unread")) : null, " ", href ? h("a", { href }, message.title) : message.title),
    h("p", {}, message.body),
    h("p", { class: "meta" }, new Date(message.created_at).toLocaleString(locale() === "en" ? "en-GB" : "zh-CN")),
    unread ? h("div", { class: "actions" }, markRead) : null,
    actionMessage(`msg-${message.message_id}`));
}

async function inbox() {
  if (!signedIn()) return [h("h1", {}, t("nav_messages")), h("p", {}, t("must_sign_in"))];
  const [data, unread] = await Promise.all([get("/v1/me/messages?limit=50"), get("/v1/me/messages/unread-count")]);
  return [h("h1", {}, t("nav_messages")), h("p", { class: "meta", id: "unread-count" }, `${t("unread")}: ${unread.unread}`),
    data.items.length ? h("ul", { class: "plain" }, data.items.map(messageCard)) : h("p", {}, t("no_messages"))];
}

export const routes = [{ path: /^\/messages$/, view: inbox }];
