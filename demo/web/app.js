// The demo page's entry point: load the shim, read the dev server's public
// configuration, and wire each panel. No inline script: the CSP forbids it.
import { load } from "/dist/index.js";
import { mountConnect } from "/static/connect.js";
import { mountBeneficiaries } from "/static/beneficiaries.js";
import { mountCheckout } from "/static/checkout.js";
import { mountAccount } from "/static/account.js";

const runtime = document.getElementById("runtime");

async function main() {
  let sb;
  try {
    sb = await load({ wasmURL: "/dist/sealbridge.wasm" });
  } catch (e) {
    runtime.textContent = "The secure module failed to load: " + e.message;
    runtime.className = "runtime failed";
    return;
  }
  const config = await (await fetch("/api/config")).json();
  const link = document.getElementById("provider-link");
  link.textContent = config.providerURL + (config.sandbox ? " (embedded sandbox)" : "");
  link.href = config.providerURL + "/inbox";
  mountConnect(sb, config);
  mountBeneficiaries(sb);
  mountCheckout(sb, config);
  mountAccount(config);
  runtime.textContent = "Secure module ready";
  runtime.className = "runtime ready";
  document.body.dataset.ready = "true";
}

main();
