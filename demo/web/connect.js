// "Connect a bank": the login and password are typed into secure fields
// that live in an iframe on the frame origin. This page never sees them:
// it gets field states (empty, valid, focused) and, on submit, the body
// with both fields already sealed by the frame with the provider's key.
// The page's client sends it; its onResponse hook lists what left the
// page. If the provider has rotated its key, the frame fetches it anew and
// seals again, once.
import { mountSecureForm } from "/dist/frames.js";
import { showStatus, explain, armForm } from "/static/ui.js";
import { needsSignIn, onSessionChange } from "/static/session.js";

const pointers = { login: "/login", password: "/password" };

const fields = [
  { name: "login", label: "Login", autocomplete: "username", error: "Enter your bank login." },
  { name: "password", label: "Password", type: "password", autocomplete: "current-password", error: "Enter your bank password." },
];

// The page's palette, passed as the frame's allowlisted theme properties.
const theme = { fontFamily: "system-ui, sans-serif", color: "#1a1a1a", accent: "#2457d6", borderColor: "#c4c9d4", radius: "8px", fontSize: "15px" };

function describe(states) {
  return Object.entries(states)
    .map(([name, s]) => `${name}: ${s.empty ? "empty" : s.valid ? "filled" : "not valid"}`)
    .join(", ");
}

// mountFields mounts the secure fields in the form and shows their states.
async function mountFields(form, config) {
  const secure = await mountSecureForm({
    frame: config.frameURL,
    container: document.getElementById("secure-fields"),
    provider: config.frameProvider,
    title: "Bank login and password (secure fields)",
    fields,
    theme,
  });
  const show = (states) => {
    form.dataset.secureStates = JSON.stringify(states);
    document.getElementById("secure-state").textContent = describe(states);
  };
  show(secure.states);
  secure.onChange(show);
  return secure;
}

// showSendError says why nothing was connected. After a submit with
// empty fields the frame already says, under each one, what to type: the
// page does not repeat it (nor name one field only).
function showSendError(status, e, states) {
  // An http_error carries the server's own code in its body.
  const code = e.code === "http_error" && e.body?.code ? e.body.code : e.code;
  if (code === "invalid_argument" && Object.values(states).some((s) => s.empty)) {
    showStatus(status, "error", "Fill in the highlighted fields.");
    return;
  }
  const { text, detail } = explain(code, e.message);
  showStatus(status, "error", text, detail);
}

// forget removes, on sign-out, the previous user's outcome, sealed body
// and typed values.
function forget(secure) {
  const status = document.getElementById("connect-status");
  status.replaceChildren();
  status.className = "status";
  document.getElementById("sent-body").textContent = "";
  document.getElementById("sent-log").textContent = "";
  document.getElementById("sent").hidden = true;
  return secure.clear();
}

// mountConnect mounts the secure fields at once; the module (for the
// client that sends) may still be loading: sbReady resolves with it.
export async function mountConnect(sbReady, config) {
  const form = document.getElementById("connect-form");
  const submit = document.getElementById("connect-submit");
  const status = document.getElementById("connect-status");
  const sent = document.getElementById("sent");
  const sentBody = document.getElementById("sent-body");
  const sentLog = document.getElementById("sent-log");
  const secure = await mountFields(form, config);

  function logSend(e) {
    const outcome = e.code ? `${e.status || "no answer"} (${e.code})` : e.status;
    sentLog.textContent += `${e.method} ${e.path}, attempt ${e.attempt}: ${outcome}\n`;
    sent.hidden = false;
  }
  let client = null;

  async function sealAndSend(refetchKey) {
    const template = { id_connector: Number(document.getElementById("connector").value) };
    const sealed = await secure.seal(template, pointers, { refetchKey });
    sentBody.textContent = JSON.stringify(sealed, null, 2);
    sent.hidden = false;
    client ??= (await sbReady).createClient({ baseURL: location.origin, onResponse: logSend });
    return client.request({ method: "POST", path: "/api/connections", headers: { "X-Sealbridge-Request": "1" }, body: sealed });
  }

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    if (needsSignIn(status)) return;
    submit.disabled = true;
    sentLog.textContent = "";
    sent.hidden = true;
    showStatus(status, "busy", "Encrypting and sending…");
    try {
      let res;
      try {
        res = await sealAndSend(false);
      } catch (e) {
        if (e.code !== "key_unknown") throw e;
        // The provider rotated its key: one fresh key, one new seal, one retry.
        res = await sealAndSend(true);
      }
      showStatus(status, "ok", `Bank connected (connection #${res.body.id}).`);
      await secure.clear();
    } catch (e) {
      showSendError(status, e, secure.states);
    } finally {
      submit.disabled = false;
    }
  });
  onSessionChange((isSignedIn) => (isSignedIn ? undefined : forget(secure)));
  // Enter in a secure field submits, once the handler above is in place.
  secure.onSubmit(() => form.requestSubmit());
  armForm(form);
  submit.disabled = false;
}
