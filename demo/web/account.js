// "Provider account": server-held OAuth. The page only learns "connected
// as …"; the provider's tokens stay in the dev server's session.
import { showStatus, explain, postJSON, armForm } from "/static/ui.js";
import { signedIn, onSessionChange, signInFirst } from "/static/session.js";

const $ = (id) => document.getElementById(id);

// How the provider may deliver a one-time code, in words a person uses.
const deliveryWords = {
  totp: "your authenticator app",
  email: "the email you received",
  sms: "the text message you received",
};

/**
 * "Enter the one-time code from your authenticator app or the email you
 * received." The embedded sandbox sends nothing: it shows the code on its
 * inbox page, so with it the prompt says so.
 */
export function otpPrompt(methods, sandbox) {
  if (sandbox) return "Enter the one-time code shown on the sandbox's inbox page: the sandbox sends no email or text.";
  const ways = (methods || []).map((m) => deliveryWords[String(m).toLowerCase()]).filter(Boolean);
  if (ways.length === 0) return "Enter your one-time code.";
  const last = ways.pop();
  return "Enter the one-time code from " + (ways.length ? ways.join(", ") + " or " + last : last) + ".";
}

// The panel's state, shared by its handlers. The module is mounted once per
// page, so one object serves.
const panel = {
  config: null,
  status: null,
};

function showError(code, message) {
  const { text, detail } = explain(code, message);
  showStatus(panel.status, "error", text, detail);
}

function askForOTP(text) {
  $("otp-form").hidden = false;
  $("otp-code").value = "";
  showStatus(panel.status, "busy", text);
}

// Signed out of the app: no provider account to show or connect.
function signedOut() {
  $("account-connected").hidden = true;
  $("account-disconnected").hidden = true;
  $("otp-form").hidden = true;
  $("accounts-list").replaceChildren();
  showStatus(panel.status, "notice", signInFirst);
}

async function refresh() {
  if (!signedIn()) return signedOut();
  const res = await fetch("/api/me", { headers: { "X-Sealbridge-Request": "1" } });
  const data = await res.json().catch(() => ({}));
  if (res.status === 403 && data.code === "mfa_required") {
    $("account-disconnected").hidden = true;
    // A password sign-in waiting for its code, or a connected account
    // the bank wants a fresh code for: either way, a code is next.
    askForOTP("The bank asks for a one-time code to go on. " + otpPrompt([], panel.config.sandbox));
    return;
  }
  const connected = res.ok && data.connected;
  $("account-connected").hidden = !connected;
  $("account-disconnected").hidden = connected;
  if (connected) $("account-name").textContent = data.user?.name || data.user?.profile || data.user?.userId || "your account";
  if (!res.ok && data.code) showError(data.code, data.message);
}

async function login(ev) {
  ev.preventDefault();
  const { status } = panel;
  showStatus(status, "busy", "Connecting…");
  const res = await postJSON("/api/login", { username: $("login-username").value, password: $("login-password").value });
  $("login-password").value = "";
  if (!res.ok) {
    const { text, detail } = explain(res.data?.code, res.data?.message);
    showStatus(status, "error", res.data?.code === "invalid_credentials" ? "Wrong username or password." : text, detail);
    return;
  }
  if (res.data.isMFARequired) {
    $("account-disconnected").hidden = true;
    askForOTP(otpPrompt(res.data.mfaDeliveryMethods, panel.config.sandbox));
    return;
  }
  showStatus(status, "ok", `Connected as ${$("login-username").value}.`);
  await refresh();
}

async function otp(ev) {
  ev.preventDefault();
  const res = await postJSON("/api/login/otp", { token: $("otp-code").value, deliveryMethod: "totp" });
  $("otp-code").value = "";
  if (!res.ok) {
    const text = res.status === 429 ? "Too many tries. Wait a little and try again." : "That code did not work. Check it and try again.";
    showStatus(panel.status, "error", text, `${res.data?.code}: ${res.data?.message}`);
    return;
  }
  $("otp-form").hidden = true;
  showStatus(panel.status, "ok", "Verified.");
  await refresh();
}

async function loadAccounts() {
  const res = await fetch("/api/accounts", { headers: { "X-Sealbridge-Request": "1" } });
  const data = await res.json().catch(() => ({}));
  if (res.status === 403 && data.code === "mfa_required") {
    $("account-connected").hidden = true;
    askForOTP("The bank wants a new one-time code before showing your accounts.");
    return;
  }
  if (!res.ok) return showError(data.code, data.message);
  const accounts = data.accounts || data;
  $("accounts-list").replaceChildren(...accounts.map(accountItem));
  showStatus(panel.status, "ok", `${accounts.length} ${accounts.length === 1 ? "account" : "accounts"} loaded.`);
}

function accountItem(a) {
  const li = document.createElement("li");
  li.textContent = `${a.name} — ${a.iban || ""} ${a.balance !== undefined ? "· " + a.balance + " " + (a.currency || "") : ""}`;
  return li;
}

// cancel abandons a sign-in waiting for its code: the server drops the
// provider's tokens (the app session stays) and the connect options come
// back.
async function cancel() {
  const res = await postJSON("/api/logout", {});
  if (!res.ok) return showError(res.data?.code, res.data?.message);
  $("otp-form").hidden = true;
  await refresh();
  showStatus(panel.status, "ok", "Cancelled: the bank account is not connected.");
}

// Disconnect ends the provider account's sign-in only: the app session
// stays, so the other panels keep working.
async function logout() {
  const res = await postJSON("/api/logout", {});
  if (!res.ok) return showError(res.data?.code, res.data?.message);
  $("accounts-list").replaceChildren();
  await refresh();
  showStatus(panel.status, "ok", "Disconnected from the provider. Its tokens were removed from the server; the other panels are not affected.");
}

function onSignInChange() {
  panel.status.replaceChildren(); // the "Sign in first" notice, or an old error
  panel.status.className = "status";
  return refresh();
}

export function mountAccount(config) {
  panel.config = config;
  panel.status = $("account-status");
  $("inbox-link").href = config.providerURL + "/inbox";
  $("otp-sandbox-hint").hidden = !config.sandbox;
  $("login-form").addEventListener("submit", login);
  $("otp-form").addEventListener("submit", otp);
  $("accounts-load").addEventListener("click", loadAccounts);
  $("account-logout").addEventListener("click", logout);
  $("otp-cancel").addEventListener("click", cancel);
  armForm($("login-form"));
  armForm($("otp-form"));
  onSessionChange(onSignInChange);
  const params = new URLSearchParams(location.search);
  if (params.get("auth_error")) showStatus(panel.status, "error", "The provider sign-in did not complete.", params.get("auth_error"));
  else refresh();
}
