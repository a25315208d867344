// The demo app's own sign-in, in the header: POST /api/session makes the
// server-side session (with the embedded sandbox, as the one demo user),
// DELETE /api/session ends it and revokes the provider's tokens. Loading
// the page makes no session. Panels that act for a user check signedIn()
// first and say "Sign in first" rather than fail.
import { showStatus, postJSON } from "/static/ui.js";

const $ = (id) => document.getElementById(id);
const listeners = [];
let state = { signedIn: false };

/** Whether this browser is signed in to the app. */
export function signedIn() {
  return state.signedIn;
}

/** Calls fn(signedIn) whenever the sign-in state changes. */
export function onSessionChange(fn) {
  listeners.push(fn);
}

export const signInFirst = "Sign in first, with the Sign in button at the top of the page.";

// Status lines showing "Sign in first": cleared once the user signs in, so
// that no panel keeps telling a signed-in user to sign in.
const waiting = new Set();

/** Shows "Sign in first" in a panel's status line when signed out; true then. */
export function needsSignIn(status) {
  if (state.signedIn) return false;
  showStatus(status, "notice", signInFirst);
  waiting.add(status);
  return true;
}

function clearSignInNotices() {
  for (const status of waiting) {
    if (status.textContent === signInFirst) {
      status.replaceChildren();
      status.className = "status";
    }
  }
  waiting.clear();
}

// update shows the new state; body[data-signed-in] changes once every
// panel has caught up with it (tests wait on it).
async function update(next) {
  const changed = next.signedIn !== state.signedIn;
  state = next;
  $("signin-state").textContent = state.signedIn ? `Signed in as ${state.user}` : "Not signed in";
  $("signin").textContent = state.signedIn ? "Sign out" : "Sign in";
  if (changed && state.signedIn) clearSignInNotices();
  if (changed) await Promise.all(listeners.map((fn) => fn(state.signedIn)));
  document.body.dataset.signedIn = String(state.signedIn);
}

async function toggle() {
  const res = state.signedIn
    ? await fetch("/api/session", { method: "DELETE", headers: { "X-Sealbridge-Request": "1" } }).then(async (r) => ({ ok: r.ok, data: await r.json().catch(() => null) }))
    : await postJSON("/api/session", { user: "demo" });
  if (!res.ok || !res.data) {
    $("signin-state").textContent = res.data?.message ? `Could not sign ${state.signedIn ? "out" : "in"}: ${res.data.message}` : "Could not reach the server.";
    return;
  }
  await update(res.data);
}

/** Reads the sign-in state (creating nothing) and wires the header's button. */
export async function mountSession() {
  const button = $("signin");
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      await toggle();
    } finally {
      button.disabled = false;
    }
  });
  window.addEventListener("sealbridge:session-ended", () => {
    if (state.signedIn) update({ signedIn: false });
  });
  const res = await fetch("/api/session");
  await update(res.ok ? await res.json() : { signedIn: false });
  button.disabled = false;
}
