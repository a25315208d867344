// The demo page's entry point: load the shim, read the dev server's public
// configuration, and wire each panel. No inline script: the CSP forbids it.
import { load } from "/dist/index.js";
import { mountConnect } from "/static/connect.js";
import { mountBeneficiaries } from "/static/beneficiaries.js";
import { mountCheckout } from "/static/checkout.js";
import { mountAccount } from "/static/account.js";
import { mountSession } from "/static/session.js";
import { showStatus, explain } from "/static/ui.js";

const runtime = document.getElementById("runtime");

async function main() {
  const config = await (await fetch("/api/config")).json();
  const link = document.getElementById("provider-link");
  // The embedded sandbox's inbox shows the one-time codes it "sends";
  // another provider has no such page, so the link goes to its address.
  link.textContent = config.sandbox ? "Sandbox inbox (one-time codes)" : `Provider: ${config.providerURL}`;
  link.href = config.sandbox ? config.providerURL + "/inbox" : config.providerURL;
  // Signing in needs no module: the header's button works meanwhile.
  await mountSession();
  // The bank form's fields, and the sealing, live in the frame: they are
  // mounted at once; this page's module only sends the sealed body.
  const sbReady = load({ wasmURL: "/dist/sealbridge.wasm" });
  const connecting = mountConnect(sbReady, config).catch((e) => {
    const { text, detail } = explain(e.code, e.message);
    showStatus(document.getElementById("connect-status"), "error", text, detail);
  });
  let sb;
  try {
    sb = await sbReady;
  } catch (e) {
    runtime.textContent = "Secure module not ready: it failed to load (" + e.message + "). Nothing you type is sent.";
    runtime.className = "runtime failed";
    return;
  }
  mountBeneficiaries(sb);
  mountCheckout(sb, config);
  mountAccount(config);
  await connecting;
  runtime.textContent = "Secure module ready";
  runtime.className = "runtime ready";
  document.body.dataset.ready = "true";
}

main();
