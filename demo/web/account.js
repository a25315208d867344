// "Provider account": server-held OAuth. The page only learns "connected
// as …"; the provider's tokens stay in the dev server's session.
import { showStatus, explain, postJSON } from "/static/ui.js";

const $ = (id) => document.getElementById(id);

export function mountAccount(config) {
  const status = $("account-status");
  $("inbox-link").href = config.providerURL + "/inbox";

  function askForOTP(text) {
    $("otp-form").hidden = false;
    $("otp-code").value = "";
    showStatus(status, "busy", text);
  }

  async function refresh() {
    const res = await fetch("/api/me", { headers: { "X-Sealbridge-Request": "1" } });
    const data = await res.json().catch(() => ({}));
    if (res.status === 403 && data.code === "mfa_required") {
      $("account-disconnected").hidden = true;
      askForOTP("The bank wants a new one-time code.");
      return;
    }
    const connected = res.ok && data.connected;
    $("account-connected").hidden = !connected;
    $("account-disconnected").hidden = connected;
    if (connected) $("account-name").textContent = data.user?.name || data.user?.profile || data.user?.userId || "your account";
    if (!res.ok && data.code) {
      const { text, detail } = explain(data.code, data.message);
      showStatus(status, "error", text, detail);
    }
  }

  $("login-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    showStatus(status, "busy", "Signing in…");
    const res = await postJSON("/api/login", { username: $("login-username").value, password: $("login-password").value });
    $("login-password").value = "";
    if (!res.ok) {
      const { text, detail } = explain(res.data?.code, res.data?.message);
      showStatus(status, "error", res.data?.code === "invalid_credentials" ? "Wrong username or password." : text, detail);
      return;
    }
    if (res.data.isMFARequired) {
      $("account-disconnected").hidden = true;
      askForOTP("Enter the code from your authenticator (" + (res.data.mfaDeliveryMethods || []).join(", ") + ").");
      return;
    }
    showStatus(status, "ok", "Signed in.");
    await refresh();
  });

  $("otp-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const res = await postJSON("/api/login/otp", { token: $("otp-code").value, deliveryMethod: "totp" });
    $("otp-code").value = "";
    if (!res.ok) {
      const text = res.status === 429 ? "Too many tries. Wait a little and try again." : "That code did not work. Check it and try again.";
      showStatus(status, "error", text, `${res.data?.code}: ${res.data?.message}`);
      return;
    }
    $("otp-form").hidden = true;
    showStatus(status, "ok", "Verified.");
    await refresh();
  });

  $("accounts-load").addEventListener("click", async () => {
    const res = await fetch("/api/accounts", { headers: { "X-Sealbridge-Request": "1" } });
    const data = await res.json().catch(() => ({}));
    if (res.status === 403 && data.code === "mfa_required") {
      $("account-connected").hidden = true;
      askForOTP("The bank wants a new one-time code before showing your accounts.");
      return;
    }
    if (!res.ok) {
      const { text, detail } = explain(data.code, data.message);
      showStatus(status, "error", text, detail);
      return;
    }
    const list = $("accounts-list");
    const accounts = data.accounts || data;
    list.replaceChildren(
      ...accounts.map((a) => {
        const li = document.createElement("li");
        li.textContent = `${a.name} — ${a.iban || ""} ${a.balance !== undefined ? "· " + a.balance + " " + (a.currency || "") : ""}`;
        return li;
      }),
    );
    showStatus(status, "ok", `${accounts.length} ${accounts.length === 1 ? "account" : "accounts"} loaded.`);
  });

  $("account-logout").addEventListener("click", async () => {
    await postJSON("/api/logout", {});
    showStatus(status, "ok", "Disconnected.");
    await refresh();
  });

  const params = new URLSearchParams(location.search);
  if (params.get("auth_error")) showStatus(status, "error", "The provider sign-in did not complete.", params.get("auth_error"));
  refresh();
}
