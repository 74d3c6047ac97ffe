// A tiny element builder: no framework, no build step (D-150).
export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key === "text") node.textContent = value;
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** A form field with its label and an error line wired by aria-describedby. */
export function field(id, label, control) {
  control.id = id;
  const error = h("p", { class: "error", id: `${id}-error`, role: "alert", hidden: true });
  control.setAttribute("aria-describedby", `${id}-error`);
  return h("div", { class: "field" }, h("label", { for: id }, label), control, error);
}

export function showError(id, message) {
  const control = document.getElementById(id);
  const error = document.getElementById(`${id}-error`);
  if (!control || !error) return;
  error.hidden = !message;
  error.textContent = message ?? "";
  if (message) control.setAttribute("aria-invalid", "true"); else control.removeAttribute("aria-invalid");
}

/** An API refusal where the user acts: each field's message beside its field (`fields`: [API field name, element
 * id] pairs), anything else under the action's button. True when some field took a message. */
export function placeProblem(problem, fields, actionId) {
  let placed = false;
  for (const [name, id] of fields) {
    const message = problem.forField?.(name) ?? null;
    showError(id, message);
    placed ||= Boolean(message);
  }
  say(actionId, placed ? "" : problem.message);
  return placed;
}

/** An action's message (role=status/alert) placed right under the button the user pressed. */
export function actionMessage(id) { return h("p", { id, class: "error", role: "alert", "aria-live": "assertive" }); }
export function say(id, message, ok = false) {
  const node = document.getElementById(id);
  if (!node) return;
  node.textContent = message ?? "";
  node.className = ok ? "ok" : "error";
  node.hidden = !message;
}

export function yuan(fen) { return `¥${(fen / 100).toFixed(2)}`; }
