// "Checkout": direct calls to the provider with a short-lived token scoped
// to one invoice. The shim renews it through onAccessTokenExpired: once for
// any number of waiting calls.
import { showStatus, explain, postJSON } from "/static/ui.js";

const $ = (id) => document.getElementById(id);

/** Asks the dev server for a token scoped to invoiceId. */
export async function checkoutToken(invoiceId) {
  const res = await postJSON("/api/checkout-token", { invoice_id: invoiceId });
  if (!res.ok) throw Object.assign(new Error(res.data?.message || `HTTP ${res.status}`), { code: res.data?.code });
  return res.data.token;
}

export function mountCheckout(sb, config) {
  const status = $("checkout-status");
  const select = $("checkout-invoice");
  for (const id of config.invoices || []) select.append(new Option(id, id));
  let client = null;
  let timer = null;

  function showClaims() {
    const c = client?.claims();
    if (!c) return;
    $("claim-customer").textContent = c.customerId;
    $("claim-invoice").textContent = c.invoiceId;
    const left = Math.round((c.expiresAt - Date.now()) / 1000);
    $("claim-expiry").textContent = left > 0 ? `expires in ${left} s` : "expired (renewed on next call)";
    $("checkout-claims").hidden = false;
  }

  async function start() {
    const invoiceId = select.value;
    showStatus(status, "busy", "Getting a checkout token…");
    try {
      client?.close();
      client = sb.createClient({
        baseURL: config.providerURL,
        accessToken: await checkoutToken(invoiceId),
        onAccessTokenExpired: () => checkoutToken(invoiceId),
      });
      const res = await client.request({ method: "GET", path: `/v1/invoices/${encodeURIComponent(invoiceId)}` });
      const inv = res.body;
      $("claim-amount").textContent = `${(inv.amount / 100).toFixed(2)} ${inv.currency} (${inv.status})`;
      showClaims();
      clearInterval(timer);
      timer = setInterval(showClaims, 1000);
      $("checkout-pay").hidden = false;
      showStatus(status, "ok", "Ready to pay.");
    } catch (e) {
      const { text, detail } = explain(e.code, e.message);
      showStatus(status, "error", text, detail);
    }
  }

  async function pay() {
    const invoiceId = select.value;
    showStatus(status, "busy", "Paying…");
    try {
      const res = await client.request({ method: "POST", path: `/v1/invoices/${encodeURIComponent(invoiceId)}/payments`, body: {} });
      showStatus(status, "ok", `Payment ${res.body.id} ${res.body.status}.`);
      showClaims();
    } catch (e) {
      const { text, detail } = explain(e.code, e.message);
      showStatus(status, "error", text, detail);
    }
  }

  $("checkout-start").addEventListener("click", start);
  $("checkout-pay").addEventListener("click", pay);
  $("checkout-start").disabled = false;
}
