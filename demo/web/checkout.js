// "Checkout": direct calls to the provider with a short-lived token scoped
// to one invoice. The shim renews it through onAccessTokenExpired: once for
// any number of waiting calls.
import { showStatus, explain, postJSON } from "/static/ui.js";
import { needsSignIn, onSessionChange } from "/static/session.js";

const $ = (id) => document.getElementById(id);

/** Asks the dev server for a token scoped to invoiceId. */
export async function checkoutToken(invoiceId) {
  const res = await postJSON("/api/checkout-token", { invoice_id: invoiceId });
  if (!res.ok) throw Object.assign(new Error(res.data?.message || `HTTP ${res.status}`), { code: res.data?.code });
  return res.data.token;
}

// The panel's state, shared by its handlers. The module is mounted once per
// page, so one object serves.
const panel = {
  sb: null,
  config: null,
  status: null,
  client: null,
  timer: null,
  started: null, // the invoice the client's token is scoped to
};

function showClaims() {
  const c = panel.client?.claims();
  if (!c) return;
  $("claim-customer").textContent = c.customerId;
  $("claim-invoice").textContent = c.invoiceId;
  const left = Math.round((c.expiresAt - Date.now()) / 1000);
  $("claim-expiry").textContent = left > 0 ? `expires in ${left} s` : "expired (renewed on next call)";
  $("checkout-claims").hidden = false;
}

// showInvoice reads the invoice again and shows its amount and status; a
// paid invoice has nothing left to pay, so the Pay button goes away.
async function showInvoice(invoiceId) {
  const inv = (await panel.client.request({ method: "GET", path: `/v1/invoices/${encodeURIComponent(invoiceId)}` })).body;
  const money = (cents) => `${(cents / 100).toFixed(2)} ${inv.currency}`;
  const due = inv.amount - (inv.amount_paid || 0);
  $("claim-amount").textContent = inv.status === "paid" ? `${money(inv.amount)} (paid)` : `${money(inv.amount)} (${money(due)} due)`;
  $("claim-amount").dataset.status = inv.status;
  $("checkout-pay").hidden = inv.status === "paid";
  return inv;
}

// renewTimer restarts the countdown, so that the shown expiry follows the
// token the client holds now.
function renewTimer() {
  clearInterval(panel.timer);
  panel.timer = setInterval(showClaims, 1000);
}

async function start() {
  const { status } = panel;
  if (needsSignIn(status)) return;
  const invoiceId = $("checkout-invoice").value;
  panel.started = invoiceId;
  showStatus(status, "busy", "Getting a checkout token…");
  $("checkout-pay").hidden = true;
  try {
    panel.client?.close();
    panel.client = panel.sb.createClient({
      baseURL: panel.config.providerURL,
      accessToken: await checkoutToken(invoiceId),
      onAccessTokenExpired: () => checkoutToken(invoiceId),
    });
    const inv = await showInvoice(invoiceId);
    showClaims();
    renewTimer();
    showStatus(status, "ok", inv.status === "paid" ? "This invoice is already paid. Nothing more is due." : "Ready to pay.");
  } catch (e) {
    const { text, detail } = explain(e.code, e.message);
    showStatus(status, "error", text, detail);
  }
}

async function pay() {
  const { status } = panel;
  if (!panel.client || needsSignIn(status)) return;
  const invoiceId = panel.started;
  const button = $("checkout-pay");
  button.disabled = true;
  showStatus(status, "busy", "Paying…");
  try {
    const res = await panel.client.request({ method: "POST", path: `/v1/invoices/${encodeURIComponent(invoiceId)}/payments`, body: {} });
    showStatus(status, "ok", `Payment ${res.body.id} ${res.body.status}: ${(res.body.amount / 100).toFixed(2)} ${res.body.currency}.`);
  } catch (e) {
    // A provider refusal (409 invoice_paid: paid meanwhile, say in another
    // tab) carries the provider's code in its body.
    const code = e.code === "http_error" && e.body?.code ? e.body.code : e.code;
    const { text, detail } = explain(code, e.body?.message || e.message);
    showStatus(status, "error", text, detail);
  } finally {
    button.disabled = false;
  }
  try {
    await showInvoice(invoiceId);
    showClaims();
  } catch {
    // The status line already says how the payment went.
  }
}

// hideCheckout hides the Pay button, the claims and the status line.
function hideCheckout() {
  $("checkout-pay").hidden = true;
  $("checkout-claims").hidden = true;
  clearInterval(panel.timer);
  panel.status.replaceChildren();
  panel.status.className = "status";
}

// Signed out: the scoped token is still valid at the provider until it
// expires, so the client holding it goes, and nothing offers to pay.
function onSignedOut(isSignedIn) {
  if (isSignedIn) return;
  panel.client?.close();
  panel.client = null;
  panel.started = null;
  hideCheckout();
}

export function mountCheckout(sb, config) {
  Object.assign(panel, { sb, config, status: $("checkout-status") });
  const select = $("checkout-invoice");
  for (const id of config.invoices || []) select.append(new Option(id, id));
  // Another invoice needs its own token: start again.
  select.addEventListener("change", hideCheckout);
  onSessionChange(onSignedOut);
  $("checkout-start").addEventListener("click", start);
  $("checkout-pay").addEventListener("click", pay);
  $("checkout-start").disabled = false;
}
