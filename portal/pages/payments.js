// My payment orders and paying one at the channel's cashier (C10). The cashier opens in a tab of its own:
// leaving the portal's tab would drop the in-memory tokens (D-151), and the result arrives by the
// channel's callback anyway, so this page polls the order until it is paid (D-301).
import { get, post, signedIn } from "../api.js";
import { actionMessage, h, say, yuan } from "../dom.js";
import { locale, t } from "../i18n.js";
import { qrImage } from "../qr.js";

export const nav = [{ href: "#/payments", label: "nav_payments", for: ["citizen"] }];

const OPEN = ["created", "paying", "failed"]; // payable (a failed payment may be tried again)
// Every 1.5 s for the first two minutes, then every 5 s up to a quarter of an hour: a person paying on a phone
// (or a busy channel) may take longer than two minutes, and the page must still show the result by itself.
const POLL_FAST_MS = 1500;
const POLL_SLOW_MS = 5000;
const POLL_FAST_TIMES = 80;
const POLL_TIMES = POLL_FAST_TIMES + 156;

function when(value) { return value ? new Date(value).toLocaleString(locale() === "en" ? "en-GB" : "zh-CN") : ""; }

async function followUntilPaid(orderId, stateNode, cashier) {
  for (let i = 0; i < POLL_TIMES; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, i < POLL_FAST_TIMES ? POLL_FAST_MS : POLL_SLOW_MS));
    if (!document.body.contains(stateNode)) return; // the user moved on
    const order = await get(`/v1/payment-orders/${encodeURIComponent(orderId)}`).catch(() => null);
    if (order && !["created", "paying"].includes(order.state)) {
      stateNode.textContent = order.state_name;
      stateNode.dataset.state = order.state;
      if (order.state === "paid") { cashier.replaceChildren(); say(`pay-${orderId}-msg`, t("paid_ok"), true); }
      return;
    }
  }
}

function payButton(order, stateNode, cashier) {
  return h("button", { type: "button", class: "primary", "data-pay": order.order_id, onclick: async (event) => {
    const button = event.currentTarget;
    try {
      const session = await post(`/v1/payment-orders/${encodeURIComponent(order.order_id)}/pay`, {}, { idempotencyKey: `portal-pay-${order.order_id}` });
      button.hidden = true;
      cashier.replaceChildren(
        h("p", {}, t("pay_hint")),
        h("a", { class: "btn", href: session.pay_url, target: "_blank", rel: "noopener", id: `cashier-${order.order_id}` }, t("open_cashier")),
        h("p", { class: "meta" }, t("pay_scan")),
        await qrImage(session.qr_code ?? session.pay_url, t("pay_qr")));
      say(`pay-${order.order_id}-msg`, "");
      followUntilPaid(order.order_id, stateNode, cashier);
    } catch (problem) { say(`pay-${order.order_id}-msg`, problem.message); }
  } }, t("pay"));
}

function orderCard(order) {
  const stateNode = h("strong", { "data-state": order.state, id: `state-${order.order_id}` }, order.state_name);
  const cashier = h("div", { class: "cashier" });
  return h("li", { class: "card", "data-order": order.order_id, "data-case": order.case_id },
    h("h2", {}, order.item_name),
    h("p", { class: "meta" }, `${order.case_number} · ${t("notice_number")} ${order.notice_number}`),
    h("table", {}, h("tbody", {},
      order.lines.map((line) => h("tr", {}, h("th", { scope: "row" }, line.name), h("td", {}, yuan(line.amount_fen)))),
      h("tr", {}, h("th", { scope: "row" }, t("amount")), h("td", {}, h("strong", {}, yuan(order.amount_fen)))),
      h("tr", {}, h("th", { scope: "row" }, t("state")), h("td", {}, stateNode)),
      h("tr", {}, h("th", { scope: "row" }, order.paid_at ? t("paid_at") : t("expires_at")), h("td", {}, when(order.paid_at ?? order.expires_at))))),
    OPEN.includes(order.state) ? h("div", { class: "actions" }, payButton(order, stateNode, cashier)) : null,
    cashier, actionMessage(`pay-${order.order_id}-msg`));
}

async function myOrders() {
  if (!signedIn()) return [h("h1", {}, t("nav_payments")), h("p", {}, t("must_sign_in"))];
  const data = await get("/v1/payment-orders");
  return [h("h1", {}, t("nav_payments")),
    data.items.length ? h("ul", { class: "plain" }, data.items.map(orderCard)) : h("p", {}, t("no_orders"))];
}

export const routes = [{ path: /^\/payments$/, view: myOrders }];
