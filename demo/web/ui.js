// Small helpers shared by the panels: status lines and plain-word errors.

/** Shows a status line: kind is "ok", "error", "notice" or "busy". */
export function showStatus(el, kind, text, detail) {
  el.className = "status " + kind;
  el.textContent = text;
  if (detail) {
    const d = document.createElement("span");
    d.className = "detail";
    d.textContent = detail;
    el.append(d);
  }
}

const plainWords = {
  key_unavailable: "We couldn't get the bank's encryption key, so nothing was sent. Please try again in a moment.",
  key_invalid: "The bank's encryption key failed our safety checks, so nothing was sent.",
  key_pin_mismatch: "The bank's encryption key is not the one this page expects, so nothing was sent.",
  key_unknown: "The bank changed its encryption key. Please try again.",
  insecure_context: "This page is not served over a secure connection (https), so it cannot encrypt; nothing was sent.",
  key_not_allowed: "The secure fields are not set up for this bank, so nothing was sent.",
  network_error: "We couldn't reach the server. Check your connection and try again.",
  timeout: "The server took too long to answer. Please try again.",
  payload_too_large: "That is too long to send.",
  invalid_argument: "Something in the form is not valid.",
  upstream_unavailable: "The bank is not answering right now. Please try again shortly.",
  unauthenticated: "Sign in first, with the Sign in button at the top of the page.",
  mfa_required: "The bank wants a new one-time code.",
  reauth_required: "Please sign in again.",
  invoice_paid: "This invoice is already paid. Nothing more is due.",
};

/**
 * Plain words for an error code, with the technical message as detail. An
 * `unauthenticated` answer means the session ended (it expired, or another
 * tab signed out): the header hears of it and shows "Sign in".
 */
export function explain(code, message) {
  if (code === "unauthenticated") window.dispatchEvent(new Event("sealbridge:session-ended"));
  return { text: plainWords[code] || "Something went wrong.", detail: message ? `${code}: ${message}` : code };
}

/**
 * Enables a form's fieldset: call it once the form's submit handler is in
 * place. Until then its controls are disabled, so no submit can happen.
 */
export function armForm(form) {
  for (const fs of form.querySelectorAll(":scope > fieldset")) fs.disabled = false;
}

/** POSTs JSON to the dev server with the CSRF header, and reads JSON back. */
export async function postJSON(path, body) {
  const res = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Sealbridge-Request": "1" },
    body: JSON.stringify(body),
  });
  let data = null;
  try {
    data = await res.json();
  } catch {
    data = { code: "bad_response", message: `HTTP ${res.status} with no JSON body` };
  }
  return { status: res.status, ok: res.ok, data };
}
