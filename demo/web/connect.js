// "Connect a bank": seal the login and password with the provider's key,
// then post the sealed body to the dev server, which forwards it.
import { showStatus, explain, postJSON } from "/static/ui.js";

const sensitive = ["/login", "/password"];

export function mountConnect(sb, config) {
  const form = document.getElementById("connect-form");
  const submit = document.getElementById("connect-submit");
  const status = document.getElementById("connect-status");
  const sent = document.getElementById("sent");
  const sentBody = document.getElementById("sent-body");
  let key = null;

  async function currentKey(refresh) {
    const pin = document.getElementById("pin").value.trim() || undefined;
    if (!key || refresh || key.pin !== pin) {
      key = { handle: await sb.fetchKey(config.keyURL, { pin }), pin };
    }
    return key.handle;
  }

  async function sealAndSend(body, refresh) {
    const sealed = await sb.sealFields(body, sensitive, await currentKey(refresh));
    sentBody.textContent = JSON.stringify(sealed, null, 2);
    sent.hidden = false;
    return postJSON("/api/connections", sealed);
  }

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    submit.disabled = true;
    sent.hidden = true;
    showStatus(status, "busy", "Encrypting and sending…");
    const body = {
      id_connector: Number(document.getElementById("connector").value),
      login: form.login.value,
      password: form.password.value,
    };
    try {
      let res = await sealAndSend(body, false);
      if (res.status === 400 && res.data?.code === "unknown_kid") {
        // The provider rotated its key: fetch the new one and seal again, once.
        res = await sealAndSend(body, true);
      }
      if (res.ok) {
        showStatus(status, "ok", `Bank connected (connection #${res.data.id}).`);
        form.login.value = "";
        form.password.value = "";
      } else {
        const { text, detail } = explain(res.data?.code, res.data?.message);
        showStatus(status, "error", text, detail);
      }
    } catch (e) {
      const { text, detail } = explain(e.code, e.message);
      showStatus(status, "error", text, detail);
    } finally {
      form.password.value = "";
      submit.disabled = false;
    }
  });
  submit.disabled = false;
}
