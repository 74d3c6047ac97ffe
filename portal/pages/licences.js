// Public licence verification by a picture of the QR code or by identifier (C11); my licences for citizens, each with its signed QR
// code and the PDF certificate to download.
import { get, post, signedIn } from "../api.js";
import { actionMessage, field, h, say, showError } from "../dom.js";
import { locale, t } from "../i18n.js";
import { qrImage } from "../qr.js";

export const nav = [
  { href: "#/licences", label: "nav_licences", for: ["citizen"] },
  { href: "#/verify", label: "nav_verify", for: ["public", "citizen", "staff", "supervisor"] },
];

/** The picture's pixels, scaled down to at most 1600 px a side (phone photos are larger than a QR needs). */
async function pixels(file) {
  const bitmap = await createImageBitmap(file);
  const scale = Math.min(1, 1600 / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement("canvas");
  canvas.width = Math.round(bitmap.width * scale);
  canvas.height = Math.round(bitmap.height * scale);
  const context = canvas.getContext("2d", { willReadFrequently: true });
  context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  return context.getImageData(0, 0, canvas.width, canvas.height);
}

/** The QR code's text read in the browser by the vendored decoder (D-288), or null when there is none. */
async function readQr(file) {
  const { decodeQR } = await import("../vendor/qr/decode.js");
  try { return decodeQR(await pixels(file)); } catch { return null; }
}

async function verify({ params }) {
  const input = h("input", { type: "text", value: params.get("id") ?? "", spellcheck: "false" });
  const picture = h("input", { type: "file", accept: "image/*" });
  const out = h("div", { id: "verify-result", "aria-live": "polite" });
  const ask = async (body, fieldId, messageId) => {
    try {
      const result = await post("/v1/licences/verify", body);
      showError(fieldId, null); say(messageId, "");
      out.replaceChildren(h("div", { class: result.result === "valid" ? "ok" : "notice" },
        h("h2", {}, `${t("result")}: `, h("strong", { "data-result": result.result }, result.result)),
        result.licence ? h("p", {}, `${result.licence.type_name ?? ""} · ${result.licence.number ?? ""} · ${t("holder")}: ${result.licence.holder_name ?? ""}`) : null));
    } catch (problem) {
      const message = problem.forField?.(fieldId === "qr-image" ? "qr" : "identifier") ?? null;
      showError(fieldId, message);
      say(messageId, message ? "" : problem.message);
    }
  };
  picture.addEventListener("change", async () => {
    if (!picture.files?.length) return;
    const text = await readQr(picture.files[0]);
    if (!text) { showError("qr-image", t("qr_not_found")); out.replaceChildren(); return; }
    await ask({ qr: text }, "qr-image", "qr-msg");
  });
  const byPicture = h("div", {}, field("qr-image", t("qr_image"), picture), actionMessage("qr-msg"));
  const form = h("form", { onsubmit: async (event) => {
    event.preventDefault();
    await ask({ identifier: input.value.trim() }, "identifier", "verify-msg");
  } }, field("identifier", t("or_identifier"), input), h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, t("verify"))), actionMessage("verify-msg"));
  return [h("h1", {}, t("verify_title")), byPicture, form, out];
}

async function mine() {
  if (!signedIn()) return [h("h1", {}, t("nav_licences")), h("p", {}, t("must_sign_in"))];
  const data = await get("/v1/me/licences");
  return [h("h1", {}, t("nav_licences")), data.items.length ? h("ul", { class: "plain" }, data.items.map((l) => h("li", { class: "card" },
    h("h2", {}, h("a", { href: `#/licence/${encodeURIComponent(l.licence_id)}` }, l.type_name)),
    h("p", { class: "meta" }, `${l.number} · ${l.issuer_name} · ${t(`licence_${l.status}`)}`)))) : h("p", {}, t("no_licences"))];
}

function row(label, value) { return h("tr", {}, h("th", { scope: "row" }, label), h("td", {}, value ?? "")); }

async function one({ args: [licenceId] }) {
  if (!signedIn()) return [h("h1", {}, t("nav_licences")), h("p", {}, t("must_sign_in"))];
  const l = await get(`/v1/me/licences/${encodeURIComponent(licenceId)}`);
  const link = h("p", { id: "download-link" });
  const download = h("button", { type: "button", class: "primary", id: "download", onclick: async () => {
    try {
      // a short-lived link: asked for when the person wants the file, not when the page opens
      const answer = await get(`/v1/me/licences/${encodeURIComponent(licenceId)}/download`);
      // its own tab: storage is another origin (the download attribute would not apply) and leaving this
      // tab would drop the in-memory session (D-151)
      link.replaceChildren(h("a", { href: answer.url, target: "_blank", rel: "noopener", "data-sha256": answer.sha256 }, t("download_pdf")));
      say("download-msg", "");
    } catch (problem) { say("download-msg", problem.message); }
  } }, t("download"));
  return [h("h1", {}, l.type_name),
    h("div", { class: "cols" },
      h("section", { class: "card", "aria-labelledby": "licence-h" }, h("h2", { id: "licence-h" }, t("licence_facts")),
        h("table", {}, h("tbody", {},
          row(t("licence_number"), l.number), row(t("holder"), l.holder_name), row(t("holder_code"), l.holder_code_masked),
          row(t("issuer"), l.issuer_name), row(t("issued_on"), l.issued_on),
          row(t("valid_to"), l.valid_to ?? t("long_term")), row(t("state"), t(`licence_${l.status}`)), row(t("identifier"), l.identifier)))),
      h("aside", { class: "card", "aria-labelledby": "qr-h" }, h("h2", { id: "qr-h" }, t("licence_qr")),
        await qrImage(l.qr, t("licence_qr")), h("p", { class: "meta" }, t("qr_hint")),
        h("div", { class: "actions" }, download, h("a", { class: "btn", href: `#/verify?id=${encodeURIComponent(l.identifier)}` }, t("verify"))),
        link, actionMessage("download-msg")))];
}

export const routes = [
  { path: /^\/verify$/, view: verify },
  { path: /^\/licences$/, view: mine },
  { path: /^\/licence\/([^/]+)$/, view: one },
];
