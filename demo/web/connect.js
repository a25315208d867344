// "Connect a bank": the client seals the login and password with the
// provider's key and posts them to the dev server, which forwards them. If
// the provider has rotated its key, the client fetches it again and seals
// again by itself, once. Its onResponse hook lists what left the page.
import { showStatus, explain } from "/static/ui.js";

const sensitive = ["/login", "/password"];

export function mountConnect(sb, config) {
  const form = document.getElementById("connect-form");
  const submit = document.getElementById("connect-submit");
  const status = document.getElementById("connect-status");
  const sent = document.getElementById("sent");
  const sentLog = document.getElementById("sent-body");
  let current = null; // { client, pin }

  function logSend(e) {
    const outcome = e.code ? `${e.status || "no answer"} (${e.code})` : e.status;
    sentLog.textContent += `${e.method} ${e.path}, attempt ${e.attempt}: ${outcome}\n`;
    sent.hidden = false;
  }

  // A client per pinned key. It remembers the key's URL, so that after a
  // rotation it refetches the key itself.
  async function connectionClient() {
    const pin = document.getElementById("pin").value.trim() || undefined;
    if (!current || current.pin !== pin) {
      const key = await sb.fetchKey(config.keyURL, { pin });
      current?.client.close();
      current = { client: sb.createClient({ baseURL: location.origin, key, onResponse: logSend }), pin };
    }
    return current.client;
  }

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    submit.disabled = true;
    sentLog.textContent = "";
    sent.hidden = true;
    showStatus(status, "busy", "Encrypting and sending…");
    try {
      const client = await connectionClient();
      const res = await client.request({
        method: "POST",
        path: "/api/connections",
        headers: { "X-Sealbridge-Request": "1" },
        body: {
          id_connector: Number(document.getElementById("connector").value),
          login: form.login.value,
          password: form.password.value,
        },
        seal: sensitive,
      });
      showStatus(status, "ok", `Bank connected (connection #${res.body.id}).`);
      form.login.value = "";
    } catch (e) {
      // An http_error carries the server's own code in its body.
      const code = e.code === "http_error" && e.body?.code ? e.body.code : e.code;
      const { text, detail } = explain(code, e.message);
      showStatus(status, "error", text, detail);
    } finally {
      form.password.value = "";
      submit.disabled = false;
    }
  });
  submit.disabled = false;
}
